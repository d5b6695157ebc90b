"""Correcties (Catalogi 1.3, "Correctie"): with catalogi.geforceerd-schrijven a published type or a part of a published
zaaktype may be extended, never shrunk; what would be removed is refused with 400 `correctie-alleen-uitbreiden`
naming the field, scalar fields stay correctable, and without the scope a published type stays frozen (ztc-009/010)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

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

CODE = "correctie-alleen-uitbreiden"
FORCED = ["catalogi.lezen", "catalogi.geforceerd-schrijven"]


def _refused(response: httpx.Response, method: str, path: str) -> dict[str, str]:
    """The 400 of a correctie that removes something, as {field: reason}; every problem has the rule's code."""
    problem = check(method, path, response)
    assert response.status_code == 400, response.text
    assert {p["code"] for p in problem["invalidParams"]} == {CODE}, problem
    return {p["name"]: p["reason"] for p in problem["invalidParams"]}


async def _published(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> None:
    response = await publish(client, headers, url)
    assert response.status_code == 200, response.text


async def _published_zaaktype(client: httpx.AsyncClient, admin: dict[str, str], catalogus_url: str,
                              **extra: Any) -> dict[str, Any]:
    zaaktype = await publishable_zaaktype(client, admin, catalogus_url, **extra)
    await _published(client, admin, zaaktype["url"])
    return zaaktype


async def test_a_correctie_extends_the_lists_of_a_zaaktype_and_removes_nothing(client: httpx.AsyncClient,
                                                                              session: AsyncSession) -> None:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    for name in ("Beschikking", "Weigering"):
        await _published(client, admin, (await post(client, admin, "besluittypen", bt_body(catalogus_url, name)))[
            "url"])
    zaaktype = await _published_zaaktype(client, admin, catalogus_url, besluittypen=["Beschikking"],
                                         productenOfDiensten=["https://producten.example/1"])
    path, detail = local(zaaktype["url"]), "/zaaktypen/{uuid}"
    corrector = await scoped(session, "corrector", FORCED)

    grown = await client.patch(path, json={"trefwoorden": ["melding", "afval"], "besluittypen": [
        "Beschikking", "Weigering"], "toelichting": "Gecorrigeerd"}, headers=corrector)
    body = check("patch", detail, grown)
    assert grown.status_code == 200, grown.text
    assert body["trefwoorden"] == ["melding", "afval"] and len(body["besluittypen"]) == 2
    assert body["toelichting"] == "Gecorrigeerd"
    scalar = await client.patch(path, json={"omschrijving": "Melding buitenruimte"}, headers=corrector)
    assert check("patch", detail, scalar)["omschrijving"] == "Melding buitenruimte"

    shrunk = await client.patch(path, json={"trefwoorden": ["afval"], "besluittypen": ["Weigering"],
                                            "productenOfDiensten": []}, headers=corrector)
    reasons = _refused(shrunk, "patch", detail)
    assert set(reasons) == {"trefwoorden", "besluittypen", "productenOfDiensten"}
    assert "'melding'" in reasons["trefwoorden"] and "'Beschikking'" in reasons["besluittypen"]
    replaced = await client.put(path, json=zaaktype_body(catalogus_url, besluittypen=["Beschikking", "Weigering"],
                                                         productenOfDiensten=["https://producten.example/1"]),
                                headers=corrector)
    assert "'afval'" in _refused(replaced, "put", detail)["trefwoorden"]
    kept = check("get", detail, await client.get(path, headers=corrector))
    assert kept["trefwoorden"] == ["melding", "afval"] and kept["omschrijving"] == "Melding buitenruimte"

    # Without the scope nothing changes, as before: 400 non-concept-object for a writer, 403 for a reader.
    plain = await client.patch(path, json={"trefwoorden": ["melding", "afval", "groen"]},
                               headers=await writer(session))
    assert check("patch", detail, plain)["invalidParams"][0]["code"] == "non-concept-object"
    reader = await scoped(session, "lezer", ["catalogi.lezen"])
    assert check("patch", detail, await client.patch(path, json={"toelichting": "x"}, headers=reader))[
        "status"] == 403


async def test_a_correctie_of_an_informatieobjecttype_or_besluittype_only_adds(client: httpx.AsyncClient,
                                                                              session: AsyncSession) -> None:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    iot = await post(client, admin, "informatieobjecttypen", iot_body(catalogus_url, trefwoord=["melding"]))
    brief = await post(client, admin, "informatieobjecttypen", iot_body(catalogus_url, "Brief"))
    besluittype = await post(client, admin, "besluittypen", bt_body(catalogus_url, informatieobjecttypen=["Melding"]))
    for url in (iot["url"], brief["url"], besluittype["url"]):
        await _published(client, admin, url)
    corrector = await scoped(session, "corrector", FORCED)

    iot_detail = "/informatieobjecttypen/{uuid}"
    added = await client.patch(local(iot["url"]), json={"trefwoord": ["melding", "afval"]}, headers=corrector)
    assert check("patch", iot_detail, added)["trefwoord"] == ["melding", "afval"]
    removed = await client.patch(local(iot["url"]), json={"trefwoord": ["afval"]}, headers=corrector)
    assert "'melding'" in _refused(removed, "patch", iot_detail)["trefwoord"]

    bt_detail = "/besluittypen/{uuid}"
    more = await client.patch(local(besluittype["url"]), json={"informatieobjecttypen": ["Melding", brief["url"]]},
                              headers=corrector)
    assert check("patch", bt_detail, more)["vastgelegdIn"] == ["Melding", "Brief"]
    fewer = await client.put(local(besluittype["url"]), json=bt_body(catalogus_url, informatieobjecttypen=["Brief"]),
                             headers=corrector)
    assert "'Melding'" in _refused(fewer, "put", bt_detail)["informatieobjecttypen"]


async def test_a_correctie_adds_an_informatieobjecttype_to_a_zaaktype_but_never_takes_one_away(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    for name in ("Melding", "Brief"):
        await _published(client, admin, (await post(client, admin, "informatieobjecttypen",
                                                     iot_body(catalogus_url, name)))["url"])
    zaaktype = await _published_zaaktype(client, admin, catalogus_url)
    corrector = await scoped(session, "corrector", [*FORCED, "catalogi.geforceerd-verwijderen"])
    body = part_bodies(zaaktype["url"], catalogus_url)["zaaktype-informatieobjecttypen"]

    plain = await client.post(f"{BASE}/zaaktype-informatieobjecttypen", json=body, headers=await writer(session))
    assert check("post", "/zaaktype-informatieobjecttypen", plain)["invalidParams"][0]["code"] == "non-concept-relation"
    relation = await post(client, corrector, "zaaktype-informatieobjecttypen", body)
    shown = check("get", "/zaaktypen/{uuid}", await client.get(local(zaaktype["url"]), headers=corrector))
    assert len(shown["informatieobjecttypen"]) == 1

    detail = "/zaaktype-informatieobjecttypen/{uuid}"
    other = await client.patch(local(relation["url"]), json={"informatieobjecttype": "Brief"}, headers=corrector)
    assert "'Melding'" in _refused(other, "patch", detail)["informatieobjecttype"]
    richting = await client.patch(local(relation["url"]), json={"richting": "uitgaand"}, headers=corrector)
    assert check("patch", detail, richting)["richting"] == "uitgaand"
    gone = await client.delete(local(relation["url"]), headers=corrector)
    assert (check("delete", detail, gone)["status"], gone.json()["code"]) == (409, "non-concept-relation")


async def test_a_correctie_adds_a_statustype_only_after_the_last(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    zaaktype = await post(client, admin, "zaaktypen", zaaktype_body(catalogus_url))
    bodies = part_bodies(zaaktype["url"], catalogus_url)
    first = await post(client, admin, "statustypen", bodies["statustypen"])
    await post(client, admin, "statustypen", bodies["statustypen"] | {"volgnummer": 10, "omschrijving": "Klaar"})
    for collection in ("roltypen", "resultaattypen"):
        await post(client, admin, collection, bodies[collection])
    await _published(client, admin, zaaktype["url"])
    corrector = await scoped(session, "corrector", FORCED)

    middle = await client.post(f"{BASE}/statustypen", json=bodies["statustypen"] | {"volgnummer": 5},
                               headers=corrector)
    assert "above 10" in _refused(middle, "post", "/statustypen")["volgnummer"]
    plain = await client.post(f"{BASE}/statustypen", json=bodies["statustypen"] | {"volgnummer": 11},
                              headers=await writer(session))
    assert check("post", "/statustypen", plain)["invalidParams"][0]["code"] == "non-concept-zaaktype"
    last = await post(client, corrector, "statustypen", bodies["statustypen"] | {"volgnummer": 11,
                                                                                "omschrijving": "Gearchiveerd"})
    assert last["isEindstatus"] is True

    moved = await client.patch(local(first["url"]), json={"volgnummer": 12}, headers=corrector)
    assert "volgnummer" in _refused(moved, "patch", "/statustypen/{uuid}")
    renamed = await client.patch(local(first["url"]), json={"omschrijving": "Binnen", "volgnummer": 1},
                                 headers=corrector)
    assert check("patch", "/statustypen/{uuid}", renamed)["omschrijving"] == "Binnen"
    shown = check("get", "/zaaktypen/{uuid}", await client.get(local(zaaktype["url"]), headers=corrector))
    assert len(shown["statustypen"]) == 3 and shown["statustypen"][-1] == last["url"]


async def test_a_correctie_keeps_what_the_parts_of_a_zaaktype_relate_to(client: httpx.AsyncClient,
                                                                        session: AsyncSession) -> None:
    """The lists and references of statustypen, resultaattypen, eigenschappen and zaakobjecttypen only grow, and a
    part does not move to another zaaktype."""
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    await _published(client, admin, (await post(client, admin, "besluittypen", bt_body(catalogus_url)))["url"])
    zaaktype = await publishable_zaaktype(client, admin, catalogus_url, besluittypen=["Beschikking"])
    bodies = part_bodies(zaaktype["url"], catalogus_url)
    statustype = await post(client, admin, "statustypen", bodies["statustypen"] | {
        "volgnummer": 3, "checklistitemStatustype": [{"itemnaam": "Foto", "vraagstelling": "Is er een foto?",
                                                      "verplicht": False}]})
    eigenschap = await post(client, admin, "eigenschappen", bodies["eigenschappen"] | {
        "statustype": statustype["url"], "specificatie": {"formaat": "tekst", "lengte": "10", "kardinaliteit": "1",
                                                          "waardenverzameling": ["rood"]}})
    vrij = await post(client, admin, "eigenschappen", bodies["eigenschappen"] | {"naam": "vrij"})
    resultaattype = await post(client, admin, "resultaattypen", bodies["resultaattypen"] | {
        "omschrijving": "Verleend", "besluittypen": ["Beschikking"]})
    objecttype = await post(client, admin, "zaakobjecttypen", bodies["zaakobjecttypen"] | {
        "statustypen": [statustype["url"]]})
    check("patch", "/statustypen/{uuid}", await client.patch(local(statustype["url"]), json={
        "eigenschappen": [eigenschap["url"]]}, headers=admin))
    await _published(client, admin, zaaktype["url"])
    other = await post(client, admin, "zaaktypen", zaaktype_body(catalogus_url, "ZT-2"))
    corrector = await scoped(session, "corrector", FORCED)

    specificatie = {"formaat": "tekst", "lengte": "10", "kardinaliteit": "1"}
    refused: list[tuple[dict[str, Any], str, dict[str, Any], str, str]] = [
        (statustype, "statustypen", {"eigenschappen": []}, "eigenschappen", eigenschap["url"]),
        (statustype, "statustypen", {"checklistitemStatustype": []}, "checklistitemStatustype", "'Foto'"),
        (resultaattype, "resultaattypen", {"besluittypen": []}, "besluittypen", "'Beschikking'"),
        (objecttype, "zaakobjecttypen", {"statustypen": []}, "statustypen", statustype["url"]),
        (eigenschap, "eigenschappen", {"statustype": None}, "statustype", statustype["url"]),
        (eigenschap, "eigenschappen", {"specificatie": specificatie | {"waardenverzameling": ["groen"]}},
         "specificatie.waardenverzameling", "'rood'"),
        (vrij, "eigenschappen", {"specificatie": specificatie | {"waardenverzameling": ["groen"]}},
         "specificatie.waardenverzameling", "restrict"),
        (vrij, "eigenschappen", {"zaaktype": other["url"]}, "zaaktype", "another zaaktype"),
    ]
    for part, collection, change, name, removed in refused:
        response = await client.patch(local(part["url"]), json=change, headers=corrector)
        assert removed in _refused(response, "patch", f"/{collection}/{{uuid}}")[name], change

    allowed: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
        (statustype, "statustypen", {"checklistitemStatustype": [
            {"itemnaam": "Foto", "vraagstelling": "Is er een duidelijke foto?", "verplicht": True},
            {"itemnaam": "Plaats", "vraagstelling": "Waar?", "verplicht": False}]}),
        (resultaattype, "resultaattypen", {"toelichting": "Gecorrigeerd"}),
        (eigenschap, "eigenschappen", {"specificatie": specificatie | {"waardenverzameling": ["rood", "groen"]}}),
        (vrij, "eigenschappen", {"statustype": statustype["url"], "definitie": "Vrije tekst"}),
    ]
    for part, collection, change in allowed:
        response = await client.patch(local(part["url"]), json=change, headers=corrector)
        assert check("patch", f"/{collection}/{{uuid}}", response) | change == response.json(), change
