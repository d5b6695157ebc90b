"""The effects of a positive decision, from a fixed vocabulary that Plein implements (an app only names them and
gives their values as JSON Logic): each register change goes through a write grant of the handling municipality
and the processing log and is announced on the `brp` kanaal; a document is made from the app's template and added
to the zaak. All in the decision's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock, logic
from plein.db import utcnow
from plein.errors import Conflict, InvalidInput, InvalidParam
from plein.exchange import service as exchange
from plein.notifications import service as notifications
from plein.registers.brp import service as brp
from plein.services import documents, questions, verification
from plein.services.run import Run
from plein.storage import FileStorage
from plein.store.checks.service import EFFECT_WRITES
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak

PDF = "application/pdf"


@dataclass(frozen=True)
class Context:
    """What an effect works with besides the run: the closed zaak and its case type, where resources live, the trace
    of this decision, file storage."""

    zaak: Zaak
    kind: cases.CaseType
    base_url: str
    trace_id: str
    storage: FileStorage | None
    stored: list[str]  # the files put in the storage for this decision (removed again when it fails)


Effect = Callable[[AsyncSession, Run, dict[str, Any], Context], Awaitable[list[dict[str, Any]]]]


def _write_activity(run: Run, register: str, mutation: str) -> str:
    """The processing activity of the app's write grant for this change (requires.writes)."""
    for item in (run.offer.manifest.get("requires") or {}).get("writes") or []:
        if item.get("register") == register and item.get("mutation") == mutation:
            return str(item["activity"])
    raise Conflict(f"the app asks no write grant for {register} {mutation}")


async def _permit(session: AsyncSession, run: Run, effect: str, trace_id: str) -> exchange.WritePermit:
    needed = EFFECT_WRITES[effect]
    assert needed is not None
    register, mutation = needed
    return await exchange.authorize_write(session, exchange.platform_client_id(run.offer.code), register, mutation,
                                          _write_activity(run, register, mutation), trace_id)


def _bad(effect: str, name: str, reason: str) -> InvalidInput:
    return InvalidInput(f"effect {effect}: {name} {reason}", [InvalidParam(f"{effect}.{name}", "invalid", reason)])


