"""Deciding an aanvraag: by a case worker (behandelaar) of the handling municipality, or by Plein itself when the
service's rule held at submission (straight-through); and the consent someone else gives first, where a service
needs it. A positive decision closes the zaak and runs the effects in one transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, InvalidInput, InvalidParam, NotFound, PleinError
from plein.payments import service as payments
from plein.services import casefile, effects, fees, service
from plein.services.definition import of_release
from plein.services.models import (
    AFGEWEZEN,
    GEGEVEN,
    GEVRAAGD,
    GEWEIGERD,
    INGEDIEND,
    TOEGEKEND,
    Aanvraag,
    Toestemming,
    claim,
)
from plein.services.run import Offer, Run
from plein.storage import FileStorage
from plein.store import adoptions
from plein.store import service as store
from plein.zgw.zaken import cases

AUTOMATIC = "plein (automatisch)"
REASON_LIMIT = 2000


def may_decide(principal: Principal | None, aanvraag: Aanvraag) -> bool:
    """Only a behandelaar of the municipality that handles the aanvraag decides it."""
    return principal is not None and principal.has_role(aanvraag.municipality, "behandelaar")


async def handled_aanvraag(session: AsyncSession, principal: Principal | None, aanvraag_id: uuid.UUID) -> Aanvraag:
    """An aanvraag of the case worker's municipality; 404 for every other (another municipality's cases are not
    shown, nor is whether they exist)."""
    aanvraag = await session.get(Aanvraag, aanvraag_id)
    if aanvraag is None or aanvraag.status == "concept" or not may_decide(principal, aanvraag):
        raise NotFound("er is geen aanvraag met dit nummer in uw werkvoorraad")
    return aanvraag


async def decision_run(session: AsyncSession, aanvraag: Aanvraag) -> Run:
    """The aanvraag under the definition it was submitted with and its municipality's adoption (also when that has
    ended since: running cases finish, as far as the grants still allow)."""
    adoption = await adoptions.latest_adoption(session, aanvraag.municipality, aanvraag.app)
    release = await store.release_by_id(session, aanvraag.release_id)
    if adoption is None or not isinstance(release.service, dict):
        raise Conflict("this aanvraag's service is not known any more")
    return Run(Offer(adoption, of_release(release.id, release.service, release.service_files)), aanvraag)


async def pending_consent(session: AsyncSession, aanvraag: Aanvraag) -> list[Toestemming]:
    """Consent asked for the aanvraag that is not given (asked, or refused)."""
    rows = await session.scalars(select(Toestemming).where(Toestemming.aanvraag_id == aanvraag.id,
                                                           Toestemming.status != GEGEVEN))
    return list(rows)


async def decide(session: AsyncSession, aanvraag: Aanvraag, granted: bool, reason: str, actor: Principal | None,
                 base_url: str, trace_id: str, storage: FileStorage | None = None) -> Aanvraag:
    """Decide a submitted aanvraag (actor None: Plein, automatically). Positive: the zaak gets its resultaat and
    eindstatus, the documents are made (in `storage`) and the effects change the registers, all in one transaction
    or not at all. Negative: the zaak is closed with the reason, which the citizen reads; nothing else changes."""
    text = " ".join(reason.split())[:REASON_LIMIT]
    if aanvraag.status != INGEDIEND:
        raise Conflict("over deze aanvraag is al besloten" if aanvraag.status in (TOEGEKEND, AFGEWEZEN)
                       else "deze aanvraag is nog niet ingediend")
    if not granted and not text:
        raise InvalidInput("schrijf op waarom de aanvraag wordt afgewezen; de aanvrager leest dit",
                           [InvalidParam("reden", "required", "een afwijzing heeft een reden")])
    if granted and await pending_consent(session, aanvraag):
        raise Conflict("de toestemming die deze aanvraag nodig heeft, is nog niet gegeven")
    run = await decision_run(session, aanvraag)
    if granted:
        await payments_settled(session, run)
        await _read_again(session, run, trace_id)
    if not await claim(session, aanvraag, INGEDIEND, TOEGEKEND if granted else AFGEWEZEN):
        await session.rollback()
        raise Conflict("over deze aanvraag is zojuist al besloten")
    stored: list[str] = []
    try:
        async with cases.writes_together(session):
            case = await casefile.close(session, run, base_url, granted, "" if granted else text)
            done = await effects.apply(session, run, case, base_url, trace_id, storage, stored) if granted else None
        if done is not None:  # set after the block's writes: the aanvraag is written once, at the commit
            aanvraag.effects = done
        aanvraag.reason = text or None
        aanvraag.decided_by = actor.id if actor is not None else AUTOMATIC
        aanvraag.decided_at = aanvraag.updated_at = utcnow()
        aanvraag.decide_after = None
        aanvraag.version += 1
        await session.commit()
    except BaseException:
        await session.rollback()
        await effects.forget(storage, stored)
        raise
    return aanvraag


async def _read_again(session: AsyncSession, run: Run, trace_id: str) -> None:
    """The register data a document shows as of now (its effect's `actueel`), read at the source before the
    decision's transaction (each read is logged)."""
    wanted = {name for spec in run.definition.effects if spec["type"] == "document" for name in spec.get("actueel", [])}
    if wanted:
        await service.refresh_prefill(session, run, trace_id, only=wanted)
        await session.commit()


async def payments_settled(session: AsyncSession, run: Run) -> None:
    """A service with a fee is granted only when it is paid (Conflict otherwise)."""
    if run.definition.raw.get("payment") is None:
        return
    if not await fees.paid(session, run):
        raise Conflict("deze aanvraag is nog niet betaald; pas na betaling kan ze worden toegekend")


async def decide_automatically(session: AsyncSession, aanvraag_id: uuid.UUID, base_url: str,
                               trace_id: str, storage: FileStorage | None = None) -> Aanvraag | None:
    """Straight-through: grant an aanvraag whose rule held, if it is still waiting. When the effects cannot be made
    (the register changed since, a grant was revoked), the aanvraag goes to a case worker with the reason. An
    aanvraag that another process is deciding right now is left to it (PostgreSQL: its row is locked, and skipped)."""
    aanvraag = await session.get(Aanvraag, aanvraag_id, populate_existing=True,
                                 with_for_update={"skip_locked": True})
    if aanvraag is None or aanvraag.status != INGEDIEND or not aanvraag.automatic:
        return None
    try:
        return await decide(session, aanvraag, True, "", None, base_url, trace_id, storage)
    except PleinError as error:
        await session.refresh(aanvraag)
        if aanvraag.status != INGEDIEND:
            return aanvraag
        aanvraag.automatic, aanvraag.decide_after = False, None
        aanvraag.automatic_note = f"Automatisch afhandelen lukte niet: {error.detail}"[:2000]
        await session.commit()
        return aanvraag


async def close_unpaid(session: AsyncSession, aanvraag_id: uuid.UUID, days: int, base_url: str,
                       trace_id: str) -> bool:
    """Close an aanvraag whose fee was not paid within `days` (services.fees.unpaid_since found it), as Plein, with
    the reason for the applicant. Left alone while a payment is open at the provider (it may still be paid), and
    when it was paid or decided meanwhile. True when closed."""
    aanvraag = await session.get(Aanvraag, aanvraag_id, populate_existing=True)
    if aanvraag is None or aanvraag.status != INGEDIEND:
        return False
    run = await decision_run(session, aanvraag)
    payment = await fees.payment_of(session, aanvraag)
    if payment is not None and payment.status in (payments.OPEN, payments.PAID):
        return False
    try:
        await decide(session, aanvraag, False, fees.unpaid_reason(run, days), None, base_url, trace_id)
    except Conflict:  # decided by someone else just now
        return False
    return True


# --- consent --------------------------------------------------------------------------------------------------


async def asked_of(session: AsyncSession, bsn: str) -> list[tuple[Toestemming, Aanvraag]]:
    """The consent asked of this person that they have not answered, with the aanvraag it is for."""
    rows = await session.execute(
        select(Toestemming, Aanvraag).join(Aanvraag, Aanvraag.id == Toestemming.aanvraag_id)
        .where(Toestemming.asked_bsn == bsn, Toestemming.status == GEVRAAGD, Aanvraag.status == INGEDIEND)
        .order_by(Toestemming.asked_at))
    return [(consent, aanvraag) for consent, aanvraag in rows.all()]


async def answer_consent(session: AsyncSession, principal: Principal, consent_id: uuid.UUID,
                         given: bool) -> Toestemming:
    """The person asked gives or refuses consent. When the last consent is given and the aanvraag may be decided
    automatically, it becomes due for that; a refusal goes to the case worker."""
    consent = await session.get(Toestemming, consent_id)
    if consent is None or principal.kind != "citizen" or consent.asked_bsn != principal.id:
        raise NotFound("er is geen verzoek om toestemming met dit nummer voor u")
    if consent.status != GEVRAAGD:
        raise Conflict("u heeft op dit verzoek al geantwoord")
    consent.status = GEGEVEN if given else GEWEIGERD
    consent.answered_at = utcnow()
    aanvraag = await session.get(Aanvraag, consent.aanvraag_id)
    assert aanvraag is not None
    await session.flush()
    if given and aanvraag.automatic and aanvraag.status == INGEDIEND and not await pending_consent(session, aanvraag):
        aanvraag.decide_after = utcnow()
    if not given:
        aanvraag.automatic, aanvraag.decide_after = False, None
        aanvraag.automatic_note = f"De gevraagde toestemming ({consent.consent}) is geweigerd."
    aanvraag.updated_at = utcnow()
    await session.commit()
    return consent
