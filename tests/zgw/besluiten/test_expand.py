"""`expand` on besluiten and besluitinformatieobjecten: linked resources under `_expand`, nested with the dot notation,
an empty reference as `{}`, resources the caller may not read left out, and names that cannot be expanded refused."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.zgw.besluiten.helpers import (
    BASE,
    BIO_DETAIL,
    DETAIL,
    Setup,
    brc_client,
    check,
    create_besluit,
    document,
    local,
    setup,
)


@pytest.fixture
async def ctx(client: httpx.AsyncClient, session: AsyncSession) -> Setup:
    return await setup(client, session)


async def test_a_besluit_expands_its_besluittype_and_zaak_to_any_depth(client: httpx.AsyncClient, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak)
    path = local(besluit["url"])
    read = await client.get(path, params={"expand": "besluittype,zaak.zaaktype.catalogus"}, headers=ctx.admin)
    shown = check("get", DETAIL, read)
    expanded = shown.pop("_expand")
    assert shown == besluit
    assert expanded["besluittype"]["url"] == ctx.besluittype
    assert expanded["besluittype"]["informatieobjecttypen"] == [ctx.iot]
    assert expanded["zaak"]["url"] == ctx.zaak
    zaaktype = expanded["zaak"]["_expand"]["zaaktype"]
    assert (zaaktype["url"], zaaktype["_expand"]["catalogus"]["url"]) == (ctx.zaaktype.url, ctx.catalogus)
    plain = await client.get(path, headers=ctx.admin)
    assert plain.headers["etag"] != read.headers["etag"]

    lonely = await create_besluit(client, ctx.admin, ctx.besluittype)
    listed = await client.get(f"{BASE}/besluiten", params={"expand": "zaak,besluittype.informatieobjecttypen"},
                              headers=ctx.admin)
    results = check("get", "/besluiten", listed)["results"]
    assert [r["_expand"]["zaak"].get("url") for r in results] == [ctx.zaak, None]
    assert results[1]["_expand"]["zaak"] == {}  # the EmptyObject of an empty reference
    types = results[0]["_expand"]["besluittype"]["_expand"]["informatieobjecttypen"]
    assert [t["url"] for t in types] == [ctx.iot]
    assert results[0]["_expand"]["besluittype"] == results[1]["_expand"]["besluittype"]
    assert lonely["url"] == results[1]["url"]


async def test_a_relation_expands_its_document_and_besluit(client: httpx.AsyncClient, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak)
    brief = await document(client, ctx.admin, ctx.iot)
    relation = (await client.post(f"{BASE}/besluitinformatieobjecten", headers=ctx.admin,
                                  json={"besluit": besluit["url"], "informatieobject": brief})).json()
    read = await client.get(local(relation["url"]), headers=ctx.admin,
                            params={"expand": "informatieobject.informatieobjecttype,besluit.besluittype"})
    expanded = check("get", BIO_DETAIL, read)["_expand"]
    assert expanded["informatieobject"]["url"] == brief
    assert expanded["informatieobject"]["_expand"]["informatieobjecttype"]["url"] == ctx.iot
    assert expanded["besluit"]["url"] == besluit["url"]
    assert expanded["besluit"]["_expand"]["besluittype"]["url"] == ctx.besluittype
    listed = await client.get(f"{BASE}/besluitinformatieobjecten", params={"expand": "besluit"}, headers=ctx.admin)
    assert [r["_expand"]["besluit"]["url"] for r in check("get", "/besluitinformatieobjecten", listed)] == [
        besluit["url"]]


async def test_what_the_caller_may_not_read_stays_out_and_bad_names_are_refused(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak)
    brief = await document(client, ctx.admin, ctx.iot)
    relation = (await client.post(f"{BASE}/besluitinformatieobjecten", headers=ctx.admin,
                                  json={"besluit": besluit["url"], "informatieobject": brief})).json()
    reader = await brc_client(session, "lezer", ["besluiten.lezen"], [ctx.besluittype])
    read = await client.get(local(besluit["url"]), params={"expand": "zaak,besluittype"}, headers=reader)
    expanded = check("get", DETAIL, read)["_expand"]
    assert "zaak" not in expanded and expanded["besluittype"]["url"] == ctx.besluittype
    shown = await client.get(local(relation["url"]), params={"expand": "informatieobject,besluit"}, headers=reader)
    assert list(check("get", BIO_DETAIL, shown)["_expand"]) == ["besluit"]

    status = await client.post("/zaken/api/v1/statussen", headers=ctx.admin, json={
        "zaak": ctx.zaak, "statustype": ctx.zaaktype.statustypen[0], "datumStatusGezet": "2026-11-02T10:00:00Z"})
    assert status.status_code == 201  # a status is a resource of the Zaken API that Besluiten does not expand
    path = local(besluit["url"])
    for expand in ("toelichting", "zaak.onbekend", "zaak.status", "besluittype.", "zaak..zaaktype",
                   "zaak.zaaktype.selectielijstProcestype"):
        refused = await client.get(f"{BASE}/besluiten", params={"expand": expand}, headers=ctx.admin)
        problem = check("get", "/besluiten", refused)
        assert (refused.status_code, problem["invalidParams"][0]["name"]) == (400, "expand"), expand
        detail = await client.get(path, params={"expand": expand}, headers=ctx.admin)
        assert detail.status_code == 400, expand
    empty = await client.get(f"{BASE}/besluiten", params={"expand": ""}, headers=ctx.admin)
    assert "_expand" not in check("get", "/besluiten", empty)["results"][0]
