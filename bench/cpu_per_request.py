"""Server CPU per request: the app called in-process over ASGI (no HTTP client, no network), timed with the process
clock, with PostgreSQL's own CPU beside it when it runs on this machine.

Measures on a small PostgreSQL database: a request that matches no route (the framework's own cost), POST /zaken,
GET of one zaak, GET /zaken (a page of 100), and the BRP lookups Raadpleeg and Zoek through the exchange layer.
On a shared virtual machine even CPU times swing by a quarter from run to run: to compare two versions of the
code, run each a few times (with --only for one kind of request) and compare the lowest times. For where the time
goes, run it under `py-spy record -f raw -o stacks.txt -- python bench/cpu_per_request.py` (cProfile misattributes
time across SQLAlchemy's greenlets).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from brp_lookup import ACTIVITY, CLIENT, PATH, SECRET, register_client, samples
from common import console as bench_console
from common import pg_admin, pg_dsn, postgres_cpu
from rich.table import Table
from sqlalchemy.engine import make_url
from zaken import ADMIN, CRS, RSIN, seed_types
from zaken import SECRET as ZAKEN_SECRET

from plein.app import create_app
from plein.auth.service import make_jwt
from plein.exchange.service import ACTIVITY_HEADER
from plein.migrate import upgrade_and_seed
from plein.registers.generate import generate_population
from plein.settings import Settings

console = bench_console()
BENCH_DB = "plein_bench_cpu"
DEFAULT_URL = os.environ.get("PLEIN_TEST_POSTGRES_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BASE = "http://plein.bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server on which the bench creates and "
                        f"drops its database {BENCH_DB} (default: PLEIN_TEST_POSTGRES_URL or {DEFAULT_URL})")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per kind (default 500)")
    parser.add_argument("--persons", type=int, default=20_000, help="generated persons (default 20000)")
    parser.add_argument("--only", default="", help="measure only the requests whose name contains this text (e.g. "
                        "'Raadpleeg'; the no-route baseline always runs), to profile one of them")
    return parser.parse_args()


async def call(app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the ASGI app; the status and the body it sends."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
             + [(b"host", b"plein.bench"), (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("plein.bench", 80), "state": {}}
    given = False
    answer: dict[str, Any] = {"chunks": []}

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["chunks"].append(message.get("body", b""))

    await app(scope, receive, send)
    return answer["status"], b"".join(answer["chunks"])


@dataclass(frozen=True)
class Cost:
    """What one kind of request costs: server CPU ms and PostgreSQL CPU ms (None when it runs elsewhere)."""

    server_ms: float
    database_ms: float | None


async def cost(request: Callable[[int], Awaitable[None]], count: int) -> Cost:
    """The cost per request of `count` requests, after a warm-up."""
    for index in range(20):
        await request(index)
    began, database = time.process_time(), postgres_cpu()
    for index in range(count):
        await request(index)
    database_after = postgres_cpu()
    server = (time.process_time() - began) / count * 1000
    if database is None or database_after is None:
        return Cost(server, None)
    return Cost(server, (database_after - database) / count * 1000)


async def prepare(url: str, persons: int) -> None:
    await seed_types(url, 10)
    await register_client(url)
    await generate_population(Settings(database_url=url), persons, 1, lambda _: None)
    await pg_admin(url, "VACUUM ANALYZE")


async def measure(url: str, count: int, only: str = "") -> list[tuple[str, Cost]]:
    conn = await asyncpg.connect(pg_dsn(url))
    types = [row["id"] for row in await conn.fetch("SELECT id FROM zgw_zaaktypen")]
    await conn.close()
    lookups = await samples(pg_dsn(url))
    app = create_app(Settings(database_url=url, notifications_in_process=False))
    zgw = {"Authorization": f"Bearer {make_jwt(ADMIN, ZAKEN_SECRET)}", **CRS, "Content-Type": "application/json"}
    brp = {"Authorization": f"Bearer {make_jwt(CLIENT, SECRET)}", ACTIVITY_HEADER: ACTIVITY,
           "Content-Type": "application/json"}
    made: list[str] = []

    async def expect(status: int, answer: tuple[int, bytes]) -> bytes:
        if answer[0] != status:
            raise SystemExit(f"expected {status}, got {answer[0]}: {answer[1][:300]!r}")
        return answer[1]

    async def nothing(_: int) -> None:
        await expect(404, await call(app, "GET", "/zaken/api/v1/nothing-here", zgw))

    async def create(index: int) -> None:
        body = {"zaaktype": f"{BASE}/catalogi/api/v1/zaaktypen/{types[index % len(types)]}", "bronorganisatie": RSIN,
                "verantwoordelijkeOrganisatie": RSIN, "startdatum": "2026-11-23"}
        answer = await expect(201, await call(app, "POST", "/zaken/api/v1/zaken", zgw, orjson.dumps(body)))
        made.append(orjson.loads(answer)["uuid"])

    async def read(index: int) -> None:
        if not made:  # measured on its own (--only): it needs a zaak to read
            await create(index)
        await expect(200, await call(app, "GET", f"/zaken/api/v1/zaken/{made[index % len(made)]}", zgw))

    async def page(_: int) -> None:
        await expect(200, await call(app, "GET", "/zaken/api/v1/zaken", zgw))

    def lookup(kind: str) -> Callable[[int], Awaitable[None]]:
        async def one(index: int) -> None:
            body = orjson.dumps(lookups[kind][index % len(lookups[kind])].body)
            await expect(200, await call(app, "POST", PATH, brp, body))
        return one

    plans = [("no route (404)", nothing), ("POST /zaken", create), ("GET /zaken/{uuid}", read),
             ("GET /zaken (100)", page), ("BRP Raadpleeg", lookup("RaadpleegMetBurgerservicenummer")),
             ("BRP Zoek", lookup("ZoekMetPostcodeEnHuisnummer"))]
    plans = plans[:1] + [(name, request) for name, request in plans[1:] if only in name]
    async with app.router.lifespan_context(app):
        return [(name, await cost(request, count)) for name, request in plans]


def main() -> None:
    args = parse_args()
    url = make_url(args.database_url).set(drivername="postgresql+asyncpg", database=BENCH_DB).render_as_string(
        hide_password=False)
    drop = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    asyncio.run(pg_admin(args.database_url, drop, f"CREATE DATABASE {BENCH_DB}"))
    try:
        console.print(f"Preparing {BENCH_DB}: zaaktypen, a BRP client and {args.persons:,} persons…")
        upgrade_and_seed(Settings(database_url=url))
        asyncio.run(prepare(url, args.persons))
        results = asyncio.run(measure(url, args.requests, args.only))
    finally:
        asyncio.run(pg_admin(args.database_url, drop))
    table = Table(title=f"Server CPU per request, in-process ({args.requests} requests each)")
    table.add_column("request")
    table.add_column("server CPU ms", justify="right")
    table.add_column("× no route", justify="right")
    table.add_column("PostgreSQL CPU ms", justify="right")
    for name, found in results:
        row = [name, f"{found.server_ms:.2f}", f"{found.server_ms / results[0][1].server_ms:.1f}",
               "—" if found.database_ms is None else f"{found.database_ms:.2f}"]
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
