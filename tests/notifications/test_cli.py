"""`plein worker --once` and `plein notifications`: subscribe, deliver, park, list parked, resend, kanalen."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from plein.cli import app
from plein.db import make_engine, make_session_factory
from plein.settings import Settings
from tests.notifications.helpers import Receiver, deliveries, publish_many

T = TypeVar("T")

runner = CliRunner()


def env(settings: Settings, **extra: str) -> dict[str, str]:
    return {"PLEIN_DATABASE_URL": settings.database_url, "PLEIN_ENV": "test", "COLUMNS": "300",
            "PLEIN_NOTIFICATIONS_TIMEOUT": "2", "PLEIN_NOTIFICATIONS_LEASE_SECONDS": "5", **extra}


def in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_subscribe_deliver_park_and_resend_from_the_command_line(settings: Settings) -> None:
    receiver = Receiver(status=500).start()
    try:
        made = runner.invoke(app, ["notifications", "subscribe", receiver.url, "--auth", "Bearer cli-token-1234",
                                   "--kanaal", "zaken", "--filter", "vertrouwelijkheidaanduiding=*"],
                             env=env(settings))
        assert made.exit_code == 0, made.output
        [key] = in_session(settings, lambda session: publish_many(session, 1))
        failed = runner.invoke(app, ["worker", "--once"], env=env(settings, PLEIN_NOTIFICATIONS_MAX_ATTEMPTS="1"))
        assert failed.exit_code == 0, failed.output
        parked = runner.invoke(app, ["notifications", "parked"], env=env(settings))
        assert parked.exit_code == 0 and receiver.url in parked.output and "HTTP 500" in parked.output
        [row] = in_session(settings, deliveries)
        delivery_id = str(row.id)
        receiver.status = 204
        resent = runner.invoke(app, ["notifications", "resend", delivery_id], env=env(settings))
        assert resent.exit_code == 0, resent.output
        twice = runner.invoke(app, ["notifications", "resend", delivery_id], env=env(settings))
        assert twice.exit_code == 1 and "only a parked delivery" in twice.output
        delivered = runner.invoke(app, ["worker", "--once"], env=env(settings))
        assert delivered.exit_code == 0, delivered.output
        assert receiver.keys() == [key] and receiver.received[0].authorization == "Bearer cli-token-1234"
        assert "HTTP 500" not in runner.invoke(app, ["notifications", "parked"], env=env(settings)).output
    finally:
        receiver.stop()


def test_kanalen_are_listed(settings: Settings) -> None:
    listed = runner.invoke(app, ["notifications", "kanalen"], env=env(settings))
    assert listed.exit_code == 0, listed.output
    assert "zaken" in listed.output and "bronorganisatie" in listed.output
