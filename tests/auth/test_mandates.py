"""Machtigingen of eHerkenning logins: the broker's service claim (mapped to Plein's app ids, or Plein's app ids
themselves) and the simulator's checkboxes become the principal's mandates, kept with the login server-side; a login
for a service asks the broker for that service."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import logins, oidc
from plein.auth.assurance import ACR_VALUES
from plein.auth.service import Principal
from plein.http import OptionalPrincipal
from plein.settings import Settings
from tests.auth.fake_broker import FakeBroker
from tests.auth.helpers import csrf_of, stored_logins, through_broker

KVK_CLAIM = "urn:etoegang:core:LegalSubjectID"
SERVICE_CLAIM = "urn:etoegang:core:ServiceID"
OVERLIJDEN = "urn:etoegang:DV:00000001234567890000:services:9"  # the broker's id of aangifte-overlijden
EXTRACT = "urn:etoegang:DV:00000001234567890000:services:10"
SIMULATOR = "/inloggen/simulator"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, broker: FakeBroker) -> Settings:
    return Settings(env="test", database_url=database_url, data_dir=tmp_path / "data",
                    eherkenning_issuer=broker.issuer, eherkenning_client_id=broker.client_id,
                    eherkenning_client_secret=SecretStr(broker.client_secret),
                    eherkenning_services={OVERLIJDEN: "aangifte-overlijden", EXTRACT: "uittreksel-brp"})


@pytest.fixture
def mandates_page(app: FastAPI) -> str:
    """A page (test only) answering the mandates of the request's principal (read from the stored login)."""

    async def mandates(principal: OptionalPrincipal) -> dict[str, Any] | None:
        if principal is None:
            return None
        return {"kind": principal.kind, "mandates": sorted(principal.mandates),
                "overlijden": principal.has_mandate("aangifte-overlijden")}

    app.add_api_route("/test/machtigingen", mandates, methods=["GET"])
    return "/test/machtigingen"


def company(**claims: Any) -> dict[str, Any]:
    return {KVK_CLAIM: "68750110", "acr": ACR_VALUES["EH3"], **claims}


async def test_the_brokers_service_claim_becomes_the_mandates(client: httpx.AsyncClient, session: AsyncSession,
                                                              broker: FakeBroker, mandates_page: str) -> None:
    broker.claims = company(**{SERVICE_CLAIM: OVERLIJDEN})
    start = "/inloggen/eherkenning?next=/zakelijk&niveau=EH3&dienst=aangifte-overlijden"
    response = await through_broker(client, start)
    assert response.status_code == 303 and response.headers["location"] == "/zakelijk"
    assert (await client.get(mandates_page)).json() == {"kind": "business", "mandates": ["aangifte-overlijden"],
                                                        "overlijden": True}
    [login] = await stored_logins(session)
    assert login.mandates == ["aangifte-overlijden"]
    # the login asked the broker for this service's machtiging, by the broker's id of the service
    [asked] = broker.authorize_requests
    assert json.loads(asked["claims"]) == {"id_token": {SERVICE_CLAIM: {"essential": True, "value": OVERLIJDEN}}}
    assert "geen machtiging" not in html.unescape((await client.get("/")).text)


async def test_several_services_unknown_ones_and_app_ids_in_the_claim(client: httpx.AsyncClient,
                                                                      broker: FakeBroker, mandates_page: str) -> None:
    broker.claims = company(**{SERVICE_CLAIM: [EXTRACT, "verhuizing-doorgeven", "urn:etoegang:DV:1:services:77",
                                               OVERLIJDEN, 42]})
    assert (await through_broker(client, "/inloggen/eherkenning")).status_code == 303
    assert (await client.get(mandates_page)).json()["mandates"] == [
        "aangifte-overlijden", "uittreksel-brp", "verhuizing-doorgeven"]


