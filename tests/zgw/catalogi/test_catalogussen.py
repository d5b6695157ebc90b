"""Catalogussen: create, read, HEAD with ETag, list with each filter; the RSIN and (rsin, domein) rules; one
catalogus per municipality."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import stable_rsin
from plein.organisations import service as organisations
from plein.zgw.catalogi.models import Catalogus
from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus
from tests.factories import AMSTERDAM
from tests.zgw.catalogi.helpers import BASE, RSIN, catalogus_body, check, local, post, scoped, zaaktype_body
from tests.zgw.helpers import all_rights


async def test_a_catalogus_is_created_read_and_listed(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    created = await post(client, headers, "catalogussen", catalogus_body())
    assert created["zaaktypen"] == [] and created["rsin"] == RSIN
    other = await post(client, headers, "catalogussen", catalogus_body(rsin=stable_rsin("ander"), domein="ANDER"))

    read = await client.get(local(created["url"]), headers=headers)
    assert check("get", "/catalogussen/{uuid}", read) == created
    etag = read.headers["etag"]
    head = await client.head(local(created["url"]), headers=headers)
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""
    cached = await client.get(local(created["url"]), headers=headers | {"If-None-Match": f'"x", {etag}'})
    assert cached.status_code == 304

    for params, expected in [({"domein": "TEST"}, [created]), ({"rsin": RSIN}, [created]),
                             ({"domein__in": "TEST,ANDER"}, [created, other]),
                             ({"rsin__in": stable_rsin("ander")}, [other]), ({}, [created, other])]:
        listed = check("get", "/catalogussen", await client.get(f"{BASE}/catalogussen", params=params,
                                                                  headers=headers))
        assert [c["url"] for c in listed["results"]] == [c["url"] for c in expected], params


async def test_catalogus_rules(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    await post(client, headers, "catalogussen", catalogus_body())
    for body, name, code in [(catalogus_body(), "domein", "unique"),
                             (catalogus_body(rsin="123456789", domein="X"), "rsin", "invalid"),
                             (catalogus_body(domein="TOOLONG"), "domein", "max_length"),
                             ({"rsin": RSIN}, "domein", "required")]:
        response = await client.post(f"{BASE}/catalogussen", json=body, headers=headers)
        problem = check("post", "/catalogussen", response)
        assert response.status_code == 400
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]} for p in
                                                problem["invalidParams"]], problem
    assert await session.scalar(select(func.count()).select_from(Catalogus)) == 1
    missing = await client.get(f"{BASE}/catalogussen/1b9ffe2f-7e5b-4a9e-9f59-cb7f36b8f8a4", headers=headers)
    assert check("get", "/catalogussen/{uuid}", missing)["status"] == 404


async def test_a_client_of_a_municipality_writes_only_its_own_catalogus(client: httpx.AsyncClient,
                                                                       session: AsyncSession) -> None:
    amsterdam = await organisations.get_by_code(session, AMSTERDAM)
    headers = await scoped(session, "amsterdam-ztc", ["catalogi.lezen", "catalogi.schrijven"], AMSTERDAM)
    refused = await client.post(f"{BASE}/catalogussen", json=catalogus_body(), headers=headers)
    assert check("post", "/catalogussen", refused)["status"] == 403
    own = await client.post(f"{BASE}/catalogussen", json=catalogus_body(rsin=amsterdam.rsin), headers=headers)
    assert own.status_code == 201
    admin = await all_rights(session)
    foreign = (await post(client, admin, "catalogussen", catalogus_body()))["url"]
    elsewhere = await client.post(f"{BASE}/zaaktypen", json=zaaktype_body(foreign), headers=headers)
    assert check("post", "/zaaktypen", elsewhere)["status"] == 403
    assert (await client.post(f"{BASE}/zaaktypen", json=zaaktype_body(own.json()["url"]),
                              headers=headers)).status_code == 201


async def test_each_municipality_gets_one_catalogus(session: AsyncSession) -> None:
    first = await ensure_municipality_catalogus(session, AMSTERDAM)
    await session.commit()
    again = await ensure_municipality_catalogus(session, AMSTERDAM)
    assert first.id == again.id and first.domein == "AMSTE"
    amsterdam = await organisations.get_by_code(session, AMSTERDAM)
    assert first.rsin == amsterdam.rsin
    assert await session.scalar(select(func.count()).select_from(Catalogus)) == 1
