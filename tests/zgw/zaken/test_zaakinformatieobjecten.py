"""Zaakinformatieobjecten: only local documents (zrc-003) of a type the zaaktype allows (zrc-017), aardRelatie and
registratiedatum set by Plein (zrc-004), the objectinformatieobject in the Documenten API made and removed in the
same transaction (zrc-005, zrc-023), the relation itself unchangeable, and the documenten side's checks (drc-004,
drc-008) answered by the Zaken API."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.documenten.models import ObjectInformatieobject
from plein.zgw.zaken.models import ZaakInformatieObject
from tests.zgw.documenten.helpers import check
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local
from tests.zgw.zaken.relation_helpers import (
    audit_count,
    close,
    codes,
    count,
    document,
    messages,
    new_zaak,
    setting,
    trail,
    zaak_client,
)

LIST, DETAIL = "/zaakinformatieobjecten", "/zaakinformatieobjecten/{uuid}"
OIO = "/documenten/api/v1/objectinformatieobjecten"


async def mirrors(client: httpx.AsyncClient, headers: dict[str, str], document_url: str) -> list[str]:
    response = await client.get(OIO, params={"informatieobject": document_url}, headers=headers)
    return [row["object"] for row in check("get", "/objectinformatieobjecten", response)]


async def test_a_document_is_related_changed_and_unrelated_with_its_mirror(client: httpx.AsyncClient,
                                                                           session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    doc = await document(client, ctx)
    status = (await client.post(f"{BASE}/statussen", headers=ctx.admin, json={
        "zaak": zaak["url"], "statustype": ctx.statustypen[0], "datumStatusGezet": "2026-11-02T10:00:00Z"})).json()
    started = dt.datetime.now(dt.UTC)
    created = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
        "zaak": zaak["url"], "informatieobject": doc, "titel": "Melding", "status": status["url"]})
    body = assert_spec("zaken", "post", LIST, created)
    assert created.status_code == 201, created.text
    assert (body["aardRelatieWeergave"], body["informatieobject"], body["status"]) == (
        "Hoort bij, omgekeerd: kent", doc, status["url"])
    registered = dt.datetime.fromisoformat(body["registratiedatum"].replace("Z", "+00:00"))
    assert abs((registered - started).total_seconds()) < 60
    assert await mirrors(client, ctx.admin, doc) == [zaak["url"]]  # zrc-005

    read = await client.get(local(body["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, read) == body
    assert (await client.head(local(body["url"]), headers=ctx.admin)).headers["etag"] == read.headers["etag"]
    for params in ({"zaak": zaak["url"]}, {"informatieobject": doc}, {}):
        listed = await client.get(f"{BASE}/zaakinformatieobjecten", params=params, headers=ctx.admin)
        assert [z["url"] for z in assert_spec("zaken", "get", LIST, listed)] == [body["url"]]
    zaak_now = (await client.get(local(zaak["url"]), headers=ctx.admin)).json()
    assert zaak_now["zaakinformatieobjecten"] == [body["url"]]
    status_now = (await client.get(local(status["url"]), headers=ctx.admin)).json()
    assert status_now["zaakinformatieobjecten"] == [body["url"]]

    patched = await client.patch(local(body["url"]), headers=ctx.admin, json={"beschrijving": "Ingekomen"})
    assert assert_spec("zaken", "patch", DETAIL, patched)["beschrijving"] == "Ingekomen"
    put = await client.put(local(body["url"]), headers=ctx.admin, json={
        "zaak": zaak["url"], "informatieobject": doc, "titel": "Anders"})
    replaced = assert_spec("zaken", "put", DETAIL, put)
    assert (replaced["titel"], replaced["beschrijving"], replaced["status"]) == ("Anders", "", None)
    other_doc = await document(client, ctx)
    other_zaak = await new_zaak(client, ctx)
    for change, name in (({"informatieobject": other_doc}, "informatieobject"), ({"zaak": other_zaak["url"]}, "zaak")):
        refused = await client.patch(local(body["url"]), headers=ctx.admin, json=change)
        assert (name, "wijzigen-niet-toegelaten") in codes(assert_spec("zaken", "patch", DETAIL, refused))  # zrc-004

    # the Documenten API refuses to drop the mirror (drc-004) or the document (drc-008) while the zaak holds it
    oio = (await client.get(OIO, params={"informatieobject": doc}, headers=ctx.admin)).json()[0]
    kept = await client.delete(local(oio["url"]), headers=ctx.admin)
    assert check("delete", "/objectinformatieobjecten/{uuid}", kept)["status"] in (400, 409)
    assert "inconsistent-relation" in kept.text
    still = await client.delete(local(doc), headers=ctx.admin)
    assert still.status_code in (400, 409) and "drc-008" in still.text  # the Documenten API's answer, not ours

    deleted = await client.delete(local(body["url"]), headers=ctx.admin)
    assert deleted.status_code == 204
    assert await mirrors(client, ctx.admin, doc) == []
    assert (await client.delete(local(doc), headers=ctx.admin)).status_code == 204
    entries = [a for r, a in await trail(client, ctx, zaak) if r == "zaakinformatieobject"]
    assert entries == ["create", "partial_update", "update", "destroy"]
    assert [a for _, a, _ in await messages(session, "zaakinformatieobject")] == ["create"]  # as the kanaal lists


async def test_only_local_documents_of_an_allowed_type_are_related(client: httpx.AsyncClient,
                                                                    session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    allowed = await document(client, ctx)
    brief = await document(client, ctx, ctx.other_iot)
    other_status_zaak = await new_zaak(client, ctx)
    other_status = (await client.post(f"{BASE}/statussen", headers=ctx.admin, json={
        "zaak": other_status_zaak["url"], "statustype": ctx.statustypen[0],
        "datumStatusGezet": "2026-11-02T10:00:00Z"})).json()
    before = await audit_count(session)
    cases = [
        ({"informatieobject": brief}, "informatieobject", "missing-zaaktype-informatieobjecttype-relation"),  # zrc-017
        ({"informatieobject": allowed[:-36] + str(uuid.uuid4())}, "informatieobject", "bad-url"),  # zrc-003
        ({"informatieobject": "https://drc.elders.example/api/v1/enkelvoudiginformatieobjecten/1"},
         "informatieobject", "bad-url"),
        ({"informatieobject": zaak["url"]}, "informatieobject", "invalid-resource"),
        ({"informatieobject": allowed, "status": other_status["url"]}, "status", "zaak-mismatch"),
        ({"informatieobject": allowed, "vernietigingsdatum": "morgen"}, "vernietigingsdatum", "invalid"),
        ({}, "informatieobject", "required"),
    ]
    for extra, name, code in cases:
        response = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin,
                                     json={"zaak": zaak["url"], **extra})
        body = assert_spec("zaken", "post", LIST, response)
        assert response.status_code == 400, response.text
        assert (name, code) in codes(body), (extra, body)
    assert (await count(session, ZaakInformatieObject), await count(session, ObjectInformatieobject),
            await audit_count(session)) == (0, 0, before)

    first = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
        "zaak": zaak["url"], "informatieobject": allowed})
    assert first.status_code == 201
    twice = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
        "zaak": zaak["url"], "informatieobject": allowed})
    assert ("nonFieldErrors", "unique") in codes(assert_spec("zaken", "post", LIST, twice))
    bad_filter = await client.get(f"{BASE}/zaakinformatieobjecten", params={"informatieobject": zaak["url"]},
                                  headers=ctx.admin)
    assert codes(assert_spec("zaken", "get", LIST, bad_filter)) == [("informatieobject", "invalid-resource")]

    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"], "openbaar")
    refused = await client.post(f"{BASE}/zaakinformatieobjecten", headers=reader, json={
        "zaak": zaak["url"], "informatieobject": brief})
    assert assert_spec("zaken", "post", LIST, refused)["status"] == 403
    secret = await new_zaak(client, ctx, vertrouwelijkheidaanduiding="geheim")
    await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
        "zaak": secret["url"], "informatieobject": allowed})
    listed = await client.get(f"{BASE}/zaakinformatieobjecten", headers=reader)
    assert [z["zaak"] for z in assert_spec("zaken", "get", LIST, listed)] == [zaak["url"]]

    writer = await zaak_client(session, "schrijver", ctx.zaaktype, ["zaken.lezen", "zaken.bijwerken"])
    await close(client, ctx, zaak)
    closed = await client.delete(local(first.json()["url"]), headers=writer)
    assert assert_spec("zaken", "delete", DETAIL, closed)["status"] == 403
    archived = await new_zaak(client, ctx, archiefnominatie="blijvend_bewaren", archiefactiedatum="2040-01-01",
                              archiefstatus="gearchiveerd")
    late = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
        "zaak": archived["url"], "informatieobject": brief})
    assert ("zaak", "zaak-archiefstatus") in codes(assert_spec("zaken", "post", LIST, late))


async def test_destroying_a_zaak_removes_the_mirrors_of_its_documents(client: httpx.AsyncClient,
                                                                       session: AsyncSession) -> None:
    ctx = await setting(client, session)
    hoofdzaak = await new_zaak(client, ctx)
    deelzaak = await new_zaak(client, ctx, hoofdzaak=hoofdzaak["url"])
    doc = await document(client, ctx)
    for zaak in (hoofdzaak, deelzaak):
        response = await client.post(f"{BASE}/zaakinformatieobjecten", headers=ctx.admin, json={
            "zaak": zaak["url"], "informatieobject": doc})
        assert response.status_code == 201, response.text
    assert sorted(await mirrors(client, ctx.admin, doc)) == sorted([hoofdzaak["url"], deelzaak["url"]])
    assert (await client.delete(local(hoofdzaak["url"]), headers=ctx.admin)).status_code == 204  # zrc-023
    assert await mirrors(client, ctx.admin, doc) == []
    assert await count(session, ZaakInformatieObject) == 0
    assert (await client.delete(local(doc), headers=ctx.admin)).status_code == 204  # drc-008 no longer holds it
