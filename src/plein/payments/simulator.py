"""The payment simulator (dev, demo and test only): a provider that keeps its payments in Plein's own table and has
a checkout page where the tester pays, cancels or lets the payment fail. No money is involved."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.payments.models import CANCELED, EXPIRED, FAILED, OPEN, PAID, SimulatedPayment
from plein.payments.providers import NewPayment, ProviderRefused, Reported, UnknownAtProvider

EXPIRY = dt.timedelta(minutes=15)  # an open simulated payment expires a quarter of an hour after it was made
ACTIONS = {"betalen": PAID, "annuleren": CANCELED, "mislukken": FAILED}
CHECKOUT_PATH = "/betalen/simulator/{id}"


class SimulatorProvider:
    """The simulator behind the provider interface; its payments live in payment_simulator_payments."""

    name = "simulator"

    async def create(self, session: AsyncSession, new: NewPayment) -> Reported:
        if new.currency != "EUR" or new.amount_cents <= 0:
            raise ProviderRefused("de betaalsimulator neemt alleen een positief bedrag in euro's aan")
        known = await session.scalar(select(SimulatedPayment).where(SimulatedPayment.idempotency_key == new.key))
        if known is not None:  # the same request again: the same payment, as a provider's idempotency key gives
            return reported(known)
        now = utcnow()
        payment = SimulatedPayment(id=f"sim_{secrets.token_hex(10)}", idempotency_key=new.key,
                                   amount_cents=new.amount_cents, currency=new.currency, description=new.description,
                                   redirect_url=new.redirect_url, webhook_url=new.webhook_url, status=OPEN,
                                   created_at=now, updated_at=now, expires_at=now + EXPIRY)
        session.add(payment)
        await session.flush()
        return reported(payment)

    async def fetch(self, session: AsyncSession, provider_id: str) -> Reported:
        payment = await find(session, provider_id)
        if payment is None:
            raise UnknownAtProvider(f"de betaalsimulator kent betaling {provider_id} niet")
        await expire_if_due(session, payment)
        return reported(payment)


def reported(payment: SimulatedPayment) -> Reported:
    return Reported(id=payment.id, status=payment.status, amount_cents=payment.amount_cents,
                    currency=payment.currency, checkout_url=CHECKOUT_PATH.format(id=payment.id),
                    expires_at=payment.expires_at)


async def find(session: AsyncSession, provider_id: str) -> SimulatedPayment | None:
    return await session.get(SimulatedPayment, provider_id, populate_existing=True)


async def expire_if_due(session: AsyncSession, payment: SimulatedPayment) -> None:
    """An open payment past its expiry becomes expired (as a provider does on its own)."""
    if payment.status == OPEN and utcnow() >= payment.expires_at:
        await _move(session, payment, EXPIRED)


async def act(session: AsyncSession, payment: SimulatedPayment, action: str) -> bool:
    """The tester's choice on the checkout page (betalen, annuleren, mislukken). False when the payment was no longer
    open (already done, or expired meanwhile)."""
    await expire_if_due(session, payment)
    return await _move(session, payment, ACTIONS[action])


async def _move(session: AsyncSession, payment: SimulatedPayment, status: str) -> bool:
    now = utcnow()
    moved = await session.execute(
        update(SimulatedPayment).where(SimulatedPayment.id == payment.id, SimulatedPayment.status == OPEN)
        .values(status=status, updated_at=now).execution_options(synchronize_session=False))
    await session.refresh(payment)
    return bool(getattr(moved, "rowcount", 0))
