"""BRP lookup benchmark: Haal Centraal BRP Personen through the full stack next to raw SQL, at two register sizes.

For each register size (the checkpoint and the full size) a synthetic population (plein.registers.generate) is
generated in its own PostgreSQL database plein_bench_brp_<size> with a client holding a grant for a typical field
set; `plein serve --workers N` is started on it, and a separate load-generator process posts
RaadpleegMetBurgerservicenummer and ZoekMetPostcodeEnHuisnummer with real JWTs (JWT check, grant check,
processing-log write, response) at each concurrency, then fetches the same data straight from asyncpg. Comparing the
two sizes shows whether lookup latency stays flat. With --reuse the databases are kept and used again when they
already hold the persons (generating a million takes minutes). Prints numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
from common import WARMUP, LeanClient, lean_request, ms, percentile, pg_dsn, plein_server, population_database, timed
from common import console as bench_console
from rich.table import Table

from plein.app import quiet_collector
from plein.auth.service import Principal, make_jwt
from plein.db import make_engine, make_session_factory
from plein.exchange import service as exchange
from plein.exchange.service import ACTIVITY_HEADER
from plein.settings import Settings

console = bench_console()
BENCH_DB = "plein_bench_brp"
DEFAULT_URL = os.environ.get("PLEIN_TEST_POSTGRES_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PATH = "/haalcentraal/api/brp/personen"
SAMPLES = 5000
CLIENT, SECRET, ORGANISATION, ACTIVITY = "bench-brp", "bench-brp-secret-0123456789abcdef", "0363", "bench-brp-lookup"
GRANTED = ["burgerservicenummer", "naam", "geboorte", "verblijfplaats", "leeftijd", "adressering", "geslacht"]
RAADPLEEG_FIELDS = ["burgerservicenummer", "naam", "geboorte", "verblijfplaats", "leeftijd"]
ZOEK_FIELDS = ["burgerservicenummer", "naam", "geboorte", "leeftijd", "adressering"]
RAW_RAADPLEEG = """
SELECT p.bsn, p.geslacht, p.geboortedatum, p.geboorteplaats, p.geboorteland, p.overlijdensdatum, p.opschorting_reden,
       p.geheimhouding, n.voornamen, n.voorvoegsel, n.geslachtsnaam, n.adellijke_titel, n.naamgebruik,
       r.soort, r.functie_adres, r.valid_from, r.gemeente_van_inschrijving, a.nummeraanduiding,
       a.adresseerbaar_object, a.openbare_ruimte, a.korte_naam, a.huisnummer, a.huisletter, a.huisnummertoevoeging,
       a.postcode, a.woonplaats
FROM brp_persons p
JOIN brp_names n ON n.bsn = p.bsn AND n.valid_to IS NULL
LEFT JOIN brp_residences r ON r.bsn = p.bsn AND r.valid_to IS NULL
LEFT JOIN bag_addresses a ON a.id = r.address_id
WHERE p.bsn = $1 AND (p.opschorting_reden IS NULL OR p.opschorting_reden NOT IN ('F', 'W'))"""
RAW_ZOEK = """
SELECT p.bsn, p.geslacht, p.geboortedatum, p.geheimhouding, n.voornamen, n.voorvoegsel, n.geslachtsnaam,
       n.adellijke_titel, a.openbare_ruimte, a.korte_naam, a.huisnummer, a.huisletter, a.huisnummertoevoeging,
       a.postcode, a.woonplaats
FROM bag_addresses a
JOIN brp_residences r ON r.address_id = a.id AND r.valid_to IS NULL
JOIN brp_persons p ON p.bsn = r.bsn
JOIN brp_names n ON n.bsn = p.bsn AND n.valid_to IS NULL
WHERE a.postcode = $1 AND a.huisnummer = $2 AND a.nummeraanduiding IS NOT NULL
  AND ($3::text IS NULL OR lower(a.huisletter) = lower($3))
  AND ($4::text IS NULL OR lower(a.huisnummertoevoeging) = lower($4))
  AND p.overlijdensdatum IS NULL AND (p.opschorting_reden IS NULL OR p.opschorting_reden NOT IN ('F', 'W', 'O'))
