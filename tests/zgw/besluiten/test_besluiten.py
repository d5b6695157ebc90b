"""The Besluiten API: besluiten through their life (create, read, list, change, destroy), the zaakbesluit that follows
their zaak (brc-006), the rules on their values (brc-001, brc-002, brc-007), authorisation per besluittype, and bad
input that gets the standard's errors and leaves nothing behind."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.notifications.models import Message
from plein.zgw.audit import AuditRecord
from plein.zgw.besluiten.models import Besluit
from plein.zgw.zaken.models import ZaakBesluit
from tests.factories import client_headers
from tests.zgw.besluiten.helpers import (
    BASE,
    DETAIL,
    RSIN,
    Setup,
    besluit_body,
    brc_client,
    check,
    create_besluit,
    create_zaak,
    local,
    published,
    setup,
)
from tests.zgw.catalogi.helpers import bt_body, post
from tests.zgw.helpers import assert_schema
from tests.zgw.zaken.helpers import published_zaaktype


@pytest.fixture
async def ctx(client: httpx.AsyncClient, session: AsyncSession) -> Setup:
    return await setup(client, session)


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def zaakbesluiten(session: AsyncSession) -> list[tuple[str, str]]:
    session.expire_all()
    rows = await session.execute(select(ZaakBesluit.zaak_id, ZaakBesluit.besluit).order_by(ZaakBesluit.created_at))
    return [(str(zaak_id), besluit) for zaak_id, besluit in rows]


def key(url: str) -> str:
    return url.rsplit("/", 1)[-1]


async def test_a_besluit_is_created_read_listed_changed_and_destroyed(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak, toelichting="Verleend")
    assert besluit["identificatie"].startswith(f"BESLUIT-{clock.today().year}-")  # brc-002: generated
    assert (besluit["zaak"], besluit["besluittype"], besluit["vervaldatum"]) == (ctx.zaak, ctx.besluittype, None)
    assert "vervalreden" not in besluit
    assert await zaakbesluiten(session) == [(key(ctx.zaak), besluit["url"])]  # brc-006
    path = local(besluit["url"])

    read = await client.get(path, headers=ctx.admin)
    assert check("get", DETAIL, read) == besluit
    assert (await client.get(path, headers=ctx.admin | {"If-None-Match": read.headers["etag"]})).status_code == 304
    assert (await client.get(path, headers=ctx.admin | {"If-None-Match": '"other"'})).status_code == 200
    head = await client.head(path, headers=ctx.admin)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", read.headers["etag"])
    assert head.headers["api-version"] == "1.1.0"

    other = await create_besluit(client, ctx.admin, ctx.besluittype, identificatie="B-2", datum="2026-10-01")
    filters: list[tuple[dict[str, str], list[str]]] = [
        ({}, [besluit["url"], other["url"]]),
        ({"identificatie": "B-2"}, [other["url"]]),
        ({"verantwoordelijkeOrganisatie": RSIN}, [besluit["url"], other["url"]]),
        ({"verantwoordelijkeOrganisatie": "000000000"}, []),
        ({"besluittype": ctx.besluittype}, [besluit["url"], other["url"]]),
        ({"zaak": ctx.zaak}, [besluit["url"]]),
        ({"zaak": ctx.zaak, "identificatie": "B-2"}, []),
    ]
    for params, expected in filters:
        listed = check("get", "/besluiten", await client.get(f"{BASE}/besluiten", params=params, headers=ctx.admin))
        assert ([b["url"] for b in listed["results"]], listed["count"]) == (expected, len(expected)), params

    patched = await client.patch(path, json={"vervaldatum": "2027-01-01", "vervalreden": "tijdelijk"},
                                 headers=ctx.admin | {"X-Audit-Toelichting": "Termijn gesteld"})
    shown = check("patch", DETAIL, patched)
    assert (shown["vervalreden"], shown["vervalredenWeergave"]) == ("tijdelijk", "Besluit met tijdelijke werking")
    put = await client.put(path, json=besluit_body(ctx.besluittype, identificatie=besluit["identificatie"],
                                                   zaak=ctx.zaak, bestuursorgaan="College", vervalreden=""),
                           headers=ctx.admin)
    replaced = check("put", DETAIL, put)
    assert (replaced["bestuursorgaan"], replaced["vervaldatum"], "vervalreden" in replaced) == (
        "College", "2027-01-01", False)

    trail = check("get", "/besluiten/{besluit_uuid}/audittrail",
                  await client.get(f"{path}/audittrail", headers=ctx.admin))
    assert [(e["actie"], e["bron"], e["resource"]) for e in trail] == [
        ("create", "brc", "besluit"), ("partial_update", "brc", "besluit"), ("update", "brc", "besluit")]
    assert trail[1]["toelichting"] == "Termijn gesteld"
    assert trail[1]["wijzigingen"]["oud"]["vervaldatum"] is None
    entry = await client.get(f"{path}/audittrail/{trail[0]['uuid']}", headers=ctx.admin)
    assert check("get", "/besluiten/{besluit_uuid}/audittrail/{uuid}", entry) == trail[0]
    elsewhere = await client.get(f"{local(other['url'])}/audittrail/{trail[0]['uuid']}", headers=ctx.admin)
    assert check("get", "/besluiten/{besluit_uuid}/audittrail/{uuid}", elsewhere)["status"] == 404

    messages = list(await session.scalars(select(Message).where(Message.kanaal == "besluiten").order_by(Message.id)))
    assert [(m.resource, m.actie) for m in messages] == [
        ("besluit", "create"), ("besluit", "create"), ("besluit", "partial_update"), ("besluit", "update")]
    assert messages[0].kenmerken == {"verantwoordelijkeOrganisatie": RSIN, "besluittype": ctx.besluittype}
    assert messages[0].hoofd_object == besluit["url"]

    deleted = await client.delete(path, headers=ctx.admin)
    assert deleted.status_code == 204 and deleted.headers["api-version"] == "1.1.0"
    assert check("get", DETAIL, await client.get(path, headers=ctx.admin))["status"] == 404
    assert await zaakbesluiten(session) == []
    session.expire_all()
    assert await count(session, AuditRecord, AuditRecord.resource_url == besluit["url"]) == 0  # brc-009
    last = await session.scalar(select(Message).where(Message.kanaal == "besluiten").order_by(Message.id.desc()))
    assert last is not None and (last.resource, last.actie) == ("besluit", "destroy")


async def test_the_zaak_of_a_besluit_is_given_once(client: httpx.AsyncClient, session: AsyncSession,
                                                    ctx: Setup) -> None:
    """brc-006: the zaak a besluit is created with gets its zaakbesluit; an update may not change it."""
    loose = await create_besluit(client, ctx.admin, ctx.besluittype)
    assert loose["zaak"] == "" and await zaakbesluiten(session) == []
    linked = await client.patch(local(loose["url"]), json={"zaak": ctx.zaak}, headers=ctx.admin)
    assert check("patch", DETAIL, linked)["invalidParams"][0] == {
        "name": "zaak", "code": "wijzigen-niet-toegelaten", "reason": "the zaak of a besluit cannot be changed"}
    assert await zaakbesluiten(session) == []

    second = await create_zaak(client, ctx.admin, ctx.zaaktype.url)
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=second)
    path = local(besluit["url"])
    assert await zaakbesluiten(session) == [(key(second), besluit["url"])]
    trail = (await client.get(f"{local(second)}/audittrail", headers=ctx.admin)).json()
    assert [e["resource"] for e in trail if e["resource"] == "zaakbesluit"] == ["zaakbesluit"]
    published = await session.scalars(select(Message.actie).where(Message.kanaal == "zaken",
                                                                  Message.resource == "zaakbesluit"))
    assert list(published) == ["create"]
    for change in ({"zaak": ctx.zaak}, {"zaak": ""}):
        refused = await client.patch(path, json=change, headers=ctx.admin)
        assert check("patch", DETAIL, refused)["invalidParams"][0]["code"] == "wijzigen-niet-toegelaten"
    same = await client.put(path, json=besluit_body(ctx.besluittype, zaak=second, toelichting="Zelfde zaak"),
                            headers=ctx.admin)
    assert check("put", DETAIL, same)["zaak"] == second
    assert await zaakbesluiten(session) == [(key(second), besluit["url"])]

    destroyed_zaak = await client.delete(local(second), headers=ctx.admin)
    assert destroyed_zaak.status_code == 204
    after = check("get", DETAIL, await client.get(path, headers=ctx.admin))
    assert after["zaak"] == ""  # the besluit outlives its zaak, which lived in another API


async def _close(client: httpx.AsyncClient, ctx: Setup, zaak: str) -> None:
    resultaat = await client.post("/zaken/api/v1/resultaten", headers=ctx.admin, json={
        "zaak": zaak, "resultaattype": ctx.zaaktype.resultaattype})
    assert resultaat.status_code == 201, resultaat.text
    status = await client.post("/zaken/api/v1/statussen", headers=ctx.admin, json={
        "zaak": zaak, "statustype": ctx.zaaktype.statustypen[1], "datumStatusGezet": "2026-11-20T10:00:00Z"})
    assert status.status_code == 201, status.text


async def test_a_closed_zaak_gets_or_loses_a_besluit_only_when_forced(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak)
    await _close(client, ctx, ctx.zaak)
    scopes = ["besluiten.lezen", "besluiten.aanmaken", "besluiten.bijwerken", "besluiten.verwijderen"]
    writer = await brc_client(session, "besluitvormer", scopes, [ctx.besluittype])
    refused = await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype, zaak=ctx.zaak),
                                headers=writer)
    assert check("post", "/besluiten", refused)["status"] == 403
    path = local(besluit["url"])
    assert check("patch", DETAIL, await client.patch(path, json={"toelichting": "x"}, headers=writer))["status"] == 403
    assert check("delete", DETAIL, await client.delete(path, headers=writer))["status"] == 403
    forced = await brc_client(session, "archivaris", scopes, [ctx.besluittype], [
        {"component": "zrc", "scopes": ["zaken.geforceerd-bijwerken"], "zaaktype": ctx.zaaktype.url,
         "maxVertrouwelijkheidaanduiding": "zeer_geheim"}])
    created = await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype, zaak=ctx.zaak),
                                headers=forced)
    assert check("post", "/besluiten", created)["zaak"] == ctx.zaak
    assert (await client.delete(path, headers=forced)).status_code == 204
    assert await count(session, Besluit) == 1


async def test_clients_see_and_change_only_besluiten_of_their_besluittypen(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    other_type = await published(client, ctx.admin, "besluittypen", bt_body(ctx.catalogus, "Vergunning"))
    mine = await create_besluit(client, ctx.admin, ctx.besluittype)
    theirs = await create_besluit(client, ctx.admin, other_type)
    reader = await brc_client(session, "lezer", ["besluiten.lezen"], [ctx.besluittype])
    listed = check("get", "/besluiten", await client.get(f"{BASE}/besluiten", headers=reader))
    assert [b["url"] for b in listed["results"]] == [mine["url"]]
    assert check("get", DETAIL, await client.get(local(theirs["url"]), headers=reader))["status"] == 403
    assert (await client.head(local(theirs["url"]), headers=reader)).status_code == 403
    assert check("post", "/besluiten", await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype),
                                                         headers=reader))["status"] == 403
    assert check("get", "/besluiten/{besluit_uuid}/audittrail",
                 await client.get(f"{local(mine['url'])}/audittrail", headers=reader))["status"] == 403
    creator = await brc_client(session, "maker", ["besluiten.aanmaken", "audittrails.lezen"], [other_type])
    wrong_type = await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype), headers=creator)
    assert check("post", "/besluiten", wrong_type)["status"] == 403
    made = await client.post(f"{BASE}/besluiten", json=besluit_body(other_type), headers=creator)
    assert check("post", "/besluiten", made)["besluittype"] == other_type
    trail = await client.get(f"{local(theirs['url'])}/audittrail", headers=creator)
    assert [e["actie"] for e in check("get", "/besluiten/{besluit_uuid}/audittrail", trail)] == ["create"]
    elsewhere = await brc_client(session, "elders", ["besluiten.lezen"],
                                 ["https://elders.example/catalogi/api/v1/besluittypen/1"])
    assert check("get", "/besluiten", await client.get(f"{BASE}/besluiten", headers=elsewhere))["count"] == 0
    nobody = await client_headers(session, "niemand", None, [])
    assert check("get", "/besluiten", await client.get(f"{BASE}/besluiten", headers=nobody))["status"] == 403
    anonymous = await client.get(f"{BASE}/besluiten")
    assert check("get", "/besluiten", anonymous)["status"] == 401 and anonymous.headers["www-authenticate"]
    forged = await client.get(f"{BASE}/besluiten", headers={"Authorization": "Bearer nep.token.hier"})
    assert check("get", "/besluiten", forged)["status"] == 401


async def test_fifteen_concurrent_creations_give_fifteen_identificaties(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    responses = await asyncio.gather(*(client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype),
                                                   headers=ctx.admin) for _ in range(15)))
    assert [r.status_code for r in responses] == [201] * 15
    assert len({r.json()["identificatie"] for r in responses}) == 15


async def test_bad_input_gets_the_standards_errors_and_leaves_nothing(
        client: httpx.AsyncClient, session: AsyncSession, ctx: Setup) -> None:
    concept = (await post(client, ctx.admin, "besluittypen", bt_body(ctx.catalogus, "Concept")))["url"]
    unlisted = await published(client, ctx.admin, "besluittypen", bt_body(ctx.catalogus, "Ongenoemd"))
    missing = ctx.besluittype[:-36] + "00000000-0000-4000-8000-000000000000"
    cases: list[tuple[dict[str, Any], str, str]] = [
        (besluit_body(concept), "besluittype", "not-published"),
        (besluit_body(missing), "besluittype", "bad-url"),
        (besluit_body(ctx.zaaktype.url), "besluittype", "invalid-resource"),
        (besluit_body("https://elders.example/catalogi/api/v1/besluittypen/1"), "besluittype", "bad-url"),
        (besluit_body("geen url"), "besluittype", "invalid"),
        (besluit_body(ctx.besluittype, zaak=ctx.besluittype), "zaak", "invalid-resource"),
        (besluit_body(ctx.besluittype, zaak=ctx.zaak[:-36] + "00000000-0000-4000-8000-000000000000"), "zaak",
         "bad-url"),
        (besluit_body(unlisted, zaak=ctx.zaak), "nonFieldErrors", "zaaktype-mismatch"),
        (besluit_body(ctx.besluittype, verantwoordelijkeOrganisatie="123456789"), "verantwoordelijkeOrganisatie",
         "invalid"),
        (besluit_body(ctx.besluittype, verantwoordelijkeOrganisatie="1234"), "verantwoordelijkeOrganisatie",
         "invalid-length"),
        (besluit_body(ctx.besluittype, datum="2099-01-01"), "datum", "future_not_allowed"),
        (besluit_body(ctx.besluittype, vervaldatum="2026-11-01"), "vervaldatum", "date-mismatch"),
        (besluit_body(ctx.besluittype, vervalreden="vergeten"), "vervalreden", "invalid_choice"),
        (besluit_body(ctx.besluittype, datum="gisteren"), "datum", "invalid"),
        (besluit_body(ctx.besluittype, datum=20261101), "datum", "invalid"),
        (besluit_body(ctx.besluittype, vervaldatum=None, toelichting=None), "toelichting", "null"),
        ({"besluittype": ctx.besluittype}, "verantwoordelijkeOrganisatie", "required"),
    ]
    for body, name, code in cases:
        response = await client.post(f"{BASE}/besluiten", json=body, headers=ctx.admin)
        problem = check("post", "/besluiten", response)
        assert response.status_code == 400, response.text
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]}
                                                for p in problem["invalidParams"]], (name, problem)
    besluiten_messages = await count(session, Message, Message.kanaal == "besluiten")
    assert (await count(session, Besluit), await count(session, AuditRecord, AuditRecord.bron == "brc"),
            besluiten_messages, await zaakbesluiten(session)) == (0, 0, 0, [])

    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, identificatie="B-1")
    taken = await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype, identificatie="B-1"),
                              headers=ctx.admin)
    assert check("post", "/besluiten", taken)["invalidParams"][0]["code"] == "identificatie-niet-uniek"
    path = local(besluit["url"])
    for change, name in (({"besluittype": unlisted}, "besluittype"), ({"identificatie": "B-9"}, "identificatie"),
                         ({"verantwoordelijkeOrganisatie": "000000000"}, "verantwoordelijkeOrganisatie")):
        refused = check("patch", DETAIL, await client.patch(path, json=change, headers=ctx.admin))
        assert refused["invalidParams"] == [{"name": name, "code": "wijzigen-niet-toegelaten",
                                             "reason": f"the {name} of a besluit cannot be changed"}]
    incomplete = await client.put(path, json={"toelichting": "alleen dit"}, headers=ctx.admin)
    assert check("put", DETAIL, incomplete)["status"] == 400
    later = check("patch", DETAIL, await client.patch(path, json={"vervaldatum": "2020-01-01"}, headers=ctx.admin))
    assert later["invalidParams"][0]["code"] == "date-mismatch"

    for params in ({"kleur": "blauw"}, {"besluittype": ctx.zaak}, {"zaak": "https://elders.example/zaken/1"},
                   {"besluittype": "geen url"}, {"page": "een"}, {"expand": "toelichting"}):
        bad = await client.get(f"{BASE}/besluiten", params=params, headers=ctx.admin)
        assert check("get", "/besluiten", bad)["status"] == 400, params
    unknown = await client.get(f"{path}?kleur=blauw", headers=ctx.admin)  # the document lists no 400 here
    assert unknown.status_code == 400 and assert_schema("besluiten", "ValidatieFout", unknown.json())
    for content in (b"{'x'", b"[1, 2]", b"\xff\xfe"):
        malformed = await client.post(f"{BASE}/besluiten", content=content, headers=ctx.admin | {
            "Content-Type": "application/json"})
        assert check("post", "/besluiten", malformed)["status"] == 400
    wrong_media = await client.post(f"{BASE}/besluiten", content=b"x", headers=ctx.admin | {
        "Content-Type": "text/plain"})
    assert check("post", "/besluiten", wrong_media)["status"] == 415
    assert check("get", DETAIL, await client.get(f"{BASE}/besluiten/geen-uuid", headers=ctx.admin))["status"] == 404
    session.expire_all()
    assert await count(session, Besluit) == 1


async def test_a_failure_half_way_leaves_nothing(client: httpx.AsyncClient, session: AsyncSession, ctx: Setup,
                                                 app: object, monkeypatch: pytest.MonkeyPatch) -> None:
    besluit = await create_besluit(client, ctx.admin, ctx.besluittype, zaak=ctx.zaak)
    second = await create_zaak(client, ctx.admin, ctx.zaaktype.url)
    before = (await count(session, Besluit), await count(session, AuditRecord), await count(session, Message))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("plein.zgw.besluiten.service.notifications.publish", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as failing:
        created = await failing.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype, zaak=second),
                                     headers=ctx.admin)
        moved = await failing.patch(local(besluit["url"]), json={"toelichting": "Gewijzigd"}, headers=ctx.admin)
        destroyed = await failing.delete(local(besluit["url"]), headers=ctx.admin)
    assert [created.status_code, moved.status_code, destroyed.status_code] == [500, 500, 500]
    session.expire_all()
    assert (await count(session, Besluit), await count(session, AuditRecord), await count(session, Message)) == before
    assert await zaakbesluiten(session) == [(key(ctx.zaak), besluit["url"])]


async def test_the_zaaktype_must_name_the_besluittype(client: httpx.AsyncClient, session: AsyncSession,
                                                      ctx: Setup) -> None:
    other = await published_zaaktype(client, ctx.admin, "ZT-2", catalogus_url=ctx.catalogus)
    zaak = await create_zaak(client, ctx.admin, other.url)
    refused = await client.post(f"{BASE}/besluiten", json=besluit_body(ctx.besluittype, zaak=zaak), headers=ctx.admin)
    assert check("post", "/besluiten", refused)["invalidParams"][0]["code"] == "zaaktype-mismatch"  # brc-007
    assert await zaakbesluiten(session) == []
