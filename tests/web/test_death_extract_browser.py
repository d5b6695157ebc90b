"""The second and third services end to end in a real browser. A funeral director logs in with eHerkenning (the
simulator, with the machtiging), registers a death with the A-form, the registrar approves it on the desk, the BRP
knows the death and has suspended the list, a subscriber of the `brp` kanaal is notified, and the funeral director
downloads the verlof in the business portal. A citizen pays for an extract at the payment simulator, downloads it,
and its code verifies at /verifieer; a changed file does not. axe-core checks every new page (WCAG 2.1 A and AA)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest

from plein import clock, werkdagen
from plein.auth.service import create_user
from plein.db import make_engine, make_session_factory
from plein.notifications import service as notifications
from plein.registers.brp.models import Person
from plein.settings import Settings
from tests.notifications.helpers import Receiver, subscribe
from tests.registers.helpers import dam_singel_oudegracht, person, reader
from tests.services.deaths import adopt as adopt_deaths
from tests.services.deaths import deaths
from tests.services.helpers import AMSTERDAM, UTRECHT
from tests.store.helpers import SYSTEM
from tests.web.axe import assert_accessible
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]
DEATH = "/diensten/amsterdam/aangifte-overlijden"
EXTRACT = "/diensten/utrecht/uittreksel-brp"


def check(page: Any, name: str, phone: bool = False) -> None:
    shot(page, name)
    assert_accessible(page, name)
    if phone:
        page.set_viewport_size(PHONE)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url
        assert_accessible(page, f"{name} at 390 px")
        page.set_viewport_size(DESKTOP)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    receiver = Receiver().start()
    holder: dict[str, Any] = {"receiver": receiver}

    async def prepare(settings: Settings) -> None:
        from plein.apps import package_path
        from plein.store import adoptions
        from tests.store.helpers import publish_folder

        engine = make_engine(settings)
        async with make_session_factory(engine)() as session:
            people = await deaths(session)
            await adopt_deaths(session)
            await create_user(session, "burgerlijkestand.amsterdam", PASSWORD, "Burgerlijke stand Amsterdam",
                              [(AMSTERDAM, "behandelaar")])
            await notifications.ensure_standard_kanalen(session, ["brp"])
            await reader(session, ["burgerservicenummer"], client_id="pensioenfonds", organisation=AMSTERDAM)
            await subscribe(session, receiver.url, kanaal="brp", filters={"soort": "overlijden"},
                            owner="pensioenfonds")
            await publish_folder(session, package_path("uittreksel-brp"), AMSTERDAM)
            await adoptions.adopt(session, UTRECHT, "uittreksel-brp", {"legesEur": 14.2}, SYSTEM, activate=True,
                                  base_url=settings.base_url)
            *_, oudegracht = await dam_singel_oudegracht(session)
            holder["els"] = await person(session, "els", "Dekker", "Els", "19850704", oudegracht, since="20200301")
            holder["piet"] = people.piet
            await session.commit()
        await engine.dispose()
        holder["settings"] = settings

    try:
        with running_server(tmp_path, prepare) as url:
            yield url, holder
    finally:
        receiver.stop()


def test_a_funeral_director_registers_a_death_and_downloads_the_verlof(world: tuple[str, dict[str, Any]],
                                                                      tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, holder = world
    a_form = tmp_path / "a-formulier.pdf"
    a_form.write_bytes(b"%PDF-1.4\n% verklaring van overlijden\n%%EOF\n")
    died = clock.today() - dt.timedelta(days=1)
    funeral = werkdagen.werkdag(died, 3)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()

        page.goto(DEATH)
        check(page, "overlijden-start")
        page.get_by_role("link", name="Inloggen met de inlogsimulator (test)").click()
        page.get_by_label("Testbedrijf").select_option("68750110")
        page.get_by_label("Naam van de medewerker die inlogt").fill("Marieke de Linde")
        expect(page.get_by_label("Aangifte overlijden")).to_be_checked()  # the machtiging asked for
        page.get_by_role("button", name="Inloggen als ondernemer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Aangifte overlijden")
        page.get_by_role("button", name="Start").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Wie is er overleden?")
        check(page, "overlijden-bsn", phone=True)
        page.get_by_label("Burgerservicenummer van de overledene").fill("123456782")
        page.get_by_role("button", name="Volgende").click()
        expect(page.get_by_role("alert")).to_contain_text("geen persoon met dit burgerservicenummer")
        check(page, "overlijden-bsn-fout")
        page.get_by_label("Burgerservicenummer van de overledene").fill(holder["piet"])
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Het overlijden")
        expect(page.get_by_text("Pieter Smit")).to_be_visible()
        check(page, "overlijden-gegevens", phone=True)
        page.get_by_label("In welke gemeente is de persoon overleden?").select_option(AMSTERDAM)
        page.get_by_label("Waar precies is de persoon overleden?").fill("Thuis")
        page.get_by_role("textbox", name="Dag").fill(str(died.day))
        page.get_by_role("textbox", name="Maand").fill(str(died.month))
        page.get_by_role("textbox", name="Jaar").fill(str(died.year))
        page.get_by_label("Hoe laat is de persoon overleden?").fill("04:15")
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Verklaring van overlijden")
        check(page, "overlijden-verklaring")
        page.get_by_label(re.compile("A-formulier")).set_input_files(str(a_form))
        page.get_by_label("Ja").check()
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("De uitvaart")
        check(page, "overlijden-uitvaart")
        page.get_by_label("Begraven").check()
        page.get_by_role("textbox", name="Dag").fill(str(funeral.day))
        page.get_by_role("textbox", name="Maand").fill(str(funeral.month))
        page.get_by_role("textbox", name="Jaar").fill(str(funeral.year))
        page.get_by_label("Hoe laat begint de begrafenis of crematie?").fill("11:00")
        page.get_by_label("Op welke begraafplaats of in welk crematorium?").fill("Zorgvlied, Amsterdam")
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Contactpersoon")
        page.get_by_label("Naam van de contactpersoon").fill("Marieke de Linde")
        page.get_by_label("Telefoonnummer").fill("020 555 0123")
        page.get_by_role("button", name="Volgende").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw antwoorden")
        check(page, "overlijden-controleren")
        page.get_by_role("button", name="Versturen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvraag is ontvangen")
        number = page.locator("strong").first.inner_text()
        check(page, "overlijden-ontvangen")
        page.get_by_role("button", name="Uitloggen").click()

        page.goto(f"/login?next=/werkvoorraad/{AMSTERDAM}")
        page.get_by_label("Gebruikersnaam").fill("burgerlijkestand.amsterdam")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_role("link", name=number).click()
        expect(page.get_by_text("Marieke de Linde, namens het bedrijf")).to_be_visible()
        check(page, "overlijden-zaak")
        page.get_by_label("Toekennen").check()
        page.get_by_role("button", name="Besluit vastleggen").click()
        expect(page.get_by_role("status").first).to_contain_text(number)
        page.get_by_role("button", name="Uitloggen").click()

        died_now = _person(holder["settings"], holder["piet"])
        assert died_now.overlijdensdatum == died.strftime("%Y%m%d") and died_now.opschorting_reden == "O"
        receiver: Receiver = holder["receiver"]
        assert receiver.wait_for(lambda found: len(found.received) >= 1)
        assert receiver.received[0].body["kenmerken"]["soort"] == "overlijden"

        page.goto(DEATH)
        page.get_by_role("link", name="Inloggen met de inlogsimulator (test)").click()
        page.get_by_label("Testbedrijf").select_option("68750110")
        page.get_by_label("Naam van de medewerker die inlogt").fill("Jan de Linde")  # a colleague
        page.get_by_role("button", name="Inloggen als ondernemer").click()
        page.goto("/zakelijk")
        check(page, "zakelijk-overlijden")
        page.get_by_role("link", name=re.compile(number)).click()
        expect(page.get_by_text("Akte van overlijden")).to_have_count(0)  # for the register, not the company
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("verlof-begraven")).click()
        content = Path(download.value.path()).read_bytes()
        assert "verlof tot het begraven" in _text(content) and "Pieter Smit" in _text(content)
        context.close()
        browser.close()


def test_a_citizen_pays_for_an_extract_and_anyone_can_verify_it(world: tuple[str, dict[str, Any]],
                                                                tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, holder = world
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(EXTRACT)
        page.get_by_role("link", name="Inloggen met de inlogsimulator (test)").click()
        page.get_by_label("Of typ een burgerservicenummer").fill(holder["els"])
        page.get_by_role("button", name="Inloggen als inwoner").click()
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Uw uittreksel")
        check(page, "uittreksel-stap", phone=True)
        page.get_by_label("Uittreksel BRP met adreshistorie").check()
        page.get_by_role("button", name="Volgende").click()
        check(page, "uittreksel-controleren")
        page.get_by_role("button", name="Versturen").click()

        expect(page.get_by_text("€ 14,20")).to_be_visible()  # the payment simulator
        check(page, "betalen-simulator", phone=True)
        page.get_by_role("button", name="Annuleren").click()
        expect(page.get_by_text("U heeft de betaling afgebroken")).to_be_visible()
        check(page, "uittreksel-niet-betaald")
        page.get_by_role("button", name="Betalen").click()
        page.get_by_role("button", name="Betalen").click()  # at the simulator
        expect(page.get_by_text("U heeft € 14,20 betaald")).to_be_visible()
        check(page, "uittreksel-klaar")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Uittreksel BRP met adreshistorie downloaden")).click()
        content = Path(download.value.path()).read_bytes()
        text = _text(content)
        assert "Dekker" in text and "Adreshistorie" in text
        code = re.search(r"Verificatiecode: ([0-9A-Z-]{24})", text)
        assert code, text

        page.get_by_role("button", name="Uitloggen").click()
        page.goto(f"/verifieer/{code.group(1)}")
        check(page, "verifieer-code", phone=True)
        expect(page.get_by_text("Dekker")).to_have_count(0)  # no personal data
        genuine = tmp_path / "uittreksel.pdf"
        genuine.write_bytes(content)
        page.get_by_label(re.compile("PDF")).set_input_files(str(genuine))
        page.get_by_role("button", name="Bestand controleren").click()
        expect(page.get_by_text(re.compile("echt en ongewijzigd"))).to_be_visible()
        check(page, "verifieer-echt")
        changed = bytearray(content)
        changed[len(changed) // 2] ^= 0x01
        tampered = tmp_path / "uittreksel-gewijzigd.pdf"
        tampered.write_bytes(bytes(changed))
        page.get_by_label(re.compile("PDF")).set_input_files(str(tampered))
        page.get_by_role("button", name="Bestand controleren").click()
        expect(page.get_by_text(re.compile("niet het echte document|niet echt|gewijzigd"))).to_be_visible()
        check(page, "verifieer-gewijzigd")
        page.goto("/verifieer/0000-0000-0000-0000-0000")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        context.close()
        browser.close()
    assert httpx.get(f"{url}/verifieer/ZZZZ").status_code == 404


def _text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _person(settings: Settings, bsn: str) -> Person:
    import asyncio

    async def read() -> Person:
        engine = make_engine(settings)
        async with make_session_factory(engine)() as session:
            found = await session.get(Person, bsn)
        await engine.dispose()
        assert found is not None
        return found

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs an event loop in this thread
        return pool.submit(asyncio.run, read()).result()
