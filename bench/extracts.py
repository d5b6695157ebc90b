"""Extracts benchmark (uittreksel BRP), run by bench/services.py: citizens request an extract through the headless API,
pay it at the payment simulator and wait for the PDF/A to be stored; and the PDF rendering alone, in-process.

The built-in app uittreksel-brp is published (when the database does not hold it yet) and activated with a fee in the
municipality with the most inhabitants; the citizens are living, not suspended adults registered there (the app's
BRP grant reads only the municipality's own inhabitants). The load generator plays the citizen and the payment
provider: POST /api/diensten/v1/aanvragen (201, payment open at the simulator), the simulated payment marked paid in
the simulator's table (as the citizen paying at the provider), then the provider's webhook POST
/api/betalingen/v1/webhooks/simulator; Plein then asks the simulator, records the payment and the zaak's
betalingsindicatie, and its decision loop reads the person again (logged), renders the PDF/A with a verification
code, stores it and adds it to the zaak. Each of `--extract-concurrency` citizens waits for their extract (polling
service_aanvragen for the decision) before the next one starts. The rendering alone: the same template with the data
of a real decided aanvraag, framed, with a fresh verification code and QR code each time, made into a PDF/A in
`--extract-concurrency` threads of one process, in one thread (as each server process renders, one at a time), and in
one thread of each of `--workers` processes.

Targets on this machine: at least 20 extracts/s at concurrency 8, p99 from the request until the PDF is stored at
most 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import itertools
import multiprocessing
import statistics
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import yaml
from common import CpuUse, LeanClient, lean_request, ms, percentile, pg_dsn, print_outcomes, timed
from common import console as bench_console
from rich.table import Table
from sqlalchemy import select

from plein import clock, logic
from plein.apps import package_path
from plein.auth.service import Principal
from plein.db import make_engine, make_session_factory
from plein.errors import NotFound
from plein.exchange.insight import make_citizen_token
from plein.organisations import themes
from plein.organisations.models import Organisation
from plein.services import decisions, documents, effects, verification
from plein.services.models import Aanvraag
from plein.settings import Settings
from plein.storage import LocalFileStorage
from plein.store import adoptions
from plein.store.package import load_package
from plein.store.service import accepted_versions, get_app, publish

console = bench_console()
APP = "uittreksel-brp"
OPTIONS = {"legesEur": 12.5}
ANSWERS = {"soort": "standaard"}
SUBMIT_PATH = "/api/diensten/v1/aanvragen"
WEBHOOK_PATH = "/api/betalingen/v1/webhooks/simulator"
SERVER_SETTINGS = {"PLEIN_PAYMENT_PROVIDER": "simulator"}  # refused in production only; the bench server runs in dev
ADMIN = Principal("cli", "bench", "Benchmark", frozenset(), all_rights=True)
TIMEOUT = 60.0  # seconds a citizen waits for their extract before it counts as an error
LARGEST = """
SELECT gemeente_van_inschrijving FROM brp_residences WHERE valid_to IS NULL AND gemeente_van_inschrijving IS NOT NULL
GROUP BY gemeente_van_inschrijving ORDER BY count(*) DESC, gemeente_van_inschrijving LIMIT 1"""
# Living, not suspended adults registered in the municipality now, who have not asked for anything before (--reuse).
CITIZENS = """
SELECT p.bsn FROM brp_persons p JOIN brp_residences r ON r.bsn = p.bsn AND r.valid_to IS NULL
WHERE r.gemeente_van_inschrijving = $1 AND p.overlijdensdatum IS NULL AND p.opschorting_reden IS NULL
  AND p.geboortedatum <= $2 AND NOT EXISTS (SELECT 1 FROM service_aanvragen v WHERE v.subject = p.bsn)
