"""Besluitinformatieobjecten: recording a besluit in a document (brc-003, brc-008) with its mirror in the Documenten
API (brc-005), listing and filtering them, authorisation through the besluit, and their removal with the besluit
(brc-009)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.audit import AuditRecord
from plein.zgw.besluiten.models import BesluitInformatieObject
from plein.zgw.documenten.models import ObjectInformatieobject
from tests.zgw.besluiten.helpers import (
    BASE,
    BIO_DETAIL,
    Setup,
    brc_client,
    check,
    create_besluit,
    document,
    local,
    published,
    setup,
)
from tests.zgw.catalogi.helpers import bt_body, iot_body

COLLECTION = "/besluitinformatieobjecten"


@pytest.fixture
async def ctx(client: httpx.AsyncClient, session: AsyncSession) -> Setup:
    return await setup(client, session)


async def mirrors(session: AsyncSession) -> list[tuple[str, str]]:
    session.expire_all()
    rows = await session.execute(select(ObjectInformatieobject.object, ObjectInformatieobject.object_type))
    return sorted((str(url), str(kind)) for url, kind in rows)


async def relate(client: httpx.AsyncClient, headers: dict[str, str], besluit: str, informatieobject: str,
                 ) -> httpx.Response:
    return await client.post(f"{BASE}{COLLECTION}", json={"besluit": besluit, "informatieobject": informatieobject},
                             headers=headers)


async def test_a_document_records_a_besluit_and_the_documenten_api_mirrors_it(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype)
    brief = await document(client, ctx.admin, ctx.iot)
    created = await relate(client, ctx.admin, besluit["url"], brief)
    relation = check("post", COLLECTION, created)
    assert created.status_code == 201 and created.headers["location"] == relation["url"]
    assert (relation["besluit"], relation["informatieobject"]) == (besluit["url"], brief)
    assert await mirrors(session) == [(besluit["url"], "besluit")]  # brc-005
    oio = await client.get("/documenten/api/v1/objectinformatieobjecten", params={"object": besluit["url"]},
                           headers=ctx.admin)
    assert [o["informatieobject"] for o in oio.json()] == [brief]

    path = local(relation["url"])
    read = await client.get(path, headers=ctx.admin)
    assert check("get", BIO_DETAIL, read) == relation
    assert (await client.get(path, headers=ctx.admin | {"If-None-Match": read.headers["etag"]})).status_code == 304
    head = await client.head(path, headers=ctx.admin)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", read.headers["etag"])

    other = await create_besluit(client, ctx.admin, ctx.besluittype)
    second = check("post", COLLECTION, await relate(client, ctx.admin, other["url"], brief))
    for params, expected in (({}, [relation, second]), ({"besluit": besluit["url"]}, [relation]),
                             ({"informatieobject": brief}, [relation, second]),
                             ({"besluit": other["url"], "informatieobject": brief}, [second])):
        listed = await client.get(f"{BASE}{COLLECTION}", params=params, headers=ctx.admin)
        assert check("get", COLLECTION, listed) == expected, params

    duplicate = check("post", COLLECTION, await relate(client, ctx.admin, besluit["url"], brief))
    assert duplicate["invalidParams"][0]["code"] == "unique"
    in_use = await client.delete(local(brief), headers=ctx.admin)
    assert in_use.status_code in (400, 409)  # drc-008: the document stays while a besluit is recorded in it

    removed = await client.delete(path, headers=ctx.admin)
    assert removed.status_code == 204 and removed.headers["api-version"] == "1.1.0"
    assert check("get", BIO_DETAIL, await client.get(path, headers=ctx.admin))["status"] == 404
    assert await mirrors(session) == [(other["url"], "besluit")]
    trail = await client.get(f"{local(besluit['url'])}/audittrail", headers=ctx.admin)
    assert [(e["actie"], e["resource"]) for e in trail.json()] == [
        ("create", "besluit"), ("create", "besluitinformatieobject"), ("destroy", "besluitinformatieobject")]

    assert (await client.delete(local(other["url"]), headers=ctx.admin)).status_code == 204  # brc-009
    assert await mirrors(session) == []
    assert await session.scalar(select(func.count()).select_from(BesluitInformatieObject)) == 0
    assert (await client.delete(local(brief), headers=ctx.admin)).status_code == 204


async def test_the_documenten_api_knows_which_relations_the_besluiten_api_holds(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype)
    brief = await document(client, ctx.admin, ctx.iot)
    oio = {"informatieobject": brief, "object": besluit["url"], "objectType": "besluit"}
    unrelated = await client.post("/documenten/api/v1/objectinformatieobjecten", json=oio, headers=ctx.admin)
    assert unrelated.status_code in (400, 409) and "inconsistent-relation" in unrelated.text  # drc-004
    relation = check("post", COLLECTION, await relate(client, ctx.admin, besluit["url"], brief))
    mirrored = await client.post("/documenten/api/v1/objectinformatieobjecten", json=oio, headers=ctx.admin)
    assert mirrored.status_code in (400, 409) and "unique" in mirrored.text  # drc-003: the mirror exists already
    mirror = (await client.get("/documenten/api/v1/objectinformatieobjecten", headers=ctx.admin)).json()[0]
    held = await client.delete(local(mirror["url"]), headers=ctx.admin)
    assert held.status_code in (400, 409) and "inconsistent-relation" in held.text  # the Besluiten API leads
    assert await mirrors(session) == [(besluit["url"], "besluit")]
    assert (await client.delete(local(relation["url"]), headers=ctx.admin)).status_code == 204


async def test_bad_relations_get_the_standards_errors_and_leave_nothing(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype)
    other_iot = await published(client, ctx.admin, "informatieobjecttypen", iot_body(ctx.catalogus, "Notitie"))
    notitie = await document(client, ctx.admin, other_iot)
    brief = await document(client, ctx.admin, ctx.iot)
    missing = brief[:-36] + "00000000-0000-4000-8000-000000000000"
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"besluit": besluit["url"], "informatieobject": notitie}, "nonFieldErrors",
         "missing-besluittype-informatieobjecttype-relation"),
        ({"besluit": besluit["url"], "informatieobject": missing}, "informatieobject", "bad-url"),
        ({"besluit": besluit["url"], "informatieobject": besluit["url"]}, "informatieobject", "invalid-resource"),
        ({"besluit": besluit["url"], "informatieobject": "https://elders.example/documenten/1"}, "informatieobject",
         "bad-url"),
        ({"besluit": brief, "informatieobject": brief}, "besluit", "invalid-resource"),
        ({"besluit": besluit["url"][:-36] + "00000000-0000-4000-8000-000000000000", "informatieobject": brief},
         "besluit", "bad-url"),
        ({"besluit": besluit["url"]}, "informatieobject", "required"),
        ({"besluit": besluit["url"], "informatieobject": 7}, "informatieobject", "invalid"),
    ]
    for body, name, code in cases:
        response = await client.post(f"{BASE}{COLLECTION}", json=body, headers=ctx.admin)
        problem = check("post", COLLECTION, response)
        assert response.status_code == 400, response.text
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]}
                                                for p in problem["invalidParams"]], (name, problem)
    assert await mirrors(session) == []
    assert await session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.resource == "besluitinformatieobject")) == 0
    for params in ({"kleur": "blauw"}, {"besluit": brief}, {"informatieobject": besluit["url"]},
                   {"expand": "besluittype"}):
        bad = await client.get(f"{BASE}{COLLECTION}", params=params, headers=ctx.admin)
        assert check("get", COLLECTION, bad)["status"] == 400, params
    malformed = await client.post(f"{BASE}{COLLECTION}", content=b"{", headers=ctx.admin | {
        "Content-Type": "application/json"})
    assert check("post", COLLECTION, malformed)["status"] == 400


async def test_relations_are_authorised_through_their_besluit(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup, app: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    other_type = await published(client, ctx.admin, "besluittypen", bt_body(
        ctx.catalogus, "Vergunning", informatieobjecttypen=["Besluitbrief"]))
    brief = await document(client, ctx.admin, ctx.iot)
    mine = await create_besluit(client, ctx.admin, ctx.besluittype)
    theirs = await create_besluit(client, ctx.admin, other_type)
    own = check("post", COLLECTION, await relate(client, ctx.admin, mine["url"], brief))
    foreign = check("post", COLLECTION, await relate(client, ctx.admin, theirs["url"], brief))
    reader = await brc_client(session, "lezer", ["besluiten.lezen", "besluiten.aanmaken"], [ctx.besluittype])
    listed = await client.get(f"{BASE}{COLLECTION}", headers=reader)
    assert check("get", COLLECTION, listed) == [own]
    assert check("get", BIO_DETAIL, await client.get(local(foreign["url"]), headers=reader))["status"] == 403
    assert check("post", COLLECTION, await relate(client, reader, theirs["url"], brief))["status"] == 403
    assert check("delete", BIO_DETAIL, await client.delete(local(own["url"]), headers=reader))["status"] == 403
    anonymous = await client.get(f"{BASE}{COLLECTION}")
    assert check("get", COLLECTION, anonymous)["status"] == 401

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr("plein.zgw.besluiten.relations.changed", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    another = await document(client, ctx.admin, ctx.iot)
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as failing:
        half = await failing.post(f"{BASE}{COLLECTION}", headers=ctx.admin,
                                  json={"besluit": mine["url"], "informatieobject": another})
        gone = await failing.delete(local(own["url"]), headers=ctx.admin)
    assert (half.status_code, gone.status_code) == (500, 500)
    assert await mirrors(session) == sorted([(mine["url"], "besluit"), (theirs["url"], "besluit")])
    assert await session.scalar(select(func.count()).select_from(BesluitInformatieObject)) == 2
