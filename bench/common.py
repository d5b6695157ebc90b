"""What the benchmarks share: a PostgreSQL admin connection, `plein serve` as a subprocess, the CPU that the server,
PostgreSQL and the load generator use, and milliseconds."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.engine import make_url

from plein.migrate import upgrade_and_seed
from plein.registers.generate import generate_population
from plein.settings import Settings

READY_PATH = "/api/store/v1/openapi.json"
WARMUP = 50
Item = TypeVar("Item")


def console() -> Console:
    """The benches' console: at least 140 columns when the output is not a terminal (a log file, CI), so that the
    tables are not cut short."""
    return Console(width=None if sys.stdout.isatty() else 140)


def pg_dsn(url: str) -> str:
    """A SQLAlchemy URL (postgresql+asyncpg://…) as a plain DSN for asyncpg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def pg_admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def run_admin(url: str, *statements: str) -> None:
    asyncio.run(pg_admin(url, *statements))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def print_outcomes(console: Console, outcomes: list[tuple[str, str | None, int]], errors: list[str]) -> None:
    """How the timed aanvragen ended (status, the engine's note, how many) and the first errors."""
    for status, note, aanvragen in outcomes:
        console.print(f"  aanvragen {status}: {aanvragen:,}" + (f" ({note})" if note else ""), highlight=False)
    for error in errors[:5]:
        console.print(f"[yellow]error:[/] {error}", highlight=False)
    if len(errors) > 5:
        console.print(f"[yellow]… and {len(errors) - 5} more errors[/]")


def percentile(latencies: list[float], n: int) -> float:
    return statistics.quantiles(latencies, n=100, method="inclusive")[n - 1] if len(latencies) > 1 else latencies[0]


async def timed(call: Callable[[Item], Awaitable[Any]], items: list[Item], count: int, concurrency: int,
                warmup: int = WARMUP) -> tuple[list[float], float]:
    """Latencies of `count` calls by `concurrency` workers rotating over items (after `warmup` calls at once, on the
    first items); and the wall time of the timed calls."""
    await asyncio.gather(*(call(items[index % len(items)]) for index in range(min(warmup, count))))
    latencies: list[float] = []
    counter = itertools.count()

    async def worker() -> None:
        while (index := next(counter)) < count:
            start = time.perf_counter()
            await call(items[index % len(items)])
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - began


# -- a database with a generated population ------------------------------------------------------------------------

async def _persons_in(url: str, name: str, client: str) -> int | None:
    """How many persons database `name` holds next to the bench's API client; None when it is missing or incomplete."""
    admin = await asyncpg.connect(pg_dsn(url))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return None
    finally:
        await admin.close()
    conn = await asyncpg.connect(pg_dsn(make_url(url).set(database=name).render_as_string(hide_password=False)))
    try:
        if not await conn.fetchval("SELECT to_regclass('brp_persons') IS NOT NULL AND to_regclass('api_clients') "
                                   "IS NOT NULL"):
            return None
        if not await conn.fetchval("SELECT 1 FROM api_clients WHERE client_id = $1", client):
            return None
        return int(await conn.fetchval("SELECT count(*) FROM brp_persons"))
    finally:
        await conn.close()


@contextmanager
def population_database(url: str, name: str, persons: int, seed: int, reuse: bool, client: str,
                        prepare: Callable[[str], Awaitable[None]]) -> Iterator[str]:
    """The database `name` holding `persons` generated persons and what `prepare` adds before them (at least the API
    client `client`); dropped afterwards unless reuse is set, and taken as it is when reuse is set and it holds them
    already (migrated to the current version)."""
    if not url.startswith("postgresql"):
        raise SystemExit("this benchmark runs on PostgreSQL: give a postgresql+asyncpg:// URL")
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    bench_url = make_url(url).set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False)
    found = asyncio.run(_persons_in(url, name, client)) if reuse else None
    try:
        if found == persons:
            console().print(f"Using {name} again: {persons:,} persons", highlight=False)
            upgrade_and_seed(Settings(database_url=bench_url))  # migrations added since it was made
        else:
            asyncio.run(pg_admin(url, drop, f"CREATE DATABASE {name}"))
            upgrade_and_seed(Settings(database_url=bench_url))
            asyncio.run(prepare(bench_url))
            generate(bench_url, persons, seed, f"generating {persons:,}")
        yield bench_url
    finally:
        if not reuse:
            asyncio.run(pg_admin(url, drop))


