"""Payments: start one at the provider, apply what the provider reports (paid exactly once, in the transaction that
records it, together with the listeners of its kind), and look payments up. Plain async functions on a session."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from plein.db import utcnow
from plein.errors import Conflict, InvalidInput, InvalidParam, NotFound
from plein.payments import providers
from plein.payments.models import (
    CANCELED,
    EUR,
    EXPIRED,
    FAILED,
    FAILURES,
    OPEN,
    PAID,
    STATUSES,
    Payment,
    PaymentEvent,
)
from plein.payments.providers import PaymentProvider, Reported
from plein.settings import Settings

__all__ = ["CANCELED", "EXPIRED", "FAILED", "FAILURES", "OPEN", "PAID", "STATUSES", "Listener", "Payment",
           "PaymentMismatch", "apply", "by_provider_id", "get", "history", "latest_for", "on_failed", "on_paid",
           "refresh", "remove_listener", "start"]

logger = logging.getLogger("plein.payments")
Listener = Callable[[AsyncSession, Payment], Awaitable[None]]
REFERENCE = re.compile(r"[a-z][a-z0-9-]*:\S{1,180}")
WEBHOOK_PATH = "/api/betalingen/v1/webhooks/{provider}"
RETURN_PATH = "/betalen/{id}/terug"

_listeners: dict[str, dict[str, list[Listener]]] = {PAID: {}, "failed": {}}


class PaymentMismatch(Conflict):
    """The provider reports another amount or currency than Plein asked for: the payment is not accepted."""

    code = "payment-mismatch"


def on_paid(kind: str, listener: Listener) -> Listener:
    """Call `listener(session, payment)` once for each payment whose reference starts with `kind:` when it is
    recorded as paid, in that same transaction (if the listener raises, the payment stays open and is recorded,
    with the listener, when the provider's status is applied again). Registering the same listener twice is one."""
    return _register(PAID, kind, listener)


def on_failed(kind: str, listener: Listener) -> Listener:
    """Call `listener(session, payment)` once for each payment of this kind that ends without being paid (canceled,
    failed or expired), in the transaction that records it. A provider may still report such a payment paid later
    (Plein marked it expired while the provider was unreachable): then the paid listeners run as well."""
    return _register("failed", kind, listener)


def remove_listener(kind: str, listener: Listener) -> None:
    for registry in _listeners.values():
        if listener in registry.get(kind, []):
            registry[kind].remove(listener)


def _register(outcome: str, kind: str, listener: Listener) -> Listener:
    registered = _listeners[outcome].setdefault(kind, [])
    if listener not in registered:
        registered.append(listener)
    return listener


async def start(session: AsyncSession, *, reference: str, amount_cents: int, description: str, return_url: str,
                settings: Settings) -> Payment:
    """Create the payment at the provider in use and its row (open, with the checkout URL), in the caller's
    transaction (flushed, not committed). `reference` names what is paid for (aanvraag:<id>); `return_url` is
    where the citizen lands after paying (a path on this Plein). Raises providers.NoProvider,
    ProviderUnavailable or ProviderRefused; then nothing is written."""
    _check_new(reference, amount_cents, description, return_url, settings)
    provider = providers.get_provider(settings)
    payment = Payment(id=uuid.uuid4(), reference=reference, provider=provider.name, amount_cents=amount_cents,
                      currency=EUR, description=description.strip(), return_url=return_url, status=OPEN)
    base = settings.base_url.rstrip("/")
    created = await provider.create(session, providers.NewPayment(
        key=str(payment.id), amount_cents=amount_cents, description=payment.description,
        redirect_url=base + RETURN_PATH.format(id=payment.id),
        webhook_url=base + WEBHOOK_PATH.format(provider=provider.name)))
    if (created.amount_cents, created.currency) != (amount_cents, EUR):
        raise PaymentMismatch(f"de betaaldienst maakte een betaling van {created.amount_cents} cent "
                              f"{created.currency} in plaats van {amount_cents} cent EUR")
    now = utcnow()
    payment.provider_id = created.id
    payment.checkout_url = created.checkout_url
    payment.expires_at = created.expires_at
    payment.created_at = payment.updated_at = now
    session.add(payment)
    session.add(PaymentEvent(payment_id=payment.id, at=now, status=OPEN, source="start",
                             note=f"{provider.name} {created.id}"))
    await session.flush()
    return payment


def _check_new(reference: str, amount_cents: int, description: str, return_url: str, settings: Settings) -> None:
    problems = []
    if not REFERENCE.fullmatch(reference):
        problems.append(InvalidParam("reference", "pattern", "names what is paid for as <kind>:<id>, such as "
                                                             "aanvraag:<uuid>"))
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or not 0 < amount_cents <= 10_000_000:
        problems.append(InvalidParam("amountCents", "range", "a whole number of euro cents from 1 to 10,000,000 "
                                                             "(a fee of 0 needs no payment)"))
    if not description.strip() or len(description) > 255:
        problems.append(InvalidParam("description", "length", "1 to 255 characters"))
    if not _returns_here(return_url, settings.base_url):
        problems.append(InvalidParam("returnUrl", "local", "a path on this Plein (/…) or a URL under PLEIN_BASE_URL"))
    if problems:
        raise InvalidInput("the payment cannot be started: " + "; ".join(p.reason for p in problems), problems)


def _returns_here(url: str, base_url: str) -> bool:
    if re.search(r"[\x00-\x20\\]", url) or len(url) > 2000:
        return False
    if url.startswith("/") and not url.startswith("//"):
        return True
    return url.startswith(base_url.rstrip("/") + "/")


async def get(session: AsyncSession, payment_id: uuid.UUID) -> Payment:
    payment = await session.get(Payment, payment_id, populate_existing=True)
    if payment is None:
        raise NotFound(f"payment {payment_id} does not exist")
    return payment


async def latest_for(session: AsyncSession, reference: str) -> Payment | None:
    """The newest payment for what `reference` names (a citizen may try again after a cancelled one)."""
    return await session.scalar(select(Payment).where(Payment.reference == reference)
                                .order_by(Payment.created_at.desc(), Payment.id.desc()).limit(1)
                                .execution_options(populate_existing=True))  # its status as stored now


async def by_provider_id(session: AsyncSession, provider: str, provider_id: str) -> Payment | None:
    return await session.scalar(select(Payment).where(Payment.provider == provider,
                                                      Payment.provider_id == provider_id))


async def history(session: AsyncSession, payment: Payment) -> list[PaymentEvent]:
    return list(await session.scalars(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id)
                                      .order_by(PaymentEvent.id)))