ORDER BY p.bsn"""
SAMPLE_BSNS = "SELECT bsn FROM brp_persons WHERE overlijdensdatum IS NULL ORDER BY random() LIMIT $1"
SAMPLE_ADDRESSES = """
SELECT a.postcode, a.huisnummer, a.huisletter, a.huisnummertoevoeging FROM bag_addresses a
WHERE EXISTS (SELECT 1 FROM brp_residences r JOIN brp_persons p ON p.bsn = r.bsn
              WHERE r.address_id = a.id AND r.valid_to IS NULL AND p.overlijdensdatum IS NULL)
ORDER BY random() LIMIT $1"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server on which the bench creates and "
                        f"drops its own database {BENCH_DB} (default: PLEIN_TEST_POSTGRES_URL or {DEFAULT_URL})")
    parser.add_argument("--persons", type=int, default=1_000_000, help="full register size (default 1000000)")
    parser.add_argument("--checkpoint", type=int, default=100_000, help="size of the first measurement "
                        "(default 100000)")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per query type, concurrency and "
                        "size (default 2000)")
    parser.add_argument("--concurrency", default="1,32", help="comma-separated concurrency levels (default 1,32)")
    parser.add_argument("--seed", type=int, default=1, help="population seed (default 1)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="`plein serve --workers` processes (default: one per core, as the README advises)")
    parser.add_argument("--pool-size", type=int, default=4, help="PLEIN_DATABASE_POOL_SIZE of each worker (default "
                        "4: PostgreSQL on this machine's cores serves more with fewer backends; see the README)")
    parser.add_argument("--pool-overflow", type=int, default=0, help="PLEIN_DATABASE_POOL_OVERFLOW (default 0: "
                        "opening and closing connections in bursts costs PostgreSQL a backend each time)")
    parser.add_argument("--reuse", action="store_true", help=f"keep the databases {BENCH_DB}_<size> afterwards, and "
                        "use one again when it already holds that many persons instead of generating them")
    args = parser.parse_args()
    args.levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    if not 0 < args.checkpoint <= args.persons:
        parser.error("--checkpoint must be between 1 and --persons")
    return args


# -- the database, the population and the client ------------------------------------------------------------------

@contextmanager
def bench_database(url: str, size: int, seed: int, reuse: bool) -> Iterator[str]:
    """The database plein_bench_brp_<size> holding `size` persons and the bench client (common.population_database)."""
    with population_database(url, f"{BENCH_DB}_{size}", size, seed, reuse, CLIENT, register_client) as bench_url:
        yield bench_url


async def register_client(url: str) -> None:
    """A client of Amsterdam with a processing activity and a grant for the typical field set."""
    admin = Principal("cli", "bench", "Benchmark", frozenset(), all_rights=True)
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            await exchange.create_api_client(session, admin, CLIENT, secret=SECRET, organisation=ORGANISATION)
            await exchange.create_activity(session, admin, ORGANISATION, ACTIVITY, "BRP lookup benchmark",
                                           "Meten hoe snel persoonsgegevens worden opgevraagd", "Wet BRP artikel 3.3")
            await exchange.create_grant(session, admin, exchange.GrantRequest(CLIENT, "brp", GRANTED, ACTIVITY))
    finally:
        await engine.dispose()


# -- the requests ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lookup:
    """One lookup: the Haal Centraal body and the raw SQL that fetches the same data."""

    body: dict[str, Any]
    sql: str
    params: tuple[Any, ...]


def raadpleeg(bsn: str) -> Lookup:
    body = {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [bsn], "fields": RAADPLEEG_FIELDS}
    return Lookup(body, RAW_RAADPLEEG, (bsn,))


def zoek(postcode: str, huisnummer: int, huisletter: str | None, toevoeging: str | None) -> Lookup:
    body: dict[str, Any] = {"type": "ZoekMetPostcodeEnHuisnummer", "postcode": postcode, "huisnummer": huisnummer,
                            "fields": ZOEK_FIELDS}
    if huisletter:
        body["huisletter"] = huisletter
    if toevoeging:
        body["huisnummertoevoeging"] = toevoeging
    return Lookup(body, RAW_ZOEK, (postcode, huisnummer, huisletter, toevoeging))


async def samples(dsn: str) -> dict[str, list[Lookup]]:
    conn = await asyncpg.connect(dsn)
    try:
        bsns = [row[0] for row in await conn.fetch(SAMPLE_BSNS, SAMPLES)]
        addresses = [tuple(row) for row in await conn.fetch(SAMPLE_ADDRESSES, SAMPLES)]
    finally:
        await conn.close()
    return {"RaadpleegMetBurgerservicenummer": [raadpleeg(bsn) for bsn in bsns],
            "ZoekMetPostcodeEnHuisnummer": [zoek(*address) for address in addresses]}


@dataclass
class Result:
    size: int
    query: str
    concurrency: int
    rate: float
    p50: float
    p99: float
    raw_rate: float
    raw_p50: float
    raw_p99: float


async def check_same(http: aiohttp.ClientSession, pool: asyncpg.Pool, items: dict[str, list[Lookup]]) -> int:
    """Compare the API's persons with the raw rows on a few lookups; the number of differences."""
    differ = 0
    for lookups in items.values():
        for lookup in lookups[:20]:
            async with http.post(PATH, json=lookup.body, raise_for_status=True) as response:
                body = await response.json()
            api = [(p["burgerservicenummer"], p.get("naam", {}).get("geslachtsnaam")) for p in body["personen"]]
            raw = [(row["bsn"], row["geslachtsnaam"]) for row in await pool.fetch(lookup.sql, *lookup.params)]
            if api != raw:
                differ += 1
                console.print(f"[yellow]warning:[/] {lookup.body['type']} {lookup.params}: API {api} ≠ raw {raw}")
    return differ


async def measure(base: str, dsn: str, size: int, args: argparse.Namespace) -> list[Result]:
    """Each query type at each concurrency: through the server, then raw SQL on an asyncpg pool."""
    items = await samples(dsn)
    quiet_collector()  # the load generator's own collections would show as the server's latency
    headers = {"Authorization": f"Bearer {make_jwt(CLIENT, SECRET)}", ACTIVITY_HEADER: ACTIVITY}
    top = max(args.levels)
    # The answers are checked with aiohttp; the load itself is sent by LeanClient, which spends about a quarter of
    # aiohttp's CPU per request (and httpx spends 20 times aiohttp's): the load generator shares the CPUs with the
    # server it measures.
    connector = aiohttp.TCPConnector(limit=top)
    timeout = aiohttp.ClientTimeout(total=60)
    results = []
    async with aiohttp.ClientSession(base, headers=headers, connector=connector, timeout=timeout) as http, \
            asyncpg.create_pool(dsn, min_size=top, max_size=top) as pool, LeanClient(base, top) as lean:
        differ = await check_same(http, pool, items)
        console.print(f"Raw SQL checked against the API on {sum(min(20, len(v)) for v in items.values())} lookups: "
                      f"{differ or 'no'} differences")

        async def api(request: bytes) -> None:
            status, content = await lean.send(request)
            if status != 200 or not orjson.loads(content)["personen"]:
                raise SystemExit(f"{request[-300:]!r}: {status} {content[:500]!r}")

        async def raw(lookup: Lookup) -> None:
            await pool.fetch(lookup.sql, *lookup.params)

        for query, lookups in items.items():
            requests = [lean_request(base, PATH, headers, orjson.dumps(lookup.body)) for lookup in lookups]
            for level in args.levels:
                latencies, wall = await timed(api, requests, args.requests, level)
                raw_latencies, raw_wall = await timed(raw, lookups, args.requests, level)
                results.append(Result(size, query, level, args.requests / wall, statistics.median(latencies),
                                      percentile(latencies, 99), args.requests / raw_wall,
                                      statistics.median(raw_latencies), percentile(raw_latencies, 99)))
    return results


# -- the report -----------------------------------------------------------------------------------------------------

def report(results: list[Result], args: argparse.Namespace) -> None:
    table = Table(title=f"BRP lookups on PostgreSQL, `plein serve --workers {args.workers}` with pools of "
                        f"{args.pool_size} (+{args.pool_overflow}) connections ({args.requests} timed requests each, "
                        f"after {WARMUP} warm-up)")
    for column in ("persons", "query", "conc.", "req/s", "p50 ms", "p99 ms", "raw req/s", "raw p50 ms", "raw p99 ms",
                   "p50 / raw p50"):
        table.add_column(column, justify="left" if column == "query" else "right")
    for r in results:
        table.add_row(f"{r.size:,}", r.query, str(r.concurrency), f"{r.rate:,.0f}", ms(r.p50), ms(r.p99),
                      f"{r.raw_rate:,.0f}", ms(r.raw_p50), ms(r.raw_p99), f"{r.p50 / r.raw_p50:.1f}×")
    console.print(table)


def flatness(results: list[Result], small: int, large: int) -> None:
    if small == large:
        return
    table = Table(title=f"Lookup latency at {small:,} and at {large:,} persons")
    for column in ("query", "conc.", f"p50 @{small:,}", f"p50 @{large:,}", f"p99 @{small:,}", f"p99 @{large:,}",
                   "p50 large / small"):
        table.add_column(column, justify="left" if column == "query" else "right")
    first = {(r.query, r.concurrency): r for r in results if r.size == small}
    for r in (r for r in results if r.size == large):
        before = first[r.query, r.concurrency]
        table.add_row(r.query, str(r.concurrency), ms(before.p50), ms(r.p50), ms(before.p99), ms(r.p99),
                      f"{r.p50 / before.p50:.2f}×")
    console.print(table)


def targets(results: list[Result], size: int) -> None:
    for r in (r for r in results if r.size == size and r.concurrency == 32):
        console.print(f"target: ≥ 1,000 lookups/s at concurrency 32 with p99 ≤ 50 ms — measured {r.query} at "
                      f"{size:,} persons: {r.rate:,.0f} req/s, p99 {ms(r.p99)} ms", highlight=False)


def load(base: str, dsn: str, size: int, args: argparse.Namespace) -> list[Result]:
    """The load generator's process: its own event loop, apart from the bench's and the server's."""
    return asyncio.run(measure(base, dsn, size, args))


def run_phase(url: str, temp: Path, size: int, args: argparse.Namespace) -> list[Result]:
    pool = {"PLEIN_DATABASE_POOL_SIZE": str(args.pool_size), "PLEIN_DATABASE_POOL_OVERFLOW": str(args.pool_overflow)}
    with plein_server(url, temp, args.workers, pool) as base, \
            ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(load, base, pg_dsn(url), size, args).result()


def main() -> None:
    args = parse_args()
    temp = Path(tempfile.mkdtemp(prefix="plein-bench-brp-"))
    results: list[Result] = []
    try:
        for size in dict.fromkeys((args.checkpoint, args.persons)):
            with bench_database(args.database_url, size, args.seed, args.reuse) as url:
                results += run_phase(url, temp, size, args)
            report(results, args)
        flatness(results, args.checkpoint, args.persons)
        targets(results, args.persons)
        console.print(f"`plein serve --workers {args.workers}` and the load generator (one process) share "
                      "this machine's CPUs. Raw SQL does not write the processing log; the API does, for every "
                      "person returned.")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