ORDER BY random() LIMIT $3"""
PAY = "UPDATE payment_simulator_payments SET status = 'paid', updated_at = now() WHERE id = $1 AND status = 'open'"
DECIDED = """
SELECT id::text AS id, status, automatic_note FROM service_aanvragen
WHERE id = ANY($1::uuid[]) AND (status <> 'ingediend' OR NOT automatic)"""
OUTCOMES = """
SELECT status, automatic_note, count(*) AS aanvragen FROM service_aanvragen WHERE id = ANY($1::uuid[])
GROUP BY status, automatic_note ORDER BY aanvragen DESC"""
# The server's own clocks: submitted, paid (the webhook's transaction), the verification code issued (the decision
# is under way: the person read again and the zaak closed; the rendering starts) and decided (the PDF made, stored
# and added to the zaak; the commit follows).
PHASES = """
SELECT a.submitted_at, p.paid_at, v.issued_at, a.decided_at FROM service_aanvragen a
JOIN payments p ON p.reference = 'aanvraag:' || a.id::text AND p.status = 'paid'
JOIN service_verificaties v ON v.zaak_id = a.zaak_id
WHERE a.id = ANY($1::uuid[]) AND a.status = 'toegekend'"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--extracts", type=int, default=300, help="timed extracts (uittreksel BRP), each by another "
                        "citizen (default 300)")
    parser.add_argument("--extract-concurrency", type=int, default=8, help="citizens at once, each waiting for their "
                        "extract before the next one starts (default 8)")
    parser.add_argument("--extract-warmup", type=int, default=16, help="extracts before the timed ones (default 16)")
    parser.add_argument("--renders", type=int, default=300, help="timed renderings of the PDF alone, in each of "
                        "the two layouts (default 300)")


# -- the database: the app published and active, the citizens -------------------------------------------------------

async def prepare(url: str, count: int) -> tuple[str, list[str]]:
    """The app published (if the database lacks it) and active with a fee in the municipality with the most
    inhabitants; that municipality's code and `count` citizens registered there."""
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        code = str(await conn.fetchval(LARGEST))
        today = clock.today()
        adult = (today - dt.timedelta(days=18 * 366)).strftime("%Y%m%d")
        citizens = [row["bsn"] for row in await conn.fetch(CITIZENS, code, adult, count)]
    finally:
        await conn.close()
    if len(citizens) < count:
        raise SystemExit(f"municipality {code} has {len(citizens):,} adults who can ask for an extract; ask fewer "
                         "--extracts")
    settings = Settings(database_url=url)
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            loaded = load_package(package_path(APP))
            try:
                known = await accepted_versions(session, (await get_app(session, APP)).id)
            except NotFound:
                known = []
            if str(yaml.safe_load((package_path(APP) / "plein.yaml").read_text("utf-8"))["version"]) not in known:
                with tempfile.TemporaryDirectory() as folder:
                    result = await publish(session, LocalFileStorage(Path(folder)), loaded, "0363", ADMIN)
                if result.release.status != "accepted":
                    raise SystemExit(f"{APP} was not admitted: {result.report['findings']}")
            if await adoptions.active_adoption(session, code, APP) is None:
                await adoptions.adopt(session, code, APP, OPTIONS, ADMIN, activate=True, base_url=settings.base_url)
    finally:
        await engine.dispose()
    console.print(f"{count:,} citizens registered in {code} ask for an extract (fee € {OPTIONS['legesEur']:.2f})",
                  highlight=False)
    return code, citizens


# -- the load: request, pay, webhook, wait until the PDF is stored ---------------------------------------------------

@dataclass
class Extracts:
    """The timed extracts: per extract the submit request, the webhook request, and the seconds from sending the
    submit until the PDF was stored; the wall time; the server's phases; what went wrong."""

    submits: list[float] = field(default_factory=list)
    webhooks: list[float] = field(default_factory=list)
    stored: list[float] = field(default_factory=list)
    seconds: float = 0.0
    made: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outcomes: list[tuple[str, str | None, int]] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)
    log_records: float = 0.0
    cpu: CpuUse | None = None  # over the timed extracts

    @property
    def rate(self) -> float:
        return len(self.stored) / self.seconds if self.seconds else 0.0


