"""Enkelvoudiginformatieobjecten: create with base64 contents and download them, read, HEAD and ETag, the lock
rules (drc-009, drc-010), versions, filters and _zoek, the rules on create (drc-001, drc-005, drc-007), delete
(drc-008) and the notifications and audit trail that go with each write."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.notifications.models import Message
from plein.zgw.audit import AuditRecord
from plein.zgw.documenten.models import Informatieobject, InformatieobjectVersie
from tests.zgw.documenten.helpers import (
    DETAIL,
    DOCUMENTEN,
    RSIN,
    b64,
    check,
    create_document,
    document_body,
    local,
    setup,
)

CONTENT = "Geachte inwoner,\n\nUw verzoek is ontvangen. — Gemeente".encode()


async def test_a_document_with_contents_is_created_read_downloaded_and_deleted(
        client: httpx.AsyncClient, session: AsyncSession, app: object) -> None:
    ctx = await setup(client, session)
    created = await create_document(client, ctx.admin, ctx.iot, inhoud=b64(CONTENT), bestandsnaam="brief.txt",
                                    formaat="text/plain", trefwoorden=["brief"])
    assert created["versie"] == 1 and created["locked"] is False and created["bestandsdelen"] == []
    assert created["bestandsomvang"] == len(CONTENT)
    assert created["vertrouwelijkheidaanduiding"] == "openbaar"  # drc-007: from the informatieobjecttype
    assert created["identificatie"].startswith("DOCUMENT-")
    assert created["inhoud"] == f"{created['url']}/download?versie=1"
    path = local(created["url"])

    read = await client.get(path, headers=ctx.admin)
    assert check("get", DETAIL, read) == created
    etag = read.headers["etag"]
    assert (await client.get(path, headers={**ctx.admin, "If-None-Match": etag})).status_code == 304
    head = await client.head(path, headers=ctx.admin)
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""

    download = await client.get(local(created["inhoud"]), headers=ctx.admin)
    check("get", DETAIL + "/download", download)
    assert download.content == CONTENT
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["content-disposition"].startswith('attachment; filename="brief.txt"')

    files = app.state.storage.root  # type: ignore[attr-defined]
    assert [p for p in files.rglob("*") if p.is_file()]
    deleted = await client.delete(path, headers=ctx.admin)
    assert deleted.status_code == 204 and deleted.headers["api-version"] == "1.4.2"
    assert check("get", DETAIL, await client.get(path, headers=ctx.admin))["status"] == 404
    assert [p for p in files.rglob("*") if p.is_file()] == []  # drc-008: the contents are gone
    key = created["url"].rsplit("/", 1)[-1]
    assert await session.scalar(select(func.count()).select_from(AuditRecord)
                                .where(AuditRecord.hoofd_object == uuid.UUID(key))) == 0  # drc-008
    assert await session.scalar(select(func.count()).select_from(Informatieobject)) == 0
    actions = list(await session.scalars(select(Message.actie).where(Message.kanaal == "documenten")
                                         .order_by(Message.id)))
    assert actions == ["create", "destroy"]
    message = await session.scalar(select(Message).where(Message.kanaal == "documenten"))
    assert message is not None and message.kenmerken == {
        "bronorganisatie": RSIN, "informatieobjecttype": ctx.iot, "vertrouwelijkheidaanduiding": "openbaar"}
    assert message.hoofd_object == created["url"] and key in message.resource_url


async def test_changes_need_the_lock_and_make_versions(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    created = await create_document(client, ctx.admin, ctx.iot, inhoud=b64(b"eerste versie"))
    path = local(created["url"])

    unlocked = await client.patch(path, json={"titel": "Nieuw"}, headers=ctx.admin)
    assert check("patch", DETAIL, unlocked)["invalidParams"][0]["code"] == "unlocked"
    locked = await client.post(f"{path}/lock", headers=ctx.admin)
    lock = check("post", DETAIL + "/lock", locked)["lock"]
    assert len(lock) >= 32
    again = await client.post(f"{path}/lock", headers=ctx.admin)
    assert check("post", DETAIL + "/lock", again)["invalidParams"][0]["code"] == "existing-lock"
    wrong = await client.patch(path, json={"titel": "Nieuw", "lock": "râden"}, headers=ctx.admin)
    assert check("patch", DETAIL, wrong)["invalidParams"][0]["code"] == "incorrect-lock-id"

    patched = await client.patch(path, json={"titel": "Nieuw", "lock": lock, "link": "https://example.nl/brief"},
                                 headers={**ctx.admin, "X-Audit-Toelichting": "Titel verbeterd"})
    second = check("patch", DETAIL, patched)
    assert second["versie"] == 2 and second["titel"] == "Nieuw" and second["locked"] is True
    assert second["inhoud"].endswith("download?versie=2") and second["link"] == "https://example.nl/brief"
    whole = {**document_body(ctx.iot), "titel": "Derde", "lock": lock, "inhoud": b64(b"derde versie"), "link": ""}
    third = check("put", DETAIL, await client.put(path, json=whole, headers=ctx.admin))
    assert third["versie"] == 3 and third["bestandsomvang"] == len(b"derde versie") and third["link"] == ""
    # A client that sends the document back as it read it (inhoud: its download URL) keeps the contents.
    echoed = {key: value for key, value in third.items() if key not in ("url", "versie", "locked")} | {"lock": lock}
    fourth = check("put", DETAIL, await client.put(path, json=echoed, headers=ctx.admin))
    assert fourth["versie"] == 4 and fourth["bestandsomvang"] == third["bestandsomvang"]

    assert check("get", DETAIL, await client.get(path, params={"versie": 1}, headers=ctx.admin))["titel"] == \
        "Brief aan inwoner"
    first = await client.get(f"{path}/download", params={"versie": 1}, headers=ctx.admin)
    assert first.content == b"eerste versie"
    assert (await client.get(f"{path}/download", headers=ctx.admin)).content == b"derde versie"
    missing = await client.get(path, params={"versie": 9}, headers=ctx.admin)
    assert check("get", DETAIL, missing)["status"] == 404
    started = dt.datetime.fromisoformat(created["beginRegistratie"].replace("Z", "+00:00"))
    at_start = await client.get(path, params={"registratieOp": started.isoformat()}, headers=ctx.admin)
    assert check("get", DETAIL, at_start)["versie"] == 1
    bad_moment = await client.get(path, params={"registratieOp": "gisteren"}, headers=ctx.admin)
    assert bad_moment.status_code == 400

    unlock = await client.post(f"{path}/unlock", json={"lock": lock}, headers=ctx.admin)
    assert unlock.status_code == 204 and unlock.headers["api-version"] == "1.4.2"
    assert check("get", DETAIL, await client.get(path, headers=ctx.admin))["locked"] is False
    assert await session.scalar(select(func.count()).select_from(InformatieobjectVersie)) == 4
    actions = list(await session.scalars(select(Message.actie).where(Message.kanaal == "documenten")
                                         .order_by(Message.id)))
    assert actions == ["create", "partial_update", "update", "update"]
    trail = check("get", "/enkelvoudiginformatieobjecten/{enkelvoudiginformatieobject_uuid}/audittrail",
                  await client.get(f"{path}/audittrail", headers=ctx.admin))
    assert [entry["actie"] for entry in trail] == ["create", "partial_update", "update", "update"]
    assert trail[1]["wijzigingen"]["oud"]["titel"] == "Brief aan inwoner"
    assert trail[1]["wijzigingen"]["nieuw"]["titel"] == "Nieuw" and trail[1]["toelichting"] == "Titel verbeterd"
    one = await client.get(f"{path}/audittrail/{trail[0]['uuid']}", headers=ctx.admin)
    assert check("get", "/enkelvoudiginformatieobjecten/{enkelvoudiginformatieobject_uuid}/audittrail/{uuid}",
                 one)["actie"] == "create"


async def test_the_create_rules_name_the_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    concept = ctx.iot.replace(ctx.iot.rsplit("/", 1)[-1], "00000000-0000-4000-8000-000000000000")
    cases = [
        ({"informatieobjecttype": concept}, "informatieobjecttype", "bad-url"),
        ({"informatieobjecttype": ctx.iot.replace("informatieobjecttypen", "zaaktypen")}, "informatieobjecttype",
         "invalid-resource"),
        ({"informatieobjecttype": "https://elders.example/catalogi/api/v1/informatieobjecttypen/1"},
         "informatieobjecttype", "bad-url"),
        ({"status": "in_bewerking", "ontvangstdatum": "2026-11-01"}, "status", "invalid_for_received"),
        ({"bronorganisatie": "123456789"}, "bronorganisatie", "invalid"),
        ({"titel": 12}, "titel", "invalid"),
        ({"taal": "nederlands"}, "taal", "max_length"),
        ({"inhoud": "niet base64!"}, "inhoud", "invalid"),
        ({"inhoud": b64(b"vier"), "bestandsomvang": 5}, "bestandsomvang", "file-size"),
        ({"vertrouwelijkheidaanduiding": "supergeheim"}, "vertrouwelijkheidaanduiding", "invalid"),
        ({"bestandsomvang": 2**62}, "bestandsomvang", "max_value"),
    ]
    for change, name, code in cases:
        response = await client.post(DOCUMENTEN, json=document_body(ctx.iot, **change), headers=ctx.admin)
        body = check("post", "/enkelvoudiginformatieobjecten", response)
        assert response.status_code == 400, (change, body)
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]}
                                                for p in body["invalidParams"]], (change, body)
    await create_document(client, ctx.admin, ctx.iot, identificatie="BRIEF-1")
    taken = await client.post(DOCUMENTEN, json=document_body(ctx.iot, identificatie="BRIEF-1"), headers=ctx.admin)
    assert check("post", "/enkelvoudiginformatieobjecten", taken)["invalidParams"][0]["code"] == \
        "identificatie-niet-uniek"
    assert await session.scalar(select(func.count()).select_from(Informatieobject)) == 1


async def test_the_generator_skips_identificaties_chosen_on_create_or_change(client: httpx.AsyncClient,
                                                                              session: AsyncSession) -> None:
    ctx = await setup(client, session)
    year = clock.today().year
    await create_document(client, ctx.admin, ctx.iot, identificatie=f"DOCUMENT-{year}-{2:010d}")
    changed = await create_document(client, ctx.admin, ctx.iot, identificatie="BRIEF-7")
    path = local(changed["url"])
    lock = (await client.post(f"{path}/lock", headers=ctx.admin)).json()["lock"]
    renamed = await client.patch(path, json={"identificatie": f"DOCUMENT-{year}-{4:010d}", "lock": lock},
                                 headers=ctx.admin)
    assert renamed.status_code == 200, renamed.text
    generated = [(await create_document(client, ctx.admin, ctx.iot))["identificatie"] for _ in range(3)]
    assert generated == [f"DOCUMENT-{year}-{number:010d}" for number in (5, 6, 7)]


async def test_malformed_bodies_and_unknown_parameters_are_refused(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    ctx = await setup(client, session)
    created = await create_document(client, ctx.admin, ctx.iot)
    path = local(created["url"])
    broken = await client.post(DOCUMENTEN, content=b'{"titel": "x", "inhoud": "QUJD', headers={
        **ctx.admin, "Content-Type": "application/json"})
    assert check("post", "/enkelvoudiginformatieobjecten", broken)["invalidParams"][0]["code"] == "parse_error"
    not_json = await client.post(DOCUMENTEN, content=b"{titel: x}", headers={
        **ctx.admin, "Content-Type": "application/json"})
    assert check("post", "/enkelvoudiginformatieobjecten", not_json)["status"] == 400
    a_list = await client.post(DOCUMENTEN, json=[document_body(ctx.iot)], headers=ctx.admin)
    assert check("post", "/enkelvoudiginformatieobjecten", a_list)["status"] == 400
    xml = await client.post(DOCUMENTEN, content=b"<x/>", headers={**ctx.admin, "Content-Type": "application/xml"})
    assert check("post", "/enkelvoudiginformatieobjecten", xml)["status"] == 415
    unknown = await client.get(DOCUMENTEN, params={"titel": "x"}, headers=ctx.admin)
    assert check("get", "/enkelvoudiginformatieobjecten", unknown)["invalidParams"][0]["code"] == \
        "unknown-parameters"
    bad_versie = await client.get(path, params={"versie": "een"}, headers=ctx.admin)
    assert bad_versie.status_code == 400
    nowhere = await client.get(f"{DOCUMENTEN}/niet-een-uuid", headers=ctx.admin)
    assert check("get", DETAIL, nowhere)["status"] == 404
    assert (await client.post(f"{path}/lock", headers=ctx.admin)).status_code == 200
    bad_unlock = await client.post(f"{path}/unlock", content=b"{", headers={
        **ctx.admin, "Content-Type": "application/json"})
    assert check("post", DETAIL + "/unlock", bad_unlock)["status"] == 400


async def test_lists_filter_page_and_search(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    first = await create_document(client, ctx.admin, ctx.iot, identificatie="A-1", trefwoorden=["brief", "wmo"])
    second = await create_document(client, ctx.admin, ctx.iot, identificatie="A-2", trefwoorden=["besluit"])

    async def urls(**params: str) -> list[str]:
        body = check("get", "/enkelvoudiginformatieobjecten",
                     await client.get(DOCUMENTEN, params=params, headers=ctx.admin))
        return [item["url"] for item in body["results"]]

    assert await urls() == [first["url"], second["url"]]
    assert await urls(identificatie="A-2") == [second["url"]]
    assert await urls(bronorganisatie=RSIN) == [first["url"], second["url"]]
    assert await urls(bronorganisatie="000000000") == []
    assert await urls(trefwoorden="wmo") == [first["url"]]
    assert await urls(trefwoorden="besluit,wmo") == [first["url"], second["url"]]
    # Past the last page: 404, as the reference implementation answers (the document lists no 404 here).
    assert (await client.get(DOCUMENTEN, params={"page": 2}, headers=ctx.admin)).status_code == 404

    search = await client.post(f"{DOCUMENTEN}/_zoek", json={"uuid_In": [second["url"].rsplit("/", 1)[-1]]},
                               headers=ctx.admin)
    found = check("post", "/enkelvoudiginformatieobjecten/_zoek", search)
    assert [item["url"] for item in found["results"]] == [second["url"]] and found["count"] == 1
    bad = await client.post(f"{DOCUMENTEN}/_zoek", json={"uuid_In": ["geen-uuid"]}, headers=ctx.admin)
    assert check("post", "/enkelvoudiginformatieobjecten/_zoek", bad)["invalidParams"][0]["name"] == "uuid_In.0"
    missing = await client.post(f"{DOCUMENTEN}/_zoek", json={}, headers=ctx.admin)
    assert check("post", "/enkelvoudiginformatieobjecten/_zoek", missing)["invalidParams"][0]["code"] == "required"


async def test_the_served_schema_is_the_standards(client: httpx.AsyncClient) -> None:
    served = await client.get("/documenten/api/v1/openapi.yaml")
    assert served.status_code == 200 and "title: Documenten API" in served.text
    assert (await client.get("/documenten/api/v1/openapi.json")).json()["info"]["version"] == "1.4.2"
