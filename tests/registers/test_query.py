"""The register query layer: each of the seven query types finds the right persons, through an index."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.registers.brp import query
from plein.registers.brp.models import Person
from plein.registers.brp.schemas import GEZAG_PERSOON_BEPERKT, PERSOON, PERSOON_BEPERKT, PersonenQuery, parse_query
from tests.registers.helpers import World, world


def q(kind: str, **parameters: Any) -> PersonenQuery:
    return parse_query({"type": kind, "fields": ["burgerservicenummer"], **parameters})


def cases(w: World) -> list[tuple[PersonenQuery, set[str]]]:
    """(query, the BSNs it must find) for every query type and its options."""
    return [
        (q("RaadpleegMetBurgerservicenummer", burgerservicenummer=[w.anna, w.groen, "999999990"]), {w.anna, w.groen}),
        (q("RaadpleegMetBurgerservicenummer", burgerservicenummer=[w.anna, w.kaster], gemeenteVanInschrijving="0344"),
         {w.kaster}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="VRIES", geboortedatum="1980-05-12"), {w.anna}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="kaster", geboortedatum="1983-05-26"), {w.kaster}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Käster", geboortedatum="1983-05-26",
           voornamen="albertus*", geslacht="m"), {w.kaster}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Kâster", geboortedatum="1983-05-26"), set()),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Groenlo", geboortedatum="1983-05-26",
           voornamen="Gérda"), set()),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="gro*", geboortedatum="1983-05-26"), {w.groenlo}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="gro*", geboortedatum="1983-05-26",
           inclusiefOverledenPersonen=True), {w.groen, w.groenlo}),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Groe", geboortedatum="1983-05-26"), set()),
        (q("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Vries", geboortedatum="1980-05-12",
           voorvoegsel="DE", gemeenteVanInschrijving="0344"), set()),
        (q("ZoekMetNaamEnGemeenteVanInschrijving", geslachtsnaam="vries", voornamen="Jan",
           gemeenteVanInschrijving="0363"), {w.jan}),
        (q("ZoekMetNaamEnGemeenteVanInschrijving", geslachtsnaam="vries", voornamen="ann*",
           gemeenteVanInschrijving="0363", voorvoegsel="de"), {w.anna}),
        (q("ZoekMetNaamEnGemeenteVanInschrijving", geslachtsnaam="vries", voornamen="Jan",
           gemeenteVanInschrijving="0344"), set()),
        (q("ZoekMetPostcodeEnHuisnummer", postcode="1012 js", huisnummer=1), {w.anna, w.jan, w.pieter, w.groenlo}),
        (q("ZoekMetPostcodeEnHuisnummer", postcode="1012JS", huisnummer=1, huisletter="a"), {w.groenlo}),
        (q("ZoekMetPostcodeEnHuisnummer", postcode="1012JS", huisnummer=1, geslachtsnaam="vries",
           geboortedatum="2010-03-04"), {w.pieter}),
        (q("ZoekMetPostcodeEnHuisnummer", postcode="3511AP", huisnummer=10), {w.kaster}),
        (q("ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat="dam", huisnummer=1,
           gemeenteVanInschrijving="0363"), {w.anna, w.jan, w.pieter, w.groenlo}),
        (q("ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat="Oudegra*", huisnummer=10,
           gemeenteVanInschrijving="0344", inclusiefOverledenPersonen=True), {w.kaster, w.groen}),
        (q("ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat="*udegracht", huisnummer=10,
           gemeenteVanInschrijving="0344"), {w.kaster}),
        (q("ZoekMetNummeraanduidingIdentificatie", nummeraanduidingIdentificatie=w.dam_a.nummeraanduiding),
         {w.groenlo}),
        (q("ZoekMetAdresseerbaarObjectIdentificatie", adresseerbaarObjectIdentificatie=w.dam.adresseerbaar_object),
         {w.anna, w.jan, w.pieter}),
    ]


async def test_every_query_type_finds_the_right_persons(session: AsyncSession) -> None:
    w = await world(session)
    for checked, expected in cases(w):
        assert set(await query.find_bsns(session, checked)) == expected, checked


async def test_a_permit_limited_to_municipalities_limits_what_is_found(session: AsyncSession) -> None:
    w = await world(session)
    everyone = q("RaadpleegMetBurgerservicenummer", burgerservicenummer=w.all())
    assert set(await query.find_bsns(session, everyone, frozenset({"0344"}))) == {w.kaster, w.groen}
    assert await query.find_bsns(session, everyone, frozenset()) == []


async def test_the_prebuilt_statements_find_what_the_general_search_finds(session: AsyncSession) -> None:
    """Raadplegen and the plain postcode search run statements built once (query._ready_statement); they find the
    same persons as search_statement, with every permit scope and with one or more BSNs and municipalities."""
    w = await world(session)
    checked = [case for case, _ in cases(w)] + [
        q("ZoekMetPostcodeEnHuisnummer", postcode="1012JS", huisnummer=1, huisletter="A",
          inclusiefOverledenPersonen=True),
        q("ZoekMetPostcodeEnHuisnummer", postcode="3511ap", huisnummer=10, gemeenteVanInschrijving="0344",
          inclusiefOverledenPersonen=True),
        q("ZoekMetPostcodeEnHuisnummer", postcode="1012JS", huisnummer=1, huisnummertoevoeging="bis"),
        q("RaadpleegMetBurgerservicenummer", burgerservicenummer=[w.anna]),
    ]
    prebuilt = [case for case in checked if query._ready_statement(case, None, arrays=False) is not None]
    assert {case.type for case in prebuilt} == {"RaadpleegMetBurgerservicenummer", "ZoekMetPostcodeEnHuisnummer"}
    for case in checked:
        for permit in (None, frozenset({"0363"}), frozenset({"0344"}), frozenset({"0344", "0363"}), frozenset()):
            general = set(await query.find_bsns(session, case, permit))
            found = {bundle.person.bsn for bundle in await query.find_persons(session, case, permit)}
            assert found == general, (case, permit)


BULK = [  # 20,000 more persons and addresses, so PostgreSQL's planner chooses by real costs (then ANALYZE)
    "INSERT INTO bag_addresses (nummeraanduiding, adresseerbaar_object, openbare_ruimte, openbare_ruimte_key, "
    "huisnummer, postcode, woonplaats, gemeentecode) SELECT '0999' || '20' || lpad(i::text, 10, '0'), "
    "'0999' || '01' || lpad(i::text, 10, '0'), 'Straat ' || (i % 400), 'straat ' || (i % 400), i % 150 + 1, "
    "(1000 + i % 8000)::text || 'XY', 'Bulk', CASE WHEN i % 2 = 0 THEN '0363' ELSE '0344' END "
    "FROM generate_series(1, 20000) AS i",
    "INSERT INTO brp_persons (bsn, geslacht, geboortedatum, geheimhouding, created_at) "
    "SELECT lpad(i::text, 9, '0'), 'M', to_char(date '1940-01-01' + i, 'YYYYMMDD'), 0, now() "
    "FROM generate_series(1, 20000) AS i",
    "INSERT INTO brp_names (bsn, geslachtsnaam, naamgebruik, geslachtsnaam_key, voornamen_key, voorvoegsel_key, "
    "geboortedatum, valid_from) SELECT lpad(i::text, 9, '0'), 'Naam' || (i % 3000), 'E', 'naam' || (i % 3000), "
    "'piet', '', to_char(date '1940-01-01' + i, 'YYYYMMDD'), '19700101' FROM generate_series(1, 20000) AS i",
    "INSERT INTO brp_residences (bsn, soort, address_id, gemeente_van_inschrijving, valid_from) "
    "SELECT lpad(i::text, 9, '0'), 'Adres', a.id, a.gemeentecode, '19700101' FROM generate_series(1, 20000) AS i "
    "JOIN bag_addresses a ON a.nummeraanduiding = '0999' || '20' || lpad(i::text, 10, '0')",
    "ANALYZE bag_addresses", "ANALYZE brp_persons", "ANALYZE brp_names", "ANALYZE brp_residences",
]


async def _plan(session: AsyncSession, statement: Any) -> str:
    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN" if dialect.name == "sqlite" else "EXPLAIN"
    rows = (await session.execute(text(f"{explain} {sql}"))).all()
    return "\n".join(str(row[-1]) for row in rows)


async def test_every_query_type_is_answered_from_an_index(session: AsyncSession) -> None:
    """No full scan of a register table: SQLite plans only SEARCH steps; PostgreSQL (with 20,000 more persons and
    statistics) no Seq Scan."""
    w = await world(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        for statement in BULK:
            await session.execute(text(statement))
    for checked, _ in cases(w):
        plan = await _plan(session, query.search_statement(checked, frozenset({"0363", "0344"})))
        if postgres:
            assert "Seq Scan" not in plan, f"{checked.type}: {plan}"
        else:
            scans = [line for line in plan.splitlines() if line.startswith("SCAN") and "CONSTANT ROW" not in line]
            assert scans == [], f"{checked.type}: {plan}"
    await session.rollback()


@pytest.mark.parametrize("fields", [["naam"], ["partners.naam"], ["nationaliteiten"]])
async def test_relations_and_nationalities_are_loaded_only_when_asked(session: AsyncSession,
                                                                      fields: list[str]) -> None:
    w = await world(session)
    found = await query.load(session, [w.anna], query.Needs.for_fields(fields))
    assert bool(found[0].relations) == fields[0].startswith("partners")
    assert bool(found[0].nationalities) == (fields == ["nationaliteiten"])
    assert found[0].name is not None and found[0].address is not None


def test_the_partner_is_read_for_the_name_forms_of_a_full_persoon_only() -> None:
    """A search's AdresseringBeperkt is address lines only; a Persoon's adressering has the forms that may use the
    partner's name (read then for the persons who may use it), and gezag needs the relations in every schema."""
    assert query.Needs.for_fields(["adressering"], PERSOON).partner_names
    assert query.Needs.for_fields(["adressering.aanhef"], PERSOON).partner_names
    assert not query.Needs.for_fields(["adressering"], PERSOON).relations
    assert not query.Needs.for_fields(["adressering"], PERSOON_BEPERKT).partner_names
    assert not query.Needs.for_fields(["adressering.adresregel1"], PERSOON).partner_names
    assert query.Needs.for_fields(["gezag"], GEZAG_PERSOON_BEPERKT).relations


@pytest.mark.parametrize("reden", ["F", "W"])
async def test_a_list_suspended_for_fout_or_wissen_is_never_found(session: AsyncSession, reden: str) -> None:
    w = await world(session)
    await session.execute(update(Person).where(Person.bsn == w.kaster).values(opschorting_reden=reden,
                                                                             opschorting_datum="20200101"))
    assert await query.find_bsns(session, q("RaadpleegMetBurgerservicenummer", burgerservicenummer=[w.kaster])) == []
    assert await query.find_bsns(session, q("ZoekMetPostcodeEnHuisnummer", postcode="3511AP", huisnummer=10,
                                            inclusiefOverledenPersonen=True)) == [w.groen]
