"""The expand parameter (drc-011 … drc-014): Documenten and Catalogi resources inline, three levels at most."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.zgw.documenten.helpers import BASE, DETAIL, DOCUMENTEN, check, create_document, drc_client, local, setup


async def test_expand_shows_related_resources_inline(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setup(client, session)
    document = await create_document(client, ctx.admin, ctx.iot)
    path = local(document["url"])
    detail = check("get", DETAIL, await client.get(path, params={"expand": "informatieobjecttype"},
                                                   headers=ctx.admin))
    assert detail["_expand"]["informatieobjecttype"]["url"] == ctx.iot
    listed = check("get", "/enkelvoudiginformatieobjecten", await client.get(
        DOCUMENTEN, params={"expand": "informatieobjecttype.catalogus"}, headers=ctx.admin))
    iot = listed["results"][0]["_expand"]["informatieobjecttype"]
    assert iot["_expand"]["catalogus"]["url"] == iot["catalogus"]
    zoek = check("post", "/enkelvoudiginformatieobjecten/_zoek", await client.post(f"{DOCUMENTEN}/_zoek", json={
        "uuid_In": [path.rsplit("/", 1)[-1]], "expand": "informatieobjecttype"}, headers=ctx.admin))
    assert zoek["results"][0]["_expand"]["informatieobjecttype"]["url"] == ctx.iot

    rechten = check("post", "/gebruiksrechten", await client.post(f"{BASE}/gebruiksrechten", json={
        "informatieobject": document["url"], "startdatum": "2026-01-01T00:00:00Z", "omschrijvingVoorwaarden": "x"},
        headers=ctx.admin))
    deep = "informatieobject.informatieobjecttype.catalogus.zaaktypen"  # the fourth level is left out (drc-012)
    found = check("get", "/gebruiksrechten/{uuid}", await client.get(local(rechten["url"]), params={
        "expand": deep}, headers=ctx.admin))
    expanded = found["_expand"]["informatieobject"]
    assert expanded["url"] == document["url"]
    assert "catalogus" in expanded["_expand"]["informatieobjecttype"]["_expand"]
    in_list = check("get", "/gebruiksrechten", await client.get(f"{BASE}/gebruiksrechten", params={
        "expand": "informatieobject"}, headers=ctx.admin))
    assert in_list[0]["_expand"]["informatieobject"]["titel"] == document["titel"]

    unknown = await client.get(path, params={"expand": "titel"}, headers=ctx.admin)
    assert check("get", DETAIL, unknown)["status"] == 404  # drc-013
    unknown_in_list = await client.get(DOCUMENTEN, params={"expand": "titel"}, headers=ctx.admin)
    assert check("get", "/enkelvoudiginformatieobjecten", unknown_in_list)["invalidParams"][0]["name"] == "expand"
    elsewhere = await client.get(f"{BASE}/verzendingen", params={"expand": "betrokkene"}, headers=ctx.admin)
    assert check("get", "/verzendingen", elsewhere)["status"] == 406  # drc-011

    # Without catalogi.lezen the informatieobjecttype is not expanded.
    reader = await drc_client(session, "lezer", ["documenten.lezen"], [(ctx.iot, "openbaar")])
    plain = check("get", DETAIL, await client.get(path, params={"expand": "informatieobjecttype"}, headers=reader))
    assert "_expand" not in plain
