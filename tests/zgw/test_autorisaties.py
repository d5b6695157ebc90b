"""The Autorisaties API: applicaties with their autorisaties, the ac-00x rules, and scopes that take effect."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.autorisaties.models import Applicatie
from tests.factories import client_headers
from tests.zgw.helpers import all_rights, assert_schema, assert_spec

BASE = "/autorisaties/api/v1"
ZAAKTYPE = "http://plein.test/catalogi/api/v1/zaaktypen/0b6f6ad8-4b1c-4d36-9a0c-6a4bc0e1c7c5"


def applicatie(client_ids: list[str], **extra: object) -> dict[str, object]:
    return {"clientIds": client_ids, "label": "Zaaksysteem", "autorisaties": [
        {"component": "zrc", "scopes": ["zaken.lezen", "zaken.aanmaken"], "zaaktype": ZAAKTYPE,
         "maxVertrouwelijkheidaanduiding": "zaakvertrouwelijk"},
        {"component": "ztc", "scopes": ["catalogi.lezen"]},
    ], **extra}


async def test_an_applicatie_is_created_read_changed_and_deleted(client: httpx.AsyncClient,
                                                                session: AsyncSession) -> None:
    headers = await all_rights(session)
    created = await client.post(f"{BASE}/applicaties", json=applicatie(["zaaksysteem"]), headers=headers)
    body = assert_spec("autorisaties", "post", "/applicaties", created)
    assert created.status_code == 201
    assert created.headers["location"] == body["url"]
    assert body["autorisaties"][0]["componentWeergave"] == "Zaakregistratiecomponent"
    path = body["url"].removeprefix("http://plein.test")

    read = await client.get(path, headers=headers)
    assert assert_spec("autorisaties", "get", "/applicaties/{uuid}", read) == body
    consumer = await client.get(f"{BASE}/applicaties/consumer", params={"clientId": "zaaksysteem"}, headers=headers)
    # The document types this answer as a list; the standard's reference implementation (whose behaviour the
    # rules make normative) and the clients in use return the one applicatie, and so does Plein.
    assert consumer.status_code == 200
    assert assert_schema("autorisaties", "Applicatie", consumer.json())["url"] == body["url"]

    patched = await client.patch(path, json={"label": "Nieuw label"}, headers=headers)
    assert assert_spec("autorisaties", "patch", "/applicaties/{uuid}", patched)["label"] == "Nieuw label"
    assert patched.json()["clientIds"] == ["zaaksysteem"]
    replaced = await client.put(path, json={"clientIds": ["ander"], "label": "X", "heeftAlleAutorisaties": True},
                                headers=headers)
    assert assert_spec("autorisaties", "put", "/applicaties/{uuid}", replaced)["autorisaties"] == []

    listed = await client.get(f"{BASE}/applicaties", params={"clientIds": "ander,onbekend"}, headers=headers)
    assert [a["url"] for a in assert_spec("autorisaties", "get", "/applicaties", listed)["results"]] == [body["url"]]
    assert (await client.delete(path, headers=headers)).status_code == 204
    assert (await client.get(path, headers=headers)).status_code == 404
    # what is left is the applicatie of the all-rights client itself, which the Autorisaties API shows too
    assert list(await session.scalars(select(Applicatie.label))) == ["zgw-beheer"]


async def test_an_all_rights_client_appears_as_an_applicatie(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session, "testsuite")
    consumer = await client.get(f"{BASE}/applicaties/consumer", params={"clientId": "testsuite"}, headers=headers)
    shown = assert_schema("autorisaties", "Applicatie", consumer.json())
    assert (shown["clientIds"], shown["heeftAlleAutorisaties"], shown["autorisaties"]) == (["testsuite"], True, [])
    listed = await client.get(f"{BASE}/applicaties", params={"clientIds": "testsuite"}, headers=headers)
    assert [a["url"] for a in assert_spec("autorisaties", "get", "/applicaties", listed)["results"]] == [shown["url"]]
    read = await client.get(shown["url"].removeprefix("http://plein.test"), headers=headers)
    assert read.json() == shown
    assert (await client.get(f"{BASE}/applicaties", headers=headers)).json()["count"] == 1  # adopted once


@pytest.mark.parametrize(("change", "name", "code"), [
    ({"heeftAlleAutorisaties": True}, "nonFieldErrors", "ambiguous-authorizations-specified"),
    ({"autorisaties": []}, "nonFieldErrors", "missing-authorizations"),
    ({"autorisaties": [{"component": "zrc", "scopes": ["zaken.lezen"]}]}, "autorisaties.0.zaaktype", "required"),
    ({"autorisaties": [{"component": "drc", "scopes": ["documenten.lezen"], "informatieobjecttype": ZAAKTYPE}]},
     "autorisaties.0.maxVertrouwelijkheidaanduiding", "required"),
    ({"autorisaties": [{"component": "brc", "scopes": ["besluiten.lezen"]}]}, "autorisaties.0.besluittype", "required"),
    ({"autorisaties": [{"component": "xyz", "scopes": []}]}, "autorisaties.0.component", "invalid_choice"),
    ({"label": ""}, "label", "blank"),
    ({"clientIds": "één"}, "clientIds", "invalid"),
])
async def test_the_rules_are_enforced_with_the_field_named(client: httpx.AsyncClient, session: AsyncSession,
                                                          change: dict[str, object], name: str, code: str) -> None:
    headers = await all_rights(session)
    response = await client.post(f"{BASE}/applicaties", json=applicatie(["app"]) | change, headers=headers)
    body = assert_spec("autorisaties", "post", "/applicaties", response)
    assert response.status_code == 400
    assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]} for p in body["invalidParams"]]
    assert await session.scalar(select(func.count()).select_from(Applicatie)) == 0


async def test_a_client_id_belongs_to_one_applicatie(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    assert (await client.post(f"{BASE}/applicaties", json=applicatie(["een"]), headers=headers)).status_code == 201
    second = await client.post(f"{BASE}/applicaties", json=applicatie(["twee", "een"]), headers=headers)
    assert second.status_code == 400
    assert second.json()["invalidParams"][0]["code"] == "clientId-exists"


async def test_scopes_decide_what_a_client_may_do(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await all_rights(session)
    reader = await client_headers(session, "lezer", None, [])
    assert (await client.get(f"{BASE}/applicaties", headers=reader)).status_code == 403
    body = {"clientIds": ["lezer"], "label": "Lezer",
            "autorisaties": [{"component": "ac", "scopes": ["autorisaties.lezen"]}]}
    assert (await client.post(f"{BASE}/applicaties", json=body, headers=admin)).status_code == 201
    assert (await client.get(f"{BASE}/applicaties", headers=reader)).status_code == 200
    refused = await client.post(f"{BASE}/applicaties", json=applicatie(["x"]), headers=reader)
    assert assert_spec("autorisaties", "post", "/applicaties", refused)["status"] == 403
    anonymous = await client.get(f"{BASE}/applicaties")
    assert assert_spec("autorisaties", "get", "/applicaties", anonymous)["status"] == 401


async def test_bad_requests_get_the_standards_errors(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    unknown = await client.get(f"{BASE}/applicaties", params={"colour": "blue"}, headers=headers)
    assert assert_spec("autorisaties", "get", "/applicaties", unknown)["invalidParams"][0]["code"] == (
        "unknown-parameters")
    bad_page = await client.get(f"{BASE}/applicaties", params={"page": "x"}, headers=headers)
    assert bad_page.status_code == 400
    assert bad_page.json()["invalidParams"][0]["name"] == "page"
    malformed = await client.post(f"{BASE}/applicaties", content=b"{", headers=headers | {
        "content-type": "application/json"})
    assert assert_spec("autorisaties", "post", "/applicaties", malformed)["status"] == 400
    assert (await client.get(f"{BASE}/applicaties/not-a-uuid", headers=headers)).status_code == 404
    missing = await client.get(f"{BASE}/applicaties/consumer", headers=headers)
    assert missing.status_code == 400
    assert missing.json()["invalidParams"][0] == {"name": "clientId", "code": "required",
                                                  "reason": "this query parameter is required"}


async def test_each_api_serves_the_standards_document(client: httpx.AsyncClient) -> None:
    for name in ("zaken", "catalogi", "documenten", "besluiten", "autorisaties", "notificaties"):
        response = await client.get(f"/{name}/api/v1/openapi.json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.0")
        assert "openapi: 3.0" in (await client.get(f"/{name}/api/v1/openapi.yaml")).text
