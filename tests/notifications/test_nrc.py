"""The ZGW Notificaties API 1.0.0: kanalen, abonnementen and POST /notificaties, checked against the standard."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft7Validator
from sqlalchemy.ext.asyncio import AsyncSession

from plein.app import create_app, dispose_engines
from plein.notifications.tasks import deliver_due
from plein.organisations.service import get_by_code
from plein.settings import Settings
from plein.zgw import validation
from plein.zgw.autorisaties.service import save_applicatie
from tests.conftest import SHARED_SPECS
from tests.factories import AMSTERDAM, LOG_SIGNING_KEY, SEALING_KEY, client_headers
from tests.notifications.helpers import RSIN, ZAAKTYPE, deliveries, fast, zaak_kenmerken

BASE = "/notificaties/api/v1"
SPEC = SHARED_SPECS / "zgw" / "notificaties-1.0.0.yaml"
ZAAK = "http://plein.test/zaken/api/v1/zaken/7d5d0b34-3d0c-4a6c-8fd4-1b2c3d4e5f60"


@functools.cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text("utf-8"))
    return loaded


def _validator(schema: dict[str, Any], for_request: bool) -> Draft7Validator:
    definitions = {name: validation.to_json_schema(node, for_request)
                   for name, node in document()["components"]["schemas"].items()}
    return Draft7Validator({**validation.to_json_schema(schema, for_request), "definitions": definitions},
                           format_checker=validation.FORMATS)


def checked(method: str, path: str, response: httpx.Response) -> Any:
    """The response has a status the operation documents, the API-version header, and a body its schema allows."""
    responses = document()["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, (response.status_code, response.text)
    assert response.headers.get("api-version") == "1.0.0"
    if not response.content:
        return None
    content = responses[str(response.status_code)].get("content", {})
    media = content.get("application/json") or content.get("application/problem+json")
    body = response.json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(media["schema"], False).iter_errors(body)]
    assert not errors, errors
    return body


def valid_request(schema_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """A request body the standard allows (so the tests send what real clients send)."""
    errors = list(_validator({"$ref": f"#/components/schemas/{schema_name}"}, True).iter_errors(body))
    assert not errors, [e.message for e in errors]
    return body


async def scoped(session: AsyncSession, client_id: str, *scopes: str) -> dict[str, str]:
    """A client of Amsterdam whose applicatie holds these scopes on the notificaties component (nrc)."""
    headers = await client_headers(session, client_id, AMSTERDAM, [])
    await save_applicatie(session, {"clientIds": [client_id], "label": client_id,
                                    "autorisaties": [{"component": "nrc", "scopes": list(scopes)}]})
    return headers


def abonnement(url: str = "https://ontvanger.example/callback", **filters: str) -> dict[str, Any]:
    return valid_request("Abonnement", {"callbackUrl": url, "auth": "Bearer geheim-token-van-de-ontvanger",
                                        "kanalen": [{"naam": "zaken", "filters": filters}]})


def notificatie(**kenmerken: str) -> dict[str, Any]:
    return valid_request("Message", {
        "kanaal": "zaken", "hoofdObject": ZAAK, "resource": "status", "resourceUrl": ZAAK + "/status/1",
        "actie": "create", "aanmaakdatum": "2026-11-23T14:00:00Z", "kenmerken": {**zaak_kenmerken(), **kenmerken}})


async def test_kanalen_are_registered_listed_and_read(client: httpx.AsyncClient, session: AsyncSession) -> None:
    publisher = await scoped(session, "bron", "notificaties.publiceren")
    body = valid_request("Kanaal", {"naam": "meldingen", "documentatieLink": "https://plein.example/meldingen",
                                    "filters": ["gemeente", "categorie"]})
    created = await client.post(f"{BASE}/kanaal", json=body, headers=publisher)
    made = checked("post", "/kanaal", created)
    assert created.status_code == 201 and created.headers["location"] == made["url"]
    assert made["naam"] == "meldingen" and made["filters"] == ["gemeente", "categorie"]
    listed = checked("get", "/kanaal", await client.get(f"{BASE}/kanaal", headers=publisher))
    assert {"meldingen", "zaken", "documenten", "besluiten"} <= {k["naam"] for k in listed}
    only = checked("get", "/kanaal", await client.get(f"{BASE}/kanaal", params={"naam": "zaken"}, headers=publisher))
    assert [k["naam"] for k in only] == ["zaken"]
    assert only[0]["filters"] == ["bronorganisatie", "zaaktype", "vertrouwelijkheidaanduiding"]
    path = made["url"].removeprefix("http://plein.test")
    assert checked("get", "/kanaal/{uuid}", await client.get(path, headers=publisher))["naam"] == "meldingen"
    twice = await client.post(f"{BASE}/kanaal", json=body, headers=publisher)
    assert checked("post", "/kanaal", twice)["invalidParams"][0]["name"] == "naam"
    missing = await client.get(f"{BASE}/kanaal/00000000-0000-4000-8000-000000000000", headers=publisher)
    assert checked("get", "/kanaal/{uuid}", missing)["status"] == 404


async def test_scopes_decide_who_may_do_what(client: httpx.AsyncClient, session: AsyncSession) -> None:
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    publisher = await scoped(session, "bron", "notificaties.publiceren")
    refused = await client.post(f"{BASE}/kanaal", json={"naam": "x"}, headers=consumer)
    assert checked("post", "/kanaal", refused)["status"] == 403
    assert (await client.post(f"{BASE}/abonnement", json=abonnement(), headers=publisher)).status_code == 403
    assert (await client.post(f"{BASE}/notificaties", json=notificatie(), headers=consumer)).status_code == 403
    anonymous = await client.get(f"{BASE}/abonnement")
    assert checked("get", "/abonnement", anonymous)["status"] == 401
    assert (await client.get(f"{BASE}/kanaal", headers=consumer)).status_code == 200


async def test_an_abonnement_is_made_changed_and_ended(client: httpx.AsyncClient, session: AsyncSession) -> None:
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    other = await scoped(session, "ander", "notificaties.consumeren")
    created = await client.post(f"{BASE}/abonnement", json=abonnement(vertrouwelijkheidaanduiding="openbaar"),
                                headers=consumer)
    made = checked("post", "/abonnement", created)
    assert made["auth"] == "Bearer geheim-token-van-de-ontvanger" and made["format"] == "zgw"
    assert made["kanalen"] == [{"naam": "zaken", "filters": {"vertrouwelijkheidaanduiding": "openbaar"}}]
    path = made["url"].removeprefix("http://plein.test")
    assert [a["url"] for a in checked("get", "/abonnement", await client.get(f"{BASE}/abonnement",
                                                                            headers=consumer))] == [made["url"]]
    assert await _listed(client, other) == []
    assert (await client.get(path, headers=other)).status_code == 404
    replaced = await client.put(path, json=abonnement("https://ontvanger.example/nieuw"), headers=consumer)
    assert checked("put", "/abonnement/{uuid}", replaced)["kanalen"] == [{"naam": "zaken", "filters": {}}]
    patched = await client.patch(path, json={"auth": "Bearer nieuw-token", "format": "cloudevents"}, headers=consumer)
    body = checked("patch", "/abonnement/{uuid}", patched)
    assert body["auth"] == "Bearer nieuw-token" and body["format"] == "cloudevents"
    assert body["callbackUrl"] == "https://ontvanger.example/nieuw"
    assert checked("get", "/abonnement/{uuid}", await client.get(path, headers=consumer))["format"] == "cloudevents"
    assert (await client.delete(path, headers=other)).status_code == 404
    ended = await client.delete(path, headers=consumer)
    assert checked("delete", "/abonnement/{uuid}", ended) is None and ended.status_code == 204
    assert (await client.get(path, headers=consumer)).status_code == 404


async def _listed(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    return list(checked("get", "/abonnement", await client.get(f"{BASE}/abonnement", headers=headers)))


async def test_bad_abonnementen_are_refused_naming_the_field(client: httpx.AsyncClient,
                                                             session: AsyncSession) -> None:
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    missing = await client.post(f"{BASE}/abonnement", json={"callbackUrl": "https://x.example/c"}, headers=consumer)
    assert {p["name"] for p in checked("post", "/abonnement", missing)["invalidParams"]} == {"auth", "kanalen"}
    unknown = await client.post(f"{BASE}/abonnement", json=abonnement(kleur="rood"), headers=consumer)
    params = checked("post", "/abonnement", unknown)["invalidParams"]
    assert [(p["name"], p["code"]) for p in params] == [("kanalen.0.filters.kleur", "unknown-kenmerk")]
    nowhere = await client.post(f"{BASE}/abonnement", headers=consumer, json={
        **abonnement(), "kanalen": [{"naam": "bestaat-niet"}]})
    assert checked("post", "/abonnement", nowhere)["invalidParams"][0]["name"] == "kanalen.0.naam"
    badly = await client.post(f"{BASE}/abonnement", json={**abonnement(), "format": "xml"}, headers=consumer)
    assert checked("post", "/abonnement", badly)["invalidParams"][0]["name"] == "format"


@pytest.mark.parametrize("callback", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
    "http://[::1]/hook", "https://intern.localhost/hook", "http://100.64.0.1/hook", "http://192.0.2.10/hook",
    "http://[::ffff:10.0.0.1]/hook", "http://[fc00::1]/hook",
])
async def test_production_refuses_callbacks_to_internal_addresses(database_url: str, tmp_path: Path,
                                                                  session: AsyncSession, callback: str) -> None:
    production = Settings(env="test", database_url=database_url, data_dir=tmp_path / "data",
                          notifications_private_callbacks=False, notifications_in_process=False)
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    app = create_app(production)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://plein.test") as http:
            refused = await http.post(f"{BASE}/abonnement", json=abonnement(callback), headers=consumer)
            problem = checked("post", "/abonnement", refused)
            assert [(p["name"], p["code"]) for p in problem["invalidParams"]] == [("callbackUrl", "private-address")]
            allowed = await http.post(f"{BASE}/abonnement", json=abonnement(), headers=consumer)
            assert allowed.status_code == 201, allowed.text
    finally:
        await dispose_engines(app)


async def test_the_allow_list_admits_internal_receivers(database_url: str, tmp_path: Path,
                                                        session: AsyncSession) -> None:
    production = Settings(env="test", database_url=database_url, data_dir=tmp_path / "data",
                          notifications_private_callbacks=False, notifications_in_process=False,
                          notifications_internal_networks="10.20.0.0/16, 192.168.5.7")
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    app = create_app(production)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://plein.test") as http:
            for allowed in ("http://10.20.3.4/hook", "http://192.168.5.7/hook"):
                made = await http.post(f"{BASE}/abonnement", json=abonnement(allowed), headers=consumer)
                assert made.status_code == 201, made.text
            refused = await http.post(f"{BASE}/abonnement", json=abonnement("http://10.21.0.1/hook"),
                                      headers=consumer)
            assert refused.status_code == 400
    finally:
        await dispose_engines(app)
    with pytest.raises(ValueError, match="PLEIN_NOTIFICATIONS_INTERNAL_NETWORKS"):
        Settings(notifications_internal_networks="10.0.0.0/33")


def test_internal_callbacks_are_refused_by_default_only_in_production() -> None:
    assert Settings(env="dev").allows_private_callbacks
    assert not Settings(env="production", secret_key="x" * 40, login_simulator=False, client_secret_keys=SEALING_KEY,
                        session_cookie_secure=True, log_signing_key=LOG_SIGNING_KEY).allows_private_callbacks


async def test_a_published_notificatie_reaches_the_matching_abonnementen(
        client: httpx.AsyncClient, session: AsyncSession, app: Any, settings: Settings) -> None:
    consumer = await scoped(session, "afnemer", "notificaties.consumeren")
    publisher = await scoped(session, "bron", "notificaties.publiceren")
    wanted = {**abonnement("https://ontvanger.example/openbaar", vertrouwelijkheidaanduiding="openbaar"),
              "format": "cloudevents"}
    assert (await client.post(f"{BASE}/abonnement", json=wanted, headers=consumer)).status_code == 201
    secret = abonnement("https://ontvanger.example/geheim", vertrouwelijkheidaanduiding="geheim")
    assert (await client.post(f"{BASE}/abonnement", json=secret, headers=consumer)).status_code == 201
    sent = notificatie(vertrouwelijkheidaanduiding="openbaar")
    routed = await client.post(f"{BASE}/notificaties", json=sent, headers=publisher)
    assert checked("post", "/notificaties", routed) == sent
    rows = await deliveries(session)
    assert [row.abonnement.callback_url for row in rows] == ["https://ontvanger.example/openbaar"]
    requests: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: requests.append(request) or httpx.Response(204))
    await deliver_due(app.state.sessions, fast(settings), transport=transport)
    [request] = requests
    event = json.loads(request.content)
    assert event["type"] == "nl.plein.zaken.status-aangemaakt"
    amsterdam = await get_by_code(session, AMSTERDAM)  # the publisher's organisation is the CloudEvents source
    assert event["source"] == f"urn:nld:oin:{amsterdam.oin}:systeem:plein"
    assert event["data"] == sent and event["time"] == "2026-11-23T14:00:00Z"
    assert event["data"]["kenmerken"]["bronorganisatie"] == RSIN and event["data"]["kenmerken"]["zaaktype"] == ZAAKTYPE


async def test_bad_notificaties_are_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    publisher = await scoped(session, "bron", "notificaties.publiceren")
    unknown = await client.post(f"{BASE}/notificaties", json={**notificatie(), "kanaal": "nergens"},
                                headers=publisher)
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "kanaal"
    broken = await client.post(f"{BASE}/notificaties", headers=publisher, json={
        **notificatie(), "hoofdObject": "geen url", "aanmaakdatum": "gisteren", "kenmerken": {"x": ""}})
    assert broken.status_code == 400
    assert {p["name"] for p in broken.json()["invalidParams"]} == {"hoofdObject", "aanmaakdatum", "kenmerken.x"}
    assert broken.headers["content-type"] == "application/problem+json"
