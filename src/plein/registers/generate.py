"""Synthetic population for the BRP and BAG registers: `plein registers generate --persons N --seed S`.

The households are planned in registers.population; this module writes them, batch by batch, so memory holds one
batch and a seed gives the same population on an empty register whatever the batch size. Municipalities are chosen
roughly by size: INHABITANTS holds our own rounded estimates for the largest ones; every other current municipality
gets an equal share of the rest of the 17.9 million. Each person gets one brp_mutations row, action 'generate' (as
the GBA-V import writes one 'import' row). BSNs and A-nummers already in the register are skipped.
PostgreSQL: COPY per table and batch, ANALYZE at the end; SQLite: executemany.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from sqlalchemy import func, insert, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from plein.db import Base, is_sqlite, make_engine
from plein.errors import Forbidden, InvalidInput, InvalidParam
from plein.registers.bag.models import Address
from plein.registers.brp.models import Person
from plein.registers.population import Generator
from plein.registers.synthetic import (
    BATCH_SIZE,
    COLUMNS,
    MAX_HOUSEHOLD,
    REFERENCE_DATE,
    ANummerSequence,
    BsnSequence,
    Existing,
    Rows,
    municipalities,
)
from plein.settings import Settings

# ---------------------------------------------------------------------------------------------- loading


class Sink:
    """Where batches go: the checks and identifiers a batch needs before it is made, and the bulk write."""

    name = ""

    async def existing_addresses(self) -> dict[str, Existing]:
        raise NotImplementedError

    async def taken(self, bsns: list[str]) -> set[str]:
        raise NotImplementedError

    async def taken_a_nummers(self, a_nummers: list[str]) -> set[str]:
        raise NotImplementedError

    async def address_ids(self, count: int) -> list[int]:
        raise NotImplementedError

    async def write(self, rows: Rows) -> None:
        raise NotImplementedError

    async def finish(self) -> None:
        """Work after the last batch (statistics for the planner)."""

    async def refill(self, generator: Generator, numbers: tuple[BsnSequence, ANummerSequence], need: int) -> None:
        """Top up the generator's BSNs and A-nummers (skipping any already registered) and address ids to `need`."""
        bsns, a_nummers = numbers
        while len(generator.bsns) < need:
            candidates = bsns.take(need - len(generator.bsns))
            taken = await self.taken(candidates)
            generator.bsns.extend(bsn for bsn in candidates if bsn not in taken)
        while len(generator.a_nummers) < need:
            candidates = a_nummers.take(need - len(generator.a_nummers))
            taken = await self.taken_a_nummers(candidates)
            generator.a_nummers.extend(number for number in candidates if number not in taken)
        if len(generator.address_ids) < need:
            generator.address_ids.extend(await self.address_ids(need - len(generator.address_ids)))


def _existing(rows: list[Any], prefixes: list[Any]) -> dict[str, Existing]:
    seqs = {prefix[:4]: int(last[6:]) for prefix, last in prefixes if prefix.endswith("20") and last[6:].isdigit()}
    found = {code: Existing(seqs.get(code, 0), postcode, streets) for code, postcode, streets in rows}
    return found | {code: Existing(seq) for code, seq in seqs.items() if code not in found}


EXISTING = (select(Address.gemeentecode, func.max(Address.postcode), func.count(Address.openbare_ruimte_key.distinct()))
            .group_by(Address.gemeentecode))
PREFIX = func.substr(Address.nummeraanduiding, literal_column("1"), literal_column("6"))
PREFIXES = (select(PREFIX, func.max(Address.nummeraanduiding)).where(Address.nummeraanduiding.is_not(None))
            .group_by(PREFIX))


class PostgresSink(Sink):
    """COPY (asyncpg copy_records_to_table) on the raw connection, one transaction per batch."""

    name = "postgresql"

    def __init__(self, connection: AsyncConnection, driver: Any) -> None:
        self.connection, self.driver = connection, driver

    async def existing_addresses(self) -> dict[str, Existing]:
        rows = list(await self.connection.execute(EXISTING))
        prefixes = list(await self.connection.execute(PREFIXES))
        await self.connection.commit()
        return _existing(rows, prefixes)

    async def taken(self, bsns: list[str]) -> set[str]:
        rows = await self.driver.fetch("SELECT bsn FROM brp_persons WHERE bsn = ANY($1::varchar[])", bsns)
        return {row[0] for row in rows}

    async def taken_a_nummers(self, a_nummers: list[str]) -> set[str]:
        rows = await self.driver.fetch("SELECT a_nummer FROM brp_persons WHERE a_nummer = ANY($1::varchar[])",
                                       a_nummers)
        return {row[0] for row in rows}

    async def address_ids(self, count: int) -> list[int]:
        rows = await self.driver.fetch("SELECT nextval(pg_get_serial_sequence('bag_addresses', 'id')) "
                                       "FROM generate_series(1, $1)", count)
        return [row[0] for row in rows]

    async def write(self, rows: Rows) -> None:
        mutations = [(*row[:5], json.dumps(row[5])) for row in rows["brp_mutations"]]
        async with self.driver.transaction():
            for table, columns in COLUMNS.items():
                records = mutations if table == "brp_mutations" else rows[table]
                if records:
                    await self.driver.copy_records_to_table(table, records=records, columns=columns)

    async def finish(self) -> None:
        await self.driver.execute(f"ANALYZE {', '.join(COLUMNS)}")


