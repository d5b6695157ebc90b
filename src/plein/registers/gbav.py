"""The GBA-V test set importer: RvIG's persoonslijsten (LO3 elements) into BRP persons, relations and BAG addresses.

The file has one column per LO3 element (`01.01.20` = category 01, group 01, element 20), ';'-separated, UTF-8 with
a BOM. A persoonslijst starts at a row with a label in the first column; the rows below it without a label hold
more occurrences and older versions (lo3_lines); persoonslijst turns one list into the register's rows.

The file is streamed, never held: the first pass reads list by list and decides which lists to add (a list whose
current data breaks a rule, or that repeats a BSN or A-nummer of an earlier list, is rejected with the line and the
reason; a person already imported from the same rows is left as it is) and registers the BAG addresses that have
identifiers; the second pass reads the file again and adds the accepted lists in batches. Addresses without
identifiers are matched in the second pass, so they find the identified address at the same postcode and number
wherever in the file it is. Each batch is committed; running the import again changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.registers.bag.service import ensure_addresses
from plein.registers.brp import service as brp
from plein.registers.brp.models import Mutation, Person
from plein.registers.lo3_lines import Line, PersoonsLijst, ReportedRow, RowError
from plein.registers.persoonslijst import parse_list

CASE = "gbav:{name}"
REASON = "Import van de GBA-V testset van RvIG"
BATCH_SIZE = 500  # persoonslijsten per batch: what memory holds at once
CHECK_SIZE = 1000  # persons per relation check after the import
Parsed = tuple[PersoonsLijst, brp.ImportedPerson]

__all__ = ["ImportReport", "ReportedRow", "import_gbav", "iter_lists", "read_lists"]


@dataclass
class ImportReport:
    """What an import did: persons added or already there, rows written, and every line left out with why."""

    file: str
    lists: int = 0
    persons_created: int = 0
    persons_unchanged: int = 0
    addresses_created: int = 0
    names: int = 0
    residences: int = 0
    relations: int = 0
    nationalities: int = 0
    verblijfstitels: int = 0
    batches: int = 0
    rejected: list[ReportedRow] = field(default_factory=list)
    skipped: list[ReportedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- reading


def iter_lists(path: Path) -> Iterator[PersoonsLijst]:
    """The persoonslijsten of the file one at a time, each with its lines (numbered as in the file, header = 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        columns = [(index, name) for index, name in enumerate(header) if index and name]
        first = {name: index for index, name in reversed(columns)}
        current: PersoonsLijst | None = None
        for number, values in enumerate(reader, start=2):
            row = {name: values[index].strip() for name, index in first.items()
                   if index < len(values) and values[index].strip()}
            label = values[0].strip() if values else ""
            if label or current is None:
                if current is not None:
                    yield current
                current = PersoonsLijst(label or f"line {number}", [])
            current.lines.append(Line(number, row))
        if current is not None:
            yield current


def read_lists(path: Path) -> list[PersoonsLijst]:
    """All persoonslijsten of a (small) file."""
    return list(iter_lists(path))


def _batches(path: Path, size: int) -> Iterator[list[PersoonsLijst]]:
    batch: list[PersoonsLijst] = []
    for pl in iter_lists(path):
        batch.append(pl)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------- first pass


@dataclass
class _Seen:
    """What the first pass keeps: which list has which BSN and A-nummer, and the first lines of the lists to add."""

    bsn: dict[str, str] = field(default_factory=dict)
    a_nummer: dict[str, str] = field(default_factory=dict)
    accepted: set[int] = field(default_factory=set)


def _parse(batch: list[PersoonsLijst], seen: _Seen, report: ImportReport) -> list[Parsed]:
    """Parse a batch; reject a list whose current data breaks a rule or repeats a BSN or A-nummer."""
    parsed: list[Parsed] = []
    for pl in batch:
        skipped: list[ReportedRow] = []
        try:
            record = parse_list(pl, skipped)
        except RowError as error:
            report.rejected.append(ReportedRow(error.line, pl.label, error.reason))
            continue
        bsn, anummer = record.person.bsn, record.person.a_nummer
        if bsn in seen.bsn:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"burgerservicenummer {bsn} is also on {seen.bsn[bsn]}"))
            continue
        if anummer and anummer in seen.a_nummer:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"A-nummer {anummer} is also on {seen.a_nummer[anummer]}"))
            continue
        seen.bsn[bsn] = pl.label
        if anummer:
            seen.a_nummer[anummer] = pl.label
        report.skipped += skipped
        parsed.append((pl, record))
    return parsed


