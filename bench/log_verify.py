"""Processing-log benchmark: verifying a log of a million records, signing its first checkpoints, and the cost of
the head trigger on appends.

A log of --records records (default 1,000,000) is written into a fresh SQLite database (and a PostgreSQL one with
--postgres URL); then `plein exchange log verify` (checkpoints.audit: the chain, the head, the Merkle root of every
signed checkpoint) is timed next to a plain read of the same rows, which is the baseline: the ratio says what the
hashing adds. Its CPU time (this process, the SQLite driver's thread included) is printed too: on a machine shared
with other work it says what verify costs when it has a core to itself. On PostgreSQL it also times single-record
appends with the head's trigger and with the trigger switched off (the baseline), in the same run. Prints numbers
only.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from common import console as bench_console
from common import run_admin
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import make_engine, make_session_factory
from plein.exchange import checkpoints, log
from plein.migrate import upgrade_and_seed
from plein.settings import Settings

WRITE_BATCH = 5000
APPENDS = 2000


def entries(start: int, count: int) -> list[log.Entry]:
    return [log.Entry(f"{number:032x}", "zaaksysteem", "0363", "verhuizing-verwerken", "brp",
                      f"{100000000 + number}", ("naam", "verblijfplaats")) for number in range(start, start + count)]


async def fill(session: AsyncSession, records: int) -> float:
    started = time.perf_counter()
    for start in range(0, records, WRITE_BATCH):
        await log.append(session, entries(start, min(WRITE_BATCH, records - start)))
        await session.commit()
    return time.perf_counter() - started


async def plain_read(session: AsyncSession) -> tuple[float, int]:
    started, count = time.perf_counter(), 0
    async for batch in log.rows(session, batch=log.VERIFY_BATCH * 10):
        count += len(batch)
    return time.perf_counter() - started, count


async def appends(session: AsyncSession, trigger: bool) -> float:
    """Seconds per single-record append (log.write: lock the head, insert, move it, commit)."""
    state = "ENABLE" if trigger else "DISABLE"
    await session.execute(text(f"ALTER TABLE exchange_log_head {state} TRIGGER exchange_log_head_only_appends"))
    await session.commit()
    started = time.perf_counter()
    for number in range(APPENDS):
        await log.write(session, entries(10**8 + number, 1))
    return (time.perf_counter() - started) / APPENDS


async def measure(settings: Settings, records: int, table: Table, name: str) -> None:
    engine = make_engine(settings)
    key = checkpoints.signing_key(settings)
    async with make_session_factory(engine)() as session:
        filled = await fill(session, records)
        started = time.perf_counter()
        while await checkpoints.make(session, key) is not None:
            pass
        signed = time.perf_counter() - started
        read, count = await plain_read(session)
        started, cpu = time.perf_counter(), time.process_time()
        result = await checkpoints.audit(session, [key.public_key()])
        verified, cpu = time.perf_counter() - started, time.process_time() - cpu
        if not result.ok or result.records != count:
            raise SystemExit(f"the log did not verify: {result.reason}")
        table.add_row(name, f"{records:,}", f"{filled:.1f}", f"{signed:.1f}", f"{read:.1f}", f"{verified:.1f}",
                      f"{cpu:.1f}", f"{records / verified:,.0f}", f"{verified / read:.2f}")
        if engine.dialect.name == "postgresql":
            without = await appends(session, trigger=False)
            with_trigger = await appends(session, trigger=True)
            bench_console().print(f"{name}: single-record append {without * 1000:.3f} ms without the head trigger, "
                                  f"{with_trigger * 1000:.3f} ms with it (ratio {with_trigger / without:.2f})")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="", help="postgresql+asyncpg://… of a server to make a database on")
    arguments = parser.parse_args()
    table = Table("database", "records", "write s", "sign s", "plain read s", "verify s",
                  "verify CPU s", "verify records/s",
                  "verify / read", title="Verifying the processing log")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = Settings(env="test", database_url=f"sqlite+aiosqlite:///{folder}/log.db", data_dir=Path(folder),
                          log_checkpoint_interval=0)
        upgrade_and_seed(sqlite)
        asyncio.run(measure(sqlite, arguments.records, table, "SQLite"))
        if arguments.postgres:
            url = make_url(arguments.postgres)
            admin = url.render_as_string(hide_password=False)
            run_admin(admin, "DROP DATABASE IF EXISTS plein_bench_log", "CREATE DATABASE plein_bench_log")
            postgres = Settings(env="test", database_url=url.set(database="plein_bench_log")
                                .render_as_string(hide_password=False), data_dir=Path(folder),
                                log_checkpoint_interval=0)
            upgrade_and_seed(postgres)
            asyncio.run(measure(postgres, arguments.records, table, "PostgreSQL"))
            run_admin(admin, "DROP DATABASE IF EXISTS plein_bench_log WITH (FORCE)")
    bench_console().print(table)


if __name__ == "__main__":
    main()
