"""Background work of the service engine: straight-through decisions of submitted aanvragen whose rule held (woken at
once by a submission in this process, and found by polling after a restart or from other processes), and now and
then the housekeeping of what is kept only for a while: half-finished forms after the retention period, web logins
that are over, and aanvragen whose fee was never paid (closed); and every minute the status check of payments the
provider has not reported on (a paid one makes its aanvraag due here)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plein.auth import logins
from plein.background import loop_while_serving
from plein.db import utcnow
from plein.exchange.service import new_trace_id
from plein.payments import tasks as payment_tasks
from plein.services import decisions, fees
from plein.services.models import CONCEPT, INGEDIEND, Aanvraag, Bestand
from plein.settings import Settings
from plein.storage import FileStorage

logger = logging.getLogger("plein.services")
CLEANUP_EVERY = 3600.0
PAYMENTS_EVERY = 60.0


class Decider:
    """Decides due straight-through aanvragen, a few at a time; `nudge` wakes it when one was just submitted."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 storage: FileStorage | None = None) -> None:
        self.sessions = sessions
        self.settings = settings
        self.storage = storage
        self.wake = asyncio.Event()
        self.cleaned_at = 0.0
        self.payments_at = 0.0

    def nudge(self) -> None:
        self.wake.set()

    async def due(self, limit: int) -> list[uuid.UUID]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Aanvraag.id).where(Aanvraag.status == INGEDIEND, Aanvraag.automatic.is_(True),
                                          Aanvraag.decide_after <= utcnow())
                .order_by(Aanvraag.decide_after).limit(limit))
            return list(rows)

    async def run_once(self) -> int:
        """Decide what is due now (up to PLEIN_SERVICES_DECIDE_BATCH); how many were decided. One whose decision
        failed is not counted, so that `plein worker --once` stops when only such ones are left."""
        due = await self.due(self.settings.services_decide_batch)
        gate = asyncio.Semaphore(self.settings.services_decide_concurrency)

        async def one(key: uuid.UUID) -> bool:
            async with gate:
                return await self._decide(key, {})

        return sum(await asyncio.gather(*(one(key) for key in due)))

    async def run(self, stop: asyncio.Event) -> None:
        """Decide until stop is set, up to PLEIN_SERVICES_DECIDE_CONCURRENCY at a time: the next due aanvraag starts
        as soon as one decision ends (not when a whole batch has), at once when nudged, otherwise every poll
        interval. An aanvraag whose decision failed waits a poll interval before it is tried again."""
        running: dict[uuid.UUID, asyncio.Task[bool]] = {}
        resting: dict[uuid.UUID, float] = {}  # failed just now: not again before this (time.monotonic)
        try:
            while not stop.is_set():
                self.wake.clear()
                try:
                    await self._check_payments_now_and_then()
                    await self._start_due(running, resting)
                    await self._clean_now_and_then()
                except Exception:
                    logger.exception("the service engine's background loop failed; trying again")
                waiter = asyncio.ensure_future(self.wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                with suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED),
                                           self.settings.notifications_poll_interval)
                waiter.cancel()
                stopper.cancel()
        finally:
            if running:  # the decisions under way finish (each is one transaction)
                await asyncio.gather(*running.values(), return_exceptions=True)

    async def _start_due(self, running: dict[uuid.UUID, asyncio.Task[bool]], resting: dict[uuid.UUID, float]) -> None:
        """Start deciding due aanvragen while there is room; a decision that ends wakes the loop."""
        limit = self.settings.services_decide_concurrency
        now = time.monotonic()
        for key in [key for key, until in resting.items() if until <= now]:
            del resting[key]
        if len(running) >= limit:
            return
        for key in await self.due(limit + len(running) + len(resting)):  # the ones under way are still due
            if len(running) >= limit:
                break
            if key in running or key in resting:
                continue
            task = asyncio.create_task(self._decide(key, resting))
            running[key] = task

            def ended(_: asyncio.Task[bool], key: uuid.UUID = key) -> None:
                running.pop(key, None)
                self.wake.set()

            task.add_done_callback(ended)

    async def _decide(self, key: uuid.UUID, resting: dict[uuid.UUID, float]) -> bool:
        """Decide one; when that fails, or another process is deciding it right now, it rests a poll interval.
        Whether it was decided (granted, or handed to a case worker with the reason)."""
        async with self.sessions() as session:
            try:
                decided = await decisions.decide_automatically(session, key, self.settings.base_url, new_trace_id(),
                                                               self.storage)
            except Exception:
                logger.exception("deciding aanvraag %s automatically failed; it stays due", key)
                decided = None
        if decided is None:
            resting[key] = time.monotonic() + self.settings.notifications_poll_interval
        return decided is not None

    async def _check_payments_now_and_then(self) -> None:
        if time.monotonic() - self.payments_at < PAYMENTS_EVERY:
            return
        self.payments_at = time.monotonic()
        await payment_tasks.check_open(self.sessions, self.settings)

    async def _clean_now_and_then(self) -> None:
        if time.monotonic() - self.cleaned_at < CLEANUP_EVERY:
            return
        self.cleaned_at = time.monotonic()
        removed = await remove_old_concepts(self.sessions, self.settings, self.storage)
        if removed:
            logger.info("removed %d half-finished aanvragen older than %d days", removed,
                        self.settings.services_concept_days)
        async with self.sessions() as session:
            await logins.remove_old(session, logins.Limits.from_settings(self.settings))
        closed = await close_unpaid(self.sessions, self.settings)
        if closed:
            logger.info("closed %d aanvragen whose fee was not paid within %d days", closed,
                        self.settings.services_unpaid_days)


