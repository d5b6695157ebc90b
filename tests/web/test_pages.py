"""The store's pages over HTTP: search with facets, app pages, log-in, and adopting through the forms."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.organisations.service import get_by_code
from plein.store import adoptions
from plein.store.models import Adoption
from tests.factories import AMSTERDAM, UTRECHT, make_package, staff
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder

PASSWORD = "wachtwoord-123"
ADOPT = f"/gemeenten/{AMSTERDAM}/apps/adopteren"
VALID = {"app": "verhuizing-doorgeven", "version": "2.0.0", "options.intake": "balie",
         "options.behandeltermijnDagen": "10", "options.toestemmingHoofdbewoner": "true",
         "options.contactEmail": "burgerzaken@amsterdam.example"}  # as a browser sends the form: defaults checked


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def field_html(page: str, field_id: str) -> str:
    """The markup of one form field: from its error/label up to the next field."""
    start = page.index(f'for="{field_id}"')
    end = page.find('class="utrecht-form-field ', start)
    return page[start:end if end > 0 else None]


async def log_in(client: httpx.AsyncClient, session: AsyncSession, username: str,
                 roles: list[tuple[str, str]]) -> str:
    """Create a staff user, log in through the form, and return the new session's CSRF token."""
    await staff(session, username, roles)
    token = csrf_of((await client.get("/login")).text)
    response = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                                 "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of((await client.get("/")).text)


async def stored(session: AsyncSession, code: str = AMSTERDAM) -> list[Adoption]:
    session.expire_all()
    return await adoptions.municipality_adoptions(session, code)


async def test_home_lists_apps_with_facets_and_counts(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session)
    response = await client.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="nl"' in page and 'class="utrecht-skip-link' in page and "<main" in page
    assert "3 apps gevonden" in page
    for name in ("Verhuizing doorgeven", "Aangifte overlijden", "Uittreksel BRP"):
        assert name in page
    assert '<a class="utrecht-link" href="/apps/verhuizing-doorgeven">Verhuizing doorgeven</a>' in page
    for legend in ("Categorie", "Soort software", "Ontwikkelstatus", "Licentie", "Soort (service/integratie)",
                   "Prijsmodel", "Uitgever", "Standaard"):
        assert f"{legend}</legend>" in html.unescape(page)
    assert re.search(r"Gratis <span class=\"plein-count\">\(2\)</span>", page)
    assert re.search(r"Amsterdam <span class=\"plein-count\">\(3\)</span>", page)
    # the standard's values in Dutch; the value in the form (and the URL) stays the standard's
    assert re.search(r'value="digital-citizenship"[^>]*>\s*</div>\s*<div[^>]*>\s*<label[^>]*>Digitaal burgerschap '
                     r'<span class="plein-count">\(3\)</span>', page)
    assert re.search(r'value="standalone/web"[^>]*>\s*</div>\s*<div[^>]*>\s*<label[^>]*>Webapplicatie ', page)
    assert "Digital citizenship" not in page
    assert '<label class="utrecht-form-label" for="q">Zoek apps</label>' in page


async def test_a_facet_narrows_results_and_total(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session)
    page = (await client.get("/", params={"pricing": "per-inhabitant"})).text
    assert "1 app gevonden" in page
    assert "Aangifte overlijden" in page and "Verhuizing doorgeven" not in page
    assert re.search(r'name="pricing" value="per-inhabitant" checked', page)
    searched = (await client.get("/", params={"q": "verhuizing"})).text
    assert "1 app gevonden" in searched and "Verhuizing doorgeven" in searched


async def test_pages_of_results_are_linked(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session)
    page = (await client.get("/", params={"pageSize": "1", "page": "2", "sort": "newest"})).text
    assert "3 apps gevonden" in page
    assert 'href="/?pageSize=1&amp;sort=newest&amp;page=2" aria-current="page"' in page
    assert 'href="/?pageSize=1&amp;sort=newest&amp;page=3"' in page


