"""Haal Centraal BRP Historie (verblijfplaatshistorie): the residences of a period or a day, through the exchange
layer and logged, via HTTP and via the service function; bad input named; the API's rules for unknown dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Forbidden, InvalidInput, NotFound
from plein.exchange import service as exchange
from plein.exchange.models import LogRecord
from plein.registers.brp import historie, service
from plein.registers.brp.models import Residence
from plein.registers.brp.service import NewResidence
from plein.registers.fields import register_fields
from plein.store.checks import CheckContext
from plein.store.checks.manifest import check_data, check_manifest
from plein.store.package import AppPackage
from tests.registers.helpers import (
    ACTIVITY,
    CAUSE,
    URL,
    address,
    bsn,
    dam_singel_oudegracht,
    person,
    query,
    reader,
)

HISTORIE = "/haalcentraal/api/brphistorie/verblijfplaatshistorie"
FIELD = "verblijfplaatshistorie"
ZAAKSYSTEEM = Principal("client", "zaaksysteem", "Zaaksysteem", frozenset())
PERIODE, PEILDATUM = "RaadpleegMetPeriode", "RaadpleegMetPeildatum"


async def mover(session: AsyncSession) -> str:
    """Moved twice: Dam 1 Amsterdam (2010), Singel 5 Amsterdam (2015-06-01), Oudegracht 10 Utrecht (2020-03-01)."""
    dam, singel, utrecht = await dam_singel_oudegracht(session)
    number = await person(session, "mover", "Bakker", "Sanne", "19900101", dam, since="20100101")
    await service.register_move(session, number, NewResidence("20150601", singel.nummeraanduiding), CAUSE)
    await service.register_move(session, number, NewResidence("20200301", utrecht.nummeraanduiding), CAUSE)
    await session.commit()
    return number


def periods(found: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(item["datumVan"]["datum"], item.get("datumTot", {}).get("datum")) for item in found]


def body(number: str, kind: str = PERIODE, **parameters: str) -> dict[str, Any]:
    return {"type": kind, "burgerservicenummer": number, **parameters}


async def test_a_person_who_moved_twice_has_three_residences_newest_first(client: httpx.AsyncClient,
                                                                          session: AsyncSession) -> None:
    number = await mover(session)
    headers = await reader(session, [FIELD])
    response = await client.post(HISTORIE, headers=headers,
                                 json=body(number, datumVan="2000-01-01", datumTot="2030-01-01"))
    assert response.status_code == 200 and response.headers["API-Version"] == "2.0.0"
    found = response.json()["verblijfplaatsen"]
    assert periods(found) == [("2020-03-01", None), ("2015-06-01", "2020-03-01"), ("2010-01-01", "2015-06-01")]
    utrecht, singel, dam = found
    assert utrecht["type"] == "Adres" and utrecht["gemeenteVanInschrijving"]["code"] == "0344"
    assert utrecht["verblijfadres"]["officieleStraatnaam"] == "Oudegracht"
    assert utrecht["nummeraanduidingIdentificatie"] == "0344200000000003"
    assert utrecht["adresseerbaarObjectIdentificatie"] == "0344010000000003"
    assert utrecht["functieAdres"] == {"code": "W", "omschrijving": "woonadres"}
    assert utrecht["adressering"] == {"adresregel1": "Oudegracht 10", "adresregel2": "3511 AP  UTRECHT"}
    assert singel["datumTot"] == {"type": "Datum", "datum": "2020-03-01", "langFormaat": "1 maart 2020"}
    assert dam["verblijfadres"]["huisnummer"] == 1 and "datumIngangGeldigheid" not in dam
    logged = (await session.scalars(select(LogRecord).where(
        LogRecord.trace_id == response.headers["X-Transaction-Id"]))).all()
    assert [(r.subject, r.fields, r.register, r.activity) for r in logged] == [(number, [FIELD], "brp", ACTIVITY)]


@pytest.mark.parametrize(("parameters", "expected"), [
    ({"datumVan": "2016-01-01", "datumTot": "2021-01-01"}, ["2020-03-01", "2015-06-01"]),
    ({"datumVan": "2015-06-01", "datumTot": "2015-06-02"}, ["2015-06-01"]),  # Dam ended the day Singel began
    ({"datumVan": "2014-01-01", "datumTot": "2015-06-01"}, ["2010-01-01"]),  # datumTot is not in the period
    ({"datumVan": "2000-01-01", "datumTot": "2010-01-01"}, []),
    ({"peildatum": "2015-06-01"}, ["2015-06-01"]),
    ({"peildatum": "2015-05-31"}, ["2010-01-01"]),
    ({"peildatum": "2009-12-31"}, []),
    ({"peildatum": "2030-01-01"}, ["2020-03-01"]),
])
async def test_the_period_or_the_peildatum_chooses_the_residences(session: AsyncSession, parameters: dict[str, str],
                                                                  expected: list[str]) -> None:
    number = await mover(session)
    await reader(session, [FIELD])
    arguments = ({"peildatum": dt.date.fromisoformat(parameters["peildatum"])} if "peildatum" in parameters
                 else {"van": parameters["datumVan"], "tot": parameters["datumTot"]})
    found = await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, number, ACTIVITY, "trace-periode",
                                                      **arguments)
    assert [item["datumVan"]["datum"] for item in found] == expected
    logged = (await session.scalars(select(LogRecord).where(LogRecord.trace_id == "trace-periode"))).all()
    assert [(r.subject, r.fields) for r in logged] == [(number, [FIELD])]


async def test_without_the_grant_nothing_is_read_or_logged(client: httpx.AsyncClient, session: AsyncSession) -> None:
    number = await mover(session)
    headers = await reader(session, ["verblijfplaats", "naam"])  # the current residence does not cover the history
    refused = await client.post(HISTORIE, headers=headers, json=body(number, PEILDATUM, peildatum="2020-01-01"))
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "unauthorized" and refused.json()["invalidParams"][0]["name"] == FIELD
    with pytest.raises(Forbidden):
        await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, number, ACTIVITY, "t", peildatum="2020-01-01")
    unauthenticated = await client.post(HISTORIE, json=body(number, PEILDATUM, peildatum="2020-01-01"))
    assert unauthenticated.status_code == 401 and unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    assert (await session.scalars(select(LogRecord))).all() == []


async def test_a_person_outside_the_grants_municipalities_is_refused(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    number = await mover(session)  # registered in Utrecht now
    headers = await reader(session, [FIELD], municipality="0363")
    refused = await client.post(HISTORIE, headers=headers, json=body(number, PEILDATUM, peildatum="2012-01-01"))
    assert refused.status_code == 403 and "verblijfplaatsen" not in refused.json()
    dam = await address(session, 9, "Damrak", 9, "1012LG")
    amsterdammer = await person(session, "amsterdammer", "Visser", "Tom", "19850101", dam, since="20050505")
    await session.commit()
    allowed = await client.post(HISTORIE, headers=headers, json=body(amsterdammer, PEILDATUM, peildatum="2012-01-01"))
    assert allowed.status_code == 200 and len(allowed.json()["verblijfplaatsen"]) == 1
    logged = (await session.scalars(select(LogRecord))).all()
    assert [record.subject for record in logged] == [amsterdammer]


async def test_an_unknown_person_is_not_found(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await reader(session, [FIELD])
    missing = bsn("nobody-here")
    response = await client.post(HISTORIE, headers=headers, json=body(missing, PEILDATUM, peildatum="2020-01-01"))
    assert response.status_code == 404 and response.json()["code"] == "notFound"
    assert response.json()["detail"] == f"De persoon met burgerservicenummer {missing} is niet gevonden."
    with pytest.raises(NotFound):
        await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, missing, ACTIVITY, "t", peildatum="2020-01-01")


async def test_a_residence_replaced_on_the_day_it_began_is_not_delivered(session: AsyncSession) -> None:
    dam, singel, utrecht = await dam_singel_oudegracht(session)
    number = await person(session, "corrected", "Jansen", "Kim", "19900101", dam, since="20100101")
    await service.register_move(session, number, NewResidence("20150601", singel.nummeraanduiding), CAUSE)
    await service.register_move(session, number, NewResidence("20150601", utrecht.nummeraanduiding), CAUSE)  # again
    await session.commit()
    await reader(session, [FIELD])
    found = await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, number, ACTIVITY, "t",
                                                      van="2015-01-01", tot="2015-07-01")
    assert [(item["verblijfadres"]["officieleStraatnaam"], item["datumVan"]["datum"], item.get("datumTot"))
            for item in found] == [("Oudegracht", "2015-06-01", None),
                                   ("Dam", "2010-01-01", {"type": "Datum", "datum": "2015-06-01",
                                                          "langFormaat": "1 juni 2015"})]


async def test_a_residence_abroad_has_its_own_shape(session: AsyncSession) -> None:
    dam = await address(session, 1, "Dam", 1, "1012JS")
    number = await person(session, "emigrant", "Smit", "Eva", "19800101", dam, since="20100101")
    await service.register_move(session, number, NewResidence(
        "20210101", land="5002", regels=("12 Rue de la Paix", "75002 Paris", None)), CAUSE)
    await session.commit()
    await reader(session, [FIELD])
    [abroad, _] = await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, number, ACTIVITY, "t",
                                                            van="2020-01-01", tot="2022-01-01")
    assert abroad["type"] == "VerblijfplaatsBuitenland" and abroad["gemeenteVanInschrijving"]["code"] == "1999"
    assert abroad["verblijfadres"]["regel1"] == "12 Rue de la Paix"
    assert abroad["verblijfadres"]["land"]["code"] == "5002"
    assert abroad["adressering"]["adresregel2"] == "75002 Paris"
    assert "functieAdres" not in abroad and "nummeraanduidingIdentificatie" not in abroad


VALID = bsn("valid")
BAD: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [  # body, expected (name, code) of invalidParams
    ({"type": PERIODE, "datumVan": "2020-01-01", "datumTot": "2021-01-01"}, [("burgerservicenummer", "required")]),
    (body(VALID, datumVan="2020-02-30", datumTot="2021-01-01"), [("datumVan", "date")]),
    (body(VALID, datumVan="20200101", datumTot="2021-01-01"), [("datumVan", "date")]),
    (body(VALID, datumVan="2021-01-02", datumTot="2021-01-01"), [("datumTot", "date")]),
    (body(VALID, datumVan="2021-01-01", datumTot="2021-01-01"), [("datumTot", "date")]),
    (body(VALID, datumVan="2021-01-01"), [("datumTot", "required")]),
    (body(VALID, "RaadpleegMetBurgerservicenummer", peildatum="2021-01-01"), [("type", "value")]),
    ({"burgerservicenummer": VALID, "peildatum": "2021-01-01"}, [("type", "required")]),
    (body(VALID, PEILDATUM, peildatum="gisteren"), [("peildatum", "date")]),
    (body(VALID, PEILDATUM, peildatum="2021-01-01", datumVan="2020-01-01"), [("datumVan", "unknownParam")]),
    (body("12345", PERIODE, datumVan="x", fields="naam"),
     [("fields", "unknownParam"), ("datumTot", "required"), ("burgerservicenummer", "pattern"), ("datumVan", "date")]),
]


@pytest.mark.parametrize(("request_body", "expected"), BAD)
async def test_bad_input_names_the_parameter(client: httpx.AsyncClient, session: AsyncSession,
                                             request_body: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    headers = await reader(session, [FIELD])
    response = await client.post(HISTORIE, headers=headers, json=request_body)
    problem = response.json()
    assert response.status_code == 400 and problem["code"] == "paramsValidation"
    assert problem["instance"] == HISTORIE and response.headers["API-Version"] == "2.0.0"
    assert [(param["name"], param["code"]) for param in problem["invalidParams"]] == expected
    names = ", ".join(dict.fromkeys(name for name, _ in expected))
    assert problem["detail"] == f"De foutieve parameter(s) zijn: {names}."


@pytest.mark.parametrize("arguments", [
    {"van": "2020-01-01", "tot": "2019-01-01"}, {"van": "2020-01-01"}, {"peildatum": "1-1-2020"},
    {"peildatum": dt.date(2020, 1, 1), "van": dt.date(2019, 1, 1)},
])
async def test_the_service_function_checks_its_arguments_alike(session: AsyncSession,
                                                               arguments: dict[str, Any]) -> None:
    await reader(session, [FIELD])
    with pytest.raises(InvalidInput) as raised:
        await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, VALID, ACTIVITY, "t", **arguments)
    assert raised.value.invalid_params and raised.value.detail.startswith("De foutieve parameter(s) zijn: ")
    with pytest.raises(InvalidInput) as no_bsn:
        await service.read_verblijfplaatshistorie(session, ZAAKSYSTEEM, "", ACTIVITY, "t", peildatum="2020-01-01")
    assert no_bsn.value.invalid_params[0].name == "burgerservicenummer"


async def test_other_methods_and_paths_and_the_field_list(client: httpx.AsyncClient, session: AsyncSession) -> None:
    get = await client.get(HISTORIE)
    assert get.status_code == 405 and get.headers["Allow"] == "POST" and get.headers["API-Version"] == "2.0.0"
    assert (await client.post("/haalcentraal/api/brphistorie/partnerhistorie", json={})).status_code == 404
    assert FIELD in (register_fields("brp") or set()) and exchange.parse_fields("brp", [FIELD]) == (FIELD,)
    headers = await reader(session, ["naam"])
    personen = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer", [FIELD],
                                                                   burgerservicenummer=[VALID]))
    assert personen.status_code == 400 and personen.json()["invalidParams"][0]["name"] == "fields[0]"


def test_an_app_manifest_may_ask_for_the_residence_history() -> None:
    manifest = {"plein": 1, "id": "uittreksel", "kind": "service", "version": "1.0.0", "requires": {"data": [
        {"register": "brp", "fields": ["naam", FIELD], "activity": "uittreksel-verstrekken",
         "purpose": "Een uittreksel met adreshistorie verstrekken", "legalBasis": "Wet BRP artikel 3.3"}]}}
    content = yaml.safe_dump(manifest).encode()
    context = CheckContext(AppPackage({"plein.yaml": content}, content, "zip", "test"), [],
                           publiccode={"softwareVersion": "1.0.0"})
    assert check_manifest(context) == [] and check_data(context) == []


def test_an_investigation_is_told_with_the_fields_it_is_about() -> None:
    location = Residence(id=1, bsn=VALID, soort="Locatie", locatiebeschrijving="Woonboot bij de sluis",
                         functie_adres="W", gemeente_van_inschrijving="0363", valid_from="20100101",
                         onderzoek="089999", onderzoek_datum="20200101")  # vastgesteld verblijft niet op adres
    shown = historie.voorkomen(location, None, "20210101")
    assert shown["indicatieVastgesteldVerblijftNietOpAdres"] is True
    assert {key for key, value in shown["inOnderzoek"].items() if value is True} == {
        "type", "datumVan", "functieAdres", "gemeenteVanInschrijving"}
    assert shown["inOnderzoek"]["datumIngangOnderzoek"]["datum"] == "2020-01-01"
    assert set(shown["adressering"]["inOnderzoek"]) == {"adresregel1", "adresregel2", "datumIngangOnderzoek"}
    assert shown["verblijfadres"]["inOnderzoek"]["locatiebeschrijving"] is True


# ---------------------------------------------------------------------------------------------- unknown dates


def rows(*starts: str) -> list[historie.Row]:
    """Residence versions (oldest first as given, stored in another order) that follow each other."""
    made = [Residence(id=index, bsn=VALID, soort="VerblijfplaatsOnbekend", gemeente_van_inschrijving="1999",
                      valid_from=start, valid_to=starts[index + 1] if index + 1 < len(starts) else None)
            for index, start in enumerate(starts)]
    return historie.history([(row, None) for row in reversed(made)])


def chosen(versions: list[historie.Row], van: str, tot: str) -> list[str]:
    query = historie.HistorieQuery(PERIODE, VALID, dt.date.fromisoformat(van), dt.date.fromisoformat(tot))
    return [item["datumVan"].get("datum") or item["datumVan"]["langFormaat"]
            for item in historie.in_period(versions, query)]


def test_a_start_known_in_part_counts_from_the_first_day_it_may_be() -> None:
    versions = rows("20080818", "20100000")
    assert chosen(versions, "2008-01-01", "2010-01-02") == ["2010", "2008-08-18"]
    assert chosen(versions, "2008-01-01", "2010-01-01") == ["2008-08-18"]
    following = rows("20080818", "20100500", "20161014")
    assert chosen(following, "2010-04-30", "2012-07-30") == ["mei 2010", "2008-08-18"]
    assert chosen(following, "2010-05-01", "2012-07-30") == ["mei 2010"]


def test_an_unknown_start_is_not_before_the_day_after_the_previous_start() -> None:
    assert chosen(rows("20160516", "20160000"), "2016-04-30", "2016-05-17") == ["2016-05-16"]
    assert chosen(rows("20160516", "20160000"), "2016-04-30", "2016-05-18") == ["2016", "2016-05-16"]
    unknown = rows("20080818", "00000000")  # placed by the periods, not by the text 00000000
    assert [row.valid_from for row, _ in unknown] == ["20080818", "00000000"]
    assert chosen(unknown, "2008-08-19", "2020-01-01") == ["onbekend"]


@given(st.dictionaries(st.sampled_from(["type", "burgerservicenummer", "peildatum", "datumVan", "datumTot", "x"]),
                       st.one_of(st.sampled_from([PERIODE, PEILDATUM, VALID, "2020-01-01", "2021-02-03"]),
                                 st.text(max_size=12), st.integers(), st.none(), st.lists(st.integers(), max_size=2))))
def test_parsing_any_body_gives_a_query_or_names_what_is_wrong(value: dict[str, Any]) -> None:
    parsed, problems = None, []
    try:
        parsed = historie.parse_query(value)
    except InvalidInput as error:
        problems = error.invalid_params
    if parsed is None:
        assert problems and all(param.name for param in problems)
    else:
        assert parsed.van < parsed.tot and parsed.burgerservicenummer == value["burgerservicenummer"]
