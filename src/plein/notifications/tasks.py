"""The delivery worker: claims due deliveries under a lease, POSTs them, retries with backoff and parks the hopeless.

Delivery is at least once. A worker claims a batch (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never claim the
same row; SQLite: one UPDATE … RETURNING, single writer), sets a lease, commits, sends, and records the outcomes.
If it dies, its deliveries become due again when the lease expires and another worker sends them; receivers
dedupe on the Idempotency-Key (the message's uuid, also the CloudEvent id).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Self, cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, bindparam, case, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plein.background import loop_while_serving
from plein.db import UTCDateTime, utcnow
from plein.notifications import formats
from plein.notifications.models import DELIVERED, DELIVERING, PARKED, PENDING, Abonnement, Attempt, Delivery, Message
from plein.notifications.sending import AiohttpSender, HttpxSender, Sender
from plein.settings import Settings

logger = logging.getLogger("plein.notifications")
DELIVERIES = cast(Table, Delivery.__table__)
MESSAGES = cast(Table, Message.__table__)
ABONNEMENTEN = cast(Table, Abonnement.__table__)
ATTEMPTS = cast(Table, Attempt.__table__)
MAX_ERROR = 1000
LEASE_EXPIRED = "the lease expired: worker "


def backoff(attempt: int, base: float, maximum: float, rng: random.Random) -> float:
    """Seconds to wait after the n-th failed attempt of a round: full jitter over min(max, base * 2^(n-1))."""
    ceiling = min(maximum, base * 2 ** min(max(attempt - 1, 0), 62))
    return rng.uniform(0, ceiling)


def worker_name() -> str:
    """host-pid-random: unique per worker, readable in the attempts history."""
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease on, with what it needs to send it."""

    id: int
    attempts: int
    round_start: int
    callback_url: str
    auth: str
    format: str
    note: formats.Notification
    last_error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt; `sent` is False when the lease ran short and the delivery was handed back."""

    claimed: Claimed
    at: dt.datetime
    sent: bool = True
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.sent and self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class BatchReport:
    """What one batch did, for the log line and for tests."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    parked: int = 0
    handed_back: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"batch of {self.claimed}: {self.delivered} delivered, {self.retrying} to retry, {self.parked} parked"
                f"{f', {self.handed_back} handed back' if self.handed_back else ''} in {self.seconds:.2f} s")