async def test_bad_search_values_get_a_clear_message(client: httpx.AsyncClient, session: AsyncSession) -> None:
    for params in ({"page": "0"}, {"page": "twee"}):
        response = await client.get("/", params=params)
        assert response.status_code == 400
        assert "Het paginanummer moet een geheel getal van 1 tot en met 100.000 zijn." in response.text
    bad_sort = await client.get("/", params={"sort": "prijs", "onbekend": "x"})
    assert bad_sort.status_code == 400 and "Kies een sortering" in bad_sort.text
    assert (await client.get("/", params={"onbekend": "x"})).status_code == 200


async def test_app_page_shows_description_options_data_and_users(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    await adoptions.adopt(session, UTRECHT, "verhuizing-doorgeven", {}, SYSTEM, activate=True)
    response = await client.get("/apps/verhuizing-doorgeven")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "<title>Verhuizing doorgeven — Plein</title>" in page
    assert page.count("<h1") == 1
    assert "Inwoners geven hun verhuizing online door" in page
    assert "Adrescontrole in de BAG" in page
    assert "Behandeltermijn (dagen)" in page and "1 t/m 56" in page and "digitaal, balie, beide" in page
    assert "Wet BRP artikel 2.38 en 2.39" in page
    assert ("burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats, adressering, gemeenteVanInschrijving, "
            "partners, kinderen") in page
    assert '<a class="utrecht-link" href="/gemeenten/0344/apps">Utrecht</a>' in page
    assert 'href="/apps/verhuizing-doorgeven/releases/2.0.0"' in page
    assert 'scope="col"' in page
    assert "Adopteren" not in page


async def test_app_page_warns_about_a_closed_licence(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    folder = make_package(tmp_path, publiccode={"legal": {"license": "CC-BY-NC-4.0"}})
    await publish_folder(session, folder)
    page = (await client.get("/apps/verhuizing-doorgeven")).text
    assert "geen open-sourcelicentie" in page


async def test_release_report_lists_checks_and_findings(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    response = await client.get("/apps/verhuizing-doorgeven/releases/2.0.0")
    assert response.status_code == 200
    page = response.text
    assert "Toegelaten." in page and "Uitgevoerde controles" in page
    assert "publiccode" in page and "licence" in page
    missing = await client.get("/apps/verhuizing-doorgeven/releases/9.9.9")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "De store heeft geen versie 9.9.9 van app &#39;verhuizing-doorgeven&#39;." in missing.text


async def test_errors_are_html_on_pages_and_problem_json_on_the_api(client: httpx.AsyncClient) -> None:
    page = await client.get("/apps/bestaat-niet")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Pagina niet gevonden — Plein" in page.text
    assert "Er is geen app &#39;bestaat-niet&#39; in de store." in page.text  # the API's words stay the API's
    assert (await client.get("/nergens")).status_code == 404
    api = await client.get("/api/store/v1/apps/bestaat-niet")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


async def test_wrong_password_shows_an_error_and_logs_nobody_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await staff(session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    token = csrf_of((await client.get("/login")).text)
    response = await client.post("/login", data={"username": "beheerder@0363", "password": "fout-wachtwoord",
                                                 "csrf_token": token, "next": "/"})
    assert response.status_code == 400
    assert "De gebruikersnaam of het wachtwoord klopt niet." in response.text
    assert 'value="beheerder@0363"' in response.text and "Uitloggen" not in response.text
    follow = await client.get(f"{ADOPT}?app=verhuizing-doorgeven")
    assert follow.status_code == 303 and follow.headers["location"].startswith("/login?next=")


async def test_login_goes_to_next_but_never_to_another_site(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await staff(session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    for target, expected in (("/gemeenten/0363/apps", "/gemeenten/0363/apps"), ("https://evil.example/", "/"),
                             ("//evil.example", "/"), ("/\\evil.example", "/")):
        token = csrf_of((await client.get("/login")).text)
        response = await client.post("/login", data={"username": "beheerder@0363", "password": PASSWORD,
                                                     "csrf_token": token, "next": target})
        assert response.status_code == 303 and response.headers["location"] == expected
    page = (await client.get("/")).text
    assert "Uitloggen" in page and "Apps van Amsterdam" in page
    logout = await client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert logout.status_code == 303
    assert "Inloggen" in (await client.get("/")).text


async def test_beheerder_adopts_through_the_form(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    token = await log_in(client, session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    app_page = (await client.get("/apps/verhuizing-doorgeven")).text
    assert f'href="{ADOPT}?app=verhuizing-doorgeven"' in app_page
    form = await client.get(ADOPT, params={"app": "verhuizing-doorgeven"})
    assert form.status_code == 200
    assert 'name="options.behandeltermijnDagen" value="5" min="1" max="56" step="1"' in form.text
    assert 'name="options.toestemmingHoofdbewoner" value="true" checked' in form.text

    invalid = await client.post(ADOPT, data={**VALID, "options.behandeltermijnDagen": "0", "csrf_token": token})
    assert invalid.status_code == 400
    field = field_html(invalid.text, "option-behandeltermijnDagen")
    assert "Vul een geheel getal in van 1 tot en met 56" in field
    assert 'value="0"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="option-behandeltermijnDagen-description option-behandeltermijnDagen-error"' in field
    assert 'href="#option-behandeltermijnDagen"' in invalid.text
    assert 'value="burgerzaken@amsterdam.example"' in invalid.text
    assert "<title>Fout: " in invalid.text
    assert await stored(session) == []

    valid = await client.post(ADOPT, data={**VALID, "csrf_token": token})
    assert valid.status_code == 303 and valid.headers["location"] == f"/gemeenten/{AMSTERDAM}/apps"
    listing = (await client.get(valid.headers["location"])).text
    assert "Verhuizing doorgeven is geadopteerd voor Amsterdam." in listing
    assert "Verhuizing doorgeven" in listing and "Gepland" in listing
    [adoption] = await stored(session)
    assert adoption.options == {"intake": "balie", "bewijsstukVereist": False, "behandeltermijnDagen": 10,
                                "automatischAfhandelen": False, "toestemmingHoofdbewoner": True,
                                "contactEmail": "burgerzaken@amsterdam.example"}

    again = await client.post(ADOPT, data={**VALID, "csrf_token": token})
    assert again.status_code == 409 and "Amsterdam gebruikt Verhuizing doorgeven al." in again.text


async def test_beheerder_of_another_municipality_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    token = await log_in(client, session, "beheerder@0344", [(UTRECHT, "beheerder")])
    response = await client.post(ADOPT, data={**VALID, "csrf_token": token})
    assert response.status_code == 403 and "Geen toegang" in response.text
    assert (await client.get(ADOPT, params={"app": "verhuizing-doorgeven"})).status_code == 403
    assert await stored(session) == []


async def test_a_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    token = await log_in(client, session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    assert (await client.post(ADOPT, data=VALID)).status_code == 403
    assert (await client.post(ADOPT, data={**VALID, "csrf_token": token + "x"})).status_code == 403
    assert (await client.post("/login", data={"username": "x", "password": "y"})).status_code == 403
    assert await stored(session) == []


async def test_configure_upgrade_activate_and_end_through_the_forms(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    token = await log_in(client, session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    assert (await client.post(ADOPT, data={**VALID, "csrf_token": token})).status_code == 303
    [adoption] = await stored(session)
    base = f"/gemeenten/{AMSTERDAM}/apps/{adoption.id}"
    options = {name: value for name, value in VALID.items() if name.startswith("options.")}

    bad = await client.post(f"{base}/configureren", data={**options, "options.intake": "fax", "csrf_token": token})
    assert bad.status_code == 400 and "Kies een van: digitaal, balie, beide" in bad.text
    configured = await client.post(f"{base}/configureren", data={**options, "options.bewijsstukVereist": "true",
                                                                 "csrf_token": token})
    assert configured.status_code == 303
    [adoption] = await stored(session)
    assert adoption.options["bewijsstukVereist"] is True

    schema = adoptions.options_schema(adoption.release)
    narrower = {**schema, "properties": {**schema["properties"], "behandeltermijnDagen": {
        "type": "integer", "title": "Behandeltermijn (dagen)", "minimum": 1, "maximum": 7, "default": 5}}}
    await publish_folder(session, make_package(tmp_path, version="2.1.0", manifest={"options": narrower}))
    detail = (await client.get(base)).text
    assert '<option value="2.1.0">' in detail and "Geschiedenis" in detail
    history = detail[detail.index('id="geschiedenis"'):]
    assert "Bewijsstuk vereist: ja" in history and "bewijsstukVereist" not in history  # titles, not keys
    blocked = await client.post(f"{base}/upgraden", data={"version": "2.1.0", "csrf_token": token})
    assert blocked.status_code == 409 and "De upgrade is geblokkeerd" in blocked.text
    assert "Vul een geheel getal in van 1 tot en met 7" in field_html(blocked.text, "option-behandeltermijnDagen")
    upgraded = await client.post(f"{base}/upgraden", data={
        **options, "options.behandeltermijnDagen": "7", "version": "2.1.0", "with_options": "1", "csrf_token": token})
    assert upgraded.status_code == 303
    [adoption] = await stored(session)
    assert adoption.release.version == "2.1.0" and adoption.options["behandeltermijnDagen"] == 7

    assert (await client.post(f"{base}/activeren", data={"csrf_token": token})).status_code == 303
    confirm = await client.get(f"{base}/beeindigen")
    assert confirm.status_code == 200 and "Ja, gebruik beëindigen" in confirm.text
    assert (await client.post(f"{base}/beeindigen", data={"csrf_token": token})).status_code == 303
    [adoption] = await stored(session)
    assert adoption.status == "ended"
    history = (await client.get(base)).text
    for action in ("Geadopteerd (gepland)", "Opties gewijzigd", "Geüpgraded", "In gebruik genomen", "Beëindigd"):
        assert action in history


async def test_anyone_may_look_but_only_the_beheerder_sees_forms(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    adoption = await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, SYSTEM)
    base = f"/gemeenten/{AMSTERDAM}/apps/{adoption.id}"
    listing = await client.get(f"/gemeenten/{AMSTERDAM}/apps")
    assert listing.status_code == 200 and "Verhuizing doorgeven" in listing.text
    assert "/activeren" not in listing.text and "Beëindigen" not in listing.text
    detail = await client.get(base)
    assert detail.status_code == 200 and "configureren" not in detail.text
    token = csrf_of((await client.get("/login")).text)
    refused = await client.post(f"{base}/activeren", data={"csrf_token": token})
    assert refused.status_code == 403
    [still] = await stored(session)
    assert still.status == "planned"
    assert (await client.get(f"{base}/beeindigen")).status_code == 303
    assert (await client.get("/gemeenten/9999/apps")).status_code == 404


async def test_app_page_shows_write_grants_and_national_reads(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven", "uittreksel-brp")
    page = html.unescape((await client.get("/apps/verhuizing-doorgeven")).text)
    assert '<h2 class="utrecht-heading-2" id="wijzigingen">Wijzigingen in registers</h2>' in page
    assert 'aria-labelledby="wijzigingen"' in page
    writes = page[page.index('id="wijzigingen"'):page.index('id="standaarden"')]
    assert "Verhuizing: het nieuwe adres vastleggen" in writes and "Wet BRP artikel 2.38 en 2.39" in writes
    assert '<th scope="row" class="utrecht-table__header-cell">BRP</th>' in writes
    reads = page[page.index('id="gegevens"'):page.index('id="wijzigingen"')]
    assert "Heel Nederland: ook personen die in een andere gemeente staan ingeschreven" in reads
    assert '<th scope="col" class="utrecht-table__header-cell">Bereik</th>' in reads
    other = html.unescape((await client.get("/apps/uittreksel-brp")).text)
    assert "Deze app wijzigt geen gegevens in registers." in other
    assert "Alleen de eigen gemeente" in other and "Heel Nederland" not in other


async def test_a_municipality_that_ended_is_not_offered_to_adopt(client: httpx.AsyncClient,
                                                                  session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    await log_in(client, session, "beheerder@twee", [(AMSTERDAM, "beheerder"), (UTRECHT, "beheerder")])
    utrecht = await get_by_code(session, UTRECHT)
    utrecht.ended_on = dt.date(2023, 1, 1)
    await session.commit()
    page = (await client.get("/apps/verhuizing-doorgeven")).text
    assert "Adopteren voor Amsterdam" in page and "Adopteren voor Utrecht" not in page
    assert "Apps van Utrecht" in page  # its own apps page (with its history) stays in the menu
