"""A real browser on joint demand (wensen): Utrecht's beheerder joins Amsterdam's wish, Amsterdam's beheerder posts a
wish (first with errors), commissions the joined one and, as publisher, fulfils it with an admitted app; at desktop
and phone width (390 px), and axe-core finds no WCAG 2.1 A/AA violation on any of these pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plein.apps import package_path
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store import wishes
from plein.store.package import load_package
from plein.store.service import publish
from tests.store.helpers import SYSTEM
from tests.web.axe import assert_usable
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot
from tests.web.test_market_browser import log_in

pytestmark = [pytest.mark.browser]
APP = "verhuizing-doorgeven"


async def wish_of_amsterdam(settings: Settings) -> None:
    """Verhuizing doorgeven (published by Amsterdam); Amsterdam's wish for it; beheerders of Amsterdam (also its
    publisher) and of Utrecht."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        await publish(session, storage_from_settings(settings), load_package(package_path(APP)), "0363", SYSTEM)
        await wishes.post(session, "0363", wishes.WishInput(
            title="Verhuizing digitaal doorgeven", description="Inwoners geven hun verhuizing online door.",
            budget="90000", split="per-inhabitant", standards=["zgw-zaken-1.5", "bag"]), SYSTEM)
        await create_user(session, "beheerder@0363", PASSWORD, "Beheerder Amsterdam",
                          [("0363", "beheerder"), ("0363", "publisher")])
        await create_user(session, "beheerder@0344", PASSWORD, "Beheerder Utrecht", [("0344", "beheerder")])
    await engine.dispose()


@pytest.fixture
def wish_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_server(tmp_path, wish_of_amsterdam) as url:
        yield url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_join_post_commission_and_fulfil(wish_url: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    width = viewport["width"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=wish_url, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in(page, "beheerder@0344", "/wensen")
        expect(page.get_by_role("heading", level=1)).to_have_text("Wensen van gemeenten")
        assert_usable(page, "the list of wishes")
        page.get_by_role("link", name="Open", exact=True).click()
        expect(page).to_have_url(re.compile(r"status=open$"))
        page.get_by_role("link", name="Verhuizing digitaal doorgeven").click()
        assert_usable(page, "an open wish, seen by another municipality")
        page.get_by_role("button", name="Utrecht aansluiten").click()
        expect(page.get_by_text("Utrecht heeft zich aangesloten")).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile("2 gemeenten doen mee"))).to_be_visible()
        shot(page, f"wish-joined-{width}")
        assert_usable(page, "a wish Utrecht joined")
        page.goto("/gemeenten/0344/wensen")
        assert_usable(page, "the wishes of Utrecht")
        page.get_by_role("button", name="Uitloggen").click()

        log_in(page, "beheerder@0363", "/wensen/nieuw")
        expect(page.get_by_role("heading", level=1)).to_have_text("Een wens plaatsen")
        page.get_by_role("button", name="Wens plaatsen").click()  # nothing filled in: errors at the fields
        expect(page.get_by_role("link", name=re.compile("^Titel: "))).to_be_visible()
        assert_usable(page, "the wish form with errors")
        page.get_by_label("Titel").fill("Afvalkalender in de gemeente-app")
        page.get_by_label("Beschrijving").fill("Inwoners zien wanneer welk afval wordt opgehaald.")
        page.get_by_label("bag", exact=True).check()
        page.get_by_label("Geschat budget in euro's").fill("30.000")
        page.get_by_label(re.compile("^Gelijk")).check()
        page.get_by_role("button", name="Wens plaatsen").click()
        expect(page.get_by_text(re.compile("Uw wens WENS-.* is geplaatst"))).to_be_visible()
        assert_usable(page, "a new wish with one municipality")
        page.get_by_role("link", name="Wens wijzigen").click()
        page.get_by_label("Geschat budget in euro's").fill("35.000")
        assert_usable(page, "the form to change a wish")
        page.get_by_role("button", name="Wijziging opslaan").click()
        expect(page.get_by_text(re.compile("Wens WENS-.* is gewijzigd"))).to_be_visible()

        page.goto("/wensen")
        page.get_by_role("link", name="Verhuizing digitaal doorgeven").click()
        page.get_by_label("Opdrachtgever namens alle gemeenten").select_option(label="Utrecht")
        page.get_by_label("Toelichting (niet verplicht)").fill("Utrecht besteedt de opdracht aan.")
        assert_usable(page, "a wish with the commission form")
        page.get_by_role("button", name="Opdracht verstrekken").click()
        expect(page.get_by_text("de aangesloten gemeenten hebben bericht")).to_be_visible()
        assert_usable(page, "a commissioned wish with the form to fulfil it")
        page.get_by_role("button", name="Wens vervuld met deze app").click()
        expect(page.get_by_text(re.compile("Wens WENS-.* is vervuld"))).to_be_visible()
        shot(page, f"wish-fulfilled-{width}")
        assert_usable(page, "a fulfilled wish")
        page.goto("/gemeenten/0363/apps")
        expect(page.get_by_role("region", name="Wensen")).to_contain_text("vervuld met Verhuizing doorgeven")
        assert_usable(page, "a municipality's apps with its wishes")
        context.close()
        browser.close()
