"""The BAG API: does an address exist (by postcode and number, or by nummeraanduiding), through a grant, no log."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange.models import LogRecord
from plein.registers.bag import service
from plein.registers.bag.service import AddressData
from tests.registers.helpers import address, reader

API = "/api/bag/v1"


async def addresses(session: AsyncSession) -> None:
    await address(session, 1, "Dam", 1, "1012JS")
    await address(session, 2, "Dam", 1, "1012JS", huisletter="A")
    await address(session, 3, "Dam", 1, "1012JS", huisletter="A", toevoeging="2")
    await address(session, 4, "Oudegracht", 10, "3511AP", gemeente="0344", woonplaats="Utrecht")
    await service.ensure_address(session, AddressData("Dam", 3, "0363", postcode="1012JS"))  # pre-BAG, no id
    await session.commit()


async def test_addresses_at_a_postcode_and_number(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await addresses(session)
    headers = await reader(session, ["nummeraanduidingIdentificatie", "openbareRuimte", "huisnummer", "huisletter",
                                     "huisnummertoevoeging", "postcode", "woonplaats"], register="bag")
    everything = await client.get(f"{API}/adressen", params={"postcode": "1012JS", "huisnummer": 1}, headers=headers)
    assert everything.status_code == 403  # without `fields` every field is asked for
    fields = "nummeraanduidingIdentificatie,openbareRuimte,huisnummer,huisletter,huisnummertoevoeging"
    found = await client.get(f"{API}/adressen", params={"postcode": "1012 js", "huisnummer": 1, "fields": fields},
                             headers=headers)
    assert found.status_code == 200, found.text
    assert found.headers["API-Version"] == "1.0.0"
    assert [(a["nummeraanduidingIdentificatie"], a.get("huisletter"), a.get("huisnummertoevoeging"))
            for a in found.json()["adressen"]] == [("0363200000000001", None, None), ("0363200000000002", "A", None),
                                                   ("0363200000000003", "A", "2")]
    assert "gemeentecode" not in found.json()["adressen"][0]
    letter = await client.get(f"{API}/adressen", headers=headers, params={
        "postcode": "1012JS", "huisnummer": 1, "huisletter": "a", "huisnummertoevoeging": "2", "fields": fields})
    assert [a["nummeraanduidingIdentificatie"] for a in letter.json()["adressen"]] == ["0363200000000003"]
    none = await client.get(f"{API}/adressen", params={"postcode": "1012JS", "huisnummer": 3, "fields": fields},
                            headers=headers)
    assert none.json() == {"adressen": []}
    one = await client.get(f"{API}/adressen/0363200000000002", headers=headers,
                           params={"fields": "openbareRuimte,huisnummer,huisletter"})
    assert one.json() == {"openbareRuimte": "Dam", "huisnummer": 1, "huisletter": "A"}
    assert await session.scalar(select(func.count()).select_from(LogRecord)) == 0


async def test_bag_reads_need_a_grant_and_good_input(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await addresses(session)
    assert (await client.get(f"{API}/adressen/0363200000000001")).status_code == 401
    headers = await reader(session, ["postcode", "huisnummer"], register="bag", municipality="0344")
    refused = await client.get(f"{API}/adressen/0363200000000001", headers=headers)
    assert refused.status_code == 403
    assert [p["name"] for p in refused.json()["invalidParams"]] == ["adresseerbaarObjectIdentificatie",
                                                                   "gemeentecode", "huisletter", "huisnummertoevoeging",
                                                                   "nummeraanduidingIdentificatie", "openbareRuimte",
                                                                   "woonplaats"]
    narrow = {"fields": "postcode,huisnummer"}
    elsewhere = await client.get(f"{API}/adressen/0363200000000001", headers=headers, params=narrow)
    assert elsewhere.status_code == 404
    utrecht = await client.get(f"{API}/adressen/0344200000000004", headers=headers, params=narrow)
    assert utrecht.json() == {"huisnummer": 10, "postcode": "3511AP"}
    for params in ({"postcode": "0123AB", "huisnummer": 1}, {"postcode": "1012JS", "huisnummer": 0},
                   {"postcode": "1012JS"}, {"postcode": "1012JS", "huisnummer": 1, "straat": "Dam"},
                   {"postcode": "1012JS", "huisnummer": "een"}):
        bad = await client.get(f"{API}/adressen", headers=headers, params={**params, **narrow})
        assert bad.status_code == 400, params
        assert bad.headers["content-type"] == "application/problem+json" and bad.json()["invalidParams"]
    wrong_id = await client.get(f"{API}/adressen/12345", headers=headers, params=narrow)
    assert wrong_id.status_code == 400


async def test_the_bag_openapi_document_is_served_next_to_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["servers"][0]["url"].endswith("/api/bag/v1")
    assert {"/adressen", "/adressen/{nummeraanduidingIdentificatie}"} <= set(document["paths"])