class Worker:
    """Delivers due notifications in batches; use as an async context manager (it owns an HTTP client)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings, *, name: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, rng: random.Random | None = None) -> None:
        self.sessions = sessions
        self.settings = settings
        self.name = name or worker_name()
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._transport = transport
        self._sender: Sender | None = None

    async def __aenter__(self) -> Self:
        timeout = self.settings.notifications_timeout
        self._sender = (HttpxSender(self._transport, timeout) if self._transport is not None else
                        AiohttpSender(self.settings.notifications_concurrency, timeout,
                                      allow_private=self.settings.allows_private_callbacks,
                                      allowed=self.settings.internal_callback_networks))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sender is not None:
            await self._sender.close()
            self._sender = None

    # --- one batch ----------------------------------------------------------------------------------

    async def run_once(self) -> BatchReport:
        """Claim one batch of due deliveries, send them, record the outcomes."""
        started = time.monotonic()
        claimed, lease_until = await self.claim()
        if not claimed:
            return BatchReport()
        outcomes = await self.send_all(claimed, lease_until)
        report = await self.record(outcomes)
        return BatchReport(report.claimed, report.delivered, report.retrying, report.parked, report.handed_back,
                           time.monotonic() - started)

    async def claim(self) -> tuple[list[Claimed], dt.datetime]:
        """Take the lease on up to batch-size due deliveries (pending and due, or delivering with an expired lease)."""
        now = self.clock()
        lease_until = now + dt.timedelta(seconds=self.settings.notifications_lease_seconds)
        due = (select(DELIVERIES.c.id)
               .where(DELIVERIES.c.status.in_((PENDING, DELIVERING)), DELIVERIES.c.next_attempt_at <= now)
               .order_by(DELIVERIES.c.next_attempt_at).limit(self.settings.notifications_batch_size)
               .with_for_update(skip_locked=True).cte("due"))
        lost = (literal(LEASE_EXPIRED) + func.coalesce(DELIVERIES.c.locked_by, "?")
                + literal(" stopped during its attempt"))
        statement = (
            update(DELIVERIES).where(DELIVERIES.c.id.in_(select(due.c.id)))
            .values(status=DELIVERING, attempts=DELIVERIES.c.attempts + 1, locked_by=self.name,
                    locked_until=lease_until, next_attempt_at=lease_until, updated_at=now,
                    last_error=case((DELIVERIES.c.status == DELIVERING, lost), else_=DELIVERIES.c.last_error))
            .returning(DELIVERIES.c.id, DELIVERIES.c.attempts, DELIVERIES.c.round_start, DELIVERIES.c.last_error))
        async with self.sessions() as session:
            rows = (await session.execute(statement)).all()
            await session.commit()
            for row in rows:
                if row.attempts > 1 and (row.last_error or "").startswith(LEASE_EXPIRED):
                    logger.warning("delivery %s taken over: %s", row.id, row.last_error)
            held = {row.id: (row.attempts, row.round_start, row.last_error) for row in rows}
            claimed = await self._details(session, held)
        return claimed, lease_until

    async def _details(self, session: AsyncSession, held: dict[int, tuple[int, int, str | None]]) -> list[Claimed]:
        if not held:
            return []
        query = (select(DELIVERIES.c.id, ABONNEMENTEN.c.callback_url, ABONNEMENTEN.c.auth, ABONNEMENTEN.c.format,
                        *MESSAGES.c)
                 .select_from(DELIVERIES.join(MESSAGES, MESSAGES.c.id == DELIVERIES.c.message_id)
                              .join(ABONNEMENTEN, ABONNEMENTEN.c.id == DELIVERIES.c.abonnement_id))
                 .where(DELIVERIES.c.id.in_(list(held))).order_by(DELIVERIES.c.id))
        claimed = []
        for row in (await session.execute(query)).mappings():
            note = formats.Notification(
                uuid=str(row["uuid"]), seq=row[MESSAGES.c.id], kanaal=row["kanaal"], hoofd_object=row["hoofd_object"],
                resource=row["resource"], resource_url=row["resource_url"], actie=row["actie"],
                aanmaakdatum=row["aanmaakdatum"], kenmerken=dict(row["kenmerken"] or {}), source_oin=row["source_oin"])
            attempts, round_start, last_error = held[row[DELIVERIES.c.id]]
            claimed.append(Claimed(row[DELIVERIES.c.id], attempts, round_start, row["callback_url"], row["auth"],
                                   row["format"], note, last_error))
        return claimed

    async def send_all(self, claimed: Sequence[Claimed], lease_until: dt.datetime) -> list[Outcome]:
        """Send with bounded concurrency; a request that could outlive the lease is not started but handed back."""
        gate = asyncio.Semaphore(self.settings.notifications_concurrency)
        timeout = dt.timedelta(seconds=self.settings.notifications_timeout)

        async def one(item: Claimed) -> Outcome:
            async with gate:
                if self.clock() + timeout >= lease_until:
                    return Outcome(item, self.clock(), sent=False)
                return await self.send(item)

        return list(await asyncio.gather(*(one(item) for item in claimed)))

    async def send(self, item: Claimed) -> Outcome:
        """One POST to the subscriber; 2xx is delivered, anything else (status, timeout, refused) a failure."""
        assert self._sender is not None, "use the worker as an async context manager"
        body, headers = formats.request_for(item.note, item.format, item.auth, self.settings.notifications_oin)
        at, started = self.clock(), time.monotonic()
        try:
            async with asyncio.timeout(self.settings.notifications_timeout):
                status, text = await self._sender.post(item.callback_url, body, headers)
        except TimeoutError:
            return Outcome(item, at, error=f"no answer within {self.settings.notifications_timeout:g} s",
                           duration_ms=_ms(started))
        except Exception as exc:  # every failure is recorded, none stops the batch
            return Outcome(item, at, error=_describe(exc), duration_ms=_ms(started))
        error = None if 200 <= status < 300 else f"HTTP {status}{': ' + text if text else ''}"
        return Outcome(item, at, status_code=status, error=error, duration_ms=_ms(started))

    async def record(self, outcomes: Sequence[Outcome]) -> BatchReport:
        """Write every outcome and attempt in one transaction; rows another worker took over are left to it."""
        now = self.clock()
        changes, attempts = [], []
        counts = {DELIVERED: 0, PENDING: 0, PARKED: 0, "handed_back": 0}
        for outcome in outcomes:
            change = self._next_state(outcome, now)
            changes.append(change)
            counts["handed_back" if not outcome.sent else change["b_status"]] += 1
            if outcome.sent:
                attempts.append({"delivery_id": outcome.claimed.id, "number": outcome.claimed.attempts,
                                 "at": outcome.at, "worker": self.name, "status_code": outcome.status_code,
                                 "error": outcome.error, "duration_ms": outcome.duration_ms})
        async with self.sessions() as session:
            await session.execute(_RECORD, changes)
            if attempts:
                await session.execute(insert(ATTEMPTS), attempts)
            await session.commit()
        return BatchReport(len(outcomes), counts[DELIVERED], counts[PENDING], counts[PARKED], counts["handed_back"])

    def _next_state(self, outcome: Outcome, now: dt.datetime) -> dict[str, Any]:
        item = outcome.claimed
        change: dict[str, Any] = {
            "b_id": item.id, "b_worker": self.name, "b_attempts": item.attempts, "b_status": PENDING,
            "b_next": now, "b_error": outcome.error, "b_code": outcome.status_code, "b_now": now,
            "b_delivered": None, "b_parked": None,
        }
        if not outcome.sent:
            change.update(b_attempts=item.attempts - 1, b_error=item.last_error)
        elif outcome.ok:
            change.update(b_status=DELIVERED, b_delivered=now)
        elif item.attempts - item.round_start >= self.settings.notifications_max_attempts:
            change.update(b_status=PARKED, b_parked=now)
            logger.warning("delivery %s parked after %s attempts: %s", item.id, item.attempts, outcome.error)
        else:
            wait = backoff(item.attempts - item.round_start, self.settings.notifications_base_delay,
                           self.settings.notifications_max_delay, self.rng)
            change["b_next"] = now + dt.timedelta(seconds=wait)
        return change

    # --- the loop -----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stop is set; the batch in flight is finished first. Database trouble is logged and retried."""
        logger.info("notification worker %s started", self.name)
        while not stop.is_set():
            try:
                report = await self.run_once()
            except Exception:
                logger.exception("notification worker %s: the batch failed; trying again", self.name)
                report = BatchReport()
            if report.claimed:
                logger.info("%s", report.line())
            if report.claimed < self.settings.notifications_batch_size:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.notifications_poll_interval)
        logger.info("notification worker %s stopped", self.name)


