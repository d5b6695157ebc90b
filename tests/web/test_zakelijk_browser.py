"""The business portal in a real browser: a funeral director's employee logs in through the simulator with a
machtiging, finds the company's zaken of colleagues in two municipalities, opens one and downloads its verlof; a
citizen is told /zakelijk is for companies. axe-core checks every page (WCAG 2.1 A and AA), also at 390 px wide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plein.db import make_engine, make_session_factory
from plein.services.models import Aanvraag
from plein.settings import Settings
from plein.storage import storage_from_settings
from tests.services.business import LINDE, MEER, Document, business_case
from tests.services.helpers import AMSTERDAM, UTRECHT, adopt, publish_app
from tests.web.axe import assert_accessible
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]
VERLOF = Document("Verlof tot begraven", "verlof-begraven.pdf")


async def seed_cases(settings: Settings) -> dict[str, Aanvraag]:
    """The verhuizing zaaktype in Amsterdam and Utrecht, two zaken of De Linde by colleagues (one decided, with a
    verlof) and one of another funeral director."""
    engine = make_engine(settings)
    storage = storage_from_settings(settings)
    async with make_session_factory(engine)() as session:
        await publish_app(session)
        await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
        await adopt(session, UTRECHT, toestemmingHoofdbewoner=False)
        made = {
            "piet": await business_case(session, storage, LINDE, "Piet Verbeek", AMSTERDAM),
            "els": await business_case(session, storage, LINDE, "Els de Boer", UTRECHT, documents=[VERLOF],
                                       decided="toegekend", branch="000037146588"),
            "karin": await business_case(session, storage, MEER, "Karin van der Meer", AMSTERDAM),
        }
    await engine.dispose()
    return made


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, dict[str, Aanvraag]]]:
    holder: dict[str, dict[str, Aanvraag]] = {}

    async def prepare(settings: Settings) -> None:
        holder["cases"] = await seed_cases(settings)

    with running_server(tmp_path, prepare) as url:
        yield url, holder["cases"]


def check(page: Any, name: str) -> None:
    """axe on the page as it is, then at 390 px wide (without a page-wide horizontal scroll)."""
    shot(page, name)
    assert_accessible(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url
    assert_accessible(page, f"{name} at 390 px")
    page.set_viewport_size(DESKTOP)


def test_an_employee_follows_the_companys_zaken(world: tuple[str, dict[str, Aanvraag]]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, cases = world
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()

        page.goto("/zakelijk")
        page.get_by_role("link", name="Naar de inlogsimulator").click()
        page.goto(page.url + "&dienst=aangifte-overlijden")
        expect(page.get_by_role("checkbox", name="Aangifte overlijden")).to_be_checked()
        check(page, "zakelijk-simulator")
        page.get_by_label("Of typ een KvK-nummer").fill(LINDE)
        page.get_by_label("Naam van de medewerker die inlogt").fill("Jan Jansen")
        page.get_by_role("button", name="Inloggen als ondernemer").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Zaken van Uitvaartzorg De Linde B.V.")
        expect(page.get_by_text("gemachtigd voor: aangifte-overlijden")).to_be_visible()  # not in this store
        table = page.get_by_role("region", name="2 zaken")
        expect(table.get_by_role("row")).to_have_count(3)
        expect(table).to_contain_text("Piet Verbeek")
        expect(table).to_contain_text("Utrecht")
        expect(table).not_to_contain_text("Karin van der Meer")
        check(page, "zakelijk-overzicht")

        # zaak numbers are unique per municipality: the link names it
        page.get_by_role("link", name=f"{cases['els'].zaak_identificatie} bij gemeente Utrecht").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Verhuizing doorgeven")
        expect(page.get_by_text("De aanvraag is toegekend.")).to_be_visible()
        check(page, "zakelijk-zaak")
        with page.expect_download() as download:
            page.get_by_role("link", name="verlof-begraven.pdf downloaden").click()
        assert download.value.suggested_filename == "verlof-begraven.pdf"
        assert Path(download.value.path()).read_bytes() == VERLOF.inhoud

        assert page.goto(f"/zakelijk/zaken/{cases['karin'].id}").status == 404  # type: ignore[union-attr]
        page.goto("/zakelijk")
        page.get_by_role("button", name="Uitloggen").click()
        page.goto("/inloggen/simulator?next=/zakelijk")
        page.get_by_label("Of typ een burgerservicenummer").fill("999993653")
        page.get_by_role("button", name="Inloggen als inwoner").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
        expect(page.get_by_text("is voor bedrijven")).to_be_visible()
        check(page, "zakelijk-geen-bedrijf")
        context.close()
        browser.close()
