"""The theme preview pages in a real browser: each demo theme and the default one, at desktop width and at 390 px,
with no WCAG 2.1 A/AA violation (axe-core), the theme's colours really applied, and nothing scrolling sideways."""

from __future__ import annotations

import pytest

from plein.organisations import themes
from tests.web.axe import assert_accessible
from tests.web.browser import DESKTOP, PASSWORD, PHONE, shot

pytestmark = [pytest.mark.browser]

PREVIEWS = {"0363": "Amsterdam", "0344": "Utrecht", "0518": "'s-Gravenhage", themes.DEFAULT_CODE: "Voorbeeldstad"}


def expected_primary(code: str) -> str:
    theme = themes.DEFAULT_THEME if code == themes.DEFAULT_CODE else themes.resolve(themes.demo_themes()[code])
    red, green, blue = (int(theme.colours["primary"][i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.parametrize("code", list(PREVIEWS))
def test_theme_preview_is_accessible_and_fits_a_phone(page: object, code: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    name = PREVIEWS[code]
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.goto(f"/thema/{code}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("uisstijl")
        logo = page.get_by_role("img", name=f"Logo van gemeente {name}, naar de startpagina")
        expect(logo).to_be_visible()
        assert logo.evaluate("image => image.complete && image.naturalWidth > 0"), "the logo did not load"
        button = page.get_by_role("button", name="Volgende stap")
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == expected_primary(code)
        shot(page, f"theme-{code}-{label}")
        assert_accessible(page, f"the theme preview of {code} at {viewport['width']} px")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"/thema/{code} scrolls sideways at {viewport['width']} px: {widths}"


def test_theme_page_works_with_the_keyboard_and_without_javascript(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=PHONE)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto("/thema/0344")
        expect(page.get_by_role("heading", level=1)).to_have_text("Huisstijl van gemeente Utrecht")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Naar de hoofdinhoud")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Logo van gemeente Utrecht, naar de startpagina")).to_be_focused()
        context.close()
        browser.close()


def test_the_header_with_who_is_logged_in_fits_a_phone(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login?next=/thema/0344")
    page.get_by_label("Gebruikersnaam").fill("beheerder@0363")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto("/thema/0344")
    expect(page.get_by_text("Beheerder Amsterdam")).to_be_visible()
    logout = page.get_by_role("button", name="Uitloggen")
    expect(logout).to_be_visible()
    shot(page, "theme-0344-logged-in-phone")
    assert_accessible(page, "the theme preview of 0344 with someone logged in, at 390 px")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the logged-in header scrolls sideways at 390 px: {widths}"
    logout.click()
    expect(page.get_by_text("uitgelogd")).to_be_visible()
