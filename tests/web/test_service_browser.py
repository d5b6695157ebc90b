"""The first shared service end to end in a real browser: a citizen logs in through the simulator and reports a move
with a co-mover, a case worker of the municipality approves it, the BRP answers with the new address, and the
citizen sees the closed case and the case worker's reads in "Wie gebruikte mijn gegevens". axe-core checks every
service, portal and desk page on the way (WCAG 2.1 A and AA), and the service pages also at 390 px wide."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plein import clock
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.settings import Settings
from tests.services.helpers import AMSTERDAM, UTRECHT, Family, adopt, family, publish_app
from tests.web.axe import assert_accessible
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]
SERVICE = "/diensten/amsterdam/verhuizing-doorgeven"


async def seed_service(settings: Settings) -> Family:
    """Verhuizing doorgeven active in Amsterdam (a case worker decides), a family, and Amsterdam's case worker."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        await publish_app(session)
        await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, automatischAfhandelen=False)
        await adopt(session, UTRECHT, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
        people = await family(session)
        await create_user(session, "behandelaar.amsterdam", PASSWORD, "Behandelaar Amsterdam",
                          [(AMSTERDAM, "behandelaar")])
    await engine.dispose()
    return people


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, Family]]:
    holder: dict[str, Family] = {}

    async def prepare(settings: Settings) -> None:
        holder["family"] = await seed_service(settings)

    with running_server(tmp_path, prepare) as url:
        yield url, holder["family"]


def check(page: Any, name: str) -> None:
    """axe on the page as it is, and a screenshot when asked for."""
    shot(page, name)
    assert_accessible(page, name)


def fits_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url
    assert_accessible(page, f"{page.url} at 390 px")
    page.set_viewport_size(DESKTOP)


def log_in_as_citizen(page: Any, bsn: str, audit: bool = True) -> None:
    from playwright.sync_api import expect

    page.goto(SERVICE)
    page.get_by_role("link", name="Inloggen met de inlogsimulator (test)").click()
    if audit:
        check(page, "simulator")
    page.get_by_label("Burgerservicenummer").fill(bsn)
    page.get_by_role("button", name="Inloggen als inwoner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verhuizing doorgeven")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Uitloggen").click()


