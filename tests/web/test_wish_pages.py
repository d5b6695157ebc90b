"""The pages of joint demand (wensen) over HTTP, without JavaScript: the form to post a wish with its errors at the
fields, joining for one's own municipality only, commissioning by the poster, fulfilment by a publisher, the status
filter of the list, and the wishes on a municipality's pages."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.store import wishes
from tests.factories import AMSTERDAM, UTRECHT
from tests.store.helpers import SYSTEM, publish_built_in
from tests.web.test_pages import log_in

APP = "verhuizing-doorgeven"


async def amsterdams_wish(session: AsyncSession, *joined: str) -> str:
    """Verhuizing doorgeven in the store, Amsterdam's wish for it (zgw-zaken-1.5 and bag), joined by `joined`."""
    await publish_built_in(session, APP)
    wish = await wishes.post(session, AMSTERDAM, wishes.WishInput(
        title="Verhuizing digitaal doorgeven", description="Inwoners geven hun verhuizing online door.",
        budget="90000", split="equal", standards=["zgw-zaken-1.5", "bag"]), SYSTEM)
    for code in joined:
        await wishes.join(session, wish.identifier, code, SYSTEM, "http://plein.test")
    return wish.identifier


async def test_a_wish_through_the_form(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    anonymous = await client.get("/wensen/nieuw")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    form = (await client.get("/wensen/nieuw")).text
    assert 'value="zgw-zaken-1.5"' in form and 'value="haal-centraal-brp-2"' in form
    refused = await client.post("/wensen/nieuw", data={
        "csrf_token": token, "municipality": AMSTERDAM, "title": " ", "description": "Online verhuizen.",
        "standards": "bag", "other_standards": "zgw-zaken-15", "budget": "veel", "split": "equal"})
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    for field in ("title", "budget", "other_standards"):
        assert f'id="{field}-error"' in page, field
    assert "De standaard 'zgw-zaken-15' kent de store niet" in page
    assert 'value="bag" checked' in page and "Online verhuizen.</textarea>" in page
    other = await client.post("/wensen/nieuw", data={
        "csrf_token": token, "municipality": UTRECHT, "title": "Wens", "description": "Voor een ander.",
        "budget": "10", "split": "equal"})
    assert other.status_code == 403
    posted = await client.post("/wensen/nieuw", data={
        "csrf_token": token, "municipality": AMSTERDAM, "title": "Verhuizing digitaal doorgeven",
        "description": "Online verhuizen.", "standards": ["bag", "zgw-zaken-1.5"], "other_standards": "alias:gdpr",
        "budget": "€ 120.000", "split": "per-inhabitant"})
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert re.fullmatch(r"/wensen/WENS-\d{4}-0001", location)
    page = html.unescape((await client.get(location)).text)
    assert "€ 120.000,00" in page and "Naar aantal inwoners" in page and "alias:gdpr" in page
    assert "Een gezamenlijke opdracht vraagt minstens 2 gemeenten" in page


async def test_a_municipality_joins_only_for_itself_and_the_poster_commissions(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    identifier = await amsterdams_wish(session)
    token = await log_in(client, session, "beheerder.utrecht", [(UTRECHT, "beheerder")])
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Utrecht aansluiten" in page and "Opdracht verstrekken" not in page
    other = await client.post(f"/wensen/{identifier}/aansluiten", data={"csrf_token": token,
                                                                        "municipality": AMSTERDAM})
    assert other.status_code == 403
    joined = await client.post(f"/wensen/{identifier}/aansluiten", data={"csrf_token": token,
                                                                         "municipality": UTRECHT})
    assert joined.status_code == 303
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "2 gemeenten doen mee" in page and page.count("€ 45.000,00") == 2 and "Utrecht afmelden" in page
    refused = await client.post(f"/wensen/{identifier}/opdracht", data={"csrf_token": token,
                                                                       "commissioner": UTRECHT})
    assert refused.status_code == 403

    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Opdracht verstrekken" in page and "Amsterdam afmelden" not in page  # the poster stays
    done = await client.post(f"/wensen/{identifier}/opdracht", data={
        "csrf_token": token, "commissioner": UTRECHT, "note": "Utrecht besteedt aan."})
    assert done.status_code == 303
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Gezamenlijke opdracht" in page and "Utrecht besteedt aan." in page and "Opgedragen" in page
    assert "aansluiten" not in page
    apps_page = html.unescape((await client.get(f"/gemeenten/{UTRECHT}/apps")).text)
    assert "Verhuizing digitaal doorgeven" in apps_page and "opdracht via Utrecht" in apps_page
    own = html.unescape((await client.get(f"/gemeenten/{UTRECHT}/wensen")).text)
    assert identifier in own and "Opgedragen" in own


async def test_the_poster_changes_the_wish_on_its_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    identifier = await amsterdams_wish(session, UTRECHT)
    await log_in(client, session, "beheerder.utrecht", [(UTRECHT, "beheerder")])
    assert (await client.get(f"/wensen/{identifier}/wijzigen")).status_code == 403
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    assert f"/wensen/{identifier}/wijzigen" in (await client.get(f"/wensen/{identifier}")).text
    form = html.unescape((await client.get(f"/wensen/{identifier}/wijzigen")).text)
    assert "Verhuizing digitaal doorgeven" in form and "90000,00" in form and "Wijziging opslaan" in form
    fields = {"csrf_token": token, "title": "Verhuizing digitaal doorgeven", "split": "equal",
              "description": "Inwoners geven hun verhuizing online door.", "standards": ["zgw-zaken-1.5", "bag"]}
    bad = await client.post(f"/wensen/{identifier}/wijzigen", data={**fields, "budget": "nul"})
    assert bad.status_code == 400 and "Vul het geschatte budget in" in html.unescape(bad.text)
    done = await client.post(f"/wensen/{identifier}/wijzigen", data={**fields, "budget": "120.000"})
    assert done.status_code == 303
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert page.count("€ 60.000,00") == 2 and "Gewijzigd: budget" in page


async def test_the_poster_withdraws_the_wish_on_its_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    identifier = await amsterdams_wish(session, UTRECHT)
    token = await log_in(client, session, "beheerder.utrecht", [(UTRECHT, "beheerder")])
    assert "Wens intrekken" not in html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert (await client.post(f"/wensen/{identifier}/intrekken", data={"csrf_token": token, "reason": "Weg ermee, "
                                                                       "wij doen het zelf."})).status_code == 403
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    assert "Wens intrekken" in html.unescape((await client.get(f"/wensen/{identifier}")).text)
    empty = await client.post(f"/wensen/{identifier}/intrekken", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400 and "Schrijf waarom de wens wordt ingetrokken" in html.unescape(empty.text)
    done = await client.post(f"/wensen/{identifier}/intrekken", data={
        "csrf_token": token, "reason": "Het Rijk levert dit volgend jaar voor alle gemeenten."})
    assert done.status_code == 303
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Ingetrokken" in page and "Het Rijk levert dit volgend jaar voor alle gemeenten." in page
    assert "/aansluiten" not in page and "Wens intrekken" not in page
    listed = html.unescape((await client.get("/wensen?status=withdrawn")).text)
    assert identifier in listed


async def test_a_publisher_fulfils_the_wish_on_its_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    identifier = await amsterdams_wish(session, UTRECHT)
    await wishes.commission(session, identifier, AMSTERDAM, None, SYSTEM, "http://plein.test")
    token = await log_in(client, session, "uitgever.amsterdam", [(AMSTERDAM, "publisher")])
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Vervullen met een app" in page and f'<option value="{APP}"' in page
    unknown = await client.post(f"/wensen/{identifier}/vervuld", data={"csrf_token": token, "app": APP,
                                                                      "version": "9.9.9"})
    assert unknown.status_code == 400 and 'id="version-error"' in unknown.text
    done = await client.post(f"/wensen/{identifier}/vervuld", data={"csrf_token": token, "app": APP})
    assert done.status_code == 303
    page = html.unescape((await client.get(f"/wensen/{identifier}")).text)
    assert "Vervuld</strong>" in page and "Verhuizing doorgeven</a> versie 2.0.0" in page


async def test_the_list_filters_on_status(client: httpx.AsyncClient, session: AsyncSession) -> None:
    identifier = await amsterdams_wish(session)
    everything = html.unescape((await client.get("/wensen")).text)
    assert identifier in everything and "1 wens" in everything and 'href="/wensen" aria-current="page"' in everything
    assert identifier in (await client.get("/wensen", params={"status": "open"})).text
    fulfilled = html.unescape((await client.get("/wensen", params={"status": "fulfilled"})).text)
    assert identifier not in fulfilled and "Er zijn geen wensen met deze status" in fulfilled
    unknown = await client.get("/wensen", params={"status": "gesloten"})
    assert unknown.status_code == 400 and identifier in unknown.text
    assert 'href="/wensen"' in (await client.get("/")).text  # the menu