class DecidedWatch:
    """Polls service_aanvragen for the decisions of paid aanvragen: a future per aanvraag, resolved with its status
    and note once it is decided (or handed to a case worker)."""

    def __init__(self, dsn: str, interval: float) -> None:
        self.dsn, self.interval = dsn, interval
        self.waiting: dict[str, asyncio.Future[tuple[str, str | None]]] = {}

    def expect(self, key: str) -> asyncio.Future[tuple[str, str | None]]:
        future: asyncio.Future[tuple[str, str | None]] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future

    async def run(self, stop: asyncio.Event) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            while not stop.is_set():
                if self.waiting:
                    for row in await conn.fetch(DECIDED, list(self.waiting)):
                        future = self.waiting.pop(row["id"])
                        if not future.done():
                            future.set_result((row["status"], row["automatic_note"]))
                await asyncio.sleep(self.interval)
        finally:
            await conn.close()


def form_request(base: str, path: str, body: bytes) -> bytes:
    """A POST of a form (the provider's webhook) as bytes, for LeanClient.send."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {base.removeprefix('http://')}",
             "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Citizens:
    """The citizens' side and the provider's: one extract from the request until its PDF is stored."""

    def __init__(self, base: str, code: str, lean: LeanClient, pool: asyncpg.Pool, watch: DecidedWatch,
                 secret_key: str) -> None:
        self.base, self.lean, self.pool, self.watch = base, lean, pool, watch
        self.body = orjson.dumps({"gemeente": code, "dienst": APP, "antwoorden": ANSWERS})
        self.secret_key = secret_key
        self.result = Extracts()

    def request(self, bsn: str) -> bytes:
        token = make_citizen_token(bsn, self.secret_key, loa="midden")
        return lean_request(self.base, SUBMIT_PATH, {"Authorization": f"Bearer {token}"}, self.body)

    async def one(self, request: bytes) -> None:
        result = self.result
        began = time.perf_counter()
        status, content = await self.lean.send(request)
        submitted = time.perf_counter()
        answer = orjson.loads(content) if content else {}
        url = (answer.get("betaling") or {}).get("betaalUrl") if status == 201 else None
        if not url:
            result.errors.append(f"submit: {status} {content[:400].decode(errors='replace')}")
            return
        result.submits.append(submitted - began)
        result.made.append(answer["id"])
        decided = self.watch.expect(answer["id"])
        provider_id = url.rsplit("/", 1)[-1]
        async with self.pool.acquire() as conn:  # the citizen pays at the provider
            if await conn.execute(PAY, provider_id) != "UPDATE 1":
                result.errors.append(f"payment {provider_id} was not open at the simulator")
                return
        called = time.perf_counter()
        status, content = await self.lean.send(form_request(self.base, WEBHOOK_PATH, b"id=" + provider_id.encode()))
        result.webhooks.append(time.perf_counter() - called)
        if status != 200:
            result.errors.append(f"webhook: {status} {content[:400].decode(errors='replace')}")
        try:
            outcome, note = await asyncio.wait_for(decided, TIMEOUT)
        except TimeoutError:
            self.watch.waiting.pop(answer["id"], None)
            result.errors.append(f"aanvraag {answer['id']} was not decided within {TIMEOUT:g} s")
            return
        if outcome != "toegekend":
            result.errors.append(f"aanvraag {answer['id']}: {outcome} ({note})")
            return
        result.stored.append(time.perf_counter() - began)


async def extracts(base: str, dsn: str, code: str, citizens: list[str], args: argparse.Namespace,
                   secret_key: str) -> Extracts:
    concurrency = args.extract_concurrency
    watch = DecidedWatch(dsn, args.poll / 1000)
    stop = asyncio.Event()
    poller = asyncio.create_task(watch.run(stop))
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=concurrency)
    try:
        async with LeanClient(base, concurrency) as lean:
            run = Citizens(base, code, lean, pool, watch, secret_key)
            requests = [run.request(bsn) for bsn in citizens]
            warm, timed_requests = requests[:args.extract_warmup], requests[args.extract_warmup:]
            await timed(run.one, warm, len(warm), concurrency, warmup=0)
            warm_errors = run.result.errors
            run.result = Extracts()
            async with pool.acquire() as conn:
                logged = await conn.fetchval("SELECT count(*) FROM exchange_log")
            began = CpuUse.now(base)
            _, run.result.seconds = await timed(run.one, timed_requests, len(timed_requests), concurrency, warmup=0)
            result = run.result
            result.cpu = CpuUse.now(base).since(began)
            result.errors = warm_errors + result.errors
        async with pool.acquire() as conn:
            made = result.made
            result.log_records = (await conn.fetchval("SELECT count(*) FROM exchange_log") - logged) / max(1, len(made))
            result.outcomes = [(row["status"], row["automatic_note"], row["aanvragen"])
                               for row in await conn.fetch(OUTCOMES, made)]
            result.phases = phases(await conn.fetch(PHASES, made))
    finally:
        stop.set()
        await poller
        await pool.close()
    return result


def phases(rows: list[asyncpg.Record]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"submitted → paid (citizen pays, provider's webhook)": [],
                                     "paid → rendering starts (decision loop picks it up, reads the person "
                                     "again, closes the zaak)": [],
                                     "rendering starts → decided (PDF made, stored, added to the zaak)": []}
    names = list(found)
    for row in rows:
        moments = [row["submitted_at"], row["paid_at"], row["issued_at"], row["decided_at"]]
        for name, (start, end) in zip(names, itertools.pairwise(moments), strict=True):
            found[name].append((end - start).total_seconds())
    return found


def load(base: str, dsn: str, code: str, citizens: list[str], args: argparse.Namespace,
         secret_key: str) -> Extracts:
    """The load generator's process: its own event loop, apart from the bench's and the server's."""
    from plein.app import quiet_collector

    quiet_collector()
    return asyncio.run(extracts(base, dsn, code, citizens, args, secret_key))