async def refresh(session: AsyncSession, payment: Payment, provider: PaymentProvider, *,
                  source: str = "check") -> Payment:
    """Ask the provider for the payment's status and apply it (the webhook, the return page and the status check
    all come here; none of them trusts a status it was told). The caller commits."""
    reported = await provider.fetch(session, payment.provider_id)
    await apply(session, payment, reported, source)
    return payment


async def apply(session: AsyncSession, payment: Payment, reported: Reported, source: str) -> bool:
    """Record what the provider reports. Paid is one conditional UPDATE (not yet paid → paid): of two requests that
    report it at once, one changes the row and calls the paid listeners, the other changes nothing (on PostgreSQL
    it waits for the first to commit; on SQLite writes take turns). A failure moves only an open payment. An
    amount or currency other than asked is refused (PaymentMismatch) and kept as the payment's problem. True when
    the status changed."""
    if reported.id != payment.provider_id:
        raise providers.ProviderRefused(f"the provider answered about payment {reported.id}, not "
                                        f"{payment.provider_id}")
    if (reported.amount_cents, reported.currency) != (payment.amount_cents, payment.currency):
        note = (f"the provider reports {reported.amount_cents} cents {reported.currency}, Plein asked for "
                f"{payment.amount_cents} cents {payment.currency}: not accepted")
        await _refuse(session, payment, reported.status, source, note)
        raise PaymentMismatch(f"payment {payment.id}: {note}")
    checked: dict[str, Any] = {"checked_at": utcnow(), **({"expires_at": reported.expires_at}
                                                           if reported.expires_at is not None else {})}
    if (reported.status == PAID or reported.status in FAILURES) and await transition(
            session, payment, reported.status, source, checked=checked):
        return True
    await session.execute(update(Payment).where(Payment.id == payment.id).values(**checked)
                          .execution_options(synchronize_session=False))  # nothing moved: only when it was asked
    for name, value in checked.items():
        set_committed_value(payment, name, value)
    return False


async def transition(session: AsyncSession, payment: Payment, status: str, source: str,
                     note: str | None = None, checked: dict[str, Any] | None = None) -> bool:
    """Move the payment to `status` if it may go there (paid: from anything but paid; a failure: from open), with
    an event and the listeners, all in the caller's transaction; `checked`: when the provider was asked (written with
    the move). False when another request got there first (the caller writes `checked` then)."""
    now = utcnow()
    allowed: ColumnElement[bool] = Payment.status != PAID if status == PAID else Payment.status == OPEN
    values: dict[str, Any] = {"status": status, "updated_at": now, **({"paid_at": now} if status == PAID else {}),
                              **(checked or {})}
    moved = await session.execute(update(Payment).where(Payment.id == payment.id, allowed).values(**values)
                                  .execution_options(synchronize_session=False))
    if not getattr(moved, "rowcount", 0):
        await session.refresh(payment)
        return False
    for name, value in values.items():
        set_committed_value(payment, name, value)
    session.add(PaymentEvent(payment_id=payment.id, at=now, status=status, source=source, note=note))
    await session.flush()
    outcome = PAID if status == PAID else "failed"
    for listener in list(_listeners[outcome].get(payment.kind, [])):
        await listener(session, payment)
    logger.info("payment %s (%s) is %s, reported by %s", payment.id, payment.reference, status, source)
    return True


async def _refuse(session: AsyncSession, payment: Payment, status: str, source: str, note: str) -> None:
    """Keep a report Plein does not accept: in the history and as the payment's problem (the status check then
    leaves the payment to a person). The caller commits, though the request fails."""
    logger.error("payment %s (%s): %s", payment.id, payment.reference, note)
    now = utcnow()
    await session.execute(update(Payment).where(Payment.id == payment.id).values(problem=note, updated_at=now)
                          .execution_options(synchronize_session=False))
    set_committed_value(payment, "problem", note)
    session.add(PaymentEvent(payment_id=payment.id, at=now, status=status, source=source, note=note))
    await session.flush()