class SqliteSink(Sink):
    """executemany through SQLAlchemy Core, one transaction per batch."""

    name = "sqlite"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.next_id = engine, 1

    async def existing_addresses(self) -> dict[str, Existing]:
        async with self.engine.connect() as connection:
            return _existing(list(await connection.execute(EXISTING)), list(await connection.execute(PREFIXES)))

    async def taken(self, bsns: list[str]) -> set[str]:
        return await self._found(Person.bsn, bsns)

    async def taken_a_nummers(self, a_nummers: list[str]) -> set[str]:
        return {number for number in await self._found(Person.a_nummer, a_nummers) if number}

    async def _found(self, column: Any, values: list[str]) -> set[str]:
        found: set[str] = set()
        async with self.engine.connect() as connection:
            for start in range(0, len(values), 500):
                chosen = values[start:start + 500]
                found.update((await connection.scalars(select(column).where(column.in_(chosen)))).all())
        return found

    async def address_ids(self, count: int) -> list[int]:
        async with self.engine.connect() as connection:
            highest = await connection.scalar(select(func.max(Address.id))) or 0
        start = max(highest + 1, self.next_id)
        self.next_id = start + count
        return list(range(start, start + count))

    async def write(self, rows: Rows) -> None:
        async with self.engine.begin() as connection:
            for table, columns in COLUMNS.items():
                if rows[table]:
                    records = [dict(zip(columns, row, strict=True)) for row in rows[table]]
                    await connection.execute(insert(Base.metadata.tables[table]), records)


@asynccontextmanager
async def open_sink(settings: Settings) -> AsyncIterator[Sink]:
    engine = make_engine(settings)
    try:
        if is_sqlite(settings.database_url):
            yield SqliteSink(engine)
            return
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            yield PostgresSink(connection, raw.driver_connection)
    finally:
        await engine.dispose()


@dataclass
class GenerateReport:
    """What a run added, in how many batches (and the most persons held at once), and how long it took."""

    seed: int
    persons: int = 0
    households: int = 0
    addresses: int = 0
    deceased: int = 0
    relations: int = 0
    batches: int = 0
    largest_batch: int = 0
    seconds: float = 0.0
    database: str = ""

    @property
    def rate(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


def _check(settings: Settings, persons: int, batch_size: int) -> None:
    if settings.env == "production":
        raise Forbidden("a synthetic population is never generated into a production register")
    problems = [InvalidParam(name, "minimum", f"at least {low}")
                for name, value, low in (("persons", persons, 1), ("batchSize", batch_size, 10)) if value < low]
    if problems:
        raise InvalidInput("; ".join(f"{problem.name}: {problem.reason}" for problem in problems), problems)


async def generate_population(settings: Settings, persons: int, seed: int,
                              progress: Callable[[int], None] | None = None, *, batch_size: int = BATCH_SIZE,
                              reference: dt.date = REFERENCE_DATE) -> GenerateReport:
    """Add `persons` synthetic persons (the deceased included) in households, one committed batch at a time.

    `progress` gets the number of persons of each batch once it is committed. The database must be migrated and
    hold the municipalities (plein.migrate.upgrade_and_seed).
    """
    _check(settings, persons, batch_size)
    began = time.perf_counter()
    report = GenerateReport(seed)
    async with open_sink(settings) as sink:
        report.database = sink.name
        generator = Generator(seed, municipalities(seed, await sink.existing_addresses()), reference)
        numbers = BsnSequence(seed), ANummerSequence(seed)
        while report.persons < persons:
            await sink.refill(generator, numbers, batch_size + MAX_HOUSEHOLD)
            rows, count, households = generator.batch(batch_size, persons - report.persons)
            await sink.write(rows)
            report.persons, report.households = report.persons + count, report.households + households
            report.addresses += len(rows["bag_addresses"])
            report.relations += len(rows["brp_relations"])
            report.deceased += sum(1 for row in rows["brp_persons"] if row[8] is not None)
            report.batches, report.largest_batch = report.batches + 1, max(report.largest_batch, count)
            if progress is not None:
                progress(count)
        await sink.finish()
    report.seconds = time.perf_counter() - began
    return report


# ---------------------------------------------------------------------------------------------- command


def generate_command(
    persons: Annotated[int, typer.Option(min=1, help="How many persons to add (the deceased included).")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: on an empty register a seed always gives the same "
                                           "population.")] = 1,
    batch_size: Annotated[int, typer.Option(min=10, help="Persons per batch: memory holds one batch.")] = BATCH_SIZE,
) -> None:
    """Add a realistic synthetic population to the BRP and BAG registers (never in production).

    Households (partners, parents, children, some elderly deceased) at new BAG addresses in every municipality.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plein.cli import load_settings
    from plein.migrate import upgrade_and_seed

    console = Console()
    settings = load_settings()
    if settings.env == "production":
        Console(stderr=True).print("[red]Refused:[/red] a synthetic population is never generated in production.")
        raise typer.Exit(2)
    upgrade_and_seed(settings)
    columns = (TextColumn("[bold]generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("persons", total=persons)
        report = asyncio.run(generate_population(settings, persons, seed, lambda count: bar.advance(task, count),
                                                 batch_size=batch_size))
    console.print(f"Generated {report.persons:,} persons ({report.deceased:,} deceased) in {report.households:,} "
                  f"households at {report.addresses:,} addresses, seed {seed}, on {report.database}: "
                  f"{report.seconds:.1f} s, {report.rate:,.0f} persons/s", highlight=False)
