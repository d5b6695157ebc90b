"""Nothing is lost: a subscriber that is down for a while, a worker killed with SIGKILL, workers side by side.

Every test uses a real HTTP receiver on 127.0.0.1 and short delays (settings), and waits with a deadline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.app import create_app
from plein.db import make_engine, make_session_factory
from plein.notifications.models import Attempt
from plein.notifications.tasks import Worker
from plein.settings import Settings
from tests.notifications.helpers import (
    Receiver,
    all_delivered,
    deliveries,
    fast,
    free_port,
    publish_many,
    subscribe,
    until,
)


async def test_a_subscriber_that_was_down_gets_every_notification(app: Any, session: AsyncSession,
                                                                  settings: Settings) -> None:
    port = free_port()
    receiver = Receiver(port=port)
    await subscribe(session, receiver.url)
    published = await publish_many(session, 20)
    patient = fast(settings, notifications_max_attempts=1000, notifications_max_delay=0.2)
    stop = asyncio.Event()
    async with Worker(app.state.sessions, patient) as worker:
        task = asyncio.create_task(worker.run(stop))
        try:
            async def retried() -> bool:  # the subscriber is down: every delivery fails and is tried again
                rows = await deliveries(session)
                return min(row.attempts for row in rows) >= 2

            assert await until(retried, 30.0)
            await asyncio.sleep(0.5)
            rows = await deliveries(session)
            assert {row.status for row in rows} <= {"pending", "delivering"} and not task.done()
            assert all("could not connect" in (row.last_error or "could not connect") for row in rows)
            receiver.start()
            assert await until(lambda: set(receiver.keys()) == set(published), 30.0)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            receiver.stop()
    rows = await deliveries(session)
    assert {row.status for row in rows} == {"delivered"}
    assert sorted(set(receiver.keys())) == sorted(published)


def _worker_process(database_url: str, log: Path, name: str) -> subprocess.Popen[bytes]:
    """`plein worker` as a real process, with a short lease so a dead worker's deliveries come back quickly."""
    plein = Path(sys.executable).parent / "plein"
    command = [str(plein)] if plein.exists() else [sys.executable, "-c", "from plein.cli import main; main()"]
    env = {**os.environ, "PLEIN_DATABASE_URL": database_url, "PLEIN_ENV": "test", "PLEIN_LOG_LEVEL": "info",
           "PLEIN_NOTIFICATIONS_LEASE_SECONDS": "3", "PLEIN_NOTIFICATIONS_TIMEOUT": "2",
           "PLEIN_NOTIFICATIONS_BATCH_SIZE": "10", "PLEIN_NOTIFICATIONS_CONCURRENCY": "5",
           "PLEIN_NOTIFICATIONS_POLL_INTERVAL": "0.05", "PLEIN_NOTIFICATIONS_BASE_DELAY": "0.05",
           "PLEIN_NOTIFICATIONS_MAX_DELAY": "0.2", "PLEIN_NOTIFICATIONS_MAX_ATTEMPTS": "100"}
    with log.open("ab") as out:
        return subprocess.Popen([*command, "worker", "--name", name], env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return process.returncode


async def test_a_worker_killed_mid_delivery_loses_nothing(session: AsyncSession, database_url: str,
                                                          tmp_path: Path) -> None:
    receiver = Receiver(delay=0.15).start()
    await subscribe(session, receiver.url)
    published = await publish_many(session, 40)
    log = tmp_path / "workers.log"
    first = _worker_process(database_url, log, "first")
    second = None
    try:
        assert await until(lambda: len(receiver.keys()) >= 5 and receiver.busy() > 0, 60.0), log.read_text()
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
        got_before = set(receiver.keys())
        assert got_before < set(published), "the first worker should not have finished before it was killed"
        held = [row for row in await deliveries(session) if row.status == "delivering"]
        assert held and {row.locked_by for row in held} == {"first"}
        second = _worker_process(database_url, log, "second")
        assert await until(all_delivered(session), 60.0), log.read_text()
        assert _stop(second) == 0, log.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(5)
        receiver.stop()
    bodies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in receiver.received:
        bodies[item.key].append(item.body)
    assert sorted(bodies) == sorted(published)  # every message at least once, deduped by its idempotency id
    assert all(all(body == found[0] for body in found) for found in bodies.values())
    rows = await deliveries(session)
    taken_over = [row for row in rows if row.id in {h.id for h in held}]
    assert all(row.attempts >= 2 for row in taken_over)
    workers = set((await session.scalars(select(Attempt.worker))).all())
    assert "second" in workers
    assert "stopping" in log.read_text() or "stopped" in log.read_text()


async def test_two_workers_never_send_one_delivery_at_once(session: AsyncSession, settings: Settings) -> None:
    receiver = Receiver(delay=0.03).start()
    await subscribe(session, receiver.url)
    await subscribe(session, receiver.url.replace("/callback", "/other"))
    published = await publish_many(session, 40)
    config = fast(settings, notifications_batch_size=7, notifications_concurrency=4, notifications_lease_seconds=30)
    engines = [make_engine(config), make_engine(config)]
    stop = asyncio.Event()
    try:
        async with Worker(make_session_factory(engines[0]), config, name="a") as a, \
                Worker(make_session_factory(engines[1]), config, name="b") as b:
            tasks = [asyncio.create_task(a.run(stop)), asyncio.create_task(b.run(stop))]
            assert await until(lambda: len(receiver.keys()) >= 2 * len(published), 60.0)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 10)
    finally:
        for engine in engines:
            await engine.dispose()
        receiver.stop()
    assert receiver.overlaps == []
    assert len(receiver.keys()) == 2 * len(published)  # no failures and long leases: exactly once per delivery
    workers = set((await session.scalars(select(Attempt.worker))).all())
    rows = await deliveries(session)
    assert {row.status for row in rows} == {"delivered"} and len(rows) == 80
    assert workers <= {"a", "b"}


async def test_plein_serve_delivers_in_process(session: AsyncSession, settings: Settings) -> None:
    receiver = Receiver().start()
    await subscribe(session, receiver.url, format="cloudevents")
    application = create_app(fast(settings, notifications_in_process=True))
    try:
        async with application.router.lifespan_context(application):
            worker = application.state.notification_worker
            async with application.state.sessions() as own:
                published = await publish_many(own, 3)
            assert await until(lambda: sorted(set(receiver.keys())) == sorted(published), 30.0)
        assert worker._sender is None  # stopped and closed on shutdown
    finally:
        receiver.stop()
    assert {item.content_type for item in receiver.received} == {"application/cloudevents+json; charset=utf-8"}


async def test_the_in_process_loop_can_be_turned_off(settings: Settings) -> None:
    application = create_app(fast(settings, notifications_in_process=False))
    async with application.router.lifespan_context(application):
        assert not hasattr(application.state, "notification_worker")