async def remove_old_concepts(sessions: async_sessionmaker[AsyncSession], settings: Settings,
                              storage: FileStorage | None) -> int:
    """Delete concept aanvragen not touched for the retention period, with their uploaded files."""
    before = utcnow() - dt.timedelta(days=settings.services_concept_days)
    async with sessions() as session:
        old = list(await session.scalars(select(Aanvraag.id).where(Aanvraag.status == CONCEPT,
                                                                   Aanvraag.updated_at < before)))
        if not old:
            return 0
        keys = list(await session.scalars(select(Bestand.storage_key).where(Bestand.aanvraag_id.in_(old))))
        await session.execute(delete(Bestand).where(Bestand.aanvraag_id.in_(old)))
        await session.execute(delete(Aanvraag).where(Aanvraag.id.in_(old), Aanvraag.status == CONCEPT))
        await session.commit()
    if storage is not None:
        for key in keys:
            with suppress(OSError):
                await storage.delete(key)
    return len(old)


async def close_unpaid(sessions: async_sessionmaker[AsyncSession], settings: Settings, limit: int = 200) -> int:
    """Close the aanvragen whose fee was not paid within PLEIN_SERVICES_UNPAID_DAYS (a batch; the rest next time)."""
    before = utcnow() - dt.timedelta(days=settings.services_unpaid_days)
    async with sessions() as session:
        found = await fees.unpaid_since(session, before, limit)
    closed = 0
    for key in found:
        async with sessions() as session:
            try:
                closed += await decisions.close_unpaid(session, key, settings.services_unpaid_days,
                                                       settings.base_url, new_trace_id())
            except Exception:
                logger.exception("closing unpaid aanvraag %s failed; it is tried again later", key)
    return closed


@asynccontextmanager
async def in_process_decisions(app: FastAPI) -> AsyncIterator[None]:
    """Under `plein serve`: the decision loop in the app's event loop (app.state.decider), while
    PLEIN_SERVICES_IN_PROCESS is on."""
    settings: Settings = app.state.settings
    app.state.decider = None
    if not settings.services_in_process:
        yield
        return
    decider = Decider(app.state.sessions, settings, app.state.storage)
    app.state.decider = decider
    app.state.on_payment_paid = decider.nudge  # a paid aanvraag is due at once
    async with loop_while_serving("plein-services", decider.run):
        yield


def nudge(app: FastAPI) -> None:
    """Tell this process's decision loop that an aanvraag may be due (no-op without one)."""
    decider = getattr(app.state, "decider", None)
    if isinstance(decider, Decider):
        decider.nudge()
