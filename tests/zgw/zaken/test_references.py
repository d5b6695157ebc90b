"""Zaakcontactmomenten and zaakverzoeken (external URLs kept as given, once per zaak) and zaakbesluiten (only a local
besluit that names the zaak; the Besluiten API makes and removes them for its besluiten)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.zaken.models import ZaakBesluit
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local
from tests.zgw.zaken.relation_helpers import (
    Setting,
    close,
    codes,
    messages,
    new_zaak,
    problem,
    setting,
    trail,
    zaak_client,
)

CONTACTMOMENT = "https://klantinteracties.example/contactmomenten/api/v1/contactmomenten/1"
VERZOEK = "https://verzoeken.example/api/v1/verzoeken/1"
BESLUITEN = "/zaken/{zaak_uuid}/besluiten"


async def test_contactmomenten_and_verzoeken_are_related_listed_and_removed(client: httpx.AsyncClient,
                                                                            session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    other = await new_zaak(client, ctx)
    for collection, field, value in (("zaakcontactmomenten", "contactmoment", CONTACTMOMENT),
                                     ("zaakverzoeken", "verzoek", VERZOEK)):
        path, detail = f"/{collection}", f"/{collection}/{{uuid}}"
        created = await client.post(f"{BASE}/{collection}", headers=ctx.admin, json={"zaak": zaak["url"],
                                                                                   field: value})
        body = assert_spec("zaken", "post", path, created)
        assert created.status_code == 201, created.text
        assert (body[field], body["zaak"]) == (value, zaak["url"])
        elsewhere = (await client.post(f"{BASE}/{collection}", headers=ctx.admin, json={
            "zaak": other["url"], field: value + "0"})).json()
        read = await client.get(local(body["url"]), headers=ctx.admin)
        assert assert_spec("zaken", "get", detail, read) == body
        for params, expected in (({"zaak": zaak["url"]}, [body]), ({field: value + "0"}, [elsewhere]),
                                 ({}, [body, elsewhere])):
            listed = await client.get(f"{BASE}/{collection}", params=params, headers=ctx.admin)
            assert assert_spec("zaken", "get", path, listed) == expected, params

        twice = await client.post(f"{BASE}/{collection}", headers=ctx.admin, json={"zaak": zaak["url"], field: value})
        assert (field, "unique") in codes(assert_spec("zaken", "post", path, twice))
        not_a_url = await client.post(f"{BASE}/{collection}", headers=ctx.admin, json={
            "zaak": zaak["url"], field: "contact"})
        assert (field, "invalid") in codes(assert_spec("zaken", "post", path, not_a_url))
        unknown = await client.get(f"{BASE}/{collection}", params={"page": "1"}, headers=ctx.admin)
        assert codes(assert_spec("zaken", "get", path, unknown)) == [("nonFieldErrors", "unknown-parameters")]

        deleted = await client.delete(local(body["url"]), headers=ctx.admin)
        assert deleted.status_code == 204
        assert assert_spec("zaken", "get", detail, await client.get(local(body["url"]), headers=ctx.admin))[
            "status"] == 404
        resource = collection[:-2]
        assert [a for r, a in await trail(client, ctx, zaak) if r == resource] == ["create", "destroy"]
        assert [a for _, a, _ in await messages(session, resource)] == ["create", "create"]  # as the kanaal lists

    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"])
    creator = await zaak_client(session, "maker", ctx.zaaktype, ["zaken.lezen", "zaken.aanmaken"])
    for headers in (reader, creator):  # these operations need zaken.bijwerken
        refused = await client.post(f"{BASE}/zaakverzoeken", headers=headers, json={"zaak": zaak["url"],
                                                                                   "verzoek": VERZOEK})
        assert assert_spec("zaken", "post", "/zaakverzoeken", refused)["status"] == 403
    writer = await zaak_client(session, "schrijver", ctx.zaaktype, ["zaken.lezen", "zaken.bijwerken"])
    await close(client, ctx, zaak)
    closed = await client.post(f"{BASE}/zaakcontactmomenten", headers=writer, json={
        "zaak": zaak["url"], "contactmoment": CONTACTMOMENT + "9"})
    assert assert_spec("zaken", "post", "/zaakcontactmomenten", closed)["status"] == 403


async def create_besluit(client: httpx.AsyncClient, ctx: Setting, zaak: str | None) -> str:
    body = {"verantwoordelijkeOrganisatie": "002220647", "besluittype": ctx.besluittype, "datum": "2026-11-01",
            "ingangsdatum": "2026-11-02", **({"zaak": zaak} if zaak else {})}
    response = await client.post("/besluiten/api/v1/besluiten", json=body, headers=ctx.admin)
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


async def move(client: httpx.AsyncClient, ctx: Setting, besluit: str, zaak: str) -> None:
    """brc-006: the zaak of a besluit does not change on update."""
    response = await client.patch(besluit.removeprefix("http://plein.test"), headers=ctx.admin, json={"zaak": zaak})
    assert response.status_code == 400, response.text
    assert codes(response.json()) == [("zaak", "wijzigen-niet-toegelaten")]


async def besluiten_of(client: httpx.AsyncClient, ctx: Setting, zaak: dict[str, Any]) -> list[str]:
    response = await client.get(f"{local(zaak['url'])}/besluiten", headers=ctx.admin)
    return [z["besluit"] for z in assert_spec("zaken", "get", BESLUITEN, response)]


async def test_zaakbesluiten_hold_local_besluiten_of_the_zaak(client: httpx.AsyncClient,
                                                              session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    other = await new_zaak(client, ctx)
    path = f"{local(zaak['url'])}/besluiten"

    made = await create_besluit(client, ctx, zaak["url"])  # the Besluiten API relates it (brc-006)
    listed = assert_spec("zaken", "get", BESLUITEN, await client.get(path, headers=ctx.admin))
    assert [z["besluit"] for z in listed] == [made]
    read = await client.get(local(listed[0]["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", BESLUITEN + "/{uuid}", read) == listed[0]
    again = await client.post(path, headers=ctx.admin, json={"besluit": made})
    assert ("besluit", "unique") in codes(assert_spec("zaken", "post", BESLUITEN, again))
    kept = await client.delete(local(listed[0]["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "delete", BESLUITEN + "/{uuid}", kept)["code"] == "inconsistent-relation"

    # a zaakbesluit that went missing is made again through the API, with its audit record and notification
    await session.execute(delete(ZaakBesluit))
    await session.commit()
    restored = await client.post(path, headers=ctx.admin, json={"besluit": made})
    body = assert_spec("zaken", "post", BESLUITEN, restored)
    assert restored.status_code == 201, restored.text
    assert body["url"] == f"{zaak['url']}/besluiten/{body['uuid']}"
    assert ("zaakbesluit", "create") in await trail(client, ctx, zaak)
    # one when the Besluiten API made the zaakbesluit with the besluit, one for the restored one
    assert [a for _, a, _ in await messages(session, "zaakbesluit")] == ["create", "create"]

    loose = await create_besluit(client, ctx, None)
    cases = [
        ({"besluit": loose}, "besluit", "inconsistent-relation"),
        ({"besluit": made[:-36] + str(uuid.uuid4())}, "besluit", "bad-url"),
        ({"besluit": "https://brc.elders.example/api/v1/besluiten/1"}, "besluit", "bad-url"),
        ({"besluit": zaak["url"]}, "besluit", "invalid-resource"),
        ({}, "besluit", "required"),
    ]
    for extra, name, code in cases:
        response = await client.post(path, headers=ctx.admin, json=extra)
        assert (name, code) in codes(assert_spec("zaken", "post", BESLUITEN, response)), extra

    await move(client, ctx, made, other["url"])  # refused: the relation stays where it is
    first, made = made, await create_besluit(client, ctx, other["url"])
    assert (await besluiten_of(client, ctx, zaak), await besluiten_of(client, ctx, other)) == ([first], [made])

    no_zaak = await client.get(f"{BASE}/zaken/{uuid.uuid4()}/besluiten", headers=ctx.admin)
    assert problem(no_zaak)["status"] == 404
    wrong_zaak = await client.get(f"{path}/{uuid.uuid4()}", headers=ctx.admin)
    assert assert_spec("zaken", "get", BESLUITEN + "/{uuid}", wrong_zaak)["status"] == 404
    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"])
    refused = await client.post(f"{local(other['url'])}/besluiten", headers=reader, json={"besluit": made})
    assert assert_spec("zaken", "post", BESLUITEN, refused)["status"] == 403
    assert [z["besluit"] for z in (await client.get(f"{local(other['url'])}/besluiten", headers=reader)).json()] == [
        made]
