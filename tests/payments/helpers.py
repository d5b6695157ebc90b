"""Payments test helpers: listeners that record what they are told, starting a payment, making it old, paying it at
the simulator's side without telling Plein (a lost webhook), and the CSRF token of a page."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.payments import service, simulator
from plein.payments.models import PAID, Payment, PaymentEvent, SimulatedPayment
from plein.settings import Settings

KIND = "test"
BASE_URL = "http://plein.test"


@dataclass
class Calls:
    """What the listeners of kind `test` were told: paid payments, and failed ones with their status."""

    paid: list[uuid.UUID] = field(default_factory=list)
    failed: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    fail_next_paid: int = 0  # make the next paid listener calls raise (as a failing extract would)

    async def on_paid(self, session: AsyncSession, payment: Payment) -> None:
        assert payment.status == PAID
        if self.fail_next_paid:
            self.fail_next_paid -= 1
            raise RuntimeError("the extract could not be made")
        self.paid.append(payment.id)

    async def on_failed(self, session: AsyncSession, payment: Payment) -> None:
        self.failed.append((payment.id, payment.status))


async def start(session: AsyncSession, settings: Settings, *, reference: str = f"{KIND}:1", amount_cents: int = 1250,
                return_url: str = "/") -> Payment:
    payment = await service.start(session, reference=reference, amount_cents=amount_cents,
                                  description="Uittreksel BRP", return_url=return_url, settings=settings)
    await session.commit()
    return payment


async def age(session: AsyncSession, payment: Payment, minutes: float) -> None:
    """Make the payment as old as `minutes`, and its simulated counterpart past its expiry when that has come."""
    then = utcnow() - dt.timedelta(minutes=minutes)
    await session.execute(update(Payment).where(Payment.id == payment.id).values(created_at=then))
    if payment.provider == "simulator":
        await session.execute(update(SimulatedPayment).where(SimulatedPayment.id == payment.provider_id)
                              .values(created_at=then, expires_at=then + simulator.EXPIRY))
    await session.commit()


async def pay_at_provider(session: AsyncSession, payment: Payment, action: str = "betalen") -> None:
    """What the tester's click does at the simulator, without the webhook that tells Plein (it got lost)."""
    simulated = await simulator.find(session, payment.provider_id)
    assert simulated is not None
    assert await simulator.act(session, simulated, action)
    await session.commit()


async def reload(session: AsyncSession, payment: Payment) -> Payment:
    """The payment as the database has it now (other sessions changed it)."""
    return await service.get(session, payment.id)


async def events(session: AsyncSession, payment: Payment) -> list[tuple[str, str]]:
    rows = await session.scalars(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id)
                                 .order_by(PaymentEvent.id))
    return [(event.status, event.source) for event in rows]


async def csrf_token(http: Any, path: str) -> str:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)
