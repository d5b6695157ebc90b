"""Fees of services: what an aanvraag costs (the definition's payment block over the municipality's options), its
payment at the provider, and what a payment changes: the zaak's betalingsindicatie, and a straight-through decision
that waited for it. An aanvraag with a fee is never granted unpaid; a paid one is decided once, however the payment
is reported (the return page, the provider's webhook, the status check)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import logic
from plein.db import utcnow
from plein.errors import Conflict
from plein.payments import service as payments
from plein.services.models import GEGEVEN, INGEDIEND, Aanvraag, Toestemming
from plein.services.run import Run
from plein.settings import Settings
from plein.web.views import euro
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak

logger = logging.getLogger("plein.services")
KIND = "aanvraag"
MAX_EUROS = Decimal("100000")


def amount_cents(run: Run) -> int:
    """The fee in euro cents (0: nothing to pay, also for a service without a payment block). An amount that is no
    number from 0 to 100,000 euros is the app's or the options' mistake: Conflict, nothing is submitted."""
    block = run.definition.raw.get("payment")
    if block is None:
        return 0
    value = logic.evaluate(block["amount"], run.data())
    try:
        euros = Decimal(str(value)) if not isinstance(value, bool) and value is not None else None
    except InvalidOperation:
        euros = None
    if euros is None or not euros.is_finite() or not 0 <= euros <= MAX_EUROS:
        raise Conflict(f"het bedrag voor ‘{run.definition.title}’ is geen bedrag tussen 0 en {MAX_EUROS} euro "
                       f"(het gaf {value!r}); neem contact op met de gemeente")
    return int((euros * 100).to_integral_value())


def reference(aanvraag: Aanvraag) -> str:
    return f"{KIND}:{aanvraag.id}"


async def payment_of(session: AsyncSession, aanvraag: Aanvraag) -> payments.Payment | None:
    """The payment that settles the aanvraag (a paid one, if any), else its newest attempt."""
    payment = payments.Payment
    return await session.scalar(
        select(payment).where(payment.reference == reference(aanvraag))
        .order_by((payment.status == payments.PAID).desc(), payment.created_at.desc(), payment.id.desc()).limit(1)
        .execution_options(populate_existing=True))  # another request may have recorded it paid just now


async def paid(session: AsyncSession, run: Run) -> bool:
    """The fee is paid in full (or there is none)."""
    cents = amount_cents(run)
    if cents == 0:
        return True
    payment = await payment_of(session, run.aanvraag)
    return payment is not None and payment.status == payments.PAID and payment.amount_cents >= cents


async def start_payment(session: AsyncSession, run: Run, settings: Settings, return_url: str
                        ) -> payments.Payment | None:
    """The payment the user is to pay now: the open or paid one there is, or a new one at the provider (flushed in
    the caller's transaction). None when there is nothing to pay."""
    cents = amount_cents(run)
    if cents == 0:
        return None
    current = await payment_of(session, run.aanvraag)
    if current is not None and current.status in (payments.OPEN, payments.PAID) and current.amount_cents == cents:
        return current
    block = run.definition.raw["payment"]
    description = f"{block['description']} {run.aanvraag.zaak_identificatie or ''}".strip()
    return await payments.start(session, reference=reference(run.aanvraag), amount_cents=cents,
                                description=description, return_url=return_url, settings=settings)


async def unpaid_since(session: AsyncSession, before: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Submitted aanvragen whose zaak still waits for the fee (betalingsindicatie nog_niet), submitted before."""
    rows = await session.scalars(
        select(Aanvraag.id).join(Zaak, Zaak.id == Aanvraag.zaak_id)
        .where(Aanvraag.status == INGEDIEND, Aanvraag.submitted_at < before, Zaak.betalingsindicatie == "nog_niet")
        .order_by(Aanvraag.submitted_at).limit(limit))
    return list(rows)


def unpaid_reason(run: Run, days: int) -> str:
    """Why an unpaid aanvraag was closed, as the applicant reads it."""
    return (f"De leges van {euro(amount_cents(run) / 100)} zijn niet binnen {days} dagen na de aanvraag betaald. "
            "Daarom is de aanvraag niet in behandeling genomen. U kunt een nieuwe aanvraag doen.")


async def _on_paid(session: AsyncSession, payment: payments.Payment) -> None:
    """A payment for an aanvraag is paid (in the transaction that records it): the zaak's betalingsindicatie becomes
    geheel, and a straight-through aanvraag is due for the decision loop."""
    aanvraag = await session.get(Aanvraag, uuid.UUID(payment.reference.split(":", 1)[1]))
    if aanvraag is None:
        logger.error("payment %s is for aanvraag %s, which does not exist", payment.id, payment.reference)
        return
    if aanvraag.zaak_id is not None and aanvraag.zaak_url:
        base_url = aanvraag.zaak_url.split("/zaken/api/", 1)[0]
        zaak = await session.get(Zaak, aanvraag.zaak_id)
        if zaak is None:
            logger.error("payment %s is for zaak %s, which does not exist", payment.id, aanvraag.zaak_identificatie)
        elif zaak.einddatum is None:
            await cases.record_payment(session, base_url, zaak, payment.paid_at or utcnow())
        else:
            logger.warning("payment %s arrived for zaak %s, which is closed already: refund it", payment.id,
                           aanvraag.zaak_identificatie)
    if aanvraag.status == INGEDIEND and aanvraag.automatic and not await _consent_pending(session, aanvraag):
        aanvraag.decide_after = utcnow()
    aanvraag.updated_at = utcnow()
    await session.flush()


async def _consent_pending(session: AsyncSession, aanvraag: Aanvraag) -> bool:
    found = await session.scalar(select(Toestemming.id).where(Toestemming.aanvraag_id == aanvraag.id,
                                                              Toestemming.status != GEGEVEN).limit(1))
    return found is not None


payments.on_paid(KIND, _on_paid)
