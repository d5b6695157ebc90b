"""The login simulator: citizens picked from the BRP (or a typed BSN) and businesses, with a level; only in dev, demo
and test with PLEIN_LOGIN_SIMULATOR on; the same login as a broker's in the end."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from plein.app import create_app, dispose_engines
from plein.registers.brp.service import simulator_persons
from plein.settings import Settings
from tests.auth.helpers import Clock, csrf_of, stored_logins
from tests.factories import LOG_SIGNING_KEY, SEALING_KEY
from tests.registers.helpers import World, world

SIMULATOR = "/inloggen/simulator"


@pytest.fixture
async def people(session: AsyncSession) -> World:
    return await world(session)


async def post(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = csrf_of((await client.get(SIMULATOR)).text)
    return await client.post(SIMULATOR, data={"csrf_token": token, "next": "/", **fields})


async def test_the_simulator_offers_persons_from_the_brp_and_demo_companies(
    client: httpx.AsyncClient, session: AsyncSession, people: World
) -> None:
    response = await client.get(SIMULATOR)
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "Dit is geen echte DigiD en geen echte eHerkenning." in page
    assert f"Anna Maria de Vries (BSN {people.anna})" in page and f"Gerda Groenlo (BSN {people.groenlo})" in page
    assert "Henk Groen" not in page  # deceased
    assert "Uitvaartzorg De Linde B.V. (KvK 68750110)" in page
    assert page.count('name="csrf_token"') == 2 and page.count("<h1") == 1
    persons = await simulator_persons(session, 50)
    assert [bsn for bsn, _ in persons] == sorted(bsn for bsn, _ in persons)
    assert len(await simulator_persons(session, 2)) == 2


async def test_a_citizen_logs_in_through_the_simulator(client: httpx.AsyncClient, session: AsyncSession,
                                                       people: World, whoami: str) -> None:
    response = await post(client, soort="inwoner", persoon=people.anna, digid_niveau="substantieel", next="/mijn")
    assert response.status_code == 303 and response.headers["location"] == "/mijn"
    me = (await client.get(whoami)).json()
    assert (me["kind"], me["id"], me["name"], me["loa"]) == ("citizen", people.anna, "Anna Maria de Vries",
                                                             "substantieel")
    [login] = await stored_logins(session)
    assert (login.provider, login.kind, login.subject) == ("simulator", "citizen", people.anna)
    typed = await post(client, soort="inwoner", persoon=people.anna, bsn="999993653", digid_niveau="hoog")
    assert typed.status_code == 303
    me = (await client.get(whoami)).json()
    assert (me["id"], me["name"], me["loa"]) == ("999993653", "BSN 999993653", "hoog")
    first, second = await stored_logins(session)
    assert first.ended_reason == "replaced" and second.ended_at is None


async def test_bad_simulator_input_names_the_field(client: httpx.AsyncClient, session: AsyncSession,
                                                   people: World) -> None:
    for fields, field_id, message in (
        ({"bsn": "123456789", "digid_niveau": "midden"}, "inwoner-bsn", "voldoen aan de elfproef"),
        ({"digid_niveau": "midden"}, "inwoner-persoon", "Kies een persoon of typ een burgerservicenummer."),
        ({"bsn": "999993653", "digid_niveau": "EH3"}, "inwoner-niveau-basis", "Kies een betrouwbaarheidsniveau."),
    ):
        response = await post(client, soort="inwoner", **fields)
        assert response.status_code == 400, fields
        page = html.unescape(response.text)
        assert message in page and f'href="#{field_id}"' in page and f'id="{field_id}-error"' in page
    for fields, field_id in (
        ({"kvk": "1234", "medewerker": "Jan", "eh_niveau": "EH3"}, "ondernemer-kvk"),
        ({"medewerker": "Jan", "eh_niveau": "EH3"}, "ondernemer-bedrijf"),
        ({"bedrijf": "68750110", "vestiging": "12", "medewerker": "Jan", "eh_niveau": "EH3"}, "ondernemer-vestiging"),
        ({"bedrijf": "68750110", "eh_niveau": "EH3"}, "ondernemer-medewerker"),
    ):
        response = await post(client, soort="ondernemer", **fields)
        assert response.status_code == 400 and f'href="#{field_id}"' in response.text, fields
    assert await stored_logins(session) == []


async def test_a_business_logs_in_through_the_simulator(client: httpx.AsyncClient, session: AsyncSession,
                                                        whoami: str) -> None:
    response = await post(client, soort="ondernemer", bedrijf="68750110", vestiging="000037146588",
                          medewerker="Jan  Jansen", eh_niveau="EH3", next="/zakelijk")
    assert response.status_code == 303 and response.headers["location"] == "/zakelijk"
    assert (await client.get(whoami)).json() == {
        "kind": "business", "id": "68750110", "name": "Uitvaartzorg De Linde B.V.", "loa": "EH3",
        "branch": "000037146588", "actingPerson": "Jan Jansen", "roles": []}
    assert "U bent ingelogd met eHerkenning niveau EH3 (simulator) voor KvK-nummer 68750110." in html.unescape(
        (await client.get("/")).text)


async def test_the_simulator_holds_to_the_required_level(client: httpx.AsyncClient, session: AsyncSession,
                                                         people: World) -> None:
    page = (await client.get(f"{SIMULATOR}?niveau=substantieel&next=/mijn")).text
    assert "Hiervoor is DigiD Substantieel of hoger nodig." in page
    assert 'value="substantieel" checked' in page and 'name="vereist" value="substantieel"' in page
    token = csrf_of(page)
    low = await client.post(SIMULATOR, data={"csrf_token": token, "soort": "inwoner", "persoon": people.jan,
                                             "digid_niveau": "midden", "vereist": "substantieel", "next": "/mijn"})
    assert low.status_code == 403 and "U logde in met DigiD Midden" in low.text
    business = await client.post(SIMULATOR, data={"csrf_token": token, "soort": "ondernemer", "bedrijf": "68750110",
                                                  "medewerker": "Jan", "eh_niveau": "EH4", "vereist": "substantieel"})
    assert business.status_code == 403  # an eHerkenning level never meets a DigiD requirement
    assert await stored_logins(session) == []


async def test_a_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                        people: World) -> None:
    response = await client.post(SIMULATOR, data={"soort": "inwoner", "persoon": people.anna,
                                                  "digid_niveau": "hoog"})
    assert response.status_code == 403 and await stored_logins(session) == []


async def test_an_expired_citizen_goes_to_the_citizens_login_page(client: httpx.AsyncClient, session: AsyncSession,
                                                                  people: World, clock: Clock) -> None:
    assert (await post(client, soort="inwoner", persoon=people.anna, digid_niveau="midden")).status_code == 303
    page = (await client.get("/")).text
    assert "Uitloggen" in page and "Anna Maria de Vries" in page
    clock.move(minutes=16)
    response = await client.get("/apps/verhuizing-doorgeven")
    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen?next=%2Fapps%2Fverhuizing-doorgeven"
    assert "Uw sessie is verlopen: u was 15 minuten niet actief. Log opnieuw in." in html.unescape(
        (await client.get(response.headers["location"])).text)
    assert (await post(client, soort="inwoner", persoon=people.anna, digid_niveau="midden")).status_code == 303
    page = (await client.get("/")).text
    logout = await client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert logout.status_code == 303 and "U bent uitgelogd." in (await client.get("/")).text


async def test_the_choice_page_points_to_each_way_in(client: httpx.AsyncClient) -> None:
    page = html.unescape((await client.get("/inloggen?next=/mijn")).text)
    assert "Inloggen met DigiD is op deze omgeving niet ingesteld." in page
    assert 'href="/login?next=%2Fmijn"' in page and 'href="/inloggen/simulator?next=%2Fmijn"' in page
    plain = await client.get("/inloggen/digid?next=/mijn&niveau=hoog")
    assert plain.status_code == 503 and "Inloggen met DigiD is niet ingesteld" in plain.text
    assert 'href="/inloggen/simulator?next=%2Fmijn&amp;niveau=hoog"' in plain.text


@pytest.fixture
async def without_simulator(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update={"login_simulator": False}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://plein.test") as http:
        yield http
    await dispose_engines(application)


async def test_the_simulator_is_absent_when_switched_off(without_simulator: httpx.AsyncClient) -> None:
    assert (await without_simulator.get(SIMULATOR)).status_code == 404
    token = csrf_of((await without_simulator.get("/login")).text)
    refused = await without_simulator.post(SIMULATOR, data={"csrf_token": token, "soort": "inwoner",
                                                            "bsn": "999993653", "digid_niveau": "hoog"})
    assert refused.status_code == 404
    assert "simulator" not in (await without_simulator.get("/inloggen")).text
    assert "simulator" not in (await without_simulator.get("/inloggen/digid")).text


@pytest.mark.parametrize("env", ["dev", "demo"])
async def test_the_simulator_works_in_dev_and_demo(settings: Settings, env: str) -> None:
    application = create_app(settings.model_copy(update={"env": env}))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://plein.test") as http:
            assert (await http.get(SIMULATOR)).status_code == 200
            response = await post(http, soort="ondernemer", kvk="12345678", medewerker="Jan", eh_niveau="EH2+")
            assert response.status_code == 303
    finally:
        await dispose_engines(application)


def test_production_refuses_the_simulator() -> None:
    safe = {"secret_key": "s" * 48, "session_cookie_secure": True, "client_secret_keys": SEALING_KEY,
            "log_signing_key": LOG_SIGNING_KEY}
    with pytest.raises(ValueError, match="PLEIN_LOGIN_SIMULATOR must be false"):
        Settings(env="production", login_simulator=True, **safe)
    assert not Settings(env="production", login_simulator=False, **safe).simulator_enabled