def test_a_move_from_the_form_to_the_brp(world: tuple[str, Family]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, people = world
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()

        page.goto("/diensten/amsterdam")
        check(page, "diensten")
        fits_a_phone(page)
        log_in_as_citizen(page, people.anna)
        check(page, "start")
        page.get_by_role("button", name="Start").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Uw verhuizing")
        expect(page.get_by_text("Damstraat 1")).to_be_visible()
        check(page, "stap-verhuizing")
        fits_a_phone(page)
        today = clock.today()
        page.get_by_role("textbox", name="Dag").fill("31")
        page.get_by_role("textbox", name="Maand").fill("2")
        page.get_by_role("textbox", name="Jaar").fill(str(today.year))
        page.get_by_label("Postcode").fill("1019 AB")
        page.get_by_label("Huisnummer", exact=True).fill("10")
        page.get_by_role("button", name="Volgende").click()
        expect(page.get_by_role("alert")).to_contain_text("bestaande datum")
        check(page, "stap-verhuizing-fout")
        page.get_by_role("textbox", name="Dag").fill(str(today.day))
        page.get_by_role("textbox", name="Maand").fill(str(today.month))
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Wie verhuizen er met u mee?")
        check(page, "stap-meeverhuizers")
        page.get_by_label(re.compile("Kees")).check()
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw antwoorden")
        expect(page.get_by_text("Nieuwbouwlaan 10, 1019 AB Amsterdam")).to_be_visible()
        check(page, "controleren")
        fits_a_phone(page)
        page.get_by_role("button", name="Versturen").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvraag is ontvangen")
        number = page.locator("strong").first.inner_text()
        assert number.startswith("ZAAK-")
        check(page, "ontvangen")
        log_out(page)

        page.goto(f"/login?next=/werkvoorraad/{AMSTERDAM}")
        page.get_by_label("Gebruikersnaam").fill("behandelaar.amsterdam")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Werkvoorraad")
        check(page, "werkvoorraad")
        page.get_by_role("link", name=number).click()
        expect(page.get_by_text("Nieuwbouwlaan 10").first).to_be_visible()
        check(page, "zaak")
        page.get_by_label("Toekennen").check()
        page.get_by_role("button", name="Besluit vastleggen").click()
        expect(page.get_by_role("status").first).to_contain_text(number)
        log_out(page)

        log_in_as_citizen(page, people.anna)
        page.goto("/mijn/gegevens")
        expect(page.get_by_text("Nieuwbouwlaan 10").first).to_be_visible()
        check(page, "mijn-gegevens")
        page.goto("/mijn/zaken")
        check(page, "mijn-zaken")
        page.get_by_role("link", name="Verhuizing doorgeven").click()
        expect(page.get_by_text("Toegekend").first).to_be_visible()
        check(page, "mijn-zaak")
        page.goto("/mijn/inzage")
        expect(page.get_by_text(re.compile("Gemeente Amsterdam bekeek")).first).to_be_visible()
        expect(page.get_by_text(re.compile("wijzigde uw adres")).first).to_be_visible()
        check(page, "mijn-inzage")
        fits_a_phone(page)
        page.goto("/mijn")
        check(page, "mijn")

        context.close()
        browser.close()


def test_the_service_pages_need_no_javascript(world: tuple[str, Family]) -> None:
    """The same form works with JavaScript switched off (every page is a plain form post)."""
    from playwright.sync_api import expect, sync_playwright

    url, people = world
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=PHONE, locale="nl-NL",  # type: ignore[arg-type]
                                      java_script_enabled=False)
        page = context.new_page()
        log_in_as_citizen(page, people.jan, audit=False)  # axe itself needs JavaScript
        page.get_by_role("button", name="Start").click()
        today = clock.today()
        page.get_by_role("textbox", name="Dag").fill(str(today.day))
        page.get_by_role("textbox", name="Maand").fill(str(today.month))
        page.get_by_role("textbox", name="Jaar").fill(str(today.year))
        page.get_by_label("Postcode").fill("1019AB")
        page.get_by_label("Huisnummer", exact=True).fill("10")
        page.get_by_role("button", name="Volgende").click()
        page.get_by_role("button", name="Volgende").click()
        page.get_by_role("button", name="Versturen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvraag is ontvangen")
        context.close()
        browser.close()



def test_a_move_to_utrecht_asks_utrechts_proof_of_residence(world: tuple[str, Family], tmp_path: Path) -> None:
    """Started on Amsterdam's page, the move is Utrecht's (the new address): Utrecht's option adds an upload step."""
    from playwright.sync_api import expect, sync_playwright

    url, people = world
    proof = tmp_path / "huurcontract.pdf"
    proof.write_bytes(b"%PDF-1.4 a rental contract")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        log_in_as_citizen(page, people.jan, audit=False)
        page.get_by_role("button", name="Start").click()
        today = clock.today()
        page.get_by_role("textbox", name="Dag").fill(str(today.day))
        page.get_by_role("textbox", name="Maand").fill(str(today.month))
        page.get_by_role("textbox", name="Jaar").fill(str(today.year))
        page.get_by_label("Postcode").fill("3511AB")
        page.get_by_label("Huisnummer", exact=True).fill("99")
        page.get_by_role("button", name="Volgende").click()
        page.get_by_role("button", name="Volgende").click()  # no co-movers
        expect(page.get_by_role("heading", level=1)).to_have_text("Bewijs van bewoning")
        expect(page.get_by_text("Gemeente Utrecht behandelt uw aanvraag")).to_be_visible()
        check(page, "stap-bewijs")
        page.get_by_role("button", name="Volgende").click()
        expect(page.get_by_role("alert")).to_contain_text("Voeg een bestand toe")
        check(page, "stap-bewijs-fout")
        page.get_by_label(re.compile("Huurcontract")).set_input_files(str(proof))
        page.get_by_role("button", name="Volgende").click()
        expect(page.get_by_text("huurcontract.pdf")).to_be_visible()
        page.get_by_role("button", name="Versturen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvraag is ontvangen")
        context.close()
        browser.close()