def _day(effect: str, value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _bad(effect, "datum", "gives no date") from exc


def _cause(run: Run) -> brp.Cause:
    return brp.Cause(f"{run.definition.title} ({run.aanvraag.zaak_identificatie})", run.aanvraag.zaak_url or "")


async def _announce(session: AsyncSession, run: Run, context: Context, kenmerken: dict[str, str]) -> None:
    """A change at the source of the BRP on the `brp` kanaal: hoofdObject the zaak that caused it. A kenmerk without
    a value (no previous municipality) is left out: kenmerken carry values."""
    await notifications.publish(
        session, kanaal="brp", hoofd_object=run.aanvraag.zaak_url or "", resource="ingeschrevenpersoon",
        resource_url=f"{context.base_url.rstrip('/')}/haalcentraal/api/brp/personen", actie="update",
        kenmerken={name: value for name, value in kenmerken.items() if value}, source_oin=run.offer.organisation.oin)


async def _verhuizing(session: AsyncSession, run: Run, spec: dict[str, Any], context: Context) -> list[dict[str, Any]]:
    """brp.verhuizing: every person moves to the BAG address on the date (register_move, under the write grant)."""
    data = run.data()
    persons = [str(bsn) for bsn in logic.evaluate(spec["personen"], data) or [] if bsn]
    address = logic.evaluate(spec["adres"], data)
    if not persons:
        raise _bad("brp.verhuizing", "personen", "gives no persons")
    if not isinstance(address, str) or not address:
        raise _bad("brp.verhuizing", "adres", "gives no nummeraanduiding")
    moment = _day("brp.verhuizing", logic.evaluate(spec["datum"], data))
    permit = await _permit(session, run, "brp.verhuizing", context.trace_id)
    residence = brp.NewResidence(datum=moment.strftime("%Y%m%d"), nummeraanduiding=address)
    moved = await brp.write_moves(session, permit, [(bsn, residence) for bsn in dict.fromkeys(persons)], _cause(run))
    for item in moved:
        await _announce(session, run, context, {
            "gemeente": item.residence.gemeente_van_inschrijving or "", "vorigeGemeente": item.previous_gemeente or "",
            "soort": "verhuizing", "burgerservicenummer": item.bsn})
    return [{"type": "brp.verhuizing", "burgerservicenummer": item.bsn,
             "gemeente": item.residence.gemeente_van_inschrijving, "vorigeGemeente": item.previous_gemeente,
             "datum": moment.isoformat()} for item in moved]


async def _overlijden(session: AsyncSession, run: Run, spec: dict[str, Any], context: Context) -> list[dict[str, Any]]:
    """brp.overlijden: the death of the person, registered by the municipality where they died (register_death,
    under that municipality's write grant); the person's list is suspended and a partnership ends."""
    data = run.data()
    bsn, plaats = logic.evaluate(spec["persoon"], data), logic.evaluate(spec["plaats"], data)
    if not isinstance(bsn, str) or not bsn:
        raise _bad("brp.overlijden", "persoon", "gives no BSN")
    if not isinstance(plaats, str) or len(plaats) != 4:
        raise _bad("brp.overlijden", "plaats", "gives no municipality (CBS code)")
    moment = _day("brp.overlijden", logic.evaluate(spec["datum"], data))
    permit = await _permit(session, run, "brp.overlijden", context.trace_id)
    died = await brp.write_death(session, permit, bsn, moment.strftime("%Y%m%d"), plaats, _cause(run))
    await _announce(session, run, context, {"gemeente": died.gemeente or "", "soort": "overlijden",
                                            "burgerservicenummer": bsn})
    return [{"type": "brp.overlijden", "burgerservicenummer": bsn, "gemeente": died.gemeente,
             "plaats": plaats, "datum": moment.isoformat()}]


def template_data(run: Run) -> dict[str, Any]:
    """What a document template is filled with: everything expressions see (nu is the moment of the decision), the
    zaak and the names of the municipalities (gemeenten[code])."""
    aanvraag = run.aanvraag
    return {**run.data(),
            "zaak": {"identificatie": aanvraag.zaak_identificatie,
                     "startdatum": clock.day_of(aanvraag.submitted_at or utcnow()).isoformat()},
            "gemeenten": dict(questions.municipalities())}


def _text(value: Any, data: dict[str, Any], fallback: str) -> str:
    found = value if isinstance(value, str) else logic.evaluate(value, data) if value is not None else None
    return str(found or fallback)


async def _document(session: AsyncSession, run: Run, spec: dict[str, Any], context: Context) -> list[dict[str, Any]]:
    """document: the app's template filled and made into a PDF (with a verification code when asked), stored, and
    added to the zaak under the informatieobjecttype."""
    data = template_data(run)
    if spec.get("when") is not None and logic.holds(spec["when"], data) is not True:
        return []
    template = run.definition.templates.get(spec["template"])
    if template is None or context.storage is None:
        raise Conflict(f"the document {spec['template']} cannot be made (template or file storage missing)")
    title = _text(spec.get("titel"), data, spec["informatieobjecttype"])[:200]
    rendered = await documents.render(
        session, template=template, data=data, organisation=run.offer.organisation, title=title,
        base_url=context.base_url, verifiable=bool(spec.get("verifiable")), zaak_id=context.zaak.id, kind=title)
    zaak, kind = context.zaak, context.kind
    informatieobjecttype = kind.informatieobjecttypen.get(spec["informatieobjecttype"])
    if informatieobjecttype is None:
        raise Conflict(f"the zaaktype has no informatieobjecttype {spec['informatieobjecttype']!r}")
    filename = _text(spec.get("bestandsnaam"), data, rendered.filename)
    filename = filename if filename.lower().endswith(".pdf") else f"{filename}.pdf"
    key = f"services/{run.aanvraag.id}/{uuid.uuid4()}.pdf"
    await context.storage.put(key, rendered.content)
    context.stored.append(key)
    body = {"bronorganisatie": kind.rsin, "creatiedatum": clock.today().isoformat(), "titel": title,
            "auteur": f"Gemeente {run.offer.organisation.name}"[:200], "taal": "nld",
            "informatieobjecttype": informatieobjecttype, "bestandsnaam": filename[:255], "formaat": PDF,
            "status": "definitief", "indicatieGebruiksrecht": False,
            **({} if spec.get("voorAanvrager", True) else {"vertrouwelijkheidaanduiding": "vertrouwelijk"})}
    document = cases.CaseDocument(body, key, len(rendered.content))
    if rendered.verificatie is not None:  # named before the code's row is written with the document's
        verification.link_document(rendered.verificatie, zaak_id=zaak.id, document_id=document.id)
    [document_id] = await cases.add_documents(session, context.base_url, zaak, [document])
    return [{"type": "document", "titel": title, "document": str(document_id), "bestandsnaam": filename,
             "voorAanvrager": bool(spec.get("voorAanvrager", True)),
             **({"verificatiecode": rendered.verification_code} if rendered.verification_code else {})}]


EFFECTS: dict[str, Effect] = {"brp.verhuizing": _verhuizing, "brp.overlijden": _overlijden, "document": _document}
assert set(EFFECTS) == set(EFFECT_WRITES), "every effect the store admits is implemented, and no other"


async def apply(session: AsyncSession, run: Run, case: tuple[Zaak, cases.CaseType], base_url: str, trace_id: str,
                storage: FileStorage | None = None, stored: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the definition's effects in order, in the caller's transaction, on the zaak just closed (with its case
    type); what each changed, for the aanvraag.
    Documents come first and register changes last: a register write appends to the processing log, whose head
    stays locked until the commit. The keys of the files stored are added to `stored`: when the transaction does
    not commit, the caller removes them (forget)."""
    context = Context(*case, base_url, trace_id, storage, stored if stored is not None else [])
    ordered = sorted(run.definition.effects, key=lambda spec: spec["type"] != "document")
    done: list[dict[str, Any]] = []
    for spec in ordered:
        done += await EFFECTS[spec["type"]](session, run, spec, context)
    return done


async def forget(storage: FileStorage | None, stored: list[str]) -> None:
    """Remove the files of a decision that did not commit, so nothing of it is left."""
    for key in stored:
        if storage is not None:
            await storage.delete(key)
    stored.clear()
