"""Notification delivery benchmark: `plein worker` processes delivering an outbox to a local HTTP receiver."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import console as bench_console
from common import pg_admin, plein_command
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from plein.db import make_engine, make_session_factory
from plein.migrate import upgrade_and_seed
from plein.notifications import service
from plein.notifications.models import Delivery
from plein.settings import Settings

console = bench_console()
BENCH_DB = "plein_bench_notifications"
TARGET = 1000.0
CHUNK = 500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="postgresql+asyncpg://… URL of a server on which the bench creates "
                        f"and drops its own database {BENCH_DB}; default (and for any sqlite URL): a fresh SQLite "
                        "file in a temp dir")
    parser.add_argument("--messages", type=int, default=10_000, help="notifications to deliver (default 10000)")
    parser.add_argument("--workers", type=int, default=1, help="`plein worker` processes (default 1; PostgreSQL "
                        "for more)")
    parser.add_argument("--batch-size", type=int, default=200, help="deliveries per claim (default 200)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests at once per worker (default 50)")
    return parser.parse_args()


@contextmanager
def bench_database(url: str | None, temp: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the given PostgreSQL server, dropped afterwards."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{temp / 'bench.db'}"
        return
    drop = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    asyncio.run(pg_admin(url, drop, f"CREATE DATABASE {BENCH_DB}"))
    try:
        yield make_url(url).set(database=BENCH_DB).render_as_string(hide_password=False)
    finally:
        asyncio.run(pg_admin(url, drop))


class Receiver:
    """A minimal keep-alive HTTP/1.1 server on 127.0.0.1 that answers 204 and counts the requests per Idempotency-Key,
    with the distinct bodies each key came with (a redelivery carries the same body)."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.bodies: dict[str, set[bytes]] = {}
        self.requests = 0
        self.port = 0

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line)
                lowered = {name.lower(): value for name, value in headers.items()}
                body = await reader.readexactly(int(lowered.get("content-length", "0")))
                key = lowered.get("idempotency-key", "")
                self.requests += 1
                self.keys[key] += 1
                self.bodies.setdefault(key, set()).add(hashlib.sha256(body).digest())
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the worker closed the connection, or the bench is shutting the server down
        finally:
            writer.close()


async def fill_outbox(url: str, callback: str, count: int) -> None:
    """One abonnement and count zaak notifications, committed in chunks as the Zaken API would write them."""
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            await service.create_abonnement(session, callback_url=callback, auth="Bearer bench",
                                            kanalen=[service.KanaalFilter("zaken")])
            for start in range(0, count, CHUNK):
                for number in range(start, min(count, start + CHUNK)):
                    zaak = f"http://plein.bench/zaken/api/v1/zaken/00000000-0000-4000-8000-{number:012d}"
                    await service.publish(session, kanaal="zaken", hoofd_object=zaak, resource="zaak",
                                          resource_url=zaak, actie="create",
                                          kenmerken={"vertrouwelijkheidaanduiding": "openbaar"})
                await session.commit()
    finally:
        await engine.dispose()


async def delivered(url: str) -> int:
    engine = make_engine(Settings(database_url=url))
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(Delivery).where(Delivery.status == "delivered")
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


def start_workers(url: str, args: argparse.Namespace, log: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PLEIN_DATABASE_URL": url, "PLEIN_LOG_LEVEL": "warning",
           "PLEIN_NOTIFICATIONS_POLL_INTERVAL": "0.05"}
    options = ["--batch-size", str(args.batch_size), "--concurrency", str(args.concurrency)]
    with log.open("ab") as out:
        return [subprocess.Popen([*plein_command(), "worker", *options, "--name", f"bench-{n}"], env=env, stdout=out,
                                 stderr=subprocess.STDOUT) for n in range(args.workers)]


async def measure(url: str, args: argparse.Namespace, temp: Path) -> tuple[float, int, int]:
    """Seconds until every delivery is delivered, requests received, distinct messages received."""
    receiver = Receiver()
    server = await receiver.start()
    console.print(f"Filling the outbox with {args.messages} notifications…")
    await fill_outbox(url, f"http://127.0.0.1:{receiver.port}/callback", args.messages)
    workers = start_workers(url, args, temp / "workers.log")
    started = time.monotonic()
    try:
        while await delivered(url) < args.messages:
            if any(w.poll() is not None for w in workers):
                raise SystemExit(f"a worker stopped:\n{(temp / 'workers.log').read_text()}")
            if time.monotonic() - started > 600:
                raise SystemExit("not delivered within ten minutes")
            await asyncio.sleep(0.05)
        seconds = time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        server.close()
    return seconds, receiver.requests, len(receiver.keys)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as folder, bench_database(args.database_url, Path(folder)) as url:
        upgrade_and_seed(Settings(database_url=url))
        seconds, requests, distinct = asyncio.run(measure(url, args, Path(folder)))
    rate = args.messages / seconds
    table = Table(title=f"Notification delivery ({'PostgreSQL' if 'postgresql' in url else 'SQLite'}, "
                  f"{args.workers} worker(s), batch {args.batch_size}, concurrency {args.concurrency})")
    for column in ("notifications", "seconds", "per second", "ratio to 1,000/s", "requests", "distinct received"):
        table.add_column(column, justify="right")
    table.add_row(str(args.messages), f"{seconds:.2f}", f"{rate:.0f}", f"{rate / TARGET:.2f}", str(requests),
                  str(distinct))
    console.print(table)


if __name__ == "__main__":
    main()
