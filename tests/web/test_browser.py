"""A real browser against a real server: search, open an app, log in, adopt with a mistake and fix it; skip link.

Starts uvicorn on a free port in a background thread with a fresh SQLite database, then drives Debian's chromium
through Playwright's sync API. Set PLEIN_SCREENSHOTS=/some/folder to keep screenshots of the pages it visits.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
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

pytestmark = [pytest.mark.browser]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def seed(settings: Settings) -> None:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        package = load_package(package_path("verhuizing-doorgeven"))
        result = await publish(session, storage_from_settings(settings), package, "0363", SYSTEM)
        assert result.release.status == "accepted"
        await create_user(session, "beheerder@0363", PASSWORD, "Beheerder Amsterdam", [("0363", "beheerder")])
    await engine.dispose()


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}",
                        data_dir=tmp_path / "data")
    upgrade_and_seed(settings)
    asyncio.run(seed(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="plein-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, locale="nl-NL")
        yield context.new_page()
        context.close()
        browser.close()


def shot(page: object, name: str) -> None:
    folder = os.environ.get("PLEIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_skip_link_is_the_first_thing_tab_reaches(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de hoofdinhoud")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the focused skip link must be visible"
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()


def test_search_log_in_and_adopt_with_a_correction(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    shot(page, "home")
    page.get_by_label("Zoek apps").fill("verhuizing")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="1 app gevonden")).to_be_visible()
    page.get_by_role("link", name="Verhuizing doorgeven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verhuizing doorgeven")
    shot(page, "app")

    page.get_by_role("link", name="Inloggen").click()
    page.get_by_label("Gebruikersnaam").fill("beheerder@0363")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/apps/verhuizing-doorgeven$"))
    expect(page.get_by_text("Je bent ingelogd als Beheerder Amsterdam.")).to_be_visible()

    page.get_by_role("link", name="Adopteren voor Amsterdam").click()
    days = page.get_by_label("Behandeltermijn (dagen)")
    days.fill("0")
    page.get_by_label("Balie").check()
    page.get_by_role("button", name="Adopteren").click()
    error = page.locator("#option-behandeltermijnDagen-error")
    expect(error).to_contain_text("Vul een geheel getal in van 1 tot en met 56")
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_have_value("0")
    expect(page.get_by_label("Balie")).to_be_checked()
    expect(page.get_by_role("link", name="Behandeltermijn (dagen): Vul een geheel getal in")).to_be_visible()
    shot(page, "adopt-error")

    days.fill("10")
    page.get_by_role("button", name="Adopteren").click()
    expect(page).to_have_url(re.compile(r"/gemeenten/0363/apps$"))
    expect(page.get_by_text("Verhuizing doorgeven is geadopteerd voor Amsterdam.")).to_be_visible()
    expect(page.get_by_role("heading", name="Verhuizing doorgeven")).to_be_visible()
    expect(page.get_by_text("Behandeltermijn (dagen)")).to_be_visible()
    shot(page, "municipality")
