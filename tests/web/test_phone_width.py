"""Every page a new user tried works on a phone: at 390 px (and 1280 px) the search, an app page, a rejected release's
admission report and a notification's detail page are no wider than the screen, and no value spills out of its box."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from plein.apps import package_path
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.demo import demo_package
from plein.notifications.tasks import deliver_due
from plein.organisations.service import create_organisation
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store.package import load_package
from plein.store.service import publish
from tests.notifications.helpers import deliveries, fast, publish_many, subscribe
from tests.store.helpers import SYSTEM
from tests.web.axe import assert_accessible, fits
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot
from tests.web.test_market_browser import log_in

pytestmark = [pytest.mark.browser]
LONG_URL = "https://ontvanger.example/" + "notificatiesontvangenvoordezaakregistratiecomponent" * 3  # 179 characters


async def pages(settings: Settings) -> None:
    """An admitted app and a rejected release (both Amsterdam's), a notification parked at a receiver with a long
    address, a publisher of Amsterdam and a curator."""
    engine = make_engine(settings)
    storage = storage_from_settings(settings)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        await publish(session, storage, load_package(package_path("verhuizing-doorgeven")), "0363", SYSTEM)
        rejected = await publish(session, storage, load_package(demo_package("parkeervergunning-aanvragen")), "0363",
                                 SYSTEM)
        assert rejected.release.status == "rejected"
        await create_user(session, "uitgever@0363", PASSWORD, "Uitgever Amsterdam", [("0363", "publisher")])
        await create_organisation(session, "plein", "Plein", kind="cooperation")
        await create_user(session, "curator", PASSWORD, "Curator", [("plein", "curator")])
        await subscribe(session, LONG_URL)
        await publish_many(session, 1)
        failing = httpx.MockTransport(lambda _: httpx.Response(500, text="interne fout"))
        await deliver_due(sessions, fast(settings, notifications_max_attempts=1), transport=failing)
        [parked] = await deliveries(session)
        assert parked.status == "parked" and parked.id == 1
    await engine.dispose()


@pytest.fixture
def pages_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_server(tmp_path, pages) as url:
        yield url


def nothing_spills(page: object) -> None:
    """No fact in a facts box is wider than its box (a long URL would run into the next column)."""
    spilled = page.evaluate("""() => Array.from(document.querySelectorAll('.plein-facts > div'))
        .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.textContent.trim().slice(0, 60))""")  # type: ignore[attr-defined]
    assert spilled == [], f"these values are wider than their box: {spilled}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_pages_fit_the_screen(pages_url: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=pages_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in(page, "uitgever@0363", "/")
        for path, heading in [("/?q=verhuizing", "Apps voor gemeenten"), ("/apps/verhuizing-doorgeven",
                              "Verhuizing doorgeven"), ("/apps/parkeervergunning-aanvragen/releases/0.9.0",
                              "Toelatingsrapport")]:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            shot(page, f"width-{path.strip('/').replace('/', '-').replace('?', '-')}-{viewport['width']}")
            fits(page)
            nothing_spills(page)
        assert_accessible(page, "a rejected release's admission report")
        context.clear_cookies()
        log_in(page, "curator", "/beheer/notificaties/1")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Notificatie 1")
        expect(page.get_by_text(LONG_URL)).to_be_visible()
        expect(page.locator(".plein-facts")).to_contain_text("zaak aangemaakt (create)")
        expect(page.locator(".plein-facts")).to_contain_text("tekens)")
        shot(page, f"width-notification-{viewport['width']}")
        assert_accessible(page, "a parked notification")
        fits(page)
        nothing_spills(page)
        context.close()
        browser.close()
