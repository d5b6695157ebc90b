"""Background work of payments: the status check that asks the provider about payments still open after a few
minutes (a webhook that never came, a citizen who never came back), and expires those long past their expiry."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plein.db import utcnow
from plein.errors import PleinError
from plein.payments import providers, service
from plein.payments.models import EXPIRED, OPEN, Payment
from plein.settings import Settings

logger = logging.getLogger("plein.payments")
BATCH = 100
NO_EXPIRY_KNOWN = dt.timedelta(days=1)  # when the provider gave no expiry time: a day after the payment was made


async def check_open(sessions: async_sessionmaker[AsyncSession], settings: Settings, *, limit: int = BATCH) -> int:
    """Refresh the payments that have been open for PLEIN_PAYMENTS_CHECK_AFTER_MINUTES and were not asked about in
    that time, each in a transaction of its own; a paid one is completed with its listeners. One the provider still
    calls open PLEIN_PAYMENTS_EXPIRY_GRACE_MINUTES after its expiry (or cannot be asked about any more) is marked
    expired. Payments with a problem (a refused amount) are left to a person. Returns how many were checked."""
    every = dt.timedelta(minutes=settings.payments_check_after_minutes)
    due_before = utcnow() - every
    async with sessions() as session:
        due = list(await session.scalars(
            select(Payment.id).where(Payment.status == OPEN, Payment.problem.is_(None),
                                     Payment.created_at <= due_before,
                                     or_(Payment.checked_at.is_(None), Payment.checked_at <= due_before))
            .order_by(Payment.created_at).limit(limit)))
    for payment_id in due:
        async with sessions() as session:
            await _check_one(session, payment_id, settings)
    return len(due)


async def _check_one(session: AsyncSession, payment_id: uuid.UUID, settings: Settings) -> None:
    payment = await service.get(session, payment_id)
    if payment.status != OPEN:
        return
    provider_name = payment.provider
    try:
        provider = providers.get_provider(settings, provider_name)
        await service.refresh(session, payment, provider, source="check")
    except service.PaymentMismatch:
        await session.commit()  # the refusal is kept as the payment's problem
        return
    except PleinError as exc:  # unreachable, refused, unknown, or no longer set up: try again next time
        await session.rollback()
        logger.warning("checking payment %s at %s failed: %s", payment_id, provider_name, exc.detail)
        await session.execute(update(Payment).where(Payment.id == payment_id).values(checked_at=utcnow())
                              .execution_options(synchronize_session=False))
        payment = await service.get(session, payment_id)
    if payment.status == OPEN:
        await _expire_when_long_gone(session, payment, settings)
    await session.commit()


async def _expire_when_long_gone(session: AsyncSession, payment: Payment, settings: Settings) -> None:
    deadline = (payment.expires_at or payment.created_at + NO_EXPIRY_KNOWN) + \
        dt.timedelta(minutes=settings.payments_expiry_grace_minutes)
    if utcnow() < deadline:
        return
    note = (f"still open {settings.payments_expiry_grace_minutes} minutes after the provider's expiry: expired by "
            "Plein (a later report of paid still counts)")
    await service.transition(session, payment, EXPIRED, "check", note)
