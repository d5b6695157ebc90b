"""POST /haalcentraal/api/brp/personen through the real exchange layer: every query type, validated against the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import ServiceUnavailable
from plein.exchange import service as exchange
from plein.exchange.models import LogRecord
from plein.registers.brp import service
from plein.registers.brp.schemas import QUERY_TYPES, allowed_fields
from tests.registers import spec
from tests.registers.helpers import ALL_FIELDS, AUTOMATIC, CAUSE, URL, World, query, reader, world

TOP_LEVEL = {name: sorted(path for path in allowed_fields(QUERY_TYPES[name].response) if "." not in path)
             for name in QUERY_TYPES}


def bodies(w: World) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """One request per query type, asking every top-level field its response may have, and the BSNs it finds."""
    parameters: dict[str, tuple[dict[str, Any], set[str]]] = {
        "RaadpleegMetBurgerservicenummer": ({"burgerservicenummer": [w.anna, w.pieter, w.groen]},
                                            {w.anna, w.pieter, w.groen}),
        "ZoekMetGeslachtsnaamEnGeboortedatum": ({"geslachtsnaam": "gro*", "geboortedatum": "1983-05-26",
                                                 "inclusiefOverledenPersonen": True}, {w.groen, w.groenlo}),
        "ZoekMetNaamEnGemeenteVanInschrijving": ({"geslachtsnaam": "VRIES", "voornamen": "ann*",
                                                  "gemeenteVanInschrijving": "0363"}, {w.anna}),
        "ZoekMetPostcodeEnHuisnummer": ({"postcode": "1012 JS", "huisnummer": 1}, {w.anna, w.jan, w.pieter,
                                                                                   w.groenlo}),
        "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving": ({"straat": "Oudegracht", "huisnummer": 10,
                                                              "gemeenteVanInschrijving": "0344"}, {w.kaster}),
        "ZoekMetNummeraanduidingIdentificatie": ({"nummeraanduidingIdentificatie": w.dam_a.nummeraanduiding},
                                                 {w.groenlo}),
        "ZoekMetAdresseerbaarObjectIdentificatie": ({"adresseerbaarObjectIdentificatie":
                                                     w.dam.adresseerbaar_object}, {w.anna, w.jan, w.pieter}),
    }
    return {name: (query(name, TOP_LEVEL[name], **values), found) for name, (values, found) in parameters.items()}


@pytest.fixture
async def setup(session: AsyncSession) -> tuple[World, dict[str, str]]:
    w = await world(session)
    await service.set_geheimhouding(session, w.kaster, 3, CAUSE)
    await session.commit()
    return w, await reader(session, [*TOP_LEVEL["RaadpleegMetBurgerservicenummer"], "gezag", *AUTOMATIC])


@pytest.mark.parametrize("kind", sorted(QUERY_TYPES))
async def test_every_query_type_answers_in_the_spec_shape(client: httpx.AsyncClient, session: AsyncSession,
                                                          setup: tuple[World, dict[str, str]], kind: str) -> None:
    w, headers = setup
    body, expected = bodies(w)[kind]
    response = await client.post(URL, headers=headers, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert spec.errors(f"{kind}Response", data) == []
    assert data["type"] == kind
    assert {person["burgerservicenummer"] for person in data["personen"]} == expected
    schema = QUERY_TYPES[kind].response
    for person in data["personen"]:
        assert spec.errors(schema, person) == []
        assert spec.leaf_paths(person) <= spec_paths(schema), spec.leaf_paths(person) - spec_paths(schema)
    logged = (await session.scalars(select(LogRecord).where(LogRecord.trace_id ==
                                                            response.headers["X-Transaction-Id"]))).all()
    assert sorted(record.subject for record in logged) == sorted(expected)
    assert all(record.register == "brp" and record.activity == "brp-raadplegen" for record in logged)


def spec_paths(schema: str) -> set[str]:
    from plein.registers.brp.spec import schema_paths

    return set(schema_paths(schema))


async def test_raadplegen_gives_the_whole_person(client: httpx.AsyncClient,
                                                 setup: tuple[World, dict[str, str]]) -> None:
    w, headers = setup
    response = await client.post(URL, headers=headers, json=query(
        "RaadpleegMetBurgerservicenummer", ALL_FIELDS, burgerservicenummer=[w.pieter, w.groen, w.kaster]))
    pieter, groen, kaster = sorted(response.json()["personen"], key=lambda p: [w.pieter, w.groen, w.kaster].index(
        p["burgerservicenummer"]))
    assert [ouder["burgerservicenummer"] for ouder in pieter["ouders"]] == [w.anna, w.jan]
    assert pieter["verblijfplaats"]["verblijfadres"] == {
        "officieleStraatnaam": "Dam", "korteStraatnaam": "Dam", "huisnummer": 1, "postcode": "1012JS",
        "woonplaats": "Amsterdam"}
    assert pieter["gemeenteVanInschrijving"] == {"code": "0363", "omschrijving": "Amsterdam"}
    assert pieter["naam"]["volledigeNaam"] == "Pieter de Vries" and pieter["naam"]["voorletters"] == "P."
    assert isinstance(pieter["leeftijd"], int)
    assert "leeftijd" not in groen and groen["overlijden"]["datum"]["datum"] == "2020-01-01"
    assert groen["opschortingBijhouding"]["reden"] == {"code": "O", "omschrijving": "overlijden"}
    assert kaster["geheimhoudingPersoonsgegevens"] is True
    assert "geheimhoudingPersoonsgegevens" not in pieter


@pytest.mark.parametrize(("fields", "expected"), [
    (["naam.voornamen"], {"naam": {"voornamen": "Anna Maria"}}),
    (["geslacht.code"], {"geslacht": {"code": "V", "omschrijving": "vrouw"}}),
    (["geboorte.datum.jaar"], {"geboorte": {"datum": {"type": "Datum", "datum": "1980-05-12",
                                                      "langFormaat": "12 mei 1980"}}}),
    (["verblijfplaats.verblijfadres.postcode"], {"verblijfplaats": {"type": "Adres",
                                                                    "verblijfadres": {"postcode": "1012JS"}}}),
    (["partners.naam.voornamen", "kinderen.burgerservicenummer"], None),
    (["naam.adellijkeTitelPredicaat"], {}),
])
async def test_only_the_requested_fields_are_delivered(client: httpx.AsyncClient, setup: tuple[World, dict[str, str]],
                                                       fields: list[str], expected: dict[str, Any] | None) -> None:
    w, headers = setup
    response = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer", fields,
                                                                  burgerservicenummer=[w.anna]))
    assert response.status_code == 200, response.text
    person = response.json()["personen"][0]
    if expected is None:
        expected = {"partners": [{"naam": {"voornamen": "Jan"}}], "kinderen": [{"burgerservicenummer": w.pieter}]}
    assert person == expected
    assert spec.errors("Persoon", person) == []


async def test_fields_outside_the_grant_are_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, ["naam"])
    refused = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer",
                                                                 ["naam", "verblijfplaats.verblijfadres.postcode"],
                                                                 burgerservicenummer=[w.anna]))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert spec.errors("Foutbericht", refused.json()) == []
    assert [p["name"] for p in refused.json()["invalidParams"]] == ["verblijfplaats.verblijfadres.postcode"]
    allowed = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer", ["naam.voornamen"],
                                                                 burgerservicenummer=[w.kaster]))
    assert allowed.json()["personen"] == [{"naam": {"voornamen": "Albertus Johannes"}}]
    unauthenticated = await client.post(URL, json=query("RaadpleegMetBurgerservicenummer",
                                                        burgerservicenummer=[w.anna]))
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    assert spec.errors("Foutbericht", unauthenticated.json()) == []
    no_activity = await client.post(URL, headers={"Authorization": headers["Authorization"]}, json=query(
        "RaadpleegMetBurgerservicenummer", ["naam"], burgerservicenummer=[w.anna]))
    assert no_activity.status_code == 400 and no_activity.json()["invalidParams"][0]["name"] == exchange.ACTIVITY_HEADER


async def test_a_grant_for_one_municipality_shows_only_its_residents(client: httpx.AsyncClient,
                                                                    session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, ["burgerservicenummer"], municipality="0344")
    response = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer",
                                                                  burgerservicenummer=w.all()))
    assert {p["burgerservicenummer"] for p in response.json()["personen"]} == {w.kaster, w.groen}


async def test_automatic_fields_come_only_with_a_grant_for_them(client: httpx.AsyncClient,
                                                                setup: tuple[World, dict[str, str]],
                                                                session: AsyncSession) -> None:
    w, _ = setup
    headers = await reader(session, ["burgerservicenummer"], client_id="zonder-automatisch")
    response = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer",
                                                                  burgerservicenummer=[w.kaster, w.groen]))
    assert response.json()["personen"] == [{"burgerservicenummer": number} for number in sorted([w.groen, w.kaster])]


async def test_the_log_names_the_fields_delivered_per_person(client: httpx.AsyncClient, session: AsyncSession,
                                                             setup: tuple[World, dict[str, str]]) -> None:
    w, headers = setup
    response = await client.post(URL, headers=headers, json=query(
        "RaadpleegMetBurgerservicenummer", ["naam.voornamen", "overlijden", "partners"],
        burgerservicenummer=[w.groen, w.anna]))
    records = {r.subject: r.fields for r in (await session.scalars(select(LogRecord).where(
        LogRecord.trace_id == response.headers["X-Transaction-Id"]))).all()}
    assert records == {w.anna: ["naam.voornamen", "partners"],
                       w.groen: ["naam.voornamen", "opschortingBijhouding", "overlijden"]}


async def test_no_data_leaves_when_the_log_cannot_be_written(client: httpx.AsyncClient,
                                                             setup: tuple[World, dict[str, str]],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    w, headers = setup

    async def broken(*_: Any) -> None:
        raise ServiceUnavailable("the processing log cannot be written")

    monkeypatch.setattr(exchange, "log_reads", broken)
    response = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer", ["naam"],
                                                                  burgerservicenummer=[w.anna]))
    assert response.status_code == 503
    assert "personen" not in response.json() and "Anna" not in response.text
    assert spec.errors("Foutbericht", response.json()) == []