# -- the PDF rendering alone, in-process -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    """What the decision renders for one real aanvraag: the app's template, its data, the municipality and title."""

    template: str
    data: dict[str, Any]
    organisation: dict[str, Any]
    title: str
    base_url: str


async def sample(url: str) -> Sample:
    """The template data of the newest decided extract (else the newest submitted one), as effects.template_data
    makes it for the decision."""
    settings = Settings(database_url=url)
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            aanvraag = await session.scalar(
                select(Aanvraag).where(Aanvraag.app == APP, Aanvraag.status != "concept")
                .order_by(Aanvraag.decided_at.desc().nulls_last(), Aanvraag.submitted_at.desc()).limit(1))
            if aanvraag is None:
                raise SystemExit(f"no aanvraag of {APP} to take the rendering's data from")
            run = await decisions.decision_run(session, aanvraag)
            data = effects.template_data(run)
            spec = next(item for item in run.definition.effects if item["type"] == "document")
            organisation = run.offer.organisation
            return Sample(template=run.definition.templates[spec["template"]], data=data,
                          organisation={"code": organisation.code, "name": organisation.name,
                                        "kind": organisation.kind, "theme": dict(organisation.theme or {})},
                          title=str(logic.evaluate(spec["titel"], data)), base_url=settings.base_url)
    finally:
        await engine.dispose()


PIECES = ("QR code (segno)", "HTML: template filled and framed (Jinja sandbox)", "PDF/A (WeasyPrint write_pdf)")


