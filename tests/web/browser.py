"""Shared pieces of the browser tests: a real server on a free port with a fresh SQLite database, Debian's chromium
through Playwright's sync API, and screenshots on request (PLEIN_SCREENSHOTS=/some/folder)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from plein.app import create_app
from plein.apps import package_path
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.migrate import upgrade_and_seed
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store.package import load_package
from plein.store.service import publish
from tests.store.helpers import SYSTEM

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "wachtwoord-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def seed(settings: Settings) -> None:
    """The store's sample data: one accepted release (published by Amsterdam) and a beheerder of Amsterdam."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        package = load_package(package_path("verhuizing-doorgeven"))
        result = await publish(session, storage_from_settings(settings), package, "0363", SYSTEM)
        assert result.release.status == "accepted"
        await create_user(session, "beheerder@0363", PASSWORD, "Beheerder Amsterdam", [("0363", "beheerder")])
    await engine.dispose()


@contextmanager
def running_server(tmp_path: Path, prepare: Callable[[Settings], Awaitable[None]] = seed) -> Iterator[str]:
    """A migrated database seeded by `prepare` (default: the store's sample data), and uvicorn serving it in a
    background thread; yields the base URL."""
    settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}",
                        data_dir=tmp_path / "data")
    upgrade_and_seed(settings)
    asyncio.run(prepare(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="plein-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def shot(page: object, name: str) -> None:
    folder = os.environ.get("PLEIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
