"""The GBA-V importer: the whole test set once per database (counts, idempotence, every person valid per spec),
and small files for the rules (history, rejected lines with their reasons)."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from plein.cli import app as cli
from plein.registers.bag.models import Address
from plein.registers.brp import present, query
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
from plein.registers.brp.schemas import PERSOON, allowed_fields
from plein.registers.gbav import import_gbav, iter_lists, read_lists
from plein.settings import Settings
from tests.conftest import SHARED_SPECS
from tests.registers import spec

TESTSET = SHARED_SPECS / "brp" / "gba-v-testset-20220502.csv"
TABLES = (Person, PersonName, Residence, Relation, Nationality, Verblijfstitel, RniDeelnemer, Address, Mutation)
ON = dt.date(2026, 11, 23)


async def counts(session: AsyncSession) -> dict[str, int]:
    return {table.__tablename__: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in TABLES}


async def test_the_whole_test_set_once_and_again(session: AsyncSession) -> None:
    first = await import_gbav(session, TESTSET)
    assert (first.lists, first.persons_created, len(first.rejected), len(first.skipped)) == (687, 653, 34, 6)
    assert first.addresses_created == 537 and first.relations == 2261 and first.residences == 1356
    reasons = {row.label: row.reason for row in first.rejected}
    assert reasons["Lg01_408"] == "burgerservicenummer 999992788 is also on Lg01_394"
    assert reasons["Lg01_562"] == "01.01.20: the burgerservicenummer is missing"
    assert reasons["Lg01_793"] == "02.03.10: '19821291' is not a date: day is out of range for month"
    assert "01.03.20" in reasons["Lg01_498"] and "does not allow" in reasons["Lg01_498"]
    assert first.warnings and all("does not list this person back" in warning for warning in first.warnings)
    assert first.verblijfstitels == 117
    left_out = {row.label: row.reason for row in first.skipped}
    assert left_out["Lg01_777"] == "value left out: 04.83.10: 'PK' is not an aanduiding in onderzoek (ccggee)"
    before = await counts(session)

    again = await import_gbav(session, TESTSET)
    assert (again.persons_created, again.persons_unchanged, again.addresses_created) == (0, 653, 0)
    assert [(row.line, row.reason) for row in again.rejected] == [(row.line, row.reason) for row in first.rejected]
    assert await counts(session) == before

    bsns = list((await session.scalars(select(Person.bsn).order_by(Person.bsn))).all())
    if session.get_bind().dialect.name != "sqlite":  # the rendering is the same; a sample checks the round trip
        bsns = bsns[::5]
    paths = sorted(allowed_fields(PERSOON))
    invalid = {}
    for start in range(0, len(bsns), 200):
        for bundle in await query.load(session, bsns[start:start + 200]):
            body, _ = present.render(bundle, PERSOON, paths, ON)
            problems = spec.errors(PERSOON, body)
            if problems:
                invalid[bundle.person.bsn] = problems
    assert invalid == {}


async def test_suzanne_moulin_is_imported_with_her_history(session: AsyncSession, tmp_path: Path) -> None:
    await import_gbav(session, subset(tmp_path, ["Lg01_716", "Lg01_675"]))
    moulin = (await query.load(session, ["999993653"]))[0]
    body, _ = present.render(moulin, PERSOON, sorted(allowed_fields(PERSOON)), ON)
    assert body["naam"]["volledigeNaam"] == "Suzanne Moulin" and body["aNummer"] == "8940402024"
    assert body["geboorte"]["plaats"] == {"omschrijving": "Thann"}
    assert body["geboorte"]["land"] == {"code": "5001", "omschrijving": "Canada"}
    assert body["nationaliteiten"][0]["nationaliteit"] == {"code": "0057", "omschrijving": "Franse"}
    assert body["partners"][0]["naam"]["voornamen"] == "Jean Marie"
    assert body["partners"][0]["soortVerbintenis"]["code"] == "H"
    assert [ouder["ouderAanduiding"] for ouder in body["ouders"]] == ["1", "2"]
    assert body["verblijfplaats"]["nummeraanduidingIdentificatie"] == "0599200000219678"
    assert body["verblijfplaats"]["datumVan"]["datum"] == "2015-08-08"
    history = (await session.execute(select(Residence.valid_from, Residence.valid_to).where(
        Residence.bsn == "999993653").order_by(Residence.valid_from))).all()
    assert [tuple(row) for row in history] == [("20131102", "20150808"), ("20150808", None)]
    meijden = (await session.execute(select(Residence.valid_from, Residence.valid_to, Address.openbare_ruimte,
                                            Address.nummeraanduiding).join(Address).where(
        Residence.bsn == "999993872").order_by(Residence.valid_from))).all()
    assert [tuple(row) for row in meijden] == [
        ("19590417", "19910201", "Achillesstraat", None), ("19910201", "19980401", "Dorpsweg", None),
        ("19980401", None, "Goudsesingel", "0599200001012572")]


def subset(tmp_path: Path, labels: list[str], extra: list[dict[str, str]] | None = None) -> Path:
    """A file with only these persoonslijsten of the test set (and extra rows given as element -> value)."""
    with TESTSET.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, keep, taking = rows[0], [rows[0]], False
    for row in rows[1:]:
        if row[0]:
            taking = row[0] in labels
        if taking:
            keep.append(row)
    for values in extra or []:
        keep.append([values.get(name, "") for name in header])
    path = tmp_path / "subset.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(keep)
    return path


BROKEN = [
    {"": "Test_1", "01.01.20": "123456789", "01.02.40": "Fout", "01.03.10": "19900101", "01.04.10": "M"},
    {"": "Test_2", "01.01.20": "999993653", "01.02.40": "Dubbel", "01.03.10": "19900101", "01.04.10": "V"},
    {"": "Test_3", "01.01.20": "111222333", "01.02.40": "Datum", "01.03.10": "19901301", "01.04.10": "V"},
    {"": "Test_4", "01.01.20": "999990044", "01.02.40": "Goed", "01.03.10": "19900100", "01.04.10": "O",
     "08.09.10": "0363", "08.10.30": "20200101", "08.11.10": "Dam", "08.11.20": "1", "08.11.60": "1012JS",
     "08.H": "58"},
    {"08.09.10": "0363", "08.10.30": "2019", "08.11.10": "Dam", "08.11.20": "2"},
]


async def test_lines_that_break_a_rule_are_reported_and_the_rest_imported(session: AsyncSession,
                                                                          tmp_path: Path) -> None:
    report = await import_gbav(session, subset(tmp_path, ["Lg01_716"], BROKEN))
    assert report.persons_created == 2
    assert [(row.line, row.label, row.reason) for row in report.rejected] == [
        (4, "Test_1", "01.01.20: '123456789' is not a burgerservicenummer (11-check)"),
        (5, "Test_2", "burgerservicenummer 999993653 is also on Lg01_716"),
        (6, "Test_3", "01.03.10: '19901301' is not a date (yyyymmdd, 00 for an unknown month or day)"),
    ]
    assert [(row.line, row.reason) for row in report.skipped] == [
        (8, "older version left out: 08.10.30: '2019' is not a date (yyyymmdd)")]
    good = await session.get(Person, "999990044")
    assert good is not None and good.geboortedatum == "19900100" and good.geslacht == "O"
    assert await session.get(Person, "111222333") is None
    assert read_lists(subset(tmp_path, ["Lg01_716"]))[0].label == "Lg01_716"


def test_the_command_prints_what_it_imported_and_what_it_left_out(settings: Settings, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEIN_DATABASE_URL", settings.database_url)
    file = subset(tmp_path, ["Lg01_716", "Lg01_501"], BROKEN[:1])
    result = CliRunner().invoke(cli, ["registers", "import-gbav", str(file)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "persons imported" in result.output and "Test_1" in result.output and "11-check" in result.output
    again = CliRunner().invoke(cli, ["registers", "import-gbav", str(file)], env={"COLUMNS": "200"})
    assert "persons already imported (unchanged)" in again.output
    assert CliRunner().invoke(cli, ["registers", "import-gbav", str(tmp_path / "missing.csv")]).exit_code == 2


async def _content(session: AsyncSession) -> list[list[tuple[object, ...]]]:
    """What an import wrote, without row ids and timestamps."""
    statements = [
        select(Person.bsn, Person.a_nummer, Person.curatele, Person.gezag_indicatie, Person.verificatie_datum,
               Person.onderzoek_persoon).order_by(Person.bsn),
        select(Residence.bsn, Residence.valid_from, Residence.valid_to, Address.nummeraanduiding, Address.postcode,
               Address.huisnummer, Residence.onderzoek).outerjoin(Address).order_by(Residence.bsn,
                                                                                    Residence.valid_from),
        select(Relation.bsn, Relation.soort, Relation.occurrence, Relation.related_bsn, Relation.valid_from,
               Relation.onderzoek).order_by(Relation.bsn, Relation.soort, Relation.occurrence, Relation.valid_from),
        select(Verblijfstitel.bsn, Verblijfstitel.aanduiding, Verblijfstitel.valid_from, Verblijfstitel.valid_to)
        .order_by(Verblijfstitel.bsn, Verblijfstitel.valid_from),
        select(RniDeelnemer.bsn, RniDeelnemer.categorie, RniDeelnemer.deelnemer).order_by(
            RniDeelnemer.bsn, RniDeelnemer.categorie),
        select(func.count()).select_from(Address),
    ]
    return [[tuple(row) for row in await session.execute(statement)] for statement in statements]


async def test_the_file_is_streamed_and_the_batch_size_changes_nothing(session: AsyncSession, tmp_path: Path) -> None:
    labels = ["Lg01_716", "Lg01_675", "Lg01_284", "Lg01_616", "Lg01_585", "Lg01_617", "Lg01_306", "Lg01_302",
              "Lg01_408", "Lg01_394"]
    file = subset(tmp_path, labels, BROKEN)
    assert inspect.isgenerator(iter_lists(file))
    small = await import_gbav(session, file, batch_size=2)
    assert small.lists == len(labels) + 4 and small.batches >= 4
    content = await _content(session)
    for model in (Mutation, Nationality, Relation, Residence, PersonName, Verblijfstitel, RniDeelnemer, Person,
                  Address):
        await session.execute(delete(model))
    await session.commit()
    large = await import_gbav(session, file)
    assert large.batches == 1
    assert await _content(session) == content
    assert [(row.line, row.reason) for row in large.rejected] == [(row.line, row.reason) for row in small.rejected]
    assert (large.persons_created, large.addresses_created) == (small.persons_created, small.addresses_created)
