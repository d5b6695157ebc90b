"""A real browser against a real server: search, open an app, log in, adopt with a mistake and fix it; skip link.
axe-core checks every page it visits for WCAG 2.1 A/AA violations.

The server and browser come from tests/web/conftest.py (uvicorn on a free port with a fresh SQLite database, Debian's
chromium through Playwright's sync API). Set PLEIN_SCREENSHOTS=/some/folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re

import pytest

from tests.web.axe import assert_accessible
from tests.web.browser import PASSWORD, shot

pytestmark = [pytest.mark.browser]


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
    assert_accessible(page, "the store's home page")
    page.get_by_label("Zoek apps").fill("verhuizing")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="1 app gevonden")).to_be_visible()
    assert_accessible(page, "the search results")
    page.get_by_role("link", name="Verhuizing doorgeven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verhuizing doorgeven")
    shot(page, "app")
    assert_accessible(page, "an app page")

    page.get_by_role("link", name="Inloggen").click()
    assert_accessible(page, "the log-in page")
    page.get_by_label("Gebruikersnaam").fill("beheerder@0363")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/apps/verhuizing-doorgeven$"))
    expect(page.get_by_text("U bent ingelogd als Beheerder Amsterdam.")).to_be_visible()

    page.get_by_role("link", name="Adopteren voor Amsterdam").click()
    assert_accessible(page, "the adoption form")
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
    assert_accessible(page, "the adoption form with an error")

    days.fill("10")
    page.get_by_role("button", name="Adopteren").click()
    expect(page).to_have_url(re.compile(r"/gemeenten/0363/apps$"))
    expect(page.get_by_text("Verhuizing doorgeven is geadopteerd voor Amsterdam.")).to_be_visible()
    expect(page.get_by_role("heading", name="Verhuizing doorgeven")).to_be_visible()
    expect(page.get_by_text("Behandeltermijn (dagen)")).to_be_visible()
    shot(page, "municipality")
    assert_accessible(page, "a municipality's apps")