async def test_without_the_service_claim_there_are_no_mandates(client: httpx.AsyncClient, session: AsyncSession,
                                                               broker: FakeBroker, mandates_page: str) -> None:
    broker.claims = company()
    response = await through_broker(client, "/inloggen/eherkenning?dienst=aangifte-overlijden&next=/zakelijk")
    assert response.status_code == 303  # logged in: the company's zaken stay open to the employee
    assert (await client.get(mandates_page)).json() == {"kind": "business", "mandates": [], "overlijden": False}
    assert "U heeft met deze inlog geen machtiging voor ‘Aangifte overlijden’." in html.unescape(
        (await client.get("/zakelijk")).text)
    assert (await stored_logins(session))[0].mandates == []


async def test_a_login_for_no_service_asks_for_none(client: httpx.AsyncClient, broker: FakeBroker) -> None:
    broker.claims = company()
    await through_broker(client, "/inloggen/eherkenning?dienst=Niet%20een%20dienst")
    [asked] = broker.authorize_requests
    assert "claims" not in asked


async def test_an_unmapped_service_is_asked_for_by_its_app_id(app: FastAPI, client: httpx.AsyncClient,
                                                               broker: FakeBroker, mandates_page: str) -> None:
    app.state.settings = app.state.settings.model_copy(update={"eherkenning_services": {}})
    app.state.oidc = None
    broker.claims = company(**{SERVICE_CLAIM: "aangifte-overlijden"})
    await through_broker(client, "/inloggen/eherkenning?dienst=aangifte-overlijden")
    claims = json.loads(broker.authorize_requests[0]["claims"])
    assert claims["id_token"][SERVICE_CLAIM]["value"] == "aangifte-overlijden"
    assert (await client.get(mandates_page)).json()["mandates"] == ["aangifte-overlijden"]


def test_mandates_from_claims_and_settings() -> None:
    services = {OVERLIJDEN: "aangifte-overlijden"}
    assert oidc.mandates({SERVICE_CLAIM: OVERLIJDEN}, SERVICE_CLAIM, services) == {"aangifte-overlijden"}
    assert oidc.mandates({SERVICE_CLAIM: OVERLIJDEN}, "", services) == frozenset()  # no claim configured
    assert oidc.mandates({SERVICE_CLAIM: "Aangifte Overlijden"}, SERVICE_CLAIM, {}) == frozenset()
    assert oidc.mandates({SERVICE_CLAIM: {"dienst": "x"}}, SERVICE_CLAIM, {}) == frozenset()
    assert oidc.broker_service_id(services, "aangifte-overlijden") == OVERLIJDEN
    assert oidc.broker_service_id(services, "uittreksel-brp") == "uittreksel-brp"
    login = logins.business("68750110", None, "Jan", "EH3", "eherkenning", mandates=["a-b", "Bad Id", "c"])
    assert login.mandates == {"a-b", "c"}
    citizen = Principal("citizen", "999993653", "Anna", frozenset(), mandates=frozenset({"aangifte-overlijden"}))
    assert not citizen.has_mandate("aangifte-overlijden")  # only a business acts on a machtiging
    with pytest.raises(ValueError, match="PLEIN_EHERKENNING_SERVICES"):
        Settings(eherkenning_services={OVERLIJDEN: "Aangifte overlijden"})


# --- the simulator --------------------------------------------------------------------------------------------


async def simulator_page(client: httpx.AsyncClient, query: str = "") -> str:
    response = await client.get(SIMULATOR + query)
    assert response.status_code == 200
    return response.text


def checked(page: str) -> dict[str, bool]:
    """Each machtiging checkbox on the page: checked or not."""
    found = {}
    for part in page.split("<input")[1:]:
        tag = part.split(">", 1)[0]
        if 'name="machtiging"' in tag:
            value = tag.split('value="', 1)[1].split('"', 1)[0]
            found[value] = " checked" in tag
    return found


