"""The parts of a zaaktype (statustypen, roltypen, resultaattypen, eigenschappen, zaakobjecttypen,
zaaktype-informatieobjecttypen): every operation, their filters, references to sibling parts, the concept rules of
ztc-010, the brondatumArchiefprocedure rules ztc-004 … ztc-008, and the 400 for unknown query parameters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import spec
from plein.zgw.catalogi.models import ResultaatType
from tests.zgw.catalogi.helpers import (
    BASE,
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

COLLECTIONS = ["statustypen", "roltypen", "resultaattypen", "eigenschappen", "zaakobjecttypen",
               "zaaktype-informatieobjecttypen"]
CHANGES: dict[str, dict[str, Any]] = {
    "statustypen": {"statustekst": "Uw melding is ontvangen"}, "roltypen": {"omschrijving": "Aanvrager"},
    "resultaattypen": {"toelichting": "Klaar"}, "eigenschappen": {"definitie": "Plaats"},
    "zaakobjecttypen": {"relatieOmschrijving": "Plek"}, "zaaktype-informatieobjecttypen": {"richting": "uitgaand"},
}


async def _setup(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
    catalogus_url = await catalogus(client, headers)
    await post(client, headers, "informatieobjecttypen", iot_body(catalogus_url))
    zaaktype = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url))
    return catalogus_url, zaaktype


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_a_part_through_all_its_operations(client: httpx.AsyncClient, session: AsyncSession,
                                                 collection: str) -> None:
    headers = await all_rights(session)
    catalogus_url, zaaktype = await _setup(client, headers)
    body = part_bodies(zaaktype["url"], catalogus_url)[collection]
    response = await client.post(f"{BASE}/{collection}", json=body, headers=headers)
    created = check("post", f"/{collection}", response)
    assert response.status_code == 201 and response.headers["location"] == created["url"]
    assert created["zaaktype"] == zaaktype["url"] and created["catalogus"] == catalogus_url
    assert created["zaaktypeIdentificatie"] == "ZT-1"
    detail = f"/{collection}/{{uuid}}"
    path = local(created["url"])
    read = await client.get(path, headers=headers)
    assert check("get", detail, read) == created
    head = await client.head(path, headers=headers)
    assert check("head", detail, head) is None and head.headers["etag"] == read.headers["etag"]
    replaced = await client.put(path, json=body | CHANGES[collection], headers=headers)
    assert check("put", detail, replaced) == created | CHANGES[collection]
    patched = await client.patch(path, json=CHANGES[collection], headers=headers)
    assert check("patch", detail, patched) == created | CHANGES[collection]

    listed = await client.get(f"{BASE}/{collection}", params={"zaaktype": zaaktype["url"], "status": "alles"}
                              if collection != "zaakobjecttypen" else {"zaaktype": zaaktype["url"]}, headers=headers)
    assert [item["url"] for item in check("get", f"/{collection}", listed)["results"]] == [created["url"]]
    shown = check("get", "/zaaktypen/{uuid}", await client.get(local(zaaktype["url"]), headers=headers))
    if collection in shown:
        assert shown[collection] == [created["url"]]
    deleted = await client.delete(path, headers=headers)
    assert deleted.status_code == 204 and check("delete", detail, deleted) is None
    assert check("get", detail, await client.get(path, headers=headers))["status"] == 404


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_parts_of_a_published_zaaktype_are_frozen(client: httpx.AsyncClient, session: AsyncSession,
                                                        collection: str) -> None:
    """ztc-010: no new part and no change (400) once the zaaktype is published, unless a correctie
    (geforceerd-schrijven); no delete (409) at all, not even with geforceerd-schrijven or geforceerd-verwijderen."""
    admin = await all_rights(session)
    headers = await writer(session)
    catalogus_url = await catalogus(client, admin)
    iot = await post(client, admin, "informatieobjecttypen", iot_body(catalogus_url))
    assert (await publish(client, admin, iot["url"])).status_code == 200
    zaaktype = await publishable_zaaktype(client, headers, catalogus_url)
    body = part_bodies(zaaktype["url"], catalogus_url)[collection] | {"volgnummer": 3, "omschrijving": "Extra",
                                                                       "naam": "extra"}
    body = {key: value for key, value in body.items() if key in part_bodies("", "")[collection]}
    existing = await post(client, headers, collection, body)
    assert (await publish(client, headers, zaaktype["url"])).status_code == 200

    refused = await client.post(f"{BASE}/{collection}", json=body, headers=headers)
    codes = {"zaaktype-informatieobjecttypen": "non-concept-relation"}
    assert check("post", f"/{collection}", refused)["invalidParams"][0]["code"] == codes.get(
        collection, "non-concept-zaaktype")
    detail = f"/{collection}/{{uuid}}"
    changed = await client.patch(local(existing["url"]), json=CHANGES[collection], headers=headers)
    assert check("patch", detail, changed)["status"] == 400
    gone = await client.delete(local(existing["url"]), headers=headers)
    assert (check("delete", detail, gone)["status"], gone.json()["code"]) == (409, codes.get(
        collection, "non-concept-zaaktype"))

    corrector = await scoped(session, "corrector", ["catalogi.geforceerd-schrijven", "catalogi.geforceerd-verwijderen"])
    assert (await client.patch(local(existing["url"]), json=CHANGES[collection], headers=corrector)).status_code == 200
    kept = await client.delete(local(existing["url"]), headers=corrector)
    assert (check("delete", detail, kept)["status"], kept.json()["code"]) == (409, codes.get(
        collection, "non-concept-zaaktype"))
    assert check("get", detail, await client.get(local(existing["url"]), headers=headers))["url"] == existing["url"]


async def test_a_zaaktype_informatieobjecttype_with_a_concept_informatieobjecttype_stays_open(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    """ztc-010 (1.3.1) freezes a zaaktype-informatieobjecttype only when both sides are published."""
    headers = await writer(session)
    catalogus_url = await catalogus(client, await all_rights(session))
    await post(client, headers, "informatieobjecttypen", iot_body(catalogus_url))
    zaaktype = await publishable_zaaktype(client, headers, catalogus_url)
    relation = await post(client, headers, "zaaktype-informatieobjecttypen",
                          part_bodies(zaaktype["url"], catalogus_url)["zaaktype-informatieobjecttypen"])
    publish_refused = await publish(client, headers, zaaktype["url"])
    assert publish_refused.json()["invalidParams"][0]["code"] == "concept-relation"
    # The zaaktype is concept; the relation changes freely and is listed as concept.
    patched = await client.patch(local(relation["url"]), json={"richting": "intern"}, headers=headers)
    assert patched.status_code == 200
    listed = check("get", "/zaaktype-informatieobjecttypen", await client.get(
        f"{BASE}/zaaktype-informatieobjecttypen", params={"status": "concept", "richting": "intern",
                                                          "informatieobjecttype": "Melding"}, headers=headers))
    assert [r["url"] for r in listed["results"]] == [relation["url"]]
    assert relation["informatieobjecttype"].startswith("http://plein.test/catalogi/api/v1/informatieobjecttypen/")
    by_url = check("get", "/zaaktype-informatieobjecttypen", await client.get(
        f"{BASE}/zaaktype-informatieobjecttypen", params={"status": "alles", "informatieobjecttype":
                                                          relation["informatieobjecttype"]}, headers=headers))
    assert by_url["count"] == 1
    definitief = check("get", "/zaaktype-informatieobjecttypen", await client.get(
        f"{BASE}/zaaktype-informatieobjecttypen", headers=headers))
    assert definitief["count"] == 0


async def test_part_references_stay_within_the_zaaktype(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url, zaaktype = await _setup(client, headers)
    other = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url, "ZT-2"))
    bodies = part_bodies(zaaktype["url"], catalogus_url)
    first = await post(client, headers, "statustypen", bodies["statustypen"])
    last = await post(client, headers, "statustypen", bodies["statustypen"] | {"volgnummer": 9})
    foreign = await post(client, headers, "statustypen", part_bodies(other["url"], catalogus_url)["statustypen"])
    eigenschap = await post(client, headers, "eigenschappen", bodies["eigenschappen"] | {"statustype": last["url"]})
    assert eigenschap["statustype"] == last["url"]
    resultaat = await post(client, headers, "resultaattypen", bodies["resultaattypen"])
    objecttype = await post(client, headers, "zaakobjecttypen", bodies["zaakobjecttypen"] | {
        "statustypen": [first["url"]], "resultaattypen": [resultaat["url"]]})
    check("patch", "/statustypen/{uuid}", await client.patch(local(first["url"]), json={
        "eigenschappen": [eigenschap["url"]]}, headers=headers))

    shown = check("get", "/statustypen/{uuid}", await client.get(local(first["url"]), headers=headers))
    assert shown["isEindstatus"] is False and shown["zaakobjecttype"] == objecttype["url"]
    assert shown["eigenschappen"] == [eigenschap["url"]]
    assert check("get", "/statustypen/{uuid}", await client.get(local(last["url"]), headers=headers))["isEindstatus"]
    shown_resultaat = check("get", "/resultaattypen/{uuid}", await client.get(local(resultaat["url"]),
                                                                             headers=headers))
    assert shown_resultaat["zaakobjecttypen"] == [objecttype["url"]]

    for collection, change, name, code in [
        ("eigenschappen", {"statustype": foreign["url"], "naam": "x"}, "statustype", "relations-incorrect-zaaktype"),
        ("zaakobjecttypen", {"statustypen": [foreign["url"]]}, "statustypen.0", "relations-incorrect-zaaktype"),
        ("zaakobjecttypen", {"resultaattypen": [first["url"]]}, "resultaattypen.0", "invalid-resource"),
        ("zaakobjecttypen", {"catalogus": await catalogus(client, headers, "ANDER")}, "catalogus",
         "relations-incorrect-catalogus"),
        ("zaakobjecttypen", {"beginGeldigheid": "2026-02-02"}, "beginGeldigheid", "invalid"),
        ("statustypen", {"volgnummer": 1}, "volgnummer", "unique"),
        ("statustypen", {"volgnummer": 0}, "volgnummer", "min_value"),
        ("statustypen", {"zaaktype": catalogus_url}, "zaaktype", "invalid-resource"),
        ("statustypen", {"zaaktype": zaaktype["url"][:-4] + "0000"}, "zaaktype", "bad-url"),
        ("roltypen", {"omschrijvingGeneriek": "baas"}, "omschrijvingGeneriek", "invalid_choice"),
        ("zaaktype-informatieobjecttypen", {"informatieobjecttype": "Onbekend"}, "informatieobjecttype",
         "does_not_exist"),
        ("zaaktype-informatieobjecttypen", {"statustype": foreign["url"]}, "statustype",
         "relations-incorrect-zaaktype"),
        ("resultaattypen", {"selectielijstklasse": "geen url"}, "selectielijstklasse", "invalid"),
        ("resultaattypen", {"besluittypen": ["Onbekend"]}, "besluittypen", "does_not_exist"),
    ]:
        response = await client.post(f"{BASE}/{collection}", json=bodies[collection] | change, headers=headers)
        problem = check("post", f"/{collection}", response)
        assert response.status_code == 400, change
        assert (name, code) in [(p["name"], p["code"]) for p in problem["invalidParams"]], (change, problem)


@pytest.mark.parametrize(("procedure", "problems"), [
    ({"afleidingswijze": "afgehandeld"}, []),
    ({"afleidingswijze": "afgehandeld", "datumkenmerk": "x"}, [("datumkenmerk", "must-be-empty")]),
    ({"afleidingswijze": "afgehandeld", "einddatumBekend": True}, [("einddatumBekend", "must-be-empty")]),
    ({"afleidingswijze": "termijn"}, [("procestermijn", "required")]),
    ({"afleidingswijze": "termijn", "procestermijn": "P5Y"}, []),
    ({"afleidingswijze": "eigenschap"}, [("datumkenmerk", "required")]),
    ({"afleidingswijze": "eigenschap", "datumkenmerk": "datum", "einddatumBekend": True}, []),
    ({"afleidingswijze": "zaakobject", "datumkenmerk": "d"}, [("objecttype", "required")]),
    ({"afleidingswijze": "zaakobject", "datumkenmerk": "d", "objecttype": "pand", "registratie": "BAG"},
     [("registratie", "must-be-empty")]),
    ({"afleidingswijze": "ander_datumkenmerk", "datumkenmerk": "d", "objecttype": "pand"},
     [("registratie", "required")]),
    ({"afleidingswijze": "hoofdzaak", "procestermijn": "P1Y", "objecttype": "pand"},
     [("objecttype", "must-be-empty"), ("procestermijn", "must-be-empty")]),
    ({"afleidingswijze": "vervaldatum_besluit"}, []),
])
async def test_brondatum_archiefprocedure_rules(client: httpx.AsyncClient, session: AsyncSession,
                                                procedure: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    """ztc-004 (datumkenmerk), ztc-005 (einddatumBekend), ztc-006 (objecttype), ztc-007 (registratie), ztc-008
    (procestermijn), each by afleidingswijze."""
    headers = await all_rights(session)
    catalogus_url, zaaktype = await _setup(client, headers)
    body = part_bodies(zaaktype["url"], catalogus_url)["resultaattypen"] | {"brondatumArchiefprocedure": procedure}
    response = await client.post(f"{BASE}/resultaattypen", json=body, headers=headers)
    answer = check("post", "/resultaattypen", response)
    if not problems:
        assert response.status_code == 201
        assert answer["brondatumArchiefprocedure"]["afleidingswijze"] == procedure["afleidingswijze"]
        return
    assert sorted((p["name"].split(".")[-1], p["code"]) for p in answer["invalidParams"]) == sorted(problems)
    assert await session.scalar(select(func.count()).select_from(ResultaatType)) == 0


async def test_part_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await all_rights(session)
    catalogus_url = await catalogus(client, headers)
    published = await publishable_zaaktype(client, headers, catalogus_url, "ZT-PUB")
    await post(client, headers, "zaakobjecttypen", part_bodies(published["url"], catalogus_url)["zaakobjecttypen"])
    assert (await publish(client, headers, published["url"])).status_code == 200
    concept = await publishable_zaaktype(client, headers, catalogus_url, "ZT-CON", beginGeldigheid="2030-01-01")

    async def count(collection: str, **params: str) -> int:
        body = check("get", f"/{collection}", await client.get(f"{BASE}/{collection}", params=params,
                                                               headers=headers))
        return int(body["count"])

    assert await count("statustypen") == 2
    assert await count("statustypen", status="alles") == 4
    assert await count("statustypen", status="concept", zaaktype=concept["url"]) == 2
    assert await count("statustypen", zaaktypeIdentificatie="ZT-CON", status="alles") == 2
    assert await count("statustypen", datumGeldigheid="2030-06-01", status="alles") == 4
    assert await count("statustypen", datumGeldigheid="2026-06-01", status="alles") == 2
    assert await count("roltypen", omschrijvingGeneriek="initiator") == 1
    assert await count("roltypen", omschrijvingGeneriek="adviseur") == 0
    assert await count("eigenschappen", status="alles") == 0
    assert await count("resultaattypen", zaaktype_identificatie="ZT-PUB") == 1
    assert await count("resultaattypen", datum_geldigheid="2025-01-01") == 0
    assert await count("resultaattypen", zaaktype=concept["url"], status="concept") == 1
    objecttype = "https://objecttypen.example/api/v2/objecttypes/1"
    for params, expected in [({}, 1), ({"anderObjecttype": "false"}, 1), ({"anderObjecttype": "true"}, 0),
                             ({"catalogus": catalogus_url}, 1), ({"datumBeginGeldigheid": "2026-01-01"}, 1),
                             ({"datumEindeGeldigheid": "2026-01-01"}, 0), ({"objecttype": objecttype}, 1),
                             ({"relatieOmschrijving": "Locatie"}, 1), ({"zaaktypeIdentificatie": "ZT-CON"}, 0),
                             ({"datumGeldigheid": "2026-03-03"}, 1)]:
        assert await count("zaakobjecttypen", **params) == expected, params
    bad = await client.get(f"{BASE}/zaakobjecttypen", params={"anderObjecttype": "misschien"}, headers=headers)
    assert check("get", "/zaakobjecttypen", bad)["invalidParams"][0]["name"] == "anderObjecttype"


LISTS = [path for (method, path) in spec.operations("catalogi") if method == "get" and "{" not in path]


@pytest.mark.parametrize("path", LISTS)
async def test_unknown_query_parameters_are_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                    path: str) -> None:
    headers = await all_rights(session)
    response = await client.get(f"{BASE}{path}", params={"ordering": "-url"}, headers=headers)
    problem = check("get", path, response)
    assert response.status_code == 400
    assert problem["invalidParams"][0]["code"] == "unknown-parameters"
    page = check("get", path, await client.get(f"{BASE}{path}", params={"page": "twee"}, headers=headers))
    assert page["invalidParams"][0]["name"] == "page"
    assert check("get", path, await client.get(f"{BASE}{path}", headers=headers))["count"] == 0