class Renderer:
    """Renders the sample as the decision does (documents.render without the database): a fresh verification code
    and its QR code, the page, the PDF/A and its sha256."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self.organisation = Organisation(**sample.organisation)
        self.theme, _ = themes.theme_of(self.organisation.theme)
        self.css = documents.theme_css(self.theme)

    def render(self) -> tuple[float, ...]:
        """Seconds of each piece (PIECES); raises when the PDF is not one."""
        began = time.perf_counter()
        code = verification.new_code()
        link = verification.url(self.sample.base_url, code)
        verificatie = {"code": verification.display(code), "url": link, "qr": documents.qr_svg(link)}
        coded = time.perf_counter()
        html = documents.page(self.sample.template, self.sample.data, organisation=self.organisation,
                              theme=self.theme, title=self.sample.title, verificatie=verificatie,
                              issued=dt.datetime.now(dt.UTC))
        paged = time.perf_counter()
        pdf = documents.write_pdf(html, self.css)
        hashlib.sha256(pdf).hexdigest()
        done = time.perf_counter()
        if not pdf.startswith(b"%PDF-"):
            raise SystemExit("the rendering made no PDF")
        return coded - began, paged - coded, done - paged


@dataclass
class Rendering:
    name: str
    latencies: list[float]
    pieces: list[tuple[float, ...]]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def render_in_threads(renderer: Renderer, count: int, threads: int) -> tuple[list[float], list[tuple[float, ...]],
                                                                               float, float]:
    """`count` renderings by `threads` threads after one warm-up rendering in each: latencies, pieces, and the
    wall-clock start and end (time.time, comparable between processes)."""
    latencies: list[float] = []
    pieces: list[tuple[float, ...]] = []
    counter = itertools.count()
    lock = threading.Lock()

    def worker() -> None:
        while next(counter) < count:
            start = time.perf_counter()
            parts = renderer.render()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                pieces.append(parts)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: renderer.render(), range(threads)))  # fonts and template caches of each thread
        if _barrier is not None:
            _barrier.wait()
        began = time.time()
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    return latencies, pieces, began, time.time()


_barrier: Any = None


def _start_together(barrier: Any) -> None:
    global _barrier  # noqa: PLW0603 - the pool's processes start their timed renderings at once
    _barrier = barrier


def _render_share(sample: Sample, count: int, threads: int) -> tuple[list[float], list[tuple[float, ...]], float,
                                                                     float]:
    return render_in_threads(Renderer(sample), count, threads)


def renderings(sample: Sample, count: int, concurrency: int, workers: int) -> list[Rendering]:
    """The rendering alone: in `concurrency` threads of this process (what many threads in one process cost:
    WeasyPrint holds the GIL), in one thread (as a server process renders: one at a time, in a thread of its own),
    and in one thread of each of `workers` processes, as the server's workers render."""
    found = []
    for threads in (concurrency, 1):
        latencies, pieces, began, ended = render_in_threads(Renderer(sample), count, threads)
        found.append(Rendering(f"1 process, {threads} thread{'s' if threads > 1 else ''}", latencies, pieces,
                               ended - began))
    if workers > 1:
        spawn = multiprocessing.get_context("spawn")
        shares = [count // workers + (1 if index < count % workers else 0) for index in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start_together,
                                 initargs=(spawn.Barrier(workers),)) as pool:
            results = [future.result() for future in [pool.submit(_render_share, sample, share, 1)
                                                      for share in shares]]
        found.append(Rendering(f"{workers} processes × 1 thread",
                               [value for result in results for value in result[0]],
                               [value for result in results for value in result[1]],
                               max(result[3] for result in results) - min(result[2] for result in results)))
    for rendering in found:
        console.print(f"  rendering alone, {rendering.name}: {rendering.rate:,.1f}/s", highlight=False)
    return found


# -- the report ------------------------------------------------------------------------------------------------------

