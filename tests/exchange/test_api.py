"""The exchange API: clients (secret shown once), the processing register and grants, for the right people only."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import make_jwt
from plein.organisations.service import create_organisation
from tests.factories import AMSTERDAM, UTRECHT, client_headers

API = "/api/exchange/v1"
ACTIVITY = {"id": "verhuizing-verwerken", "organisation": AMSTERDAM, "name": "Verhuizing verwerken",
            "purpose": "Verwerken van een verhuizing", "legalBasis": "Wet BRP artikel 2.38"}


async def curator(session: AsyncSession) -> dict[str, str]:
    """A client with the curator role of organisation plein: an exchange administrator."""
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    return await client_headers(session, "plein-beheer", "plein", ["curator"])


async def test_clients_are_created_with_their_secret_shown_once(client: httpx.AsyncClient,
                                                                session: AsyncSession) -> None:
    admin = await curator(session)
    created = await client.post(f"{API}/clients", headers=admin, json={"clientId": "zaaksysteem-0363",
                                                                       "organisation": AMSTERDAM})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation"] == AMSTERDAM and not body["allRights"] and len(body["secret"]) >= 32
    listing = await client.get(f"{API}/clients", headers=admin)
    assert "zaaksysteem-0363" in [item["clientId"] for item in listing.json()]
    assert body["secret"] not in listing.text and "secret" not in listing.json()[0]
    own = {"Authorization": f"Bearer {make_jwt('zaaksysteem-0363', body['secret'])}"}
    assert (await client.get(f"{API}/clients", headers=own)).status_code == 403


async def test_client_input_is_checked(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await curator(session)
    given = await client.post(f"{API}/clients", headers=admin, json={"clientId": "vast", "secret": "s" * 20})
    assert given.json()["secret"] == "s" * 20
    again = await client.post(f"{API}/clients", headers=admin, json={"clientId": "vast"})
    assert again.status_code == 409
    bad = await client.post(f"{API}/clients", headers=admin, json={"clientId": "met spatie", "roles": ["koning"]})
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"clientId", "roles"}
    short = await client.post(f"{API}/clients", headers=admin, json={"clientId": "kort", "secret": "kort"})
    assert short.status_code == 400 and short.json()["invalidParams"][0]["name"] == "secret"
    unknown = await client.post(f"{API}/clients", headers=admin, json={"clientId": "nergens", "organisation": "9999"})
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "organisation"
    escalate = await client.post(f"{API}/clients", headers=admin, json={"clientId": "alles", "allRights": True})
    assert escalate.status_code == 403


async def test_only_administrators_manage_clients(client: httpx.AsyncClient, session: AsyncSession) -> None:
    beheerder = await client_headers(session, "beheer-0363", AMSTERDAM, ["beheerder"])
    assert (await client.post(f"{API}/clients", headers=beheerder, json={"clientId": "x1"})).status_code == 403
    assert (await client.get(f"{API}/clients")).status_code == 401
    everything = await client_headers(session, "root", None, [], all_rights=True)
    made = await client.post(f"{API}/clients", headers=everything, json={"clientId": "alles", "allRights": True})
    assert made.status_code == 201 and made.json()["allRights"]


async def test_the_processing_register(client: httpx.AsyncClient, session: AsyncSession) -> None:
    beheerder = await client_headers(session, "beheer-0363", AMSTERDAM, ["beheerder"])
    created = await client.post(f"{API}/processing-activities", headers=beheerder, json=ACTIVITY)
    assert created.status_code == 201, created.text
    assert created.json()["retentionPeriod"] == "P1Y"
    twice = await client.post(f"{API}/processing-activities", headers=beheerder, json=ACTIVITY)
    assert twice.status_code == 409
    other = await client.post(f"{API}/processing-activities", headers=beheerder,
                              json={**ACTIVITY, "organisation": UTRECHT})
    assert other.status_code == 403
    bad = await client.post(f"{API}/processing-activities", headers=beheerder,
                            json={**ACTIVITY, "id": "Met Hoofdletters", "retentionPeriod": "een jaar", "purpose": " "})
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"id", "retentionPeriod", "purpose"}
    public = await client.get(f"{API}/processing-activities", params={"organisation": AMSTERDAM})
    assert [item["id"] for item in public.json()] == ["verhuizing-verwerken"]
    assert (await client.get(f"{API}/processing-activities", params={"organisation": UTRECHT})).json() == []


async def test_grants_over_the_api(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await curator(session)
    await client_headers(session, "zaaksysteem", AMSTERDAM, [])
    await client.post(f"{API}/processing-activities", headers=admin, json=ACTIVITY)
    grant = {"client": "zaaksysteem", "register": "brp", "fields": ["naam", "verblijfplaats.verblijfadres"],
             "activity": "verhuizing-verwerken", "municipality": AMSTERDAM}
    created = await client.post(f"{API}/grants", headers=admin, json=grant)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["live"] and body["register"] == "brp" and body["organisation"] == AMSTERDAM
    one = await client.get(f"{API}/grants/{body['id']}", headers=admin)
    assert one.json()["fields"] == grant["fields"]
    revoked = await client.delete(f"{API}/grants/{body['id']}", headers=admin)
    assert revoked.json()["revokedAt"] and not revoked.json()["live"]
    assert (await client.get(f"{API}/grants", headers=admin, params={"live": "true"})).json() == []
    assert len((await client.get(f"{API}/grants", headers=admin, params={"client": "zaaksysteem"})).json()) == 1
    assert (await client.get(f"{API}/grants/not-a-uuid", headers=admin)).status_code == 404


async def test_grant_input_is_checked(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await curator(session)
    await client_headers(session, "zaaksysteem", AMSTERDAM, [])
    await client_headers(session, "zwerver", None, [])
    await client.post(f"{API}/processing-activities", headers=admin, json=ACTIVITY)
    good = {"client": "zaaksysteem", "register": "brp", "fields": ["naam"], "activity": "verhuizing-verwerken"}
    cases = [
        ({"fields": ["naam", "schoenmaat"]}, "fields"), ({"client": "niemand"}, "client"),
        ({"client": "zwerver"}, "client"), ({"activity": "iets-anders"}, "activity"),
        ({"municipality": "9999"}, "municipality"), ({"register": "kadaster"}, "register"),
        ({"validFrom": "2030-01-01T00:00:00Z", "validUntil": "2029-01-01T00:00:00Z"}, "validUntil"),
        ({"validFrom": "2030-01-01T00:00:00"}, "validFrom"),
    ]
    for change, name in cases:
        response = await client.post(f"{API}/grants", headers=admin, json={**good, **change})
        assert response.status_code == 400, change
        assert response.json()["invalidParams"][0]["name"] == name, response.json()
    beheerder = await client_headers(session, "beheer-0363", AMSTERDAM, ["beheerder"])
    assert (await client.post(f"{API}/grants", headers=beheerder, json=good)).status_code == 403


async def test_the_documents_are_served(client: httpx.AsyncClient) -> None:
    for api, path in (("exchange", "/grants"), ("inzage", "/verwerkingen")):
        response = await client.get(f"/api/{api}/v1/openapi.json")
        assert response.status_code == 200
        assert response.json()["servers"][0]["url"].endswith(f"/api/{api}/v1")
        assert path in response.json()["paths"]
