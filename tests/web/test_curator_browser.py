"""A real browser on the curator's and the publisher's pages: a curator makes a rule an error and adds a standard,
a publisher uploads a package, reads its report and withdraws a release; at desktop and phone width (390 px), and
axe-core finds no WCAG 2.1 A/AA violation on any of these pages."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from plein.apps import package_path
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.organisations.service import create_organisation
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store.package import load_package
from plein.store.service import publish
from tests.factories import make_package, zip_folder
from tests.store.helpers import SYSTEM
from tests.web.axe import assert_usable
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot
from tests.web.test_market_browser import log_in

pytestmark = [pytest.mark.browser]
APP = "verhuizing-doorgeven"


async def store_with_publisher(settings: Settings) -> None:
    """Verhuizing doorgeven 2.0.0 published by Amsterdam; a publisher of Amsterdam and a curator."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        await publish(session, storage_from_settings(settings), load_package(package_path(APP)), "0363", SYSTEM)
        await create_user(session, "uitgever@0363", PASSWORD, "Uitgever Amsterdam", [("0363", "publisher")])
        await create_organisation(session, "plein", "Plein", kind="cooperation")
        await create_user(session, "curator", PASSWORD, "Curator", [("plein", "curator")])
    await engine.dispose()


@pytest.fixture
def store_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_server(tmp_path, store_with_publisher) as url:
        yield url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_curator_pages(store_url: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=store_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in(page, "curator", "/toelatingsbeleid")
        expect(page.get_by_role("heading", level=1)).to_have_text("Toelatingsbeleid")
        page.get_by_role("button", name="Nieuwe versie vaststellen").click()  # no reason, no change
        expect(page.get_by_role("alert")).to_be_visible()
        assert_usable(page, "the policy form with errors")
        page.get_by_label("Beleid voor licence.not-open").select_option("error")
        page.get_by_label("Reden van de wijziging").fill("Alleen open source in de store.")
        page.get_by_role("button", name="Nieuwe versie vaststellen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Toelatingsbeleid versie 2")
        shot(page, f"policy-version-{viewport['width']}")
        assert_usable(page, "a policy version")
        page.get_by_role("link", name="Versies").click()
        assert_usable(page, "the policy versions")

        page.get_by_role("link", name="Standaarden").first.click()
        page.get_by_label("Alias").fill("Fout Alias")
        page.get_by_label("Naam").fill("Teststandaard")
        page.get_by_label("Webadres").fill("ftp://example.org")
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.get_by_role("link", name=re.compile("^Alias: "))).to_be_visible()
        assert_usable(page, "the standards form with errors")
        page.get_by_label("Alias").fill("test-standaard-1")
        page.get_by_label("Webadres").fill("https://example.org/test")
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.get_by_text("De standaard test-standaard-1 staat op de lijst.")).to_be_visible()
        shot(page, f"standards-{viewport['width']}")
        assert_usable(page, "the list of standards")
        page.get_by_role("link", name="Wijzigen test-standaard-1").click()
        assert_usable(page, "a standard's form")
        context.close()
        browser.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_publisher_pages(store_url: str, viewport: dict[str, int], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    archive = tmp_path / "verhuizing-2.1.0.zip"
    archive.write_bytes(zip_folder(make_package(Path(tempfile.mkdtemp(prefix="plein-upload-")), version="2.1.0")))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=store_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in(page, "uitgever@0363", "/publiceren")
        page.get_by_role("button", name="Controleren en publiceren").click()  # no file chosen
        expect(page.get_by_role("link", name=re.compile("^Pakket: "))).to_be_visible()
        assert_usable(page, "the upload form with an error")
        page.get_by_label("Pakket (.zip of .tar.gz)").set_input_files(str(archive))
        page.get_by_role("button", name="Controleren en publiceren").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Toelatingsrapport")
        expect(page.get_by_text("is toegelaten en staat in de store")).to_be_visible()
        assert_usable(page, "the report after uploading")

        page.get_by_role("link", name="Publiceren").first.click()
        shot(page, f"publish-{viewport['width']}")
        assert_usable(page, "the publisher's page with their releases")
        page.get_by_role("link", name="Rapport van Verhuizing doorgeven 2.0.0").click()
        page.get_by_role("link", name="Versie 2.0.0 intrekken").click()
        assert_usable(page, "the withdrawal confirmation")
        page.get_by_label("Reden").fill("Een fout in de termijnberekening.")
        page.get_by_role("button", name="Ja, versie 2.0.0 intrekken").click()
        expect(page.get_by_text("Ingetrokken door de uitgever op")).to_be_visible()
        shot(page, f"withdrawn-{viewport['width']}")
        assert_usable(page, "a withdrawn release's report")
        context.close()
        browser.close()
