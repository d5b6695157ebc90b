"""Zaken API benchmark on PostgreSQL: 1,000,000 zaken over 100 zaaktypen, through `plein serve`, next to raw SQL.

Measures GET /zaken (first page, exact count) for a client with all rights and for one restricted to 10
zaaktypen, GET of one zaak, and POST /zaken (with its notification written to the outbox), and the same data
fetched or written with plain SQL in the same run. Prints req/s, p50, p99 and the ratio to raw. Targets on this
machine: list p50 at most 30 ms with an exact count, at least 300 creates/s. (Worker delivery throughput is
measured by bench/notifications.py.)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
from common import console as bench_console
from common import ms, pg_admin, pg_dsn, plein_server
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from plein.auth.service import create_client, make_jwt
from plein.db import make_engine, make_session_factory
from plein.migrate import upgrade_and_seed
from plein.settings import Settings
from plein.zgw.catalogi.models import Catalogus, StatusType, ZaakType

console = bench_console()
BENCH_DB = "plein_bench_zaken"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ADMIN, READER, SECRET = "bench-zaken", "bench-zaken-10", "bench-zaken-secret-0123456789abcdef"
RSIN = "002220647"
CRS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
BATCH = 20_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server on which the bench creates "
                        f"and drops its database {BENCH_DB} (default {DEFAULT_URL})")
    parser.add_argument("--zaken", type=int, default=1_000_000, help="zaken to generate (default 1000000)")
    parser.add_argument("--zaaktypen", type=int, default=100, help="zaaktypen (default 100)")
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per measurement (default 1000)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests at once for the timed runs (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="`plein serve --workers` processes (default 2)")
    parser.add_argument("--reuse", action="store_true", help="keep the database afterwards and use it again when it "
                        "holds the zaken already")
    return parser.parse_args()


# -- the data --------------------------------------------------------------------------------------------------------

async def _zaken_in(url: str) -> int | None:
    try:
        conn = await asyncpg.connect(pg_dsn(url))
    except (asyncpg.InvalidCatalogNameError, OSError):
        return None
    try:
        if not await conn.fetchval("SELECT to_regclass('zgw_zaken') IS NOT NULL"):
            return None
        return int(await conn.fetchval("SELECT count(*) FROM zgw_zaken"))
    finally:
        await conn.close()


async def seed_types(url: str, count: int) -> None:
    """A catalogus with `count` published zaaktypen (two statustypen each), an all-rights client and a second client
    (its autorisaties come through the Autorisaties API once the server runs)."""
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            catalogus = Catalogus(domein="BENCH", rsin=RSIN, naam="Benchmark", contactpersoon_beheer_naam="Bench")
            session.add(catalogus)
            await session.flush()
            for number in range(count):
                zaaktype = ZaakType(
                    catalogus_id=catalogus.id, identificatie=f"ZT-{number:03d}", omschrijving=f"Zaaktype {number}",
                    vertrouwelijkheidaanduiding="openbaar", doel="Meten", aanleiding="Meten",
                    indicatie_intern_of_extern="extern", handeling_initiator="Aanvragen", onderwerp="Meting",
                    handeling_behandelaar="Behandelen", doorlooptijd="P30D", opschorting_en_aanhouding_mogelijk=False,
                    verlenging_mogelijk=False, publicatie_indicatie=False, verantwoordelijke="Gemeente",
                    begin_geldigheid=dt.date(2020, 1, 1), versiedatum=dt.date(2020, 1, 1), concept=False)
                session.add(zaaktype)
                await session.flush()
                for volgnummer in (1, 2):
                    session.add(StatusType(zaaktype_id=zaaktype.id, omschrijving=f"Stap {volgnummer}",
                                           volgnummer=volgnummer))
            await session.commit()
            await create_client(session, ADMIN, None, [], secret=SECRET, all_rights=True)
            await create_client(session, READER, None, [], secret=SECRET)
    finally:
        await engine.dispose()


async def generate_zaken(url: str, count: int, advance: Callable[[int], None]) -> None:
    """`count` zaken spread over the zaaktypen, copied in batches (the count triggers are off during the load and
    the counts are computed once afterwards)."""
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        types = [row["id"] for row in await conn.fetch("SELECT id FROM zgw_zaaktypen ORDER BY identificatie")]
        await conn.execute("ALTER TABLE zgw_zaken DISABLE TRIGGER USER")
        rng = random.Random(1)
        start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        columns = ["id", "identificatie", "bronorganisatie", "omschrijving", "toelichting", "zaaktype_id",
                   "registratiedatum", "verantwoordelijke_organisatie", "startdatum", "communicatiekanaal",
                   "producten_of_diensten", "vertrouwelijkheid", "betalingsindicatie", "selectielijstklasse",
                   "relevante_andere_zaken", "kenmerken", "archiefstatus", "opdrachtgevende_organisatie",
                   "created_at"]
        for offset in range(0, count, BATCH):
            rows = []
            for number in range(offset, min(count, offset + BATCH)):
                created = start + dt.timedelta(seconds=number * 60)
                rows.append((uuid.uuid4(), f"ZAAK-2024-{number + 1:010d}", RSIN, "Gegenereerde zaak", "",
                             rng.choice(types), created.date(), RSIN, created.date(), "", "[]",
                             rng.choice((0, 0, 0, 2, 3, 4)), "", "", "[]", "[]", "nog_te_archiveren", "", created))
            await conn.copy_records_to_table("zgw_zaken", records=rows, columns=columns)
            advance(len(rows))
        await conn.execute("ALTER TABLE zgw_zaken ENABLE TRIGGER USER")
        await conn.execute("INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, aantal) "
                           "SELECT zaaktype_id, vertrouwelijkheid, count(*) FROM zgw_zaken GROUP BY 1, 2")
        await conn.execute("INSERT INTO zgw_identificatie_counters VALUES ($1, 'ZAAK', 2024, $2)", RSIN, count)
    finally:
        await conn.close()
    await pg_admin(url, "VACUUM ANALYZE")


@contextmanager
def bench_database(args: argparse.Namespace) -> Iterator[str]:
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("this benchmark runs on PostgreSQL: give a postgresql+asyncpg:// URL")
    url = make_url(args.database_url).set(drivername="postgresql+asyncpg", database=BENCH_DB).render_as_string(
        hide_password=False)
    drop = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    try:
        if args.reuse and asyncio.run(_zaken_in(url)) == args.zaken:
            console.print(f"Using {BENCH_DB} again: {args.zaken:,} zaken", highlight=False)
        else:
            asyncio.run(pg_admin(args.database_url, drop, f"CREATE DATABASE {BENCH_DB}"))
            upgrade_and_seed(Settings(database_url=url))
            asyncio.run(seed_types(url, args.zaaktypen))
            began = time.perf_counter()
            columns = (TextColumn("[bold]generating zaken"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("zaken", total=args.zaken)
                asyncio.run(generate_zaken(url, args.zaken, lambda n: bar.advance(task, n)))
            console.print(f"generated {args.zaken:,} zaken over {args.zaaktypen} zaaktypen in "
                          f"{time.perf_counter() - began:.1f} s", highlight=False)
        yield url
    finally:
        if not args.reuse:
            asyncio.run(pg_admin(args.database_url, drop))


# -- the measurements ------------------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    concurrency: int
    seconds: float
    latencies: list[float]
    raw: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def timed(call: Callable[[int], Awaitable[None]], total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(total))

    async def runner() -> None:
        for index in queue:
            began = time.perf_counter()
            await call(index)
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(runner() for _ in range(concurrency)))
    return time.perf_counter() - began, latencies


async def measure(base: str, url: str, args: argparse.Namespace) -> list[Result]:  # noqa: C901
    admin = {"Authorization": f"Bearer {make_jwt(ADMIN, SECRET)}", **CRS}
    reader = {"Authorization": f"Bearer {make_jwt(READER, SECRET)}", **CRS}
    pool = await asyncpg.create_pool(pg_dsn(url), min_size=args.concurrency, max_size=args.concurrency)
    assert pool is not None
    ids = [row["id"] for row in await pool.fetch("SELECT id FROM zgw_zaken TABLESAMPLE SYSTEM (1) LIMIT 5000")]
    types = [row["id"] for row in await pool.fetch("SELECT id FROM zgw_zaaktypen ORDER BY identificatie")]
    ten = types[:10]
    results: list[Result] = []
    # aiohttp, not httpx: httpx spends several ms of CPU per request, which the server would not get on 2 cores
    connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
    async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=60), connector=connector) as http:
        async def request(method: str, path: str, headers: dict[str, str], status: int, body: Any = None,
                       params: dict[str, str] | None = None) -> Any:
            async with http.request(method, path, json=body, params=params, headers=headers) as response:
                content = await response.read()  # bytes: text() would guess the charset of every page
                if response.status != status:
                    raise SystemExit(f"{method} {path}: {response.status} {content[:300]!r}")
                return orjson.loads(content)

        found = await request("GET", "/autorisaties/api/v1/applicaties", admin, 200, params={"clientIds": READER})
        if not found["count"]:
            applicatie = {"clientIds": [READER], "label": "Tien zaaktypen", "autorisaties": [
                {"component": "zrc", "scopes": ["zaken.lezen", "zaken.aanmaken"],
                 "zaaktype": f"{base}/catalogi/api/v1/zaaktypen/{key}", "maxVertrouwelijkheidaanduiding": "zeer_geheim"}
                for key in ten]}
            await request("POST", "/autorisaties/api/v1/applicaties", admin, 201, applicatie)

        async def list_all(_: int) -> None:
            await request("GET", "/zaken/api/v1/zaken", admin, 200)

        async def list_ten(_: int) -> None:
            await request("GET", "/zaken/api/v1/zaken", reader, 200)

        async def read_one(i: int) -> None:
            await request("GET", f"/zaken/api/v1/zaken/{ids[i % len(ids)]}", admin, 200)

        async def create(i: int) -> None:
            body = {"zaaktype": f"{base}/catalogi/api/v1/zaaktypen/{types[i % len(types)]}",
                    "bronorganisatie": RSIN, "verantwoordelijkeOrganisatie": RSIN, "startdatum": "2026-11-23"}
            await request("POST", "/zaken/api/v1/zaken", admin, 201, body)

        async def raw_list_all(_: int) -> None:
            async with pool.acquire() as conn:
                await conn.fetch("SELECT * FROM zgw_zaken ORDER BY created_at, id LIMIT 100")
                await conn.fetchval("SELECT count(*) FROM zgw_zaken")

        async def raw_list_ten(_: int) -> None:
            async with pool.acquire() as conn:
                await conn.fetch("SELECT * FROM zgw_zaken WHERE zaaktype_id = ANY($1) ORDER BY created_at, id "
                                 "LIMIT 100", ten)
                await conn.fetchval("SELECT count(*) FROM zgw_zaken WHERE zaaktype_id = ANY($1)", ten)

        async def raw_read(i: int) -> None:
            async with pool.acquire() as conn:
                await conn.fetchrow("SELECT * FROM zgw_zaken WHERE id = $1", ids[i % len(ids)])

        async def raw_create(i: int) -> None:
            async with pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO zgw_zaken (id, identificatie, bronorganisatie, omschrijving, toelichting, "
                    "zaaktype_id, registratiedatum, verantwoordelijke_organisatie, startdatum, communicatiekanaal, "
                    "producten_of_diensten, vertrouwelijkheid, betalingsindicatie, selectielijstklasse, "
                    "relevante_andere_zaken, kenmerken, archiefstatus, opdrachtgevende_organisatie, created_at) "
                    "VALUES ($1, $2, $3, '', '', $4, current_date, $3, current_date, '', '[]', 0, '', '', '[]', "
                    "'[]', 'nog_te_archiveren', '', now())", uuid.uuid4(), f"RAW-{uuid.uuid4().hex[:30]}", RSIN,
                    types[i % len(types)])

        plans = [("GET /zaken (all rights)", list_all, raw_list_all),
                 ("GET /zaken (10 zaaktypen)", list_ten, raw_list_ten),
                 ("GET /zaken/{uuid}", read_one, raw_read),
                 ("POST /zaken (+ outbox)", create, raw_create)]
        for name, call, raw in plans:
            for concurrency in (1, args.concurrency):
                await timed(call, min(50, args.requests), concurrency)  # warm up
                seconds, latencies = await timed(call, args.requests, concurrency)
                _, raw_latencies = await timed(raw, args.requests, concurrency)
                results.append(Result(name, concurrency, seconds, latencies, raw_latencies))
                console.print(f"  {name} at concurrency {concurrency}: {len(latencies) / seconds:,.0f} req/s",
                              highlight=False)
    await pool.close()
    return results


def report(results: list[Result]) -> None:
    table = Table(title="Zaken API through the full stack (JWT, autorisaties, SQL, JSON) vs raw SQL")
    for column in ("request", "conc.", "req/s", "p50 ms", "p99 ms", "raw p50 ms", "p50 ratio"):
        table.add_column(column, justify="right" if column != "request" else "left")
    for result in results:
        p50, raw50 = result.pct(result.latencies, 50), result.pct(result.raw, 50)
        table.add_row(result.name, str(result.concurrency), f"{result.rate:,.0f}", ms(p50),
                      ms(result.pct(result.latencies, 99)), ms(raw50), f"{p50 / raw50:.1f}x")
    console.print(table)
    console.print("Targets: GET /zaken p50 ≤ 30 ms with an exact count; POST /zaken ≥ 300/s at concurrency 16.")


def main() -> None:
    args = parse_args()
    with bench_database(args) as url, tempfile.TemporaryDirectory() as temp, \
            plein_server(url, Path(temp), workers=args.workers) as base:
        report(asyncio.run(measure(base, url, args)))


if __name__ == "__main__":
    main()