_RECORD = (
    update(DELIVERIES)
    .where(DELIVERIES.c.id == bindparam("b_id"), DELIVERIES.c.locked_by == bindparam("b_worker"),
           DELIVERIES.c.status == DELIVERING)
    .values(status=bindparam("b_status"), attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next", type_=UTCDateTime()), last_error=bindparam("b_error"),
            last_status_code=bindparam("b_code"), locked_by=None, locked_until=None,
            delivered_at=bindparam("b_delivered", type_=UTCDateTime()),
            parked_at=bindparam("b_parked", type_=UTCDateTime()), updated_at=bindparam("b_now", type_=UTCDateTime()))
)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR]


async def deliver_due(sessions: async_sessionmaker[AsyncSession], settings: Settings, *,
                      transport: httpx.AsyncBaseTransport | None = None, max_batches: int = 1000) -> BatchReport:
    """Run batches until nothing is due (or max_batches): for tests, scripts and `plein worker --once`."""
    reports = []
    async with Worker(sessions, settings, transport=transport) as worker:
        for _ in range(max_batches):
            reports.append(await worker.run_once())
            if not reports[-1].claimed:
                break
    return BatchReport(sum(r.claimed for r in reports), sum(r.delivered for r in reports),
                       sum(r.retrying for r in reports), sum(r.parked for r in reports),
                       sum(r.handed_back for r in reports), sum(r.seconds for r in reports))


@asynccontextmanager
async def in_process_delivery(app: FastAPI) -> AsyncIterator[None]:
    """Under `plein serve`: a delivery loop in the app's event loop while PLEIN_NOTIFICATIONS_IN_PROCESS is on."""
    settings: Settings = app.state.settings
    if not settings.notifications_in_process:
        yield
        return
    async with Worker(app.state.sessions, settings) as worker:
        app.state.notification_worker = worker
        async with loop_while_serving("plein-notifications", worker.run,
                                      stop_within=settings.notifications_timeout + 5):
            yield
