"""The synthetic population: deterministic per seed, valid BSNs, consistent households at BAG addresses, batches."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from plein.cli import app
from plein.errors import InvalidInput
from plein.identifiers import is_a_nummer, passes_elfproef
from plein.registers.bag.models import Address
from plein.registers.brp import present
from plein.registers.brp import query as brp_query
from plein.registers.brp import service as brp
from plein.registers.brp.models import (
    Mutation,
    Nationality,
    Person,
    PersonName,
    Relation,
    Residence,
    RniDeelnemer,
    Verblijfstitel,
)
from plein.registers.brp.schemas import PERSOON, PersonenQuery, allowed_fields
from plein.registers.generate import generate_population
from plein.registers.keys import search_key
from plein.registers.synthetic import (
    ACTION,
    EU_NATIONALITEITEN,
    MAX_HOUSEHOLD,
    REFERENCE_DATE,
    ANummerSequence,
    BsnSequence,
    first_names,
    origins,
    split_surname,
    surnames,
)
from plein.settings import Settings
from tests.registers import spec

NAME = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$")  # what the BRP API accepts in a name
POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


async def _population(session: AsyncSession) -> dict[str, list[tuple[object, ...]]]:
    """The generated data that a seed decides (no row ids, no timestamps), in a stable order."""
    session.expire_all()
    statements = {
        "persons": select(Person.bsn, Person.a_nummer, Person.geslacht, Person.geboortedatum, Person.geboorteplaats,
                          Person.overlijdensdatum, Person.gezag_indicatie, Person.curatele, Person.europees_kiesrecht,
                          Person.uitgesloten_kiesrecht).order_by(Person.bsn),
        "verblijfstitels": select(Verblijfstitel.bsn, Verblijfstitel.aanduiding, Verblijfstitel.datum_ingang,
                                  Verblijfstitel.datum_einde, Verblijfstitel.valid_to)
        .order_by(Verblijfstitel.bsn, Verblijfstitel.valid_from),
        "names": select(PersonName.bsn, PersonName.voornamen, PersonName.voorvoegsel, PersonName.geslachtsnaam,
                        PersonName.naamgebruik, PersonName.valid_from).order_by(PersonName.bsn, PersonName.valid_from),
        "homes": select(Residence.bsn, Address.postcode, Address.huisnummer, Address.huisletter,
                        Address.huisnummertoevoeging, Address.nummeraanduiding, Residence.valid_from)
        .join(Address, Address.id == Residence.address_id).where(Residence.valid_to.is_(None)).order_by(Residence.bsn),
        "relations": select(Relation.bsn, Relation.soort, Relation.occurrence, Relation.related_bsn,
                            Relation.valid_from, Relation.ontbinding_reden)
        .order_by(Relation.bsn, Relation.soort, Relation.occurrence, Relation.valid_from),
    }
    return {name: [tuple(row) for row in await session.execute(statement)] for name, statement in statements.items()}


async def _wipe(session: AsyncSession) -> None:
    for model in (Mutation, Nationality, Relation, Residence, PersonName, Verblijfstitel, RniDeelnemer, Person,
                  Address):
        await session.execute(delete(model))
    await session.commit()


def test_word_lists_are_names_the_brp_accepts() -> None:
    dutch, _ = surnames()
    foreign = [word for origin in origins() for part in (origin.male, origin.female, origin.surnames)
               for word in part]
    given = [name for names in first_names().values() for name in names]
    assert len(dutch) > 150 and len(given) > 200 and len(origins()) >= 10
    for name in [*given, *foreign, *(surname for _, surname in dutch)]:
        assert NAME.match(name), name
    assert split_surname("van den Berg") == ("van den", "Berg")
    assert split_surname("in 't Veld") == ("in 't", "Veld")
    assert split_surname("Dekker") == (None, "Dekker")


def test_bsn_sequence_is_valid_unique_and_seeded() -> None:
    bsns = BsnSequence(5).take(20_000)
    assert len(set(bsns)) == len(bsns)
    assert all(passes_elfproef(bsn) and not bsn.startswith("9999") for bsn in bsns)
    assert BsnSequence(5).take(100) == bsns[:100]
    assert set(BsnSequence(6).take(100)).isdisjoint(bsns[:100])


async def test_same_seed_same_population_whatever_the_batch_size(settings: Settings, session: AsyncSession) -> None:
    first = await generate_population(settings, 400, seed=11, batch_size=60)
    population = await _population(session)
    await _wipe(session)
    second = await generate_population(settings, 400, seed=11, batch_size=1000)
    assert await _population(session) == population
    assert (first.persons, first.households, second.batches) == (400, second.households, 1)
    await _wipe(session)
    await generate_population(settings, 400, seed=12, batch_size=1000)
    assert (await _population(session))["persons"] != population["persons"]


async def test_batches_keep_memory_flat(settings: Settings) -> None:
    seen: list[int] = []
    report = await generate_population(settings, 1000, seed=3, progress=seen.append, batch_size=100)
    assert report.persons == sum(seen) == 1000
    assert report.batches == len(seen) >= 10
    assert report.largest_batch == max(seen) <= 100 + MAX_HOUSEHOLD - 1


async def test_bsns_pass_the_11_check_and_avoid_what_is_registered(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 300, seed=1, batch_size=100)
    again = await generate_population(settings, 300, seed=1, batch_size=100)  # same seed: BSNs already taken
    bsns = list(await session.scalars(select(Person.bsn)))
    assert again.persons == 300 and len(bsns) == len(set(bsns)) == 600
    assert all(passes_elfproef(bsn) and not bsn.startswith("9999") for bsn in bsns)
    mutations = await session.scalar(select(func.count()).select_from(Mutation).where(Mutation.action == ACTION))
    assert mutations == 600
    identifiers = list(await session.scalars(select(Address.nummeraanduiding)))
    assert len(identifiers) == len(set(identifiers))


async def test_relations_are_consistent_both_ways(settings: Settings, session: AsyncSession) -> None:
    report = await generate_population(settings, 1500, seed=4, batch_size=500)
    assert report.relations > 0 and report.deceased > 0
    assert await brp.relation_problems(session) == []
    counts = dict((await session.execute(select(Relation.soort, func.count()).where(Relation.valid_to.is_(None))
                                         .group_by(Relation.soort))).all())
    assert counts["ouder"] == counts["kind"] > 0 and counts["partner"] > 0
    parents_too_young = await session.scalar(text(
        "SELECT count(*) FROM brp_relations r JOIN brp_persons c ON c.bsn = r.bsn "
        "JOIN brp_persons p ON p.bsn = r.related_bsn WHERE r.soort = 'ouder' "
        "AND CAST(p.geboortedatum AS INTEGER) + 180000 > CAST(c.geboortedatum AS INTEGER)"))
    assert parents_too_young == 0


async def test_deaths_are_registered_as_the_service_does(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 1500, seed=4, batch_size=500)
    deceased = list(await session.scalars(select(Person).where(Person.overlijdensdatum.is_not(None))))
    assert deceased
    for person in deceased:
        assert person.opschorting_reden == "O" and person.opschorting_datum == person.overlijdensdatum
    survivors = list(await session.scalars(select(Relation).where(
        Relation.soort == "partner", Relation.valid_to.is_(None), Relation.ontbinding_reden == "O")))
    assert survivors
    for relation in survivors:
        partner = next(p for p in deceased if p.bsn == relation.related_bsn)
        assert relation.ontbinding_datum == relation.valid_from == partner.overlijdensdatum
        closed = await session.scalar(select(Relation).where(
            Relation.bsn == relation.bsn, Relation.soort == "partner", Relation.valid_to == relation.valid_from))
        assert closed is not None and closed.aangaan_datum is not None


async def test_households_live_at_bag_addresses(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 800, seed=8, batch_size=200)
    rows = (await session.execute(
        select(Residence, Address).join(Address, Address.id == Residence.address_id, isouter=True)
        .where(Residence.valid_to.is_(None)))).all()
    assert len(rows) == 800
    for residence, address in rows:
        assert address is not None and residence.gemeente_van_inschrijving == address.gemeentecode
        assert address.nummeraanduiding is not None and address.adresseerbaar_object is not None
        assert re.fullmatch(address.gemeentecode + r"20\d{10}", address.nummeraanduiding)
        assert re.fullmatch(address.gemeentecode + r"01\d{10}", address.adresseerbaar_object)
        assert POSTCODE.match(address.postcode or ""), address.postcode
    history = (await session.execute(select(Residence).where(Residence.valid_to.is_not(None)))).scalars().all()
    assert history and all(row.valid_from < (row.valid_to or "") for row in history)
    municipalities = {address.gemeentecode for _, address in rows}
    assert len(municipalities) > 100  # spread over the country
    residence, address = rows[0]
    query = PersonenQuery(type="ZoekMetPostcodeEnHuisnummer", fields=("burgerservicenummer",),
                          postcode=address.postcode, huisnummer=address.huisnummer,
                          huisletter=address.huisletter, huisnummertoevoeging=address.huisnummertoevoeging,
                          inclusief_overleden_personen=True)
    assert residence.bsn in await brp_query.find_bsns(session, query)


async def test_rows_are_what_the_service_writes(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 300, seed=9, batch_size=300)
    names = (await session.scalars(select(PersonName))).all()
    for name in names:
        expected = brp.name_row(name.bsn, name.geboortedatum, brp.NameData(
            name.geslachtsnaam, name.voornamen, name.voorvoegsel, name.adellijke_titel, name.naamgebruik),
            name.valid_from, name.valid_to)
        assert (name.geslachtsnaam_key, name.voornamen_key, name.voorvoegsel_key) == (
            expected.geslachtsnaam_key, expected.voornamen_key, expected.voorvoegsel_key)
    assert sum(1 for name in names if name.valid_to is None) == 300
    addresses = (await session.scalars(select(Address))).all()
    assert all(address.openbare_ruimte_key == search_key(address.openbare_ruimte) for address in addresses)
    assert all(len(address.korte_naam or "") <= 24 for address in addresses)


async def test_bad_input_names_the_parameter(settings: Settings) -> None:
    with pytest.raises(InvalidInput) as raised:
        await generate_population(settings, 0, seed=1)
    assert raised.value.invalid_params[0].name == "persons"


def test_command_prints_time_and_rate(settings: Settings) -> None:
    env = {"PLEIN_DATABASE_URL": settings.database_url, "PLEIN_ENV": "test", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["registers", "generate", "--persons", "120", "--seed", "2"], env=env)
    assert result.exit_code == 0, result.output
    assert re.search(r"Generated 120 persons .* s, [\d,]+ persons/s", result.output)


def test_a_nummer_sequence_is_valid_unique_and_seeded() -> None:
    numbers = ANummerSequence(5).take(5_000)
    assert len(set(numbers)) == len(numbers) and all(is_a_nummer(number) for number in numbers)
    assert ANummerSequence(5).take(50) == numbers[:50]
    assert set(ANummerSequence(6).take(50)).isdisjoint(numbers[:50])


async def test_persons_have_a_nummers_and_the_register_facts(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 1500, seed=21, batch_size=400)
    again = await generate_population(settings, 100, seed=21, batch_size=400)  # same seed: numbers already taken
    persons = list(await session.scalars(select(Person)))
    numbers = [person.a_nummer for person in persons]
    assert again.persons == 100 and None not in numbers and len(set(numbers)) == len(numbers) == 1600
    assert all(is_a_nummer(number or "") for number in numbers)
    by_bsn = {person.bsn: person for person in persons}
    relations = list(await session.scalars(select(Relation)))
    assert all(row.related_a_nummer == by_bsn[row.related_bsn or ""].a_nummer for row in relations)
    current = select(Nationality.bsn, Nationality.nationaliteit).where(Nationality.valid_to.is_(None),
                                                                      Nationality.nationaliteit != "0001")
    nationality: dict[str, str] = dict((await session.execute(current)).all())
    titels = list(await session.scalars(select(Verblijfstitel)))
    assert titels and all(nationality.get(row.bsn) not in EU_NATIONALITEITEN for row in titels)
    assert {row.bsn for row in titels} <= {person.bsn for person in persons if person.geboorteland != "6030"}
    europees = [person for person in persons if person.europees_kiesrecht]
    assert europees and all(nationality.get(person.bsn) in EU_NATIONALITEITEN for person in europees)
    registered = [person for person in persons if person.gezag_indicatie]
    assert registered and {person.gezag_indicatie for person in registered} == {"12"}
    assert sum(person.curatele for person in persons) < 20  # rare


async def test_generated_persons_are_valid_per_spec(settings: Settings, session: AsyncSession) -> None:
    await generate_population(settings, 400, seed=23, batch_size=400)
    bsns = list(await session.scalars(select(Person.bsn).order_by(Person.bsn)))
    paths = sorted(allowed_fields(PERSOON))
    invalid, types = {}, set()
    for bundle in await brp_query.load(session, bsns):
        body, _ = present.render(bundle, PERSOON, paths, REFERENCE_DATE)
        types |= {relation["type"] for relation in body.get("gezag", [])}
        problems = spec.errors(PERSOON, body)
        if problems:
            invalid[bundle.person.bsn] = problems
    assert invalid == {}
    assert "GezamenlijkOuderlijkGezag" in types and "EenhoofdigOuderlijkGezag" in types