def generate(url: str, persons: int, seed: int, label: str) -> float:
    """Add persons with a progress bar; print and return the seconds it took."""
    columns = (TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    out = console()
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task("persons", total=persons)
        report = asyncio.run(generate_population(Settings(database_url=url), persons, seed,
                                                 lambda count: bar.advance(task, count)))
    out.print(f"{label}: {report.persons:,} persons ({report.deceased:,} deceased) in {report.households:,} "
              f"households at {report.addresses:,} addresses in {report.seconds:.1f} s — "
              f"{report.rate:,.0f} persons/s", highlight=False)
    asyncio.run(pg_admin(url, "VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
    return report.seconds


def plein_command() -> list[str]:
    """How to run this environment's `plein` command."""
    plein = Path(sys.executable).parent / "plein"
    return [str(plein)] if plein.exists() else [sys.executable, "-c", "from plein.cli import main; main()"]


@contextmanager
def plein_server(url: str, temp: Path, workers: int = 1, settings: dict[str, str] | None = None) -> Iterator[str]:
    """`plein serve` (with `workers` processes and these extra PLEIN_* settings) as a subprocess on a free port; its
    base URL once it answers; always stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = plein_command()
    env = {**os.environ, "PLEIN_DATABASE_URL": url, "PLEIN_LOG_LEVEL": "warning", "PLEIN_DATA_DIR": str(temp),
           **(settings or {})}
    log_path = temp / "server.log"
    with log_path.open("w") as log:
        options = ["--workers", str(workers)] if workers != 1 else []
        process = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log_path)
            yield base
        finally:  # the server and its workers are one process group of their own
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# -- CPU time from /proc: the server's processes, PostgreSQL's, the load generator's --------------------------------

def _processes() -> Iterator[tuple[str, list[str]]]:
    """(name, the fields after it) of each process's /proc/<pid>/stat."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split(") ", 1)
        except OSError:
            continue
        yield name.split(" (", 1)[-1], fields.split()


def _seconds(fields: list[str]) -> float:
    """utime, stime, cutime and cstime (the children that ended count too), in seconds."""
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float | None:
    """Seconds of CPU that the local PostgreSQL processes have used, those of ended backends included (the
    postmaster's children's times); None when PostgreSQL does not run on this machine or /proc is not readable."""
    found = [_seconds(fields) for name, fields in _processes() if name == "postgres"]
    return sum(found) if found else None


def server_cpu(base: str) -> float | None:
    """Seconds of CPU that the `plein serve` answering at `base` has used in all its processes (plein_server starts
    it in a process group of its own); None when it is not found in /proc."""
    port = base.rsplit(":", 1)[-1]
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        with suppress(OSError):
            words = stat.read_bytes().split(b"\0")
            if b"serve" in words and port.encode() in words:
                group = stat.parent.name
                return sum(_seconds(fields) for _, fields in _processes() if fields[2] == group)
    return None


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds of the server, of PostgreSQL (None: not on this machine) and of this process (the load
    generator): a reading, or the difference of two."""

    server: float | None
    database: float | None
    load: float

    @classmethod
    def now(cls, base: str) -> CpuUse:
        return cls(server_cpu(base), postgres_cpu(), time.process_time())

    def since(self, before: CpuUse) -> CpuUse:
        return CpuUse(None if self.server is None or before.server is None else self.server - before.server,
                      None if self.database is None or before.database is None else self.database - before.database,
                      self.load - before.load)

    def per(self, count: int, what: str) -> str:
        """'CPU per move: server 41.2 ms, PostgreSQL 11.0 ms, load generator 2.9 ms'."""
        parts = [(name, value) for name, value in (("server", self.server), ("PostgreSQL", self.database),
                                                   ("load generator", self.load)) if value is not None]
        return f"CPU per {what}: " + ", ".join(f"{name} {value / max(1, count) * 1000:.1f} ms" for name, value in parts)


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    with httpx.Client(base_url=base, timeout=5) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"the server stopped:\n{log.read_text()}")
            with suppress(httpx.TransportError):
                if client.get(READY_PATH).status_code == 200:
                    return
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within a minute:\n{log.read_text()}")


class _Exchange(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: send a request, read its response (which must carry a Content-Length)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiting: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiting is None or self.waiting.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        fields = dict(line.split(":", 1) for line in head[1:])
        lengths = [value for name, value in fields.items() if name.strip().lower() == "content-length"]
        if not lengths:
            self.waiting.set_exception(RuntimeError(f"a response without Content-Length: {head[0]}"))
            return
        size = end + 4 + int(lengths[0])
        if len(self.buffer) >= size:
            body = bytes(self.buffer[end + 4:size])
            del self.buffer[:size]
            self.waiting.set_result((int(head[0].split()[1]), body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(ConnectionError("the server closed the connection"))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiting = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiting


class LeanClient:
    """Keep-alive HTTP/1.1 connections for a load generator, taken in turn by concurrent callers.

    It sends requests made once (lean_request) and reads responses with a Content-Length, and nothing else: aiohttp
    spends about 0.2 ms of CPU per request, which a server on the same machine then lacks. Use it where the load
    generator shares the CPUs with the server it measures; check answers with a full client first.
    """

    def __init__(self, base: str, connections: int) -> None:
        self.host, port = base.removeprefix("http://").split(":")
        self.port, self.connections = int(port), connections
        self.idle: asyncio.Queue[_Exchange] = asyncio.Queue()

    async def __aenter__(self) -> LeanClient:
        loop = asyncio.get_running_loop()
        for _ in range(self.connections):
            _, protocol = await loop.create_connection(_Exchange, self.host, self.port)
            self.idle.put_nowait(protocol)
        return self

    async def __aexit__(self, *exc: object) -> None:
        while not self.idle.empty():
            connection = self.idle.get_nowait()
            if connection.transport is not None:
                connection.transport.close()

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """The status and body of the response to a request made by lean_request."""
        connection = await self.idle.get()
        try:
            return await connection.send(request)
        finally:
            self.idle.put_nowait(connection)


def lean_request(base: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """A POST request as bytes, for LeanClient.send."""
    host = base.removeprefix("http://")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
