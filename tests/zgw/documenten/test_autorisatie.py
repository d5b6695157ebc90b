"""Authorisation as the standard has it: a JWT (401 without), the operation's scope (403 without), and per
informatieobjecttype up to a maximum vertrouwelijkheidaanduiding, with lists filtered in the database."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.zgw.documenten.helpers import (
    BASE,
    DETAIL,
    DOCUMENTEN,
    check,
    create_document,
    document_body,
    drc_client,
    local,
    setup,
)

READ = ["documenten.lezen"]


async def test_a_restricted_client_sees_only_its_types_up_to_its_maximum(client: httpx.AsyncClient,
                                                                          session: AsyncSession) -> None:
    ctx = await setup(client, session)
    open_letter = await create_document(client, ctx.admin, ctx.iot)
    secret_letter = await create_document(client, ctx.admin, ctx.iot, vertrouwelijkheidaanduiding="geheim")
    decision = await create_document(client, ctx.admin, ctx.other_iot)
    headers = await drc_client(session, "lezer", [*READ, "documenten.aanmaken", "audittrails.lezen"],
                               [(ctx.iot, "zaakvertrouwelijk")])

    listed = check("get", "/enkelvoudiginformatieobjecten", await client.get(DOCUMENTEN, headers=headers))
    assert [item["url"] for item in listed["results"]] == [open_letter["url"]] and listed["count"] == 1
    zoek = await client.post(f"{DOCUMENTEN}/_zoek", json={"uuid_In": [
        doc["url"].rsplit("/", 1)[-1] for doc in (open_letter, secret_letter, decision)]}, headers=headers)
    assert [item["url"] for item in check("post", "/enkelvoudiginformatieobjecten/_zoek", zoek)["results"]] == [
        open_letter["url"]]
    assert (await client.get(local(open_letter["url"]), headers=headers)).status_code == 200
    for hidden in (secret_letter, decision):
        response = await client.get(local(hidden["url"]), headers=headers)
        assert check("get", DETAIL, response)["status"] == 403
        download = await client.get(f"{local(hidden['url'])}/download", headers=headers)
        assert check("get", DETAIL + "/download", download)["status"] == 403
        trail = await client.get(f"{local(hidden['url'])}/audittrail", headers=headers)
        assert trail.status_code == 403
    assert (await client.get(f"{local(open_letter['url'])}/audittrail", headers=headers)).status_code == 200

    allowed = await client.post(DOCUMENTEN, json=document_body(ctx.iot, vertrouwelijkheidaanduiding="intern"),
                                headers=headers)
    assert check("post", "/enkelvoudiginformatieobjecten", allowed).get("url")
    too_secret = await client.post(DOCUMENTEN, json=document_body(ctx.iot, vertrouwelijkheidaanduiding="geheim"),
                                   headers=headers)
    assert check("post", "/enkelvoudiginformatieobjecten", too_secret)["status"] == 403
    other_type = await client.post(DOCUMENTEN, json=document_body(ctx.other_iot), headers=headers)
    assert check("post", "/enkelvoudiginformatieobjecten", other_type)["status"] == 403

    for document in (open_letter, secret_letter):
        await client.post(f"{BASE}/gebruiksrechten", json={
            "informatieobject": document["url"], "startdatum": "2026-01-01T00:00:00Z",
            "omschrijvingVoorwaarden": "Intern"}, headers=ctx.admin)
    rechten = check("get", "/gebruiksrechten", await client.get(f"{BASE}/gebruiksrechten", headers=headers))
    assert [item["informatieobject"] for item in rechten] == [open_letter["url"]]
    refused = await client.post(f"{BASE}/gebruiksrechten", json={
        "informatieobject": decision["url"], "startdatum": "2026-01-01T00:00:00Z", "omschrijvingVoorwaarden": "x"},
        headers=headers)
    assert check("post", "/gebruiksrechten", refused)["status"] == 403


async def test_no_token_no_scope(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    nobody = await client.get(DOCUMENTEN)
    assert check("get", "/enkelvoudiginformatieobjecten", nobody)["status"] == 401
    assert nobody.headers["www-authenticate"] == "Bearer"
    garbage = await client.get(DOCUMENTEN, headers={"Authorization": "Bearer niet.een.jwt"})
    assert check("get", "/enkelvoudiginformatieobjecten", garbage)["status"] == 401

    reader = await drc_client(session, "alleen-lezen", READ, [(ctx.iot, "geheim")])
    path = local(document["url"])
    cases = [
        ("post", "/enkelvoudiginformatieobjecten", client.post(DOCUMENTEN, json=document_body(ctx.iot),
                                                                headers=reader)),
        ("patch", DETAIL, client.patch(path, json={"titel": "x"}, headers=reader)),
        ("delete", DETAIL, client.delete(path, headers=reader)),
        ("post", DETAIL + "/lock", client.post(f"{path}/lock", headers=reader)),
        ("post", DETAIL + "/unlock", client.post(f"{path}/unlock", headers=reader)),
        ("get", "/enkelvoudiginformatieobjecten/{enkelvoudiginformatieobject_uuid}/audittrail",
         client.get(f"{path}/audittrail", headers=reader)),
    ]
    for method, spec_path, request in cases:
        assert check(method, spec_path, await request)["status"] == 403, spec_path
    assert check("get", DETAIL, await client.get(path, headers=reader))["url"] == document["url"]

    stranger = await drc_client(session, "vreemde", ["zaken.lezen"], [], extra=[
        {"component": "ztc", "scopes": ["catalogi.lezen"]}])
    verzendingen = await client.get(f"{BASE}/verzendingen", headers=stranger)
    assert check("get", "/verzendingen", verzendingen)["status"] == 403
    head = await client.head(path, headers=stranger)
    assert head.status_code == 403
