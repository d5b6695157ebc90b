"""The error cases of the Haal Centraal BRP bevragen reference, answered field for field as the reference answers
them (data/brp_reference_errors.yaml), and the inputs the reference accepts where the OpenAPI document is stricter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.registers.helpers import (
    URL,
    address,
    assert_reference_problem,
    person,
    query,
    reader,
    reference_cases,
    send_case,
    world,
)

CASES = reference_cases(Path(__file__).parent / "data" / "brp_reference_errors.yaml")


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    return await reader(session, ["burgerservicenummer", "naam"])


@pytest.mark.parametrize("case", CASES, ids=[case["scenario"] for case in CASES])
async def test_each_reference_error_case_gets_the_reference_problem(client: httpx.AsyncClient,
                                                                    headers: dict[str, str],
                                                                    case: dict[str, Any]) -> None:
    assert_reference_problem(await send_case(client, URL, headers, case), URL, case)


@pytest.mark.parametrize("content_type", ["", "application/json", "application/json;charset=utf-8",
                                          "application/json; charset=UTF-8", "application/json;charset=Utf-8"])
async def test_json_with_or_without_charset_or_no_content_type_is_read(client: httpx.AsyncClient,
                                                                       headers: dict[str, str],
                                                                       content_type: str) -> None:
    body = b'{"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["999990011"], "fields": ["naam"]}'
    response = await client.post(URL, headers={**headers, "Content-Type": content_type}, content=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"type": "RaadpleegMetBurgerservicenummer", "personen": []}


@pytest.mark.parametrize("accept", ["*/*", "*/*;charset=UTF-8", "application/json; charset=utf-8", ""])
async def test_the_accept_headers_of_the_reference_are_answered(client: httpx.AsyncClient, headers: dict[str, str],
                                                                accept: str) -> None:
    response = await client.post(URL, headers={**headers, "Accept": accept},
                                 json=query("RaadpleegMetBurgerservicenummer", burgerservicenummer=["999990011"]))
    assert response.status_code == 200, response.text


async def test_a_number_failing_the_11_check_is_not_found_rather_than_refused(client: httpx.AsyncClient,
                                                                             headers: dict[str, str]) -> None:
    response = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer",
                                                                  burgerservicenummer=["123456780"]))
    assert response.status_code == 200 and response.json()["personen"] == []


async def test_huisnummer_as_a_string_of_digits_finds_as_the_number(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, ["burgerservicenummer"])
    found = {}
    for huisnummer in (1, "1"):
        response = await client.post(URL, headers=headers, json=query("ZoekMetPostcodeEnHuisnummer",
                                                                      postcode="1012JS", huisnummer=huisnummer))
        assert response.status_code == 200, response.text
        found[huisnummer] = {person["burgerservicenummer"] for person in response.json()["personen"]}
    assert found[1] == found["1"] and w.anna in found["1"]


@pytest.mark.parametrize(("geslachtsnaam", "found"), [
    ("Käster", True), ("KÄSTER", True), ("kaster", True), ("Kästër", False), ("Kâster", False), ("Käs*", True),
    ("Kâs*", False),
])
async def test_diacritics_in_a_search_term_are_respected(client: httpx.AsyncClient, session: AsyncSession,
                                                         geslachtsnaam: str, found: bool) -> None:
    w = await world(session)
    headers = await reader(session, ["burgerservicenummer"])
    response = await client.post(URL, headers=headers, json=query(
        "ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam=geslachtsnaam, geboortedatum="1983-05-26"))
    assert response.status_code == 200, response.text
    assert ({person["burgerservicenummer"] for person in response.json()["personen"]} == {w.kaster}) is found


async def test_a_term_with_diacritics_does_not_find_the_name_without_them(client: httpx.AsyncClient,
                                                                         session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, ["burgerservicenummer"])
    for voornamen, expected in (("Gérda", []), ("Gerda", [w.groenlo])):
        response = await client.post(URL, headers=headers, json=query(
            "ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Groenlo", geboortedatum="1983-05-26",
            voornamen=voornamen))
        assert [person["burgerservicenummer"] for person in response.json()["personen"]] == expected


@pytest.mark.parametrize(("straat", "found"), [
    ("Café Laan", {"cafe"}), ("CAFÉ LAAN", {"cafe"}), ("café laan", {"cafe"}), ("Cafe Laan", {"cafe", "plain"}),
    ("Cafè Laan", set()), ("Café La*", {"cafe"}), ("*afé Laan", {"cafe"}), ("Cafe La*", {"cafe", "plain"}),
])
async def test_diacritics_in_a_street_are_respected(client: httpx.AsyncClient, session: AsyncSession, straat: str,
                                                    found: set[str]) -> None:
    cafe = await address(session, 41, "Café Laan", 7, "1011AA")
    plain = await address(session, 42, "Cafe Laan", 7, "1011AB")
    persons = {await person(session, "straat-cafe", "Visser", "Els", "19700101", cafe): "cafe",
               await person(session, "straat-plain", "Visser", "Ed", "19700101", plain): "plain"}
    await session.commit()
    headers = await reader(session, ["burgerservicenummer"])
    response = await client.post(URL, headers=headers, json=query(
        "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat=straat, huisnummer=7,
        gemeenteVanInschrijving="0363"))
    assert response.status_code == 200, response.text
    assert {persons[person["burgerservicenummer"]] for person in response.json()["personen"]} == found