async def test_the_simulator_offers_the_services_and_checks_only_the_one_asked_for(client: httpx.AsyncClient) -> None:
    page = await simulator_page(client)
    assert checked(page) == {"aangifte-overlijden": False, "uittreksel-brp": False, "verhuizing-doorgeven": False}
    assert ">Aangifte overlijden</label>" in page and "Machtigingen" in page
    asked = await simulator_page(client, "?next=/diensten/amsterdam/aangifte-overlijden&niveau=EH3"
                                         "&dienst=aangifte-overlijden")
    assert checked(asked) == {"aangifte-overlijden": True, "uittreksel-brp": False, "verhuizing-doorgeven": False}
    assert 'name="dienst" value="aangifte-overlijden"' in asked
    other = await simulator_page(client, "?dienst=parkeervergunning")  # a service from the store, not built in
    assert checked(other)["parkeervergunning"] is True


async def test_the_simulator_gives_the_checked_mandates(client: httpx.AsyncClient, session: AsyncSession,
                                                        mandates_page: str) -> None:
    token = csrf_of(await simulator_page(client, "?dienst=aangifte-overlijden"))
    response = await client.post(SIMULATOR, data={
        "csrf_token": token, "soort": "ondernemer", "bedrijf": "68750110", "medewerker": "Jan Jansen",
        "eh_niveau": "EH3", "machtiging": ["aangifte-overlijden", "uittreksel-brp"], "dienst": "aangifte-overlijden",
        "next": "/zakelijk"})
    assert response.status_code == 303
    assert (await client.get(mandates_page)).json()["mandates"] == ["aangifte-overlijden", "uittreksel-brp"]
    assert (await stored_logins(session))[0].mandates == ["aangifte-overlijden", "uittreksel-brp"]
    token = csrf_of(await simulator_page(client))
    unchecked = await client.post(SIMULATOR, data={
        "csrf_token": token, "soort": "ondernemer", "bedrijf": "68750110", "medewerker": "Jan Jansen",
        "eh_niveau": "EH3", "dienst": "aangifte-overlijden", "next": "/zakelijk"})
    assert unchecked.status_code == 303
    assert (await client.get(mandates_page)).json()["mandates"] == []
    assert "geen machtiging voor ‘Aangifte overlijden’" in html.unescape((await client.get("/zakelijk")).text)


async def test_a_refused_simulator_form_keeps_what_was_checked(client: httpx.AsyncClient) -> None:
    token = csrf_of(await simulator_page(client, "?dienst=aangifte-overlijden"))
    response = await client.post(SIMULATOR, data={
        "csrf_token": token, "soort": "ondernemer", "bedrijf": "68750110", "eh_niveau": "EH3",
        "machtiging": ["uittreksel-brp"], "dienst": "aangifte-overlijden"})
    assert response.status_code == 400  # no employee's name
    assert checked(response.text) == {"aangifte-overlijden": False, "uittreksel-brp": True,
                                      "verhuizing-doorgeven": False}


async def test_the_login_choice_passes_the_service_to_eherkenning_only(client: httpx.AsyncClient) -> None:
    page = html.unescape((await client.get("/inloggen?next=/zakelijk&dienst=aangifte-overlijden")).text)
    assert 'href="/inloggen/eherkenning?next=%2Fzakelijk&dienst=aangifte-overlijden"' in page
    assert 'href="/inloggen/simulator?next=%2Fzakelijk&dienst=aangifte-overlijden"' in page
    assert 'href="/login?next=%2Fzakelijk"' in page  # only an eHerkenning login is for a service


async def test_a_broker_link_that_is_not_configured_sends_the_service_to_the_simulator(
        app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings = app.state.settings.model_copy(update={"eherkenning_issuer": ""})
    response = await client.get("/inloggen/eherkenning?next=/zakelijk&niveau=EH3&dienst=aangifte-overlijden")
    assert response.status_code == 503
    link = next(href for href in html.unescape(response.text).split('href="')[1:]
                if href.startswith(SIMULATOR)).split('"', 1)[0]
    assert parse_qs(urlsplit(link).query) == {"next": ["/zakelijk"], "niveau": ["EH3"],
                                              "dienst": ["aangifte-overlijden"]}