def report(result: Extracts, found: list[Rendering], args: argparse.Namespace, code: str) -> None:
    table = Table(title=f"Extracts (uittreksel BRP, {code}) through `plein serve --workers {args.workers}`: "
                        f"{args.extract_concurrency} citizens at once, each from the request until the PDF is stored "
                        f"({len(result.stored):,} timed, after {args.extract_warmup} warm-up)")
    for column in ("measure", "per s", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    rows = [("request → paid → PDF stored", result.rate, result.stored),
            (f"submit (POST {SUBMIT_PATH}, 201)", None, result.submits),
            ("provider's webhook (POST …/webhooks/simulator, 200)", None, result.webhooks)]
    for name, rate, values in rows:
        if values:
            table.add_row(name, f"{rate:,.1f}" if rate is not None else "", ms(percentile(values, 50)),
                          ms(percentile(values, 99)), ms(max(values)))
    console.print(table)
    console.print(f"Request → stored: from sending the submit until a poll of service_aanvragen (every {args.poll:g} "
                  "ms, asyncpg) finds it granted, which the decision commits with the PDF stored and added to the "
                  "zaak; per s: extracts stored over the wall time of the timed ones. Between submit and webhook the "
                  "load generator marks the simulated payment paid (asyncpg). Processing-log records per extract: "
                  f"{result.log_records:.1f}.", highlight=False)
    if result.cpu is not None:
        console.print(result.cpu.per(len(result.stored), "extract") + " (from /proc, over the timed extracts: less "
                      "noisy than the rates when the machine is shared)", highlight=False)
    print_outcomes(console, result.outcomes, result.errors)
    report_phases(result)
    report_renderings(result, found)


def report_phases(result: Extracts) -> None:
    if not any(result.phases.values()):
        return
    table = Table(title="Where an extract's time goes, by the server's own clocks (aanvraag submitted_at, payment "
                        "paid_at, verification code issued_at, aanvraag decided_at; the commit follows)")
    for column in ("phase", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for name, values in result.phases.items():
        table.add_row(name, ms(percentile(values, 50)), ms(percentile(values, 99)), ms(max(values)))
    console.print(table)


def report_renderings(result: Extracts, found: list[Rendering]) -> None:
    table = Table(title="The PDF rendering alone, in-process (the real template and data, a fresh verification "
                        "code and QR code each): extract ÷ rendering")
    for column in ("rendering", "per s", "p50 ms", "p99 ms", "extract p50 ÷ rendering p50",
                   "renderings/s ÷ extracts/s"):
        table.add_column(column, justify="left" if column == "rendering" else "right")
    extract_p50 = percentile(result.stored, 50) if result.stored else 0.0
    for rendering in found:
        p50 = percentile(rendering.latencies, 50)
        table.add_row(rendering.name, f"{rendering.rate:,.1f}", ms(p50), ms(percentile(rendering.latencies, 99)),
                      f"{extract_p50 / p50:.1f}×" if extract_p50 else "–",
                      f"{rendering.rate / result.rate:.1f}×" if result.rate else "–")
    console.print(table)
    pieces = Table(title="One rendering's pieces (median ms, in each layout: CPU shared between the threads)")
    pieces.add_column("piece")
    for rendering in found:
        pieces.add_column(rendering.name, justify="right")
    for index, name in enumerate(PIECES):
        pieces.add_row(name, *(ms(statistics.median(run[index] for run in rendering.pieces)) for rendering in found))
    console.print(pieces)


def targets(result: Extracts, found: list[Rendering]) -> None:
    p50 = ms(percentile(result.stored, 50)) if result.stored else "–"
    p99 = ms(percentile(result.stored, 99)) if result.stored else "–"
    best = max(found, key=lambda rendering: rendering.rate) if found else None
    alone = f"; the rendering alone {best.rate:,.1f}/s ({best.name})" if best else ""
    console.print(f"Targets on this machine: ≥ 20 extracts/s at concurrency 8, p99 ≤ 1 s. Measured: "
                  f"{result.rate:,.1f} extracts/s, request → PDF stored p50 {p50} ms, p99 {p99} ms{alone}.",
                  highlight=False)
