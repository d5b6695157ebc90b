"""The background status check: it completes a paid payment nobody told Plein about, leaves young payments alone,
expires what the provider expired, and expires on its own what stays open long after the provider's expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.payments import service, tasks
from plein.payments.models import EXPIRED, OPEN, PAID, Payment, SimulatedPayment
from plein.payments.simulator import SimulatorProvider
from plein.settings import Settings
from tests.payments.helpers import Calls, age, events, pay_at_provider, reload, start


async def test_the_check_completes_a_paid_payment_without_webhook_or_return(session: AsyncSession, app: Any,
                                                                            settings: Settings, calls: Calls) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    assert await tasks.check_open(app.state.sessions, settings) == 0  # younger than the check's few minutes
    assert (await reload(session, payment)).status == OPEN
    await age(session, payment, settings.payments_check_after_minutes + 1)
    assert await tasks.check_open(app.state.sessions, settings) == 1
    assert (await reload(session, payment)).status == PAID
    assert calls.paid == [payment.id]
    assert await tasks.check_open(app.state.sessions, settings) == 0
    assert await events(session, payment) == [(OPEN, "start"), (PAID, "check")]


async def test_the_check_asks_again_only_after_the_interval(session: AsyncSession, app: Any,
                                                            settings: Settings) -> None:
    payment = await start(session, settings)
    await age(session, payment, settings.payments_check_after_minutes + 1)
    assert await tasks.check_open(app.state.sessions, settings) == 1
    assert (await reload(session, payment)).checked_at is not None
    assert await tasks.check_open(app.state.sessions, settings) == 0  # just asked


async def test_a_payment_the_provider_expired_is_expired(session: AsyncSession, app: Any, settings: Settings,
                                                         calls: Calls) -> None:
    payment = await start(session, settings)
    await age(session, payment, 20)  # past the simulator's 15 minutes
    assert await tasks.check_open(app.state.sessions, settings) == 1
    payment = await reload(session, payment)
    assert payment.status == EXPIRED
    assert (calls.paid, calls.failed) == ([], [(payment.id, EXPIRED)])
    assert await events(session, payment) == [(OPEN, "start"), (EXPIRED, "check")]


async def test_plein_expires_what_cannot_be_checked_long_after_its_expiry(
        session: AsyncSession, app: Any, settings: Settings, calls: Calls) -> None:
    payment = await start(session, settings)
    grace = settings.payments_expiry_grace_minutes
    await session.execute(update(Payment).where(Payment.id == payment.id)
                          .values(provider="mollie", expires_at=utcnow() - dt.timedelta(minutes=grace - 5)))
    await age(session, payment, 10)
    assert await tasks.check_open(app.state.sessions, settings) == 1  # Mollie is not set up: it cannot be asked
    assert (await reload(session, payment)).status == OPEN  # within the grace period
    await session.execute(update(Payment).where(Payment.id == payment.id)
                          .values(expires_at=utcnow() - dt.timedelta(minutes=grace + 5),
                                  checked_at=utcnow() - dt.timedelta(hours=1)))
    await session.commit()
    assert await tasks.check_open(app.state.sessions, settings) == 1
    payment = await reload(session, payment)
    assert payment.status == EXPIRED
    assert calls.failed == [(payment.id, EXPIRED)]


async def test_paid_after_plein_expired_it_still_counts(session: AsyncSession, settings: Settings,
                                                        calls: Calls) -> None:
    payment = await start(session, settings)
    assert await service.transition(session, payment, EXPIRED, "check", "long gone")
    await session.commit()
    await session.execute(update(SimulatedPayment).where(SimulatedPayment.id == payment.provider_id)
                          .values(status=PAID))
    await session.commit()
    await service.refresh(session, payment, SimulatorProvider(), source="webhook")
    await session.commit()
    assert (await reload(session, payment)).status == PAID
    assert calls.paid == [payment.id]


async def test_a_payment_with_a_problem_is_left_to_a_person(session: AsyncSession, app: Any,
                                                            settings: Settings) -> None:
    payment = await start(session, settings)
    await session.execute(update(Payment).where(Payment.id == payment.id).values(problem="amount refused"))
    await age(session, payment, 30)
    assert await tasks.check_open(app.state.sessions, settings) == 0
    assert (await reload(session, payment)).status == OPEN