async def _new(session: AsyncSession, parsed: list[Parsed], report: ImportReport) -> list[Parsed]:
    """The parsed lists whose person is not in the register yet; those imported from the same rows are counted as
    unchanged, others that collide with the register are rejected."""
    wanted = [record.person.bsn for _, record in parsed]
    rows = await session.execute(select(Mutation.bsn, Mutation.details).where(
        Mutation.action == brp.IMPORT_ACTION, Mutation.bsn.in_(wanted)))
    imported: dict[str, dict[str, Any]] = dict(rows.all())
    present = set((await session.scalars(select(Person.bsn).where(Person.bsn.in_(wanted)))).all())
    taken = set((await session.scalars(select(Person.a_nummer).where(Person.a_nummer.in_(
        [record.person.a_nummer for _, record in parsed if record.person.a_nummer])))).all())
    new: list[Parsed] = []
    for pl, record in parsed:
        bsn = record.person.bsn
        if bsn in present:
            if (imported.get(bsn) or {}).get("fingerprint") == pl.fingerprint():
                report.persons_unchanged += 1
            else:
                report.rejected.append(ReportedRow(pl.first_line, pl.label, f"burgerservicenummer {bsn} is already "
                                                   "in the register with other data; the import does not change it"))
        elif record.person.a_nummer in taken:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"A-nummer {record.person.a_nummer} belongs to another person"))
        else:
            new.append((pl, record))
    return new


async def _first_pass(session: AsyncSession, path: Path, report: ImportReport, batch_size: int) -> set[int]:
    """Decide which lists to add (their first lines) and register the BAG addresses with identifiers they use."""
    seen = _Seen()
    for batch in _batches(path, batch_size):
        report.lists += len(batch)
        new = await _new(session, _parse(batch, seen, report), report)
        seen.accepted |= {pl.first_line for pl, _ in new}
        identified = [data for _, record in new for _, data in record.residences
                      if data is not None and data.nummeraanduiding]
        _, created = await ensure_addresses(session, identified)
        report.addresses_created += created
    await session.commit()
    return seen.accepted


# ---------------------------------------------------------------------------------------------- second pass


async def _store(session: AsyncSession, new: list[Parsed], report: ImportReport, cause: brp.Cause) -> list[str]:
    """Add the persons of a batch with the BAG addresses they need; returns the BSNs added."""
    addresses, created = await ensure_addresses(
        session, [data for _, record in new for _, data in record.residences if data is not None])
    report.addresses_created += created
    await brp.import_persons(session, [(record, pl.fingerprint()) for pl, record in new], cause, addresses)
    for _, record in new:
        report.persons_created += 1
        report.names += len(record.names)
        report.residences += len(record.residences)
        report.relations += len(record.relations)
        report.nationalities += len(record.nationalities)
        report.verblijfstitels += len(record.verblijfstitels)
    return [record.person.bsn for _, record in new]


async def import_gbav(session: AsyncSession, path: Path, batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import a GBA-V test set file, committing batch by batch; safe to run again (persons already imported stay as
    they are). Memory holds one batch of lists, plus the BSNs and A-nummers seen."""
    report = ImportReport(file=path.name)
    accepted = await _first_pass(session, path, report, batch_size)
    cause = brp.Cause(REASON, CASE.format(name=path.name))
    added: list[str] = []
    for batch in _batches(path, batch_size):
        chosen = [pl for pl in batch if pl.first_line in accepted]
        if not chosen:
            continue
        new = [(pl, parse_list(pl, [])) for pl in chosen]
        added += await _store(session, new, report, cause)
        await session.commit()
        report.batches += 1
    for start in range(0, len(added), CHECK_SIZE):
        for problem in await brp.relation_problems(session, added[start:start + CHECK_SIZE]):
            report.warnings.append(f"{problem.bsn}: {problem.soort} {problem.related_bsn} does not list this "
                                   "person back (as in the source)")
    report.rejected.sort(key=lambda row: row.line)
    report.skipped.sort(key=lambda row: row.line)
    return report
