"""Zaaktypen: every operation, the filters, versions and datumGeldigheid (ztc-016), publishing (ztc-012), the
concept rules (ztc-009) with correcties, references by name shown as URLs, notifications and atomicity."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.models import Message
from plein.zgw.autorisaties import service as autorisaties
from plein.zgw.catalogi import common
from plein.zgw.catalogi.models import StatusType, ZaakType
from tests.factories import client_headers
from tests.zgw.catalogi.helpers import (
    BASE,
    bt_body,
    catalogus,
    check,
    iot_body,
    local,
    part_bodies,
    post,
    publish,
    publishable_zaaktype,
    scoped,
    writer,
    zaaktype_body,
)
from tests.zgw.helpers import all_rights

DETAIL = "/zaaktypen/{uuid}"


async def _list(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    body = check("get", "/zaaktypen", await client.get(f"{BASE}/zaaktypen", params=params, headers=headers))
    return [z["url"] for z in body["results"]]


async def test_a_zaaktype_is_created_read_changed_and_deleted(client: httpx.AsyncClient,
                                                             session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    response = await client.post(f"{BASE}/zaaktypen", json=zaaktype_body(catalogus_url), headers=headers)
    created = check("post", "/zaaktypen", response)
    assert response.status_code == 201 and response.headers["location"] == created["url"]
    assert created["concept"] is True and created["statustypen"] == [] and created["catalogus"] == catalogus_url
    path = local(created["url"])

    read = await client.get(path, headers=headers)
    assert check("get", DETAIL, read) == created
    head = await client.head(path, headers=headers)
    assert check("head", DETAIL, head) is None and head.headers["etag"] == read.headers["etag"]

    replaced = await client.put(path, json=zaaktype_body(catalogus_url, omschrijving="Nieuw"), headers=headers)
    assert check("put", DETAIL, replaced)["omschrijving"] == "Nieuw"
    patched = await client.patch(path, json={"verlengingMogelijk": True, "verlengingstermijn": "P7D"},
                                 headers=headers)
    assert check("patch", DETAIL, patched)["verlengingstermijn"] == "P7D"
    assert patched.json()["omschrijving"] == "Nieuw"
    catalogus_body = check("get", "/catalogussen/{uuid}", await client.get(local(catalogus_url), headers=headers))
    assert catalogus_body["zaaktypen"] == [created["url"]]

    part = await post(client, headers, "statustypen", part_bodies(created["url"], catalogus_url)["statustypen"])
    deleted = await client.delete(path, headers=headers)
    assert check("delete", DETAIL, deleted) == {}
    assert (await client.get(path, headers=headers)).status_code == 404
    assert (await client.get(local(part["url"]), headers=headers)).status_code == 404
    assert await session.scalar(select(func.count()).select_from(StatusType)) == 0


async def test_the_list_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    other_catalogus = await catalogus(client, headers, "ANDER")
    first = await publishable_zaaktype(client, headers, catalogus_url, "ZT-1", trefwoorden=["melding", "afval"])
    assert (await publish(client, headers, first["url"])).status_code == 200
    second = await post(client, headers, "zaaktypen", zaaktype_body(other_catalogus, "ZT-2",
                                                                    beginGeldigheid="2030-01-01"))
    assert await _list(client, headers) == [first["url"]]
    assert await _list(client, headers, status="alles") == [first["url"], second["url"]]
    assert await _list(client, headers, status="concept") == [second["url"]]
    assert await _list(client, headers, status="alles", catalogus=other_catalogus) == [second["url"]]
    assert await _list(client, headers, status="alles", catalogus="https://elders.example/c/1") == []
    assert await _list(client, headers, status="alles", identificatie="ZT-2") == [second["url"]]
    assert await _list(client, headers, trefwoorden="afval,melding") == [first["url"]]
    assert await _list(client, headers, trefwoorden="afval,onbekend") == []
    assert await _list(client, headers, status="alles", datumGeldigheid="2026-06-01") == [first["url"]]
    for params, name in [({"status": "soms"}, "status"), ({"datumGeldigheid": "gisteren"}, "datumGeldigheid"),
                         ({"catalogus": "geen-url"}, "catalogus"), ({"page": "0"}, None), ({"kleur": "rood"}, None)]:
        response = await client.get(f"{BASE}/zaaktypen", params=params, headers=headers)
        problem = check("get", "/zaaktypen", response) if response.status_code != 404 else response.json()
        assert response.status_code in (400, 404), params
        if name:
            assert problem["invalidParams"][0]["name"] == name


async def test_pages_have_an_exact_count_and_links(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    rows = [ZaakType(catalogus_id=common.Links("http://plein.test").key(catalogus_url, "catalogussen", "c"),
                     **_columns(f"ZT-{n}")) for n in range(105)]
    session.add_all(rows)
    await session.commit()
    first = check("get", "/zaaktypen", await client.get(f"{BASE}/zaaktypen?status=alles", headers=headers))
    assert first["count"] == 105 and len(first["results"]) == 100 and first["previous"] is None
    second = check("get", "/zaaktypen", await client.get(local(first["next"]), headers=headers))
    assert len(second["results"]) == 5 and second["next"] is None and "status=alles" in second["previous"]
    beyond = await client.get(f"{BASE}/zaaktypen?status=alles&page=3", headers=headers)
    assert beyond.status_code == 404


def _columns(identificatie: str) -> dict[str, Any]:
    import datetime as dt

    return {"identificatie": identificatie, "omschrijving": "x", "vertrouwelijkheidaanduiding": "openbaar",
            "doel": "x", "aanleiding": "x", "indicatie_intern_of_extern": "extern", "handeling_initiator": "x",
            "onderwerp": "x", "handeling_behandelaar": "x", "doorlooptijd": "P1D",
            "opschorting_en_aanhouding_mogelijk": False, "verlenging_mogelijk": False,
            "publicatie_indicatie": False, "verantwoordelijke": "x", "begin_geldigheid": dt.date(2026, 1, 1),
            "versiedatum": dt.date(2026, 1, 1), "referentieproces": {"naam": "x"}}


async def test_publishing_needs_parts_and_published_related_types(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    """ztc-012: related besluittypen and informatieobjecttypen must be published first (400); and, as Open Zaak,
    a zaaktype needs a roltype, a resultaattype and two statustypen."""
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    bare = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url, "ZT-KAAL"))
    refused = check("post", "/zaaktypen/{uuid}/publish", await publish(client, headers, bare["url"]))
    assert {p["name"] for p in refused["invalidParams"]} == {"roltypen", "resultaattypen", "statustypen"}
    await post(client, headers, "resultaattypen", part_bodies(bare["url"], catalogus_url)["resultaattypen"] | {
        "selectielijstklasse": ""})
    refused = check("post", "/zaaktypen/{uuid}/publish", await publish(client, headers, bare["url"]))
    assert "selectielijstklasse" in next(p["reason"] for p in refused["invalidParams"] if p["name"] == "resultaattypen")

    besluittype = await post(client, headers, "besluittypen", bt_body(catalogus_url))
    iot = await post(client, headers, "informatieobjecttypen", iot_body(catalogus_url))
    zaaktype = await publishable_zaaktype(client, headers, catalogus_url, besluittypen=["Beschikking"])
    await post(client, headers, "zaaktype-informatieobjecttypen",
               part_bodies(zaaktype["url"], catalogus_url)["zaaktype-informatieobjecttypen"])
    response = await publish(client, headers, zaaktype["url"])
    problem = check("post", "/zaaktypen/{uuid}/publish", response)
    assert response.status_code == 400
    assert [p["code"] for p in problem["invalidParams"]] == ["concept-relation", "concept-relation"]
    # Relations by name show the published versions valid today (Catalogi 1.3.2), so none yet:
    read = check("get", DETAIL, await client.get(local(zaaktype["url"]), headers=headers))
    assert read["besluittypen"] == [] and read["informatieobjecttypen"] == []

    for url in (besluittype["url"], iot["url"]):
        assert (await publish(client, headers, url)).status_code == 200
    published = check("post", "/zaaktypen/{uuid}/publish", await publish(client, headers, zaaktype["url"]))
    assert published["concept"] is False
    assert published["besluittypen"] == [besluittype["url"]]
    assert published["informatieobjecttypen"] == [iot["url"]]
    assert len(published["statustypen"]) == 2 and len(published["roltypen"]) == 1


async def test_published_zaaktypen_change_only_by_correctie(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """ztc-009: a published zaaktype takes only an eindeGeldigheid; PUT, other PATCHes and DELETE are refused (400
    non-concept-object, as Open Zaak) unless the client holds the geforceerd scopes."""
    admin = await all_rights(session)
    headers = await writer(session)
    catalogus_url = await catalogus(client, admin)
    zaaktype = await publishable_zaaktype(client, headers, catalogus_url)
    assert (await publish(client, headers, zaaktype["url"])).status_code == 200
    path = local(zaaktype["url"])

    for method, body in [("put", zaaktype_body(catalogus_url)), ("patch", {"omschrijving": "Anders"})]:
        response = await client.request(method, path, json=body, headers=headers)
        problem = check(method, DETAIL, response)
        assert response.status_code == 400, method
        assert problem["invalidParams"][0]["code"] == "non-concept-object"
    # The document lists no 400 for DELETE; a published type is a conflict with its state.
    refused = check("delete", DETAIL, await client.delete(path, headers=headers))
    assert (refused["status"], refused["code"]) == (409, "non-concept-object")
    ended = await client.patch(path, json={"eindeGeldigheid": "2026-12-31"}, headers=headers)
    assert check("patch", DETAIL, ended)["eindeGeldigheid"] == "2026-12-31"

    corrector = await scoped(session, "corrector", ["catalogi.geforceerd-schrijven", "catalogi.geforceerd-verwijderen"])
    corrected = await client.patch(path, json={"toelichting": "Correctie"}, headers=corrector)
    assert check("patch", DETAIL, corrected)["toelichting"] == "Correctie"
    assert (await client.delete(path, headers=corrector)).status_code == 200


async def test_versions_do_not_overlap_and_datum_geldigheid_picks_one(client: httpx.AsyncClient,
                                                                      session: AsyncSession) -> None:
    """ztc-016: published versions with one identificatie have separate validity; datumGeldigheid on the detail
    gives the version valid on that day."""
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    v1 = await publishable_zaaktype(client, headers, catalogus_url, "ZT-V")
    assert (await publish(client, headers, v1["url"])).status_code == 200
    v2 = await publishable_zaaktype(client, headers, catalogus_url, "ZT-V", beginGeldigheid="2027-01-01",
                                    versiedatum="2027-01-01")
    overlap = check("post", "/zaaktypen/{uuid}/publish", await publish(client, headers, v2["url"]))
    assert overlap["invalidParams"][0] == {"name": "beginGeldigheid", "code": "overlap", "reason": overlap[
        "invalidParams"][0]["reason"]}
    assert check("get", DETAIL, await client.get(local(v2["url"]), headers=headers))["concept"] is True

    check("patch", DETAIL, await client.patch(local(v1["url"]), json={"eindeGeldigheid": "2026-12-31"},
                                              headers=headers))
    assert check("post", "/zaaktypen/{uuid}/publish", await publish(client, headers, v2["url"]))["concept"] is False

    on_day = await client.get(local(v1["url"]), params={"datumGeldigheid": "2027-03-01"}, headers=headers)
    assert check("get", DETAIL, on_day)["url"] == v2["url"]
    assert (await client.get(local(v2["url"]), params={"datumGeldigheid": "2026-03-01"},
                             headers=headers)).json()["url"] == v1["url"]
    none = await client.get(local(v1["url"]), params={"datumGeldigheid": "2020-01-01"}, headers=headers)
    assert check("get", DETAIL, none)["status"] == 404
    assert await _list(client, headers, identificatie="ZT-V", datumGeldigheid="2026-12-31") == [v1["url"]]

    # Stretching the first version into the second is refused, and leaves nothing changed behind.
    stretched = await client.patch(local(v1["url"]), json={"eindeGeldigheid": "2027-06-30"}, headers=headers)
    assert check("patch", DETAIL, stretched)["invalidParams"][0]["code"] == "overlap"
    kept = check("get", DETAIL, await client.get(local(v1["url"]), headers=headers))
    assert kept["eindeGeldigheid"] == "2026-12-31"
    actions = list(await session.scalars(select(Message.actie).where(Message.kanaal == "zaaktypen")
                                         .order_by(Message.id)))
    assert actions == ["create", "publish", "create", "partial_update", "publish"]


async def test_references_by_name_and_url(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """besluittypen by omschrijving, deelzaaktypen and gerelateerde zaaktypen by identificatie; our URLs are
    accepted too, and must point to the right kind in the same catalogus."""
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    other_catalogus = await catalogus(client, headers, "ANDER")
    besluittype = await post(client, headers, "besluittypen", bt_body(catalogus_url))
    assert (await publish(client, headers, besluittype["url"])).status_code == 200
    deel = await publishable_zaaktype(client, headers, catalogus_url, "ZT-DEEL")
    assert (await publish(client, headers, deel["url"])).status_code == 200
    elders = await post(client, headers, "besluittypen", bt_body(other_catalogus, "Elders"))
    external = "https://ztc.example.nl/catalogi/api/v1/zaaktypen/4b4b2f43-d2f5-4bd4-8e1c-4b5d9f2a9e11"

    body = zaaktype_body(catalogus_url, "ZT-HOOFD", besluittypen=[besluittype["url"]], deelzaaktypen=["ZT-DEEL"],
                         gerelateerdeZaaktypen=[{"zaaktype": deel["url"], "aardRelatie": "vervolg"},
                                                {"zaaktype": external, "aardRelatie": "bijdrage"},
                                                {"zaaktype": "ZT-LATER", "aardRelatie": "onderwerp"}])
    created = await post(client, headers, "zaaktypen", body)
    assert created["besluittypen"] == [besluittype["url"]] and created["deelzaaktypen"] == [deel["url"]]
    assert [r["zaaktype"] for r in created["gerelateerdeZaaktypen"]] == [deel["url"], external]

    base = zaaktype_body(catalogus_url, "ZT-FOUT")
    for change, name, code in [
        ({"besluittypen": ["Onbekend"]}, "besluittypen", "does_not_exist"),
        ({"besluittypen": [elders["url"]]}, "besluittypen.0", "relations-incorrect-catalogus"),
        ({"besluittypen": [deel["url"]]}, "besluittypen.0", "invalid-resource"),
        ({"besluittypen": [besluittype["url"][:-4] + "0000"]}, "besluittypen.0", "bad-url"),
        ({"deelzaaktypen": ["https://elders.example/zaaktypen/1"]}, "deelzaaktypen.0", "bad-url"),
        ({"catalogus": f"{BASE}/catalogussen/x"}, "catalogus", "invalid"),
        ({"catalogus": "http://plein.test/catalogi/api/v1/catalogussen/0b6f6ad8-4b1c-4d36-9a0c-6a4bc0e1c7c5"},
         "catalogus", "bad-url"),
        ({"catalogus": besluittype["url"]}, "catalogus", "invalid-resource"),
    ]:
        response = await client.post(f"{BASE}/zaaktypen", json=base | change, headers=headers)
        problem = check("post", "/zaaktypen", response)
        assert response.status_code == 400, change
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]}
                                                for p in problem["invalidParams"]], (change, problem)
    assert await _list(client, headers, status="alles", identificatie="ZT-FOUT") == []


async def test_bad_bodies_are_refused_with_the_field_named(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    base = zaaktype_body(catalogus_url)
    for change, name, code in [
        ({"doorlooptijd": 14}, "doorlooptijd", "invalid"), ({"doorlooptijd": "twee weken"}, "doorlooptijd", "invalid"),
        ({"vertrouwelijkheidaanduiding": "geheimpje"}, "vertrouwelijkheidaanduiding", "invalid_choice"),
        ({"identificatie": "x" * 51}, "identificatie", "max_length"), ({"doel": None}, "doel", "null"),
        ({"verlengingMogelijk": True}, "verlengingstermijn", "required"),
        ({"eindeGeldigheid": "2025-01-01"}, "eindeGeldigheid", "date-mismatch"),
        ({"beginGeldigheid": "1 januari"}, "beginGeldigheid", "invalid"),
    ]:
        response = await client.post(f"{BASE}/zaaktypen", json=base | change, headers=headers)
        problem = check("post", "/zaaktypen", response)
        assert response.status_code == 400, change
        assert (name, code) in [(p["name"], p["code"]) for p in problem["invalidParams"]], (change, problem)
    missing = base.copy()
    del missing["omschrijving"]
    response = await client.post(f"{BASE}/zaaktypen", json=missing, headers=headers)
    assert check("post", "/zaaktypen", response)["invalidParams"][0] == {
        "name": "omschrijving", "code": "required", "reason": "'omschrijving' is a required property"}
    malformed = await client.post(f"{BASE}/zaaktypen", content=b'{"identificatie": ', headers=headers | {
        "content-type": "application/json"})
    assert check("post", "/zaaktypen", malformed)["status"] == 400
    listed = await client.post(f"{BASE}/zaaktypen", json=[base], headers=headers)
    assert check("post", "/zaaktypen", listed)["status"] == 400
    as_text = await client.post(f"{BASE}/zaaktypen", content=b"identificatie=ZT", headers=headers | {
        "content-type": "application/x-www-form-urlencoded"})
    assert check("post", "/zaaktypen", as_text)["status"] == 415
    assert await session.scalar(select(func.count()).select_from(ZaakType)) == 0


async def test_a_failed_notification_leaves_nothing_behind(client: httpx.AsyncClient, session: AsyncSession,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(common.notifications, "publish", broken)
    with pytest.raises(RuntimeError):
        await client.post(f"{BASE}/zaaktypen", json=zaaktype_body(catalogus_url), headers=headers)
    assert await session.scalar(select(func.count()).select_from(ZaakType)) == 0


async def test_scopes_and_authentication(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    reader = await scoped(session, "lezer", ["catalogi.lezen"])
    refused = await client.post(f"{BASE}/zaaktypen", json=zaaktype_body(catalogus_url), headers=reader)
    assert check("post", "/zaaktypen", refused)["status"] == 403
    assert check("get", "/zaaktypen", await client.get(f"{BASE}/zaaktypen", headers=reader))["count"] == 0
    anonymous = await client.get(f"{BASE}/zaaktypen")
    assert check("get", "/zaaktypen", anonymous)["status"] == 401
    forged = await client.get(f"{BASE}/zaaktypen", headers={"Authorization": "Bearer nep.nep.nep"})
    assert check("get", "/zaaktypen", forged)["status"] == 401
    # ztc-014: zaken.lezen on the Zaken API also reads zaaktypen.
    zaken = await client_with_zaken_lezen(session)
    assert (await client.get(f"{BASE}/zaaktypen", headers=zaken)).status_code == 200
    assert (await client.get(f"{BASE}/besluittypen", headers=zaken)).status_code == 403


async def client_with_zaken_lezen(session: AsyncSession) -> dict[str, str]:
    headers = await client_headers(session, "zaaksysteem", None, [])
    await autorisaties.save_applicatie(session, {"clientIds": ["zaaksysteem"], "label": "Zaken", "autorisaties": [
        {"component": "zrc", "scopes": ["zaken.lezen"], "zaaktype": "http://plein.test/x",
         "maxVertrouwelijkheidaanduiding": "openbaar"}]})
    return headers


async def test_two_overlapping_versions_published_at_once_are_not_both_published(
        client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    """ztc-016 holds under a race: the second publish waits for the first and then sees the overlap.

    Each overlap check first waits (up to half a second) for the other publish to reach its check too, so that without
    the catalogus lock both would check before either commits."""
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    versions = [await publishable_zaaktype(client, headers, catalogus_url, "ZT-RACE") for _ in range(2)]
    arrived: list[object] = []
    both_there = asyncio.Event()
    check_alone = common.overlapping

    async def check_together(*args: Any) -> bool:
        arrived.append(args)
        if len(arrived) == 2:
            both_there.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_there.wait(), 0.5)
        return await check_alone(*args)

    monkeypatch.setattr(common, "overlapping", check_together)
    responses = await asyncio.gather(*(publish(client, headers, version["url"]) for version in versions))
    assert sorted(response.status_code for response in responses) == [200, 400], [r.text for r in responses]
    refused = next(response for response in responses if response.status_code == 400)
    assert check("post", "/zaaktypen/{uuid}/publish", refused)["invalidParams"][0]["code"] == "overlap"
    published = await session.scalar(select(func.count()).select_from(ZaakType)
                                     .where(ZaakType.identificatie == "ZT-RACE", ZaakType.concept.is_(False)))
    assert published == 1
