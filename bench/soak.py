"""Soak benchmark on PostgreSQL: minutes of mixed load while a worker is SIGKILLed and PostgreSQL is restarted.

It starts a PostgreSQL cluster of its own (bench/cluster.py: never a shared server, since it restarts it) with a
generated population, `plein serve --workers 2` (each process also delivers notifications in-process) and one
`plein worker`, and a local receiver subscribed to the zaken kanaal. Concurrent clients then look persons up in the
BRP, create zaken and read back zaken they created. A quarter into the run one server worker gets SIGKILL (the
supervisor replaces it); at 40% the delivery worker gets SIGKILL (the soak starts it again, as a process manager
would); at 55% PostgreSQL is stopped (fast) and started again. Afterwards it checks that every acknowledged write is
found, that every notification reached the receiver (duplicates with the same Idempotency-Key and body) and prints
the issue's measures with their targets; it exits 1 when one is missed.

The restart window runs from the moment PostgreSQL is told to stop until the first normal answer (the expected
status within 2 s) after it is up again that no failed or slow answer follows within 5 s; failures overlapping it
are counted apart. Requests that get no answer from the SIGKILL until 5 s after the replacement started are counted
apart too: they were in flight on the killed worker. As root, PostgreSQL runs as the user postgres through runuser
(bench/cluster.py). Settings for the run: pools of 4 connections without overflow, and a delivery lease of 20 s
(timeout 5 s), so that deliveries of a killed worker are taken over within the run.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import aiohttp
import asyncpg
import orjson
from brp_lookup import ACTIVITY, PATH, register_client, samples
from brp_lookup import CLIENT as BRP_CLIENT
from brp_lookup import SECRET as BRP_SECRET
from cluster import Cluster, find_binaries
from common import console as bench_console
from common import generate, percentile, pg_dsn, plein_command, plein_server, run_admin
from rich.table import Table
from zaken import ADMIN, CRS, RSIN, seed_types
from zaken import SECRET as ZAKEN_SECRET

from notifications import Receiver
from plein import clock
from plein.auth.service import make_jwt
from plein.db import make_engine, make_session_factory
from plein.exchange.service import ACTIVITY_HEADER
from plein.migrate import upgrade_and_seed
from plein.notifications import service as notification_service
from plein.settings import Settings

console = bench_console()
DATABASE = "plein_soak"
ZAKEN = "/zaken/api/v1/zaken"
KINDS, WEIGHTS = ("lookup", "create", "read"), (5, 2, 3)  # the mix of requests
KILL_SERVER_AT, KILL_DELIVERY_AT, RESTART_AT = 0.25, 0.40, 0.55  # fractions of the run
PROGRESS_EVERY = 30.0  # seconds
STABLE = 5.0  # seconds without a failure after an answer for answers to count as normal again
SLOW = 2.0  # seconds: an answer slower than this is not normal (p99 stays far below it, even on a busy machine)
SETTLED = 20.0  # seconds a worker runs before its memory counts as its start
FLAT = 0.10  # growth of a worker's memory that still counts as flat
LEASE = 20.0  # PLEIN_NOTIFICATIONS_LEASE_SECONDS: a killed worker's deliveries are taken over within the run
SETTINGS = {"PLEIN_DATABASE_POOL_SIZE": "4", "PLEIN_DATABASE_POOL_OVERFLOW": "0",
            "PLEIN_NOTIFICATIONS_PRIVATE_CALLBACKS": "true", "PLEIN_NOTIFICATIONS_LEASE_SECONDS": str(LEASE),
            "PLEIN_NOTIFICATIONS_TIMEOUT": "5", "PLEIN_NOTIFICATIONS_POLL_INTERVAL": "0.2"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10, help="length of the load (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests at once (default 8)")
    parser.add_argument("--persons", type=int, default=2000, help="persons in the BRP (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="`plein serve --workers` processes (default 2, at "
                        "least 2: one is killed)")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's folder and the logs afterwards")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be at least 2: one of them is killed")
    return args


# -- the requests ----------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Call:
    """One request: its kind, when it started and ended (seconds into the run), its status (-1: no answer)."""

    kind: str
    start: float
    end: float
    status: int
    ok: bool
    error: str = ""


@dataclass
class Load:
    """Clients sending the mix of requests until told to stop; every request is recorded."""

    base: str
    lookups: list[bytes]
    zaaktypen: list[str]
    began: float
    calls: list[Call] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    creates: int = 0

    async def client(self, http: aiohttp.ClientSession, stop: asyncio.Event, seed: int) -> None:
        rng = Random(seed)
        brp = {"Authorization": f"Bearer {make_jwt(BRP_CLIENT, BRP_SECRET)}", ACTIVITY_HEADER: ACTIVITY,
               "Content-Type": "application/json"}
        zaken = {"Authorization": f"Bearer {make_jwt(ADMIN, ZAKEN_SECRET)}", **CRS}
        while not stop.is_set():
            kind = rng.choices(KINDS, WEIGHTS)[0]
            if kind == "read" and not self.acknowledged:
                kind = "create"
            if kind == "lookup":
                await self.call(kind, 200, http.post(PATH, data=rng.choice(self.lookups), headers=brp))
            elif kind == "create":
                self.creates += 1
                body = {"zaaktype": rng.choice(self.zaaktypen), "bronorganisatie": RSIN,
                        "verantwoordelijkeOrganisatie": RSIN, "startdatum": clock.today().isoformat(),
                        "toelichting": f"soak-{uuid.uuid4()}"}
                answer = await self.call(kind, 201, http.post(ZAKEN, json=body, headers=zaken))
                if answer is not None:
                    self.acknowledged.append(answer["uuid"])
            else:
                key = rng.choice(self.acknowledged)
                answer = await self.call(kind, 200, http.get(f"{ZAKEN}/{key}", headers=zaken))
                if answer is not None and answer.get("uuid") != key:
                    self.calls[-1].ok, self.calls[-1].error = False, f"read {key}, got {answer.get('uuid')}"

    async def call(self, kind: str, expected: int, request: Any) -> Any:
        """Send, record, and return the JSON answer when the status is the expected one."""
        start = time.monotonic() - self.began
        try:
            async with request as response:
                content = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.calls.append(Call(kind, start, time.monotonic() - self.began, -1, False, type(exc).__name__))
            return None
        ok = status == expected
        error = "" if ok else content[:200].decode("utf-8", "replace")
        self.calls.append(Call(kind, start, time.monotonic() - self.began, status, ok, error))
        return orjson.loads(content) if ok else None


# -- the processes ---------------------------------------------------------------------------------------------------

def children(parent: int) -> list[int]:
    try:
        text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def server_workers(port: int) -> list[int]:
    """The worker processes of the `plein serve` listening on port (its supervisor's spawned children)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and {"serve", str(port)} <= set(command_line(int(entry.name))):
            return [pid for pid in children(int(entry.name)) if "--multiprocessing-fork" in command_line(pid)]
    return []


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class DeliveryWorker:
    """One `plein worker` process; started again when killed (nothing in Plein supervises it: a process manager
    would)."""

    def __init__(self, url: str, log: Path) -> None:
        self.env = {**os.environ, **SETTINGS, "PLEIN_DATABASE_URL": url, "PLEIN_LOG_LEVEL": "warning"}
        self.log = log
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            return subprocess.Popen([*plein_command(), "worker", "--name", f"soak-{time.monotonic():.0f}"],
                                    env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill_and_restart(self) -> tuple[int, int]:
        killed = self.process.pid
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = self._start()
        return killed, self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Memory:
    """RSS samples per process: the first after it has run SETTLED seconds, and the last."""

    seen: dict[int, tuple[str, float]] = field(default_factory=dict)
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)

    def sample(self, now: float, processes: dict[int, str]) -> None:
        for pid, role in processes.items():
            self.seen.setdefault(pid, (role, now))
            mb = rss_mb(pid)
            if mb is None:
                continue
            if pid not in self.first and now - self.seen[pid][1] >= SETTLED:
                self.first[pid] = mb
            self.last[pid] = mb


@dataclass
class Events:
    """When the faults happened, in seconds into the run."""

    server_killed: float | None = None
    server_pids: tuple[int, int] | None = None
    server_replaced: float | None = None
    delivery_killed: float | None = None
    delivery_pids: tuple[int, int] | None = None
    pg_stopped: float | None = None
    pg_down: float | None = None
    pg_up: float | None = None


async def faults(events: Events, minutes: float, began: float, port: int, delivery: DeliveryWorker,
                 cluster: Cluster) -> None:
    """SIGKILL a server worker, then the delivery worker, then restart PostgreSQL."""
    seconds = minutes * 60

    async def until(fraction: float) -> float:
        await asyncio.sleep(max(0.0, began + fraction * seconds - time.monotonic()))
        return time.monotonic() - began

    before = server_workers(port)
    events.server_killed = await until(KILL_SERVER_AT)
    os.kill(before[0], signal.SIGKILL)
    console.print(f"{events.server_killed:6.1f} s  SIGKILL to server worker {before[0]}", highlight=False)
    for _ in range(300):
        await asyncio.sleep(0.1)
        now = [pid for pid in server_workers(port) if pid not in before]
        if now:
            events.server_pids = (before[0], now[0])
            events.server_replaced = time.monotonic() - began
            console.print(f"{events.server_replaced:6.1f} s  replaced by {now[0]}", highlight=False)
            break
    events.delivery_killed = await until(KILL_DELIVERY_AT)
    events.delivery_pids = await asyncio.to_thread(delivery.kill_and_restart)
    console.print(f"{events.delivery_killed:6.1f} s  SIGKILL to delivery worker {events.delivery_pids[0]}, started "
                  f"again as {events.delivery_pids[1]}", highlight=False)
    events.pg_stopped = await until(RESTART_AT)
    console.print(f"{events.pg_stopped:6.1f} s  stopping PostgreSQL (fast)", highlight=False)
    await asyncio.to_thread(cluster.stop, "fast")
    events.pg_down = time.monotonic() - began
    await asyncio.to_thread(cluster.start)
    events.pg_up = time.monotonic() - began
    console.print(f"{events.pg_up:6.1f} s  PostgreSQL up again (stopped in {events.pg_down - events.pg_stopped:.1f} "
                  f"s, started in {events.pg_up - events.pg_down:.1f} s)", highlight=False)


# -- the run ---------------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What the run did and what was found afterwards."""

    minutes: float
    calls: list[Call]
    events: Events
    memory: Memory
    acknowledged: int = 0
    found: int = 0
    committed: int = 0
    without_notification: int = 0
    created: int = 0
    received: int = 0
    unknown: int = 0
    duplicates: int = 0
    inconsistent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    resent: int = 0


async def subscribe(url: str, callback: str) -> uuid.UUID:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            made = await notification_service.create_abonnement(session, callback_url=callback, auth="Bearer soak",
                                                                kanalen=[notification_service.KanaalFilter("zaken")])
            return made.id
    finally:
        await engine.dispose()


def progress(calls: list[Call], since: float, now: float, receiver: Receiver) -> None:
    window = [call for call in calls if since < call.end <= now]
    latencies = [call.end - call.start for call in window if call.ok]
    failed = sum(not call.ok for call in window)
    timing = (f"p50 {statistics.median(latencies) * 1000:6.1f} ms  p99 {percentile(latencies, 99) * 1000:7.1f} ms"
              if latencies else "no answers")
    console.print(f"{now:6.1f} s  requests {len(window):6,}  errors {failed:5,}  {timing}  notifications received "
                  f"{len(receiver.keys):,}", highlight=False)


async def run_load(load: Load, args: argparse.Namespace, port: int, delivery: DeliveryWorker, cluster: Cluster,
                   receiver: Receiver, memory: Memory, events: Events) -> None:
    seconds = args.minutes * 60
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(load.base, connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        clients = [asyncio.create_task(load.client(http, stop, seed)) for seed in range(args.concurrency)]
        injected = asyncio.create_task(faults(events, args.minutes, load.began, port, delivery, cluster))
        last = 0.0
        while (now := time.monotonic() - load.began) < seconds:
            await asyncio.sleep(min(PROGRESS_EVERY, seconds - now))
            now = time.monotonic() - load.began
            processes = dict.fromkeys(server_workers(port), "server worker")
            memory.sample(now, {**processes, delivery.process.pid: "delivery worker"})
            progress(load.calls, last, now, receiver)
            last = now
        stop.set()
        await asyncio.gather(*clients)
        await injected


async def drain(url: str, abonnement: uuid.UUID, receiver: Receiver) -> None:
    """Wait until every delivery is delivered and received (a taken-over one after its lease), or give up."""
    deadline = time.monotonic() + LEASE + 120
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        while time.monotonic() < deadline:
            open_ = await conn.fetchval("SELECT count(*) FROM notification_deliveries WHERE abonnement_id = $1 AND "
                                       "status <> 'delivered'", abonnement)
            total = await conn.fetchval("SELECT count(*) FROM notification_deliveries WHERE abonnement_id = $1",
                                        abonnement)
            if not open_ and len(receiver.keys) >= total:
                return
            await asyncio.sleep(1)
        console.print("[yellow]not every notification was delivered within the lease and two minutes[/]")
    finally:
        await conn.close()


async def check(url: str, abonnement: uuid.UUID, load: Load, receiver: Receiver, outcome: Outcome) -> None:
    """Compare what was acknowledged and notified with what the database and the receiver hold."""
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        acknowledged = [uuid.UUID(key) for key in load.acknowledged]
        outcome.acknowledged = len(acknowledged)
        outcome.found = await conn.fetchval("SELECT count(*) FROM zgw_zaken WHERE id = ANY($1::uuid[])", acknowledged)
        outcome.committed = await conn.fetchval("SELECT count(*) FROM zgw_zaken WHERE toelichting LIKE 'soak-%'")
        rows = await conn.fetch("SELECT m.uuid::text AS key, m.resource_url, m.actie, d.status, d.attempts FROM "
                                "notification_deliveries d JOIN notification_messages m ON m.id = d.message_id "
                                "WHERE d.abonnement_id = $1", abonnement)
    finally:
        await conn.close()
    notified = {row["resource_url"].rsplit("/", 1)[-1] for row in rows if row["actie"] == "create"}
    outcome.without_notification = sum(key not in notified for key in load.acknowledged)
    created = {row["key"] for row in rows}
    outcome.created = len(created)
    outcome.received = len(created & set(receiver.keys))
    outcome.unknown = len(set(receiver.keys) - created)
    outcome.duplicates = sum(count - 1 for count in receiver.keys.values())
    outcome.inconsistent = sum(len(bodies) > 1 for bodies in receiver.bodies.values())
    outcome.statuses = dict(Counter(row["status"] for row in rows))
    outcome.resent = sum(row["attempts"] > 1 for row in rows)


async def soak(cluster: Cluster, url: str, base: str, temp: Path, args: argparse.Namespace) -> Outcome:
    receiver = Receiver()
    server = await receiver.start()
    abonnement = await subscribe(url, f"http://127.0.0.1:{receiver.port}/soak")
    lookups = [orjson.dumps(item.body) for item in (await samples(pg_dsn(url)))["RaadpleegMetBurgerservicenummer"]]
    conn = await asyncpg.connect(pg_dsn(url))
    zaaktypen = [f"{base}/catalogi/api/v1/zaaktypen/{row['id']}" for row in await conn.fetch(
        "SELECT id FROM zgw_zaaktypen")]
    await conn.close()
    port = int(base.rsplit(":", 1)[1])
    delivery = DeliveryWorker(url, temp / "worker.log")
    events, memory = Events(), Memory()
    console.print(f"Soaking for {args.minutes:g} min at concurrency {args.concurrency}: server workers "
                  f"{server_workers(port)}, delivery worker {delivery.process.pid}", highlight=False)
    load = Load(base, lookups, zaaktypen, time.monotonic())
    try:
        await run_load(load, args, port, delivery, cluster, receiver, memory, events)
        console.print("Load stopped; waiting for the last notifications…")
        await drain(url, abonnement, receiver)
    finally:
        delivery.stop()
        server.close()
    outcome = Outcome(args.minutes, load.calls, events, memory)
    await check(url, abonnement, load, receiver, outcome)
    return outcome


def prepare(cluster: Cluster, persons: int) -> str:
    """The soak's database: migrated, with the BRP client and a population, zaaktypen and the zaken client."""
    run_admin(cluster.url(), f"CREATE DATABASE {DATABASE}")
    url = cluster.url(DATABASE)
    upgrade_and_seed(Settings(database_url=url))
    asyncio.run(register_client(url))
    asyncio.run(seed_types(url, 10))
    generate(url, persons, 1, f"generating {persons:,}")
    return url


# -- the report ------------------------------------------------------------------------------------------------------

def normal(call: Call) -> bool:
    return call.ok and call.end - call.start <= SLOW


def restart_window(calls: list[Call], stopped: float, up: float) -> float | None:
    """The end of the restart window: the end of the first normal answer (right, within SLOW seconds) after
    PostgreSQL is up again that no failed or slow answer follows within STABLE seconds; None when answers never
    became normal."""
    failures = sorted(call.end for call in calls if not normal(call) and call.end >= stopped)
    for call in sorted((call for call in calls if normal(call) and call.end >= up), key=lambda call: call.end):
        following = bisect.bisect_right(failures, call.end)
        if following == len(failures) or failures[following] > call.end + STABLE:
            return call.end
    return None


@dataclass
class Failures:
    """The failed requests, by where they happened and what they were."""

    in_window: list[Call] = field(default_factory=list)
    at_kill: list[Call] = field(default_factory=list)
    server_errors: list[Call] = field(default_factory=list)  # 5xx outside the restart window
    others: list[Call] = field(default_factory=list)  # any other failure outside the windows


def classify(calls: list[Call], events: Events, window: tuple[float, float]) -> Failures:
    """A failure overlapping the restart window is in it; a request without an answer from the SIGKILL until 5 s
    after the replacement started was in flight on the killed worker."""
    killed = events.server_killed if events.server_killed is not None else float("inf")
    kill_end = (events.server_replaced or killed) + STABLE
    failures = Failures()
    for call in calls:
        if call.ok:
            continue
        if call.end >= window[0] and call.start <= window[1]:
            failures.in_window.append(call)
        elif call.status >= 500:
            failures.server_errors.append(call)
        elif call.status == -1 and killed <= call.end <= kill_end:
            failures.at_kill.append(call)
        else:
            failures.others.append(call)
    return failures


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]missed[/]"


def report(outcome: Outcome, args: argparse.Namespace) -> bool:
    """Print the issue's measures with their targets; True when every target is met."""
    calls, events = outcome.calls, outcome.events
    stopped, up = events.pg_stopped or 0.0, events.pg_up or 0.0
    end = restart_window(calls, stopped, up)
    failures = classify(calls, events, (stopped, end if end is not None else float("inf")))
    kinds = Counter(call.kind for call in calls)
    seconds = max((call.end for call in calls), default=1.0)
    table = Table(title=f"Soak: {outcome.minutes:g} min, concurrency {args.concurrency}, {args.workers} server "
                        f"workers and 1 delivery worker, {args.persons:,} persons")
    for column in ("measure", "measured", "target", "verdict"):
        table.add_column(column)
    rows: list[tuple[str, str, str, bool | None]] = []
    rows.append(("requests", f"{len(calls):,} in {seconds:.0f} s ({len(calls) / seconds:.0f}/s): {kinds['lookup']:,} "
                 f"BRP lookups, {kinds['create']:,} zaken created, {kinds['read']:,} zaken read", "", None))
    rows.append(("5xx outside the restart window", f"{len(failures.server_errors)}", "0",
                 not failures.server_errors))
    rows.append(("other failures outside the restart window", f"{len(failures.others)} (and {len(failures.at_kill)} "
                 "in flight on the killed worker: no answer)", "0", not failures.others))
    in_5xx = sum(call.status >= 500 for call in failures.in_window)
    rows.append(("failures inside the restart window", f"{len(failures.in_window)}: {in_5xx} 5xx, "
                 f"{len(failures.in_window) - in_5xx} without answer or other", "counted apart", None))
    extra = outcome.committed - outcome.found
    rows.append(("writes acknowledged vs found afterwards", f"{outcome.acknowledged:,} acknowledged, {outcome.found:,}"
                 f" found (and {extra} committed without an answer)", "equal", outcome.acknowledged == outcome.found))
    consistent = "all with one body per key" if not outcome.inconsistent else f"{outcome.inconsistent} keys differ"
    rows.append(("notifications created vs delivered", f"{outcome.created:,} created, {outcome.received:,} delivered; "
                 f"{outcome.duplicates} duplicates ({consistent}); {outcome.unknown} unknown keys; "
                 f"{outcome.without_notification} acknowledged zaken without one", "equal",
                 outcome.created == outcome.received and not outcome.unknown and not outcome.inconsistent
                 and not outcome.without_notification))
    if end is None:
        rows.append(("answers normal again after the restart", "never", "< 10 s", False))
    else:
        rows.append(("answers normal again after the restart", f"{end - stopped:.1f} s after the stop (PostgreSQL "
                     f"was back after {up - stopped:.1f} s)", "< 10 s", end - stopped < 10))
    for pid, (role, _) in outcome.memory.seen.items():
        first, last = outcome.memory.first.get(pid), outcome.memory.last.get(pid)
        if first is None or last is None:
            rows.append((f"memory of {role} {pid}", f"{last or 0:.0f} MB (killed, or ran too short to compare)", "",
                         None))
            continue
        growth = last / first - 1
        rows.append((f"memory of {role} {pid}", f"{first:.0f} MB → {last:.0f} MB ({growth:+.1%})",
                     f"flat (≤ {FLAT:+.0%})", growth <= FLAT))
    if events.server_pids is not None and events.server_killed is not None and events.server_replaced is not None:
        rows.append(("killed server worker replaced", f"{events.server_pids[0]} by {events.server_pids[1]} after "
                     f"{events.server_replaced - events.server_killed:.1f} s", "replaced", True))
    else:
        rows.append(("killed server worker replaced", "no", "replaced", False))
    for name, value, target, met in rows:
        table.add_row(name, value, target, "" if met is None else verdict(met))
    console.print(table)
    console.print(f"Deliveries: {outcome.statuses}; {outcome.resent} sent more than once (taken over after a "
                  f"worker died, or recorded late).", highlight=False)
    if failures.in_window:
        by_kind = Counter(f"{call.kind} {call.status if call.status > 0 else call.error}"
                          for call in failures.in_window)
        last = max(call.end for call in failures.in_window)
        console.print(f"Restart window: {dict(by_kind)}; the last failure ended {last - up:.1f} s after PostgreSQL was "
                      "up again.", highlight=False)
    for call in (failures.server_errors + failures.others)[:10]:
        console.print(f"[yellow]{call.kind} at {call.end:.1f} s: {call.status} {call.error}[/]", highlight=False)
    return all(met is not False for *_, met in rows)


def main() -> None:
    args = parse_args()
    binaries = find_binaries()
    if binaries is None:
        console.print("bench/soak.py skipped: it needs the PostgreSQL server binaries (initdb, pg_ctl), e.g. "
                      "apt-get install postgresql")
        return
    temp = Path(tempfile.mkdtemp(prefix="plein-soak-"))
    cluster = Cluster(binaries)
    console.print(f"PostgreSQL {binaries.parent.name} cluster in {cluster.folder} on port {cluster.port}"
                  + (f", run as {cluster.user}" if cluster.user else ""), highlight=False)
    try:
        cluster.start()
        url = prepare(cluster, args.persons)
        with plein_server(url, temp, args.workers, SETTINGS) as base:
            outcome = asyncio.run(soak(cluster, url, base, temp, args))
    finally:
        if args.keep:
            cluster.stop()
            console.print(f"Kept the cluster in {cluster.folder} and the logs in {temp}", highlight=False)
        else:
            cluster.remove()
            shutil.rmtree(temp, ignore_errors=True)
    if args.keep:
        with (temp / "calls.csv").open("w") as out:
            out.write("kind,start,end,status,ok,error\n")
            out.writelines(f"{c.kind},{c.start:.4f},{c.end:.4f},{c.status},{int(c.ok)},{c.error[:80]!r}\n"
                           for c in outcome.calls)
    sys.exit(0 if report(outcome, args) else 1)


if __name__ == "__main__":
    main()
