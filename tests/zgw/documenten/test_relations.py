"""Gebruiksrechten (drc-006), objectinformatieobjecten (drc-002/003/004/008, and the functions the Zaken and
Besluiten APIs call) and verzendingen (one address each): every operation, filters and bad references."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.models import Message
from plein.zgw.documenten import service
from plein.zgw.documenten.models import ObjectInformatieobject
from tests.zgw.documenten.helpers import BASE, DETAIL, HOST, check, create_document, local, setup
from tests.zgw.helpers import assert_schema

ZAAK = f"{HOST}/zaken/api/v1/zaken/{uuid.uuid4()}"


async def test_gebruiksrechten_set_and_clear_the_indicatie(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    assert document["indicatieGebruiksrecht"] is None
    body = {"informatieobject": document["url"], "startdatum": "2026-01-01T00:00:00Z",
            "omschrijvingVoorwaarden": "Alleen intern"}
    response = await client.post(f"{BASE}/gebruiksrechten", json=body, headers=ctx.admin)
    created = check("post", "/gebruiksrechten", response)
    assert response.status_code == 201 and created["einddatum"] is None
    doc_path = local(document["url"])
    assert check("get", DETAIL, await client.get(doc_path, headers=ctx.admin))["indicatieGebruiksrecht"] is True
    path = local(created["url"])
    assert check("get", "/gebruiksrechten/{uuid}", await client.get(path, headers=ctx.admin)) == created
    assert (await client.head(path, headers=ctx.admin)).headers["etag"]

    patched = await client.patch(path, json={"einddatum": "2027-01-01T00:00:00+01:00"}, headers=ctx.admin)
    assert check("patch", "/gebruiksrechten/{uuid}", patched)["einddatum"] == "2026-12-31T23:00:00Z"
    backwards = await client.patch(path, json={"einddatum": "2025-01-01T00:00:00Z"}, headers=ctx.admin)
    assert check("patch", "/gebruiksrechten/{uuid}", backwards)["invalidParams"][0]["code"] == "date-mismatch"
    other = await create_document(client, ctx.admin, ctx.iot)
    moved = await client.put(path, json=body | {"informatieobject": other["url"]}, headers=ctx.admin)
    assert check("put", "/gebruiksrechten/{uuid}", moved)["invalidParams"][0]["code"] == "wijzigen-niet-toegelaten"
    replaced = await client.put(path, json=body | {"omschrijvingVoorwaarden": "Openbaar"}, headers=ctx.admin)
    assert check("put", "/gebruiksrechten/{uuid}", replaced)["omschrijvingVoorwaarden"] == "Openbaar"

    async def listed(**params: str) -> list[str]:
        found = check("get", "/gebruiksrechten", await client.get(f"{BASE}/gebruiksrechten", params=params,
                                                                   headers=ctx.admin))
        return [item["url"] for item in found]

    assert await listed(informatieobject=document["url"]) == [created["url"]]
    assert await listed(informatieobject=other["url"]) == []
    assert await listed(startdatum__lt="2026-06-01T00:00:00Z") == [created["url"]]
    assert await listed(startdatum__gt="2026-06-01T00:00:00Z") == []
    bad = await client.get(f"{BASE}/gebruiksrechten", params={"startdatum__lt": "morgen"}, headers=ctx.admin)
    assert check("get", "/gebruiksrechten", bad)["invalidParams"][0]["name"] == "startdatum__lt"
    wrong_kind = await client.get(f"{BASE}/gebruiksrechten", params={"informatieobject": ZAAK}, headers=ctx.admin)
    assert check("get", "/gebruiksrechten", wrong_kind)["invalidParams"][0]["code"] == "invalid-resource"

    assert (await client.delete(path, headers=ctx.admin)).status_code == 204
    assert check("get", DETAIL, await client.get(doc_path, headers=ctx.admin))["indicatieGebruiksrecht"] is None
    actions = list(await session.scalars(select(Message.actie).where(Message.resource == "gebruiksrechten")
                                         .order_by(Message.id)))
    assert actions == ["create", "partial_update", "update", "destroy"]
    trail = await client.get(f"{doc_path}/audittrail", headers=ctx.admin)
    assert [(e["resource"], e["actie"]) for e in check(
        "get", "/enkelvoudiginformatieobjecten/{enkelvoudiginformatieobject_uuid}/audittrail", trail)][1:] == [
        ("gebruiksrechten", "create"), ("gebruiksrechten", "partial_update"), ("gebruiksrechten", "update"),
        ("gebruiksrechten", "destroy")]


@pytest.mark.parametrize(("change", "name", "code"), [
    ({"informatieobject": "https://elders.example/documenten/api/v1/enkelvoudiginformatieobjecten/1"},
     "informatieobject", "bad-url"),
    ({"informatieobject": f"{HOST}/documenten/api/v1/enkelvoudiginformatieobjecten/{uuid.uuid4()}"},
     "informatieobject", "does_not_exist"),
    ({"informatieobject": f"{HOST}/documenten/api/v1/gebruiksrechten/{uuid.uuid4()}"},
     "informatieobject", "invalid-resource"),
    ({"informatieobject": "geen url"}, "informatieobject", "invalid"),
    ({"startdatum": "gisteren"}, "startdatum", "invalid"),
    ({"omschrijvingVoorwaarden": ""}, "omschrijvingVoorwaarden", "blank"),
])
async def test_bad_gebruiksrechten_name_the_field(client: httpx.AsyncClient, session: AsyncSession,
                                                  change: dict[str, str], name: str, code: str) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    body = {"informatieobject": document["url"], "startdatum": "2026-01-01T00:00:00Z",
            "omschrijvingVoorwaarden": "Alleen intern"} | change
    found = check("post", "/gebruiksrechten", await client.post(f"{BASE}/gebruiksrechten", json=body,
                                                                 headers=ctx.admin))
    assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]} for p in found["invalidParams"]]


async def test_objectinformatieobjecten_mirror_the_zaken_side(client: httpx.AsyncClient,
                                                             session: AsyncSession,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    key = uuid.UUID(document["url"].rsplit("/", 1)[-1])
    body = {"informatieobject": document["url"], "object": ZAAK, "objectType": "zaak"}
    unchecked = await client.post(f"{BASE}/objectinformatieobjecten", json=body, headers=ctx.admin)
    assert check("post", "/objectinformatieobjecten", unchecked)["invalidParams"][0]["name"] == "object"

    relations: set[tuple[uuid.UUID, uuid.UUID]] = set()
    zaak = uuid.UUID(ZAAK.rsplit("/", 1)[-1])

    async def zaken_side(session: AsyncSession, object_key: uuid.UUID, document: uuid.UUID) -> bool | None:
        return (object_key, document) in relations if object_key == zaak else None

    monkeypatch.setitem(service.RELATION_SOURCES, "zaak", zaken_side)
    not_there = await client.post(f"{BASE}/objectinformatieobjecten", json=body | {
        "object": f"{HOST}/zaken/api/v1/zaken/{uuid.uuid4()}"}, headers=ctx.admin)
    assert check("post", "/objectinformatieobjecten", not_there)["invalidParams"][0]["code"] == "bad-url"
    unrelated = await client.post(f"{BASE}/objectinformatieobjecten", json=body, headers=ctx.admin)
    assert check("post", "/objectinformatieobjecten", unrelated)["invalidParams"][0]["code"] == \
        "inconsistent-relation"
    wrong_type = await client.post(f"{BASE}/objectinformatieobjecten", json=body | {"objectType": "besluit"},
                                   headers=ctx.admin)
    assert check("post", "/objectinformatieobjecten", wrong_type)["invalidParams"][0]["name"] == "object"

    relations.add((zaak, key))
    response = await client.post(f"{BASE}/objectinformatieobjecten", json=body, headers=ctx.admin)
    created = check("post", "/objectinformatieobjecten", response)
    assert response.status_code == 201 and created["objectType"] == "zaak"
    twice = await client.post(f"{BASE}/objectinformatieobjecten", json=body, headers=ctx.admin)
    assert check("post", "/objectinformatieobjecten", twice)["invalidParams"][0]["code"] == "unique"
    path = local(created["url"])
    assert check("get", "/objectinformatieobjecten/{uuid}", await client.get(path, headers=ctx.admin)) == created
    listed = await client.get(f"{BASE}/objectinformatieobjecten", params={"object": ZAAK}, headers=ctx.admin)
    assert [item["url"] for item in check("get", "/objectinformatieobjecten", listed)] == [created["url"]]

    # drc-008 asks a 400 here, which the document does not list for this operation; the rule wins.
    pending = await client.delete(local(document["url"]), headers=ctx.admin)
    assert pending.status_code == 400 and pending.headers["api-version"] == "1.4.2"
    assert assert_schema("documenten", "ValidatieFout", pending.json())["invalidParams"][0]["code"] == \
        "pending-relations"
    still = await client.delete(path, headers=ctx.admin)
    assert check("delete", "/objectinformatieobjecten/{uuid}", still)["code"] == "inconsistent-relation"
    relations.clear()
    assert (await client.delete(path, headers=ctx.admin)).status_code == 204

    # What the Zaken API does when a zaakinformatieobject comes and goes (zrc-005): in its own transaction.
    mirrored = await service.link_object(session, key, ZAAK, "zaak")
    assert await service.link_object(session, key, ZAAK, "zaak") is mirrored
    await session.commit()
    ref = await service.get_document_ref(session, key)
    assert ref is not None and ref.vertrouwelijkheidaanduiding == "openbaar"
    informatieobjecttype_id, vertrouwelijkheid, *_ = ref
    assert str(informatieobjecttype_id) in ctx.iot and vertrouwelijkheid == "openbaar"
    assert await service.get_document_ref(session, uuid.uuid4()) is None
    await service.unlink_object(session, key, ZAAK)
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(ObjectInformatieobject)) == 0


VERZENDING = {"betrokkene": "https://klanten.example/api/v1/klanten/1", "aardRelatie": "geadresseerde",
              "contactPersoon": "https://medewerkers.example/api/v1/medewerkers/2", "emailadres": "a@example.nl"}


async def test_verzendingen_go_to_one_address(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    body = VERZENDING | {"informatieobject": document["url"]}
    response = await client.post(f"{BASE}/verzendingen", json=body, headers=ctx.admin)
    created = check("post", "/verzendingen", response)
    assert response.status_code == 201 and created["mijnOverheid"] is False
    two = await client.post(f"{BASE}/verzendingen", json=body | {"telefoonnummer": "0612345678"}, headers=ctx.admin)
    assert check("post", "/verzendingen", two)["invalidParams"][0]["code"] == "invalid-address"
    none = await client.post(f"{BASE}/verzendingen", json=body | {"emailadres": None}, headers=ctx.admin)
    assert check("post", "/verzendingen", none)["invalidParams"][0]["code"] == "invalid-address"
    postal = body | {"emailadres": None, "aardRelatie": "afzender", "binnenlandsCorrespondentieadres": {
        "huisnummer": 1, "naamOpenbareRuimte": "Markt", "woonplaatsnaam": "Utrecht"}}
    afzender = check("post", "/verzendingen", await client.post(f"{BASE}/verzendingen", json=postal,
                                                                 headers=ctx.admin))
    assert afzender["binnenlandsCorrespondentieadres"]["naamOpenbareRuimte"] == "Markt"
    second = await client.post(f"{BASE}/verzendingen", json=postal, headers=ctx.admin)
    assert check("post", "/verzendingen", second)["invalidParams"][0]["name"] == "aardRelatie"
    bad_address = await client.post(f"{BASE}/verzendingen", json=body | {
        "emailadres": None, "binnenlandsCorrespondentieadres": {"huisnummer": "een"}}, headers=ctx.admin)
    problems = check("post", "/verzendingen", bad_address)["invalidParams"]
    assert {p["name"] for p in problems} == {  # nested fields by their dotted names, as the reference names them
        "binnenlandsCorrespondentieadres.huisnummer", "binnenlandsCorrespondentieadres.naamOpenbareRuimte",
        "binnenlandsCorrespondentieadres.woonplaatsnaam"}

    path = local(created["url"])
    patched = await client.patch(path, json={"toelichting": "Per mail"}, headers=ctx.admin)
    assert check("patch", "/verzendingen/{uuid}", patched)["toelichting"] == "Per mail"
    replaced = await client.put(path, json=body | {"emailadres": "b@example.nl"}, headers=ctx.admin)
    assert check("put", "/verzendingen/{uuid}", replaced)["emailadres"] == "b@example.nl"
    listed = await client.get(f"{BASE}/verzendingen", params={"aardRelatie": "afzender"}, headers=ctx.admin)
    assert [item["url"] for item in check("get", "/verzendingen", listed)["results"]] == [afzender["url"]]
    by_document = await client.get(f"{BASE}/verzendingen", params={"informatieobject": document["url"]},
                                   headers=ctx.admin)
    assert check("get", "/verzendingen", by_document)["count"] == 2
    bad_choice = await client.get(f"{BASE}/verzendingen", params={"aardRelatie": "ontvanger"}, headers=ctx.admin)
    assert check("get", "/verzendingen", bad_choice)["invalidParams"][0]["code"] == "invalid_choice"
    assert check("get", "/verzendingen/{uuid}", await client.get(path, headers=ctx.admin))["url"] == created["url"]
    assert (await client.delete(path, headers=ctx.admin)).status_code == 204
    assert check("get", "/verzendingen/{uuid}", await client.get(path, headers=ctx.admin))["status"] == 404
    # Deleting the document takes its verzendingen along.
    assert (await client.delete(local(document["url"]), headers=ctx.admin)).status_code == 204
    gone = await client.get(local(afzender["url"]), headers=ctx.admin)
    assert check("get", "/verzendingen/{uuid}", gone)["status"] == 404
