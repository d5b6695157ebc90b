"""A real browser on the store's marketplace: a beheerder sees the advisory banner on the municipality's apps page,
upgrades to the fixed version, and posts a review; at desktop and phone width (390 px), and axe-core finds no WCAG 2.1
A/AA violation on any of these pages."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import update

from plein.apps import package_path
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory, utcnow
from plein.organisations.service import create_organisation
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store import adoptions, advisories
from plein.store.models import Adoption
from plein.store.package import load_package
from plein.store.service import publish
from tests.factories import make_package
from tests.store.helpers import SYSTEM
from tests.web.axe import assert_accessible, fits
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]
APP = "verhuizing-doorgeven"


async def marketplace(settings: Settings) -> None:
    """Verhuizing doorgeven 2.0.0 and 2.1.0; Amsterdam has used 2.0.0 for 40 days; an advisory affects 2.0.0; a
    beheerder of Amsterdam and a curator."""
    engine = make_engine(settings)
    storage = storage_from_settings(settings)
    async with make_session_factory(engine)() as session:
        await publish(session, storage, load_package(package_path(APP)), "0363", SYSTEM)
        newer = make_package(Path(tempfile.mkdtemp(prefix="plein-market-")), version="2.1.0")
        await publish(session, storage, load_package(newer), "0363", SYSTEM)
        adoption = await adoptions.adopt(session, "0363", APP, {}, SYSTEM, version="2.0.0", activate=True)
        await session.execute(update(Adoption).where(Adoption.id == adoption.id)
                              .values(activated_at=utcnow() - dt.timedelta(days=40)))
        await session.commit()
        await advisories.publish(session, APP, advisories.AdvisoryInput(
            affected=">=2.0.0 <2.1.0", fixed="2.1.0", cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            summary="Adres van een ander zichtbaar in de samenvatting", details="Upgrade naar 2.1.0.",
            aliases=["CVE-2026-40001"]), SYSTEM, "http://127.0.0.1")
        await create_user(session, "beheerder@0363", PASSWORD, "Beheerder Amsterdam", [("0363", "beheerder")])
        await create_organisation(session, "plein", "Plein", kind="cooperation")
        await create_user(session, "curator", PASSWORD, "Curator", [("plein", "curator")])
    await engine.dispose()


@pytest.fixture
def market_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_server(tmp_path, marketplace) as url:
        yield url


def log_in(page: object, username: str, next_path: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_banner_upgrade_and_review(market_url: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=market_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in(page, "beheerder@0363", "/gemeenten/0363/apps")
        expect(page).to_have_url(re.compile(r"/gemeenten/0363/apps$"))
        banner = page.get_by_role("alert").filter(has_text="Bekende kwetsbaarheden in apps van Amsterdam")
        expect(banner).to_contain_text("Adres van een ander zichtbaar")
        expect(page.get_by_text("Per jaar, alle apps samen")).to_be_visible()
        shot(page, f"market-apps-{viewport['width']}")
        assert_accessible(page, "a municipality's apps with an advisory banner")
        fits(page)

        banner.get_by_role("link", name=re.compile("Upgraden")).click()
        assert_accessible(page, "an adoption with an advisory")
        fits(page)
        page.get_by_role("button", name=re.compile("Upgraden naar 2.1.0")).click()
        expect(page.get_by_text("is geüpgraded naar versie 2.1.0")).to_be_visible()
        page.goto("/gemeenten/0363/apps")
        expect(page.get_by_text("Bekende kwetsbaarheden in apps van Amsterdam")).to_have_count(0)

        page.goto(f"/apps/{APP}")
        form = page.locator("form", has=page.get_by_role("button", name="Beoordeling plaatsen"))
        form.get_by_role("button", name="Beoordeling plaatsen").click()  # nothing chosen: errors at the fields
        expect(page.get_by_role("link", name="Kies 1 tot en met 5 sterren")).to_be_visible()
        assert_accessible(page, "the review form with errors")
        page.get_by_label("4 sterren").check()
        page.get_by_label("Uw beoordeling").fill("Inwoners geven hun verhuizing nu zelf door.")
        page.get_by_role("button", name="Beoordeling plaatsen").click()
        expect(page.get_by_text("Uw beoordeling is opgeslagen.")).to_be_visible()
        reviews = page.locator("#beoordeling-0363")
        expect(reviews).to_contain_text("Inwoners geven hun verhuizing nu zelf door.")
        expect(reviews).to_contain_text("Versie 2.1.0")
        shot(page, f"market-app-{viewport['width']}")
        assert_accessible(page, "an app page with a review, costs and advisories")
        fits(page)

        page.get_by_role("link", name=re.compile("^PLEIN-")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Adres van een ander zichtbaar")
        assert_accessible(page, "an advisory page")
        fits(page)
        advisory_path = page.url.removeprefix(market_url)
        context.close()

        curator = browser.new_context(base_url=market_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = curator.new_page()
        log_in(page, "curator", advisory_path)
        page.get_by_role("link", name="Corrigeer de melding").click()
        page.get_by_label("Getroffen versies").fill(">=1.0.0 <2.1.0")
        page.get_by_role("button", name="Corrigeren en gemeenten opnieuw waarschuwen").click()  # no reason: an error
        expect(page.get_by_role("link", name=re.compile("Schrijf op waarom"))).to_be_visible()
        assert_accessible(page, "the advisory correction form with an error")
        fits(page)
        page.get_by_label("Waarom corrigeert u de melding?").fill("Ook 1.x is getroffen.")
        page.get_by_role("button", name="Corrigeren en gemeenten opnieuw waarschuwen").click()
        expect(page.get_by_text("is gecorrigeerd")).to_be_visible()
        expect(page.get_by_role("cell", name="Ook 1.x is getroffen.")).to_be_visible()
        curator.close()
        browser.close()
