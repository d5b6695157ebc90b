"""Zaakobjecten: created by URL or by identification (checked against the objectType's schema), listed with their
filters, changed (zaak, object and objectType stay), deleted; the zaakobjecttype of the zaaktype; authorisation,
closed zaken, audit trail and notifications."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.zaken.models import ZaakObject
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local
from tests.zgw.zaken.relation_helpers import (
    audit_count,
    close,
    codes,
    count,
    messages,
    new_zaak,
    setting,
    trail,
    zaak_client,
)

LIST, DETAIL = "/zaakobjecten", "/zaakobjecten/{uuid}"
ADRES = {"identificatie": "0363200000123456", "wplWoonplaatsNaam": "Amsterdam",
         "gorOpenbareRuimteNaam": "Dam", "huisnummer": 1, "postcode": "1012JS"}
PAND = "https://bag.example/api/v2/panden/0363100012345678"


async def test_a_zaakobject_is_created_listed_changed_and_deleted(client: httpx.AsyncClient,
                                                                  session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    other = await new_zaak(client, ctx)
    created = await client.post(f"{BASE}/zaakobjecten", headers=ctx.admin, json={
        "zaak": zaak["url"], "objectType": "adres", "objectIdentificatie": ADRES, "relatieomschrijving": "Locatie",
        "zaakobjecttype": ctx.zaakobjecttype})
    body = assert_spec("zaken", "post", LIST, created)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == body["url"]
    assert (body["objectIdentificatie"], body["zaakobjecttype"], body["object"]) == (ADRES, ctx.zaakobjecttype, "")
    by_url = await client.post(f"{BASE}/zaakobjecten", headers=ctx.admin, json={
        "zaak": other["url"], "objectType": "pand", "object": PAND})
    assert assert_spec("zaken", "post", LIST, by_url)["object"] == PAND

    read = await client.get(local(body["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, read) == body
    head = await client.head(local(body["url"]), headers=ctx.admin)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", read.headers["etag"])
    assert (await client.get(local(body["url"]), headers=ctx.admin | {
        "If-None-Match": read.headers["etag"]})).status_code == 304
    zaak_now = (await client.get(local(zaak["url"]), headers=ctx.admin)).json()
    assert zaak_now["zaakobjecten"] == [body["url"]]

    for params, expected in (({"zaak": zaak["url"]}, [body["url"]]), ({"objectType": "pand"}, [by_url.json()["url"]]),
                             ({"object": PAND}, [by_url.json()["url"]]), ({}, [body["url"], by_url.json()["url"]])):
        listed = await client.get(f"{BASE}/zaakobjecten", params=params, headers=ctx.admin)
        page = assert_spec("zaken", "get", LIST, listed)
        assert [o["url"] for o in page["results"]] == expected, params
        assert page["count"] == len(expected)

    patched = await client.patch(local(body["url"]), headers=ctx.admin, json={"relatieomschrijving": "Plaats"})
    changed = assert_spec("zaken", "patch", DETAIL, patched)
    assert (changed["relatieomschrijving"], changed["objectIdentificatie"]) == ("Plaats", ADRES)
    put = await client.put(local(body["url"]), headers=ctx.admin, json={
        "zaak": zaak["url"], "objectType": "adres", "objectIdentificatie": ADRES | {"huisnummer": 2}})
    replaced = assert_spec("zaken", "put", DETAIL, put)
    assert (replaced["objectIdentificatie"]["huisnummer"], replaced["relatieomschrijving"],
            replaced["zaakobjecttype"]) == (2, "", "")

    deleted = await client.delete(local(body["url"]), headers=ctx.admin)
    assert deleted.status_code == 204 and deleted.headers["api-version"] == "1.5.1"
    assert assert_spec("zaken", "get", DETAIL, await client.get(local(body["url"]), headers=ctx.admin))["status"] == 404
    assert await trail(client, ctx, zaak) == [("zaak", "create"), ("zaakobject", "create"),
                                              ("zaakobject", "partial_update"), ("zaakobject", "update"),
                                              ("zaakobject", "destroy")]
    assert [(r, a) for r, a, _ in await messages(session, "zaakobject")] == [
        ("zaakobject", "create"), ("zaakobject", "create"), ("zaakobject", "partial_update"),
        ("zaakobject", "update"), ("zaakobject", "destroy")]


async def test_bad_zaakobjecten_get_the_standards_errors_and_leave_nothing(client: httpx.AsyncClient,
                                                                           session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    other = await setting(client, session, "ZT-ANDER", ctx)
    records = await audit_count(session)
    cases = [
        ({"zaak": zaak["url"], "objectType": "adres"}, "objectIdentificatie", "invalid-object"),
        ({"zaak": zaak["url"], "objectType": "adres", "objectIdentificatie": {"huisnummer": "een"}},
         "objectIdentificatie.huisnummer", "invalid"),
        ({"zaak": zaak["url"], "objectType": "adres", "objectIdentificatie": {"huisnummer": 1}},
         "objectIdentificatie.identificatie", "required"),
        ({"zaak": zaak["url"], "objectType": "kasteel", "object": PAND}, "objectType", "invalid_choice"),
        ({"zaak": zaak["url"], "objectType": "overige", "object": PAND}, "objectTypeOverige",
         "missing-object-type-overige"),
        ({"zaak": zaak["url"], "objectType": "pand", "object": "geen url"}, "object", "invalid"),
        ({"zaak": ctx.zaaktype, "objectType": "pand", "object": PAND}, "zaak", "invalid-resource"),
        ({"zaak": zaak["url"][:-36] + str(uuid.uuid4()), "objectType": "pand", "object": PAND}, "zaak", "bad-url"),
        ({"zaak": "https://elders.example/zaken/api/v1/zaken/1", "objectType": "pand", "object": PAND}, "zaak",
         "bad-url"),
        ({"zaak": zaak["url"], "objectType": "pand", "object": PAND, "zaakobjecttype": other.zaakobjecttype},
         "zaakobjecttype", "zaaktype-mismatch"),
        ({"zaak": zaak["url"], "objectType": "pand", "object": PAND, "zaakobjecttype": ctx.eigenschap},
         "zaakobjecttype", "invalid-resource"),
        ({"objectType": "pand", "object": PAND}, "zaak", "required"),
    ]
    for body, name, code in cases:
        response = await client.post(f"{BASE}/zaakobjecten", json=body, headers=ctx.admin)
        problem = assert_spec("zaken", "post", LIST, response)
        assert response.status_code == 400, response.text
        assert (name, code) in codes(problem), (body, problem)
    malformed = await client.post(f"{BASE}/zaakobjecten", content=b'{"zaak": ', headers=ctx.admin | {
        "Content-Type": "application/json"})
    assert codes(assert_spec("zaken", "post", LIST, malformed)) == [("nonFieldErrors", "parse_error")]
    not_an_object = await client.post(f"{BASE}/zaakobjecten", json=["zaak"], headers=ctx.admin)
    assert assert_spec("zaken", "post", LIST, not_an_object)["status"] == 400
    unknown = await client.get(f"{BASE}/zaakobjecten", params={"kleur": "rood"}, headers=ctx.admin)
    assert codes(assert_spec("zaken", "get", LIST, unknown)) == [("nonFieldErrors", "unknown-parameters")]
    wrong_type = await client.get(f"{BASE}/zaakobjecten", params={"objectType": "kasteel"}, headers=ctx.admin)
    assert codes(assert_spec("zaken", "get", LIST, wrong_type)) == [("objectType", "invalid_choice")]
    wrong_filter = await client.get(f"{BASE}/zaakobjecten", params={"zaak": ctx.zaaktype}, headers=ctx.admin)
    assert codes(assert_spec("zaken", "get", LIST, wrong_filter)) == [("zaak", "invalid-resource")]
    anonymous = await client.get(f"{BASE}/zaakobjecten")
    assert assert_spec("zaken", "get", LIST, anonymous)["status"] == 401
    assert (await count(session, ZaakObject), await audit_count(session)) == (0, records)
    assert await messages(session, "zaakobject") == []

    created = (await client.post(f"{BASE}/zaakobjecten", headers=ctx.admin, json={
        "zaak": zaak["url"], "objectType": "pand", "object": PAND})).json()
    other_zaak = await new_zaak(client, ctx)
    for change, name in (({"objectType": "adres", "objectIdentificatie": ADRES}, "objectType"),
                         ({"object": PAND + "0"}, "object"), ({"zaak": other_zaak["url"]}, "zaak")):
        refused = await client.patch(local(created["url"]), json=change, headers=ctx.admin)
        assert (name, "wijzigen-niet-toegelaten") in codes(assert_spec("zaken", "patch", DETAIL, refused)), change
    missing = await client.get(f"{BASE}/zaakobjecten/{uuid.uuid4()}", headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, missing)["status"] == 404
    not_uuid = await client.get(f"{BASE}/zaakobjecten/niet-een-uuid", headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, not_uuid)["status"] == 404


async def test_zaakobjecten_follow_the_autorisaties_and_closed_zaken(client: httpx.AsyncClient,
                                                                     session: AsyncSession) -> None:
    ctx = await setting(client, session)
    other = await setting(client, session, "ZT-ANDER", ctx)
    zaak = await new_zaak(client, ctx)
    secret = await new_zaak(client, ctx, vertrouwelijkheidaanduiding="geheim")
    elsewhere = (await client.post(f"{BASE}/zaken", headers=ctx.admin, json={
        "zaaktype": other.zaaktype, "bronorganisatie": "002220647", "verantwoordelijkeOrganisatie": "002220647",
        "startdatum": "2026-11-01"})).json()
    for target in (zaak, secret, elsewhere):
        response = await client.post(f"{BASE}/zaakobjecten", headers=ctx.admin, json={
            "zaak": target["url"], "objectType": "pand", "object": PAND})
        assert response.status_code == 201
    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"], "zaakvertrouwelijk")
    listed = await client.get(f"{BASE}/zaakobjecten", headers=reader)
    assert [o["zaak"] for o in assert_spec("zaken", "get", LIST, listed)["results"]] == [zaak["url"]]
    refused = await client.post(f"{BASE}/zaakobjecten", headers=reader, json={
        "zaak": zaak["url"], "objectType": "pand", "object": PAND})
    assert assert_spec("zaken", "post", LIST, refused)["status"] == 403
    objects = {o["zaak"]: o["url"] for o in (await client.get(f"{BASE}/zaakobjecten", headers=ctx.admin)).json()[
        "results"]}
    hidden = await client.get(local(objects[secret["url"]]), headers=reader)
    assert assert_spec("zaken", "get", DETAIL, hidden)["status"] == 403

    writer = await zaak_client(session, "schrijver", ctx.zaaktype, ["zaken.lezen", "zaken.bijwerken"])
    own = await client.post(f"{BASE}/zaakobjecten", headers=writer, json={
        "zaak": zaak["url"], "objectType": "pand", "object": PAND + "1"})
    assert own.status_code == 201, own.text
    deleted_by_reader = await client.delete(local(own.json()["url"]), headers=reader)
    assert assert_spec("zaken", "delete", DETAIL, deleted_by_reader)["status"] == 403
    await close(client, ctx, zaak)
    closed_create = await client.post(f"{BASE}/zaakobjecten", headers=writer, json={
        "zaak": zaak["url"], "objectType": "pand", "object": PAND + "2"})
    assert assert_spec("zaken", "post", LIST, closed_create)["status"] == 403
    closed_change = await client.patch(local(own.json()["url"]), headers=writer, json={"relatieomschrijving": "x"})
    assert assert_spec("zaken", "patch", DETAIL, closed_change)["status"] == 403
    closed_delete = await client.delete(local(own.json()["url"]), headers=writer)
    assert assert_spec("zaken", "delete", DETAIL, closed_delete)["status"] == 403
    forced = await client.patch(local(own.json()["url"]), headers=ctx.admin, json={"relatieomschrijving": "x"})
    assert assert_spec("zaken", "patch", DETAIL, forced)["relatieomschrijving"] == "x"
