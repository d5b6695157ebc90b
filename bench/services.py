"""Service engine benchmark on PostgreSQL: moves (verhuizing doorgeven) and extracts (uittreksel BRP), headless API.

A synthetic population (default 1,000,000 persons, plein.registers.generate) is generated in the database
plein_bench_services; the built-in app verhuizing-doorgeven is published and activated, straight-through
(automatischAfhandelen, no main occupant's consent), in the four largest municipalities (more when the moves need
them); each mover gets an empty new-build BAG address in their own municipality. `plein serve --workers N` runs with its
in-process decision loop, and a separate load-generator process posts POST /api/diensten/v1/aanvragen with citizen
tokens at concurrency 16: each submission reads its prefill at the source (logged), checks every answer (the address
in the BAG, the co-movers against the BRP), and writes the zaak with its rollen, status, eigenschappen and
notifications; the decision loop then grants it and moves every person in the BRP. Movers are adults, with the
partner and children who live with them as co-movers where they have them. The time until the BRP shows the move is
found by polling brp_residences (asyncpg) for the new residence. In the same run, through the same server: a BRP
Raadpleeg (as bench/brp_lookup.py sends it) and a POST /zaken/api/v1/zaken (as bench/zaken.py), as ratios. And
in-process: a service definition of 100 questions parsed, and its step built and rendered as the page does.

Then extracts (uittreksel BRP, bench/extracts.py) through the same server: citizens of the largest municipality
request one, pay it at the payment simulator and wait until the PDF/A is stored, at concurrency 8; and the PDF
rendering alone, in-process. `--only moves` or `--only extracts` runs one of the two.

With --reuse the database is kept, and used again when it holds the persons (generating a million takes minutes);
households that moved in an earlier run are not picked again. Prints numbers only.

Targets on this machine (2 cores shared by PostgreSQL, the server and the load generator): at least 200
submissions/s at concurrency 16, p99 of the submit request at most 250 ms, the BRP changed within 1 s of the submit
at p50, and the 100-question step loaded and rendered in under 50 ms; at least 20 extracts/s at concurrency 8, p99
from the request until the PDF is stored at most 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import extracts
import orjson
import yaml
from brp_lookup import ACTIVITY as BRP_ACTIVITY
from brp_lookup import CLIENT as BRP_CLIENT
from brp_lookup import PATH as BRP_PATH
from brp_lookup import SAMPLE_BSNS, raadpleeg, register_client
from brp_lookup import SECRET as BRP_SECRET
from common import (
    CpuUse,
    LeanClient,
    lean_request,
    ms,
    percentile,
    pg_dsn,
    plein_server,
    population_database,
    print_outcomes,
    timed,
)
from common import console as bench_console
from rich.table import Table
from zaken import ADMIN as ZAKEN_CLIENT
from zaken import CRS
from zaken import SECRET as ZAKEN_SECRET

from plein import clock
from plein.app import quiet_collector
from plein.apps import package_path
from plein.auth.service import Principal, make_jwt
from plein.db import make_engine, make_session_factory
from plein.exchange import service as exchange
from plein.exchange.insight import make_citizen_token
from plein.exchange.service import ACTIVITY_HEADER
from plein.registers.bag.service import AddressData, ensure_addresses
from plein.settings import Settings
from plein.storage import LocalFileStorage
from plein.store import adoptions
from plein.store.package import load_package
from plein.store.service import publish

console = bench_console()
BENCH_DB = "plein_bench_services"
DEFAULT_URL = os.environ.get("PLEIN_TEST_POSTGRES_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
APP = "verhuizing-doorgeven"
OPTIONS = {"automatischAfhandelen": True, "toestemmingHoofdbewoner": False}
SUBMIT_PATH = "/api/diensten/v1/aanvragen"
SECRET_KEY = "bench-services-secret-key-0123456789abcdef"  # the server's PLEIN_SECRET_KEY: signs citizen tokens
ADMIN = Principal("cli", "bench", "Benchmark", frozenset(), all_rights=True)
# New-build addresses: nummeraanduiding <code>209<9 digits> (generated ones are <code>20<10 digits below 9·10^9>),
# postcodes with letters the generator never uses, so that a postcode and number find exactly one address.
NEW_BUILD_STREET = "Benchmarklaan"
NEW_BUILD_LETTERS = [a + b for a in "FIOQUY" for b in "FIOQUY"]
# Households with an adult who can move today: everyone at the address living there since before today (a move
# starts on or after the current residence), alive and not suspended; the oldest adult reports, with the partner and
# children who live at the same address. Not anyone who submitted before (--reuse), nor at a new-build address.
HOUSEHOLDS = """
WITH home AS (
  SELECT r.bsn, r.address_id, r.gemeente_van_inschrijving AS gemeente, r.valid_from, p.geboortedatum
  FROM brp_residences r JOIN brp_persons p ON p.bsn = r.bsn
  WHERE r.valid_to IS NULL AND r.soort = 'Adres' AND r.address_id IS NOT NULL
    AND p.overlijdensdatum IS NULL AND p.opschorting_reden IS NULL
    AND ($1::text[] IS NULL OR r.gemeente_van_inschrijving = ANY($1::text[]))
), settled AS (
  SELECT address_id FROM home GROUP BY address_id HAVING max(valid_from) < $2
), applicant AS (
  SELECT DISTINCT ON (h.address_id) h.bsn, h.gemeente, h.address_id
  FROM home h JOIN settled s ON s.address_id = h.address_id
  JOIN bag_addresses a ON a.id = h.address_id AND a.nummeraanduiding NOT LIKE '____209%'
  WHERE h.geboortedatum <= $3 AND NOT EXISTS (SELECT 1 FROM service_aanvragen v WHERE v.subject = h.bsn)
  ORDER BY h.address_id, h.geboortedatum, h.bsn
)"""
COUNT_HOUSEHOLDS = HOUSEHOLDS + " SELECT gemeente, count(*) AS households FROM applicant GROUP BY gemeente " \
    "ORDER BY households DESC, gemeente"
PICK_MOVERS = HOUSEHOLDS + """
SELECT a.bsn, a.gemeente, ARRAY(
  SELECT rel.related_bsn FROM brp_relations rel JOIN home m ON m.bsn = rel.related_bsn AND m.address_id = a.address_id
  WHERE rel.bsn = a.bsn AND rel.valid_to IS NULL
    AND (rel.soort = 'kind' OR (rel.soort = 'partner' AND rel.ontbinding_datum IS NULL))
  ORDER BY rel.related_bsn) AS movers
FROM applicant a ORDER BY random() LIMIT $4"""
EMPTY_NEW_BUILD = """
SELECT a.id, a.postcode, a.huisnummer FROM bag_addresses a
WHERE a.gemeentecode = $1 AND a.nummeraanduiding LIKE $1 || '209%'
  AND NOT EXISTS (SELECT 1 FROM brp_residences r WHERE r.address_id = a.id AND r.valid_to IS NULL)
  AND NOT EXISTS (SELECT 1 FROM service_aanvragen v WHERE v.answers -> 'nieuwAdres' ->> 'postcode' = a.postcode
                  AND (v.answers -> 'nieuwAdres' ->> 'huisnummer')::int = a.huisnummer)
ORDER BY a.id LIMIT $2"""
SEEN = "SELECT DISTINCT address_id FROM brp_residences WHERE valid_to IS NULL AND address_id = ANY($1::bigint[])"
ZAAKTYPE = """
SELECT z.id, c.rsin FROM zgw_zaaktypen z JOIN zgw_catalogussen c ON c.id = z.catalogus_id
WHERE z.identificatie = 'VERHUIZING' AND NOT z.concept AND c.rsin = (SELECT rsin FROM organisations WHERE code = $1)
ORDER BY z.versiedatum DESC LIMIT 1"""
OUTCOMES = """
SELECT status, automatic_note, count(*) AS aanvragen FROM service_aanvragen WHERE id = ANY($1::uuid[])
GROUP BY status, automatic_note ORDER BY aanvragen DESC"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server on which the bench creates and "
                        f"drops its own database {BENCH_DB} (default: PLEIN_TEST_POSTGRES_URL or {DEFAULT_URL})")
    parser.add_argument("--persons", type=int, default=1_000_000, help="generated persons (default 1000000)")
    parser.add_argument("--moves", type=int, default=3000, help="timed submissions, each by another household "
                        "(default 3000)")
    parser.add_argument("--warmup", type=int, default=100, help="submissions before the timed ones (default 100)")
    parser.add_argument("--concurrency", type=int, default=16, help="submissions at once (default 16)")
    parser.add_argument("--municipalities", type=int, default=4, help="activate the service in at least this many of "
                        "the largest municipalities, and in more when they have too few households (default 4)")
    parser.add_argument("--parts", type=int, default=1000, help="timed requests of each part alone (default 1000)")
    parser.add_argument("--poll", type=float, default=10, help="ms between two polls of the BRP (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="population seed (default 1)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="`plein serve --workers` processes (default: one per core)")
    parser.add_argument("--pool-size", type=int, default=4, help="PLEIN_DATABASE_POOL_SIZE of each worker (default "
                        "4: PostgreSQL on this machine's cores does more with fewer backends; see the README)")
    parser.add_argument("--pool-overflow", type=int, default=0, help="PLEIN_DATABASE_POOL_OVERFLOW (default 0)")
    parser.add_argument("--decide-concurrency", type=int, default=16, help="PLEIN_SERVICES_DECIDE_CONCURRENCY: "
                        "straight-through decisions each worker makes at once (default 16: with the setting's default "
                        "of 4 the decisions fall behind 16 concurrent submissions; 0 leaves the setting's default)")
    parser.add_argument("--step-runs", type=int, default=25, help="runs of the 100-question step (default 25)")
    parser.add_argument("--reuse", action="store_true", help=f"keep {BENCH_DB} afterwards, and use it again when it "
                        "holds that many persons (households that moved in an earlier run are not picked again)")
    parser.add_argument("--only", choices=("all", "moves", "extracts"), default="all", help="run the moves (with the "
                        "100-question step and the parts alone), the extracts (bench/extracts.py), or both (default)")
    extracts.add_arguments(parser)
    return parser.parse_args()


# -- the 100-question step, in-process -----------------------------------------------------------------------------

QUESTION_KINDS: list[dict[str, Any]] = [
    {"type": "text", "maxLength": 200},
    {"type": "number", "minimum": 0, "maximum": 100, "integer": True},
    {"type": "date", "validations": [{"rule": {"<=": [{"date": {"var": "antwoorden.{id}"}},
                                                      {"date": {"var": "vandaag"}}]},
                                      "message": "Kies een datum die niet in de toekomst ligt."}]},
    {"type": "yesno"},
    {"type": "choice", "options": [{"value": "een", "label": "Eén"}, {"value": "twee", "label": "Twee"},
                                   {"value": "drie", "label": "Drie",
                                    "when": {"var": "opties.automatischAfhandelen"}}]},
    {"type": "choice", "multiple": True, "options": [{"value": f"o{n}", "label": f"Optie {n}"} for n in range(6)]},
    {"type": "email"},
    {"type": "phone"},
    {"type": "address"},
    {"type": "textarea", "required": False},
    {"type": "persons", "source": "huisgenoten", "required": False},
    {"type": "known", "rows": [{"label": "Naam", "value": {"var": "prefill.aanvrager.naam.volledigeNaam"}},
                               {"label": "Adres", "value": {"cat": [
                                   {"var": "prefill.aanvrager.adressering.adresregel1"}, ", ",
                                   {"var": "prefill.aanvrager.adressering.adresregel2"}]}}]},
]


def large_definition(questions: int = 100) -> dict[str, Any]:
    """The built-in verhuizing service with a first step of `questions` questions of every kind, each (but the first)
    shown on a condition over the answer before it: the largest step a form would have."""
    raw = yaml.safe_load((package_path(APP) / "service" / "service.yaml").read_text("utf-8"))
    step = []
    for number in range(questions):
        kind = copy.deepcopy(QUESTION_KINDS[number % len(QUESTION_KINDS)])
        question = {"id": f"v{number:03d}", "label": f"Vraag {number + 1}: {kind['type']}?",
                    "help": f"Uitleg bij vraag {number + 1}.", **kind}
        for rule in question.get("validations", []):
            rule["rule"] = orjson.loads(orjson.dumps(rule["rule"]).replace(b"{id}", question["id"].encode()))
        if number:
            question["when"] = {"!=": [{"var": f"antwoorden.v{number - 1:03d}"}, "nee"]}
        step.append(question)
    raw["steps"] = [{"id": "groot", "title": "Honderd vragen", "questions": step}, *raw["steps"]]
    return raw


def step_times(runs: int) -> dict[str, list[float]]:
    """Seconds of each part of loading and showing the large step: the definition read as the release row holds it
    (JSON), definition.parse, the fields (services.views) and the template rendered through plein.web.views.templates.
    The first run includes compiling the template."""
    from jsonschema import Draft202012Validator

    from plein.organisations.models import Organisation
    from plein.services import views
    from plein.services.definition import parse
    from plein.services.models import Aanvraag
    from plein.services.run import Offer, Run
    from plein.store.checks.service import service_schema
    from plein.store.models import Adoption, App, Release
    from plein.web.views import templates

    raw = large_definition()
    errors = [error.message for error in Draft202012Validator(service_schema()).iter_errors(raw)]
    if errors:
        raise SystemExit(f"the 100-question definition is not valid: {errors[:3]}")
    stored = orjson.dumps(raw)  # the release's service column: the YAML was read once, when it was published
    organisation = Organisation(code="0363", name="Amsterdam", slug="amsterdam", theme={})
    adoption = Adoption(options={"intake": "digitaal", **OPTIONS})
    adoption.organisation, adoption.app, adoption.release = organisation, App(slug=APP), Release(manifest={})
    housemate = {"burgerservicenummer": "999990019", "naam": {"volledigeNaam": "Jan Visser"},
                 "geboorte": {"datum": {"datum": "2012-03-01"}}}
    prefill = {"aanvrager": {"naam": {"volledigeNaam": "Anna Visser"},
                             "adressering": {"adresregel1": "Damstraat 1", "adresregel2": "1012 JL  AMSTERDAM"}},
               "huisgenoten": [housemate]}
    times: dict[str, list[float]] = {"JSON of the release read": [], "definition.parse": [],
                                     "fields (services.views)": [], "template rendered": []}
    size = 0
    for _ in range(runs):
        began = time.perf_counter()
        loaded = orjson.loads(stored)
        read = time.perf_counter()
        definition = parse(loaded)
        parsed = time.perf_counter()
        aanvraag = Aanvraag(answers={}, prefill=prefill, checks=[], appointment=False, subject_kind="citizen",
                            subject="999993653", display_name="Anna Visser")
        run = Run(Offer(adoption, definition), aanvraag)
        step = definition.steps[0]
        fields = views._fields(run, step, {}, [])  # the fields as the step page builds them
        context = views._step_context(run, organisation, step, fields, "", [])
        built = time.perf_counter()
        page = templates.get_template("services/step.html").render(
            {**context, "organisation": organisation, "principal": None, "managed": [], "account_name": None,
             "csrf_token": "x" * 43, "flashes": [], "env": "dev", "current_path": "/diensten/amsterdam/" + APP,
             "here": "/diensten/amsterdam/" + APP, "error_count": 0})
        done = time.perf_counter()
        size = len(page)
        for name, seconds in zip(times, (read - began, parsed - read, built - parsed, done - built), strict=True):
            times[name].append(seconds)
    if size < 100 * 200:
        raise SystemExit(f"the 100-question step rendered only {size} characters")
    console.print(f"The 100-question step renders {size:,} characters of HTML", highlight=False)
    return times


def report_step(times: dict[str, list[float]]) -> None:
    runs = len(next(iter(times.values())))
    table = Table(title=f"A service definition of 100 questions: loaded and its step rendered, in-process (median and "
                        f"slowest of {runs} runs; the first run included)")
    for column in ("part", "median ms", "slowest ms"):
        table.add_column(column, justify="left" if column == "part" else "right")
    for name, values in times.items():
        table.add_row(name, ms(statistics.median(values)), ms(max(values)))
    totals = [sum(run) for run in zip(*times.values(), strict=True)]
    table.add_row("loaded and rendered", ms(statistics.median(totals)), ms(max(totals)))
    console.print(table)


# -- the database: population, clients, the app, adoptions and new addresses ----------------------------------------

async def prepare(url: str) -> None:
    """Before the persons: the clients of the parts (a BRP client of Amsterdam with a grant, as bench/brp_lookup.py
    makes it; a ZGW client with all rights) and the app, published through the admission pipeline."""
    await register_client(url)
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            await exchange.create_api_client(session, ADMIN, ZAKEN_CLIENT, secret=ZAKEN_SECRET, all_rights=True)
            with tempfile.TemporaryDirectory() as folder:
                result = await publish(session, LocalFileStorage(Path(folder)), load_package(package_path(APP)),
                                       "0363", ADMIN)
            if result.release.status != "accepted":
                raise SystemExit(f"{APP} was not admitted: {result.report['findings']}")
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Move:
    bsn: str
    gemeente: str
    movers: tuple[str, ...]
    address_id: int
    postcode: str
    huisnummer: int

    def body(self, day: str) -> bytes:
        return orjson.dumps({"gemeente": self.gemeente, "dienst": APP, "antwoorden": {
            "verhuisdatum": day, "nieuwAdres": {"postcode": self.postcode, "huisnummer": self.huisnummer,
                                                "huisletter": None, "huisnummertoevoeging": None},
            "meeverhuizers": list(self.movers)}})


def _dates() -> tuple[str, str]:
    today = clock.today()
    adult = today.replace(year=today.year - 18) if not (today.month == 2 and today.day == 29) else \
        today.replace(year=today.year - 18, day=28)
    return today.strftime("%Y%m%d"), adult.strftime("%Y%m%d")


async def pick_moves(url: str, count: int, least: int) -> list[Move]:
    """`count` households in the largest municipalities (at least `least` of them, more when these have too few),
    the service active there, and an empty new-build address for each in its own municipality."""
    today, adult = _dates()
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        counts = await conn.fetch(COUNT_HOUSEHOLDS, None, today, adult)
        chosen, enough = [], 0
        for row in counts:
            if enough >= count and len(chosen) >= least:
                break
            chosen.append(row["gemeente"])
            enough += row["households"]
        if enough < count:
            raise SystemExit(f"the population has {enough:,} households that can move; ask fewer --moves")
        rows = await conn.fetch(PICK_MOVERS, chosen, today, adult, count)
    finally:
        await conn.close()
    wanted: dict[str, int] = {}
    for row in rows:
        wanted[row["gemeente"]] = wanted.get(row["gemeente"], 0) + 1
    await activate(url, chosen)
    addresses = await new_addresses(url, wanted)
    moves = [Move(row["bsn"], row["gemeente"], tuple(row["movers"]), *addresses[row["gemeente"]].pop())
             for row in rows]
    movers = sum(len(move.movers) for move in moves)
    console.print(f"{len(moves):,} households in {len(chosen)} municipalities ({', '.join(chosen)}) move with "
                  f"{movers:,} co-movers ({1 + movers / len(moves):.2f} persons a move)", highlight=False)
    return moves


async def activate(url: str, codes: list[str]) -> None:
    """The service active, straight-through, in each municipality that does not run it yet."""
    settings = Settings(database_url=url)
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            for code in codes:
                if await adoptions.active_adoption(session, code, APP) is None:
                    await adoptions.adopt(session, code, APP, OPTIONS, ADMIN, activate=True,
                                          base_url=settings.base_url)
    finally:
        await engine.dispose()


async def new_addresses(url: str, wanted: dict[str, int]) -> dict[str, list[tuple[int, str, int]]]:
    """Per municipality, as many empty new-build addresses as wanted (made with ensure_addresses where missing):
    (id, postcode, huisnummer)."""
    conn = await asyncpg.connect(pg_dsn(url))
    engine = make_engine(Settings(database_url=url))
    found: dict[str, list[tuple[int, str, int]]] = {}
    try:
        async with make_session_factory(engine)() as session:
            for code, count in wanted.items():
                empty = await conn.fetch(EMPTY_NEW_BUILD, code, count)
                if len(empty) < count:
                    made = await conn.fetchval("SELECT count(*) FROM bag_addresses WHERE nummeraanduiding LIKE "
                                               "$1 || '209%'", code)
                    place = await conn.fetchrow("SELECT left(postcode, 4) AS digits, woonplaats FROM bag_addresses "
                                                "WHERE gemeentecode = $1 AND postcode IS NOT NULL LIMIT 1", code)
                    await ensure_addresses(session, [_new_build(code, place["digits"], place["woonplaats"], index)
                                                     for index in range(made, made + count - len(empty))])
                    await session.commit()
                    empty = await conn.fetch(EMPTY_NEW_BUILD, code, count)
                found[code] = [(row["id"], row["postcode"], row["huisnummer"]) for row in empty]
        await conn.execute("ANALYZE bag_addresses")
    finally:
        await conn.close()
        await engine.dispose()
    return found


def _new_build(code: str, digits: str, woonplaats: str | None, index: int) -> AddressData:
    number, letters = divmod(index, len(NEW_BUILD_LETTERS))
    return AddressData(openbare_ruimte=NEW_BUILD_STREET, huisnummer=number + 1, gemeentecode=code,
                       postcode=f"{digits}{NEW_BUILD_LETTERS[letters]}", woonplaats=woonplaats,
                       nummeraanduiding=f"{code}209{index:09d}", adresseerbaar_object=f"{code}019{index:09d}")


# -- the load: submissions, the BRP polled, and the parts alone -------------------------------------------------------

@dataclass
class Submissions:
    """The timed submissions: latencies of the requests, seconds from each submit until the BRP showed the move,
    the wall time, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    changed: list[float] = field(default_factory=list)
    seconds: float = 0.0
    completed: float = 0.0  # seconds from the first submit until the last move was seen in the BRP
    errors: list[str] = field(default_factory=list)
    outcomes: list[tuple[str, str | None, int]] = field(default_factory=list)
    log_records: float = 0.0
    cpu: CpuUse | None = None  # from the first timed submit until the BRP showed the last move


@dataclass
class Part:
    name: str
    latencies: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


class BrpWatch:
    """Polls brp_residences for the new residences of submitted moves; the seconds from each submit until it shows."""

    def __init__(self, dsn: str, interval: float) -> None:
        self.dsn, self.interval = dsn, interval
        self.pending: dict[int, float] = {}  # new address id -> perf_counter at submit
        self.seen: dict[int, float] = {}  # new address id -> seconds from submit to the BRP showing it
        self.last = 0.0
        self.drained = asyncio.Event()  # set while nothing is pending

    def add(self, key: int) -> None:
        self.pending[key] = time.perf_counter()
        self.drained.clear()

    async def run(self, stop: asyncio.Event) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            while not stop.is_set() or self.pending:
                if self.pending:
                    rows = await conn.fetch(SEEN, list(self.pending))
                    now = time.perf_counter()
                    for row in rows:
                        self.seen[row["address_id"]] = now - self.pending.pop(row["address_id"])
                        self.last = now
                if not self.pending:
                    self.drained.set()
                await asyncio.sleep(self.interval)
        finally:
            await conn.close()


async def submit_all(lean: LeanClient, base: str, moves: list[Move], watch: BrpWatch, concurrency: int,
                     errors: list[str]) -> tuple[list[float], float, list[str]]:
    """Submit each move once; (latencies, wall seconds, aanvraag ids)."""
    day = clock.today().isoformat()
    requests = {move: lean_request(base, SUBMIT_PATH, {
        "Authorization": f"Bearer {make_citizen_token(move.bsn, SECRET_KEY, loa='midden')}"}, move.body(day))
        for move in moves}
    made: list[str] = []

    async def one(move: Move) -> None:
        watch.add(move.address_id)
        status, content = await lean.send(requests[move])
        if status != 201:
            watch.pending.pop(move.address_id, None)
            errors.append(f"{status} {content[:400].decode(errors='replace')}")
            return
        made.append(orjson.loads(content)["id"])

    latencies, seconds = await timed(one, moves, len(moves), concurrency, warmup=0)
    return latencies, seconds, made


async def drained(watch: BrpWatch) -> None:
    """Until every submitted move shows in the BRP, or two minutes have passed."""
    with suppress(TimeoutError):
        await asyncio.wait_for(watch.drained.wait(), 120)


async def submissions(base: str, dsn: str, moves: list[Move], args: argparse.Namespace) -> Submissions:
    result = Submissions()
    watch = BrpWatch(dsn, args.poll / 1000)
    stop = asyncio.Event()
    poller = asyncio.create_task(watch.run(stop))
    conn = await asyncpg.connect(dsn)
    try:
        async with LeanClient(base, args.concurrency) as lean:
            warm, timed_moves = moves[:args.warmup], moves[args.warmup:]
            await submit_all(lean, base, warm, watch, args.concurrency, result.errors)
            await drained(watch)
            logged = await conn.fetchval("SELECT count(*) FROM exchange_log")
            watch.seen.clear()
            began, cpu = time.perf_counter(), CpuUse.now(base)
            result.latencies, result.seconds, made = await submit_all(lean, base, timed_moves, watch,
                                                                       args.concurrency, result.errors)
            console.print(f"  {len(made):,} moves submitted in {result.seconds:.1f} s; waiting for the BRP to show "
                          f"the last {len(watch.pending):,}", highlight=False)
            await drained(watch)
            result.completed = watch.last - began
            result.cpu = CpuUse.now(base).since(cpu)  # until the last decision: all of each move
        result.changed = list(watch.seen.values())
        result.outcomes = [(row["status"], row["automatic_note"], row["aanvragen"])
                           for row in await conn.fetch(OUTCOMES, made)]
        result.log_records = (await conn.fetchval("SELECT count(*) FROM exchange_log") - logged) / max(1, len(made))
        if watch.pending:
            result.errors.append(f"{len(watch.pending)} moves did not show in the BRP within two minutes")
    finally:
        stop.set()
        watch.pending.clear()
        await poller
        await conn.close()
    return result


async def parts(base: str, dsn: str, args: argparse.Namespace) -> list[Part]:
    """A BRP Raadpleeg (bench/brp_lookup.py's client and fields) and a POST /zaken (bench/zaken.py's body, on the
    VERHUIZING zaaktype of Amsterdam) alone, through the same server at the same concurrency."""
    conn = await asyncpg.connect(dsn)
    try:
        bsns = [row["bsn"] for row in await conn.fetch(SAMPLE_BSNS, args.parts)]
        zaaktype, rsin = await conn.fetchrow(ZAAKTYPE, "0363")
    finally:
        await conn.close()
    brp_headers = {"Authorization": f"Bearer {make_jwt(BRP_CLIENT, BRP_SECRET)}", ACTIVITY_HEADER: BRP_ACTIVITY}
    zaken_headers = {"Authorization": f"Bearer {make_jwt(ZAKEN_CLIENT, ZAKEN_SECRET)}", **CRS}
    zaak = orjson.dumps({"zaaktype": f"{base}/catalogi/api/v1/zaaktypen/{zaaktype}", "bronorganisatie": rsin,
                         "verantwoordelijkeOrganisatie": rsin, "startdatum": clock.today().isoformat()})
    plans = [("BRP Raadpleeg", 200, [lean_request(base, BRP_PATH, brp_headers, orjson.dumps(raadpleeg(bsn).body))
                                     for bsn in bsns]),
             ("POST /zaken", 201, [lean_request(base, "/zaken/api/v1/zaken", zaken_headers, zaak)])]
    found = []
    async with LeanClient(base, args.concurrency) as lean:
        for name, expected, requests in plans:
            async def send(request: bytes, expected: int = expected) -> None:
                status, content = await lean.send(request)
                if status != expected:
                    raise SystemExit(f"{request[:200]!r}: {status} {content[:500]!r}")

            latencies, seconds = await timed(send, requests, args.parts, args.concurrency)
            found.append(Part(name, latencies, seconds))
            console.print(f"  {name} alone: {len(latencies) / seconds:,.0f}/s", highlight=False)
    return found


def load(base: str, dsn: str, moves: list[Move], args: argparse.Namespace) -> tuple[Submissions, list[Part]]:
    """The load generator's process: its own event loop, apart from the bench's and the server's."""
    quiet_collector()  # the load generator's own collections would show as the server's latency

    async def both() -> tuple[Submissions, list[Part]]:
        return await submissions(base, dsn, moves, args), await parts(base, dsn, args)

    return asyncio.run(both())


# -- the report --------------------------------------------------------------------------------------------------------

def report(result: Submissions, found: list[Part], args: argparse.Namespace) -> None:
    count = len(result.latencies)
    rate = count / result.seconds
    deciding = f", {args.decide_concurrency} decisions at once" if args.decide_concurrency else ""
    table = Table(title=f"Moves through POST {SUBMIT_PATH}, `plein serve --workers {args.workers}` with pools of "
                        f"{args.pool_size} (+{args.pool_overflow}){deciding}, concurrency {args.concurrency} "
                        f"({count:,} timed, after {args.warmup} warm-up)")
    for column in ("measure", "per s", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row("submit (the request, 201)", f"{rate:,.0f}", ms(percentile(result.latencies, 50)),
                  ms(percentile(result.latencies, 99)), ms(max(result.latencies)))
    if result.changed:
        table.add_row("submit → BRP shows the new residence", f"{len(result.changed) / result.completed:,.0f}",
                      ms(percentile(result.changed, 50)), ms(percentile(result.changed, 99)), ms(max(result.changed)))
    console.print(table)
    console.print(f"Submit → BRP: from sending the request until a poll of brp_residences (every {args.poll:g} ms, "
                  "asyncpg) finds the new residence; per s: moves in the BRP over the time from the first submit to "
                  f"the last move seen. Processing-log records per move: {result.log_records:.1f}.", highlight=False)
    if result.cpu is not None:
        console.print(result.cpu.per(count, "move") + " (from /proc, from the first timed submission until the BRP "
                      "showed the last: less noisy than the rates when the machine is shared)", highlight=False)
    print_outcomes(console, result.outcomes, result.errors)
    report_parts(result, found, rate)


def report_parts(result: Submissions, found: list[Part], rate: float) -> None:
    p50 = percentile(result.latencies, 50)
    table = Table(title="The parts alone through the same server, same concurrency: submission ÷ part")
    for column in ("request", "per s", "p50 ms", "p99 ms", "submission p50 ÷ part p50", "part per s ÷ submissions/s"):
        table.add_column(column, justify="left" if column == "request" else "right")
    table.add_row("the submission", f"{rate:,.0f}", ms(p50), ms(percentile(result.latencies, 99)), "1.0×", "1.0×")
    for part in found:
        part_p50 = percentile(part.latencies, 50)
        table.add_row(part.name, f"{part.rate:,.0f}", ms(part_p50), ms(percentile(part.latencies, 99)),
                      f"{p50 / part_p50:.1f}×", f"{part.rate / rate:.1f}×")
    console.print(table)


def targets(result: Submissions, step: dict[str, list[float]]) -> None:
    rate = len(result.latencies) / result.seconds
    render = statistics.median([sum(run) for run in zip(*step.values(), strict=True)])
    changed = ms(percentile(result.changed, 50)) if result.changed else "–"
    console.print("Targets on this machine: ≥ 200 submissions/s, p99 of submit ≤ 250 ms, BRP changed ≤ 1 s at p50, "
                  f"100-question step < 50 ms. Measured: {rate:,.0f} submissions/s, p99 "
                  f"{ms(percentile(result.latencies, 99))} ms, BRP changed at p50 after {changed} ms, step "
                  f"{ms(render)} ms.", highlight=False)


def server_settings(args: argparse.Namespace) -> dict[str, str]:
    settings = {"PLEIN_DATABASE_POOL_SIZE": str(args.pool_size),
                "PLEIN_DATABASE_POOL_OVERFLOW": str(args.pool_overflow), "PLEIN_SECRET_KEY": SECRET_KEY,
                "PLEIN_SERVICES_IN_PROCESS": "true", **extracts.SERVER_SETTINGS}
    if args.decide_concurrency:
        settings["PLEIN_SERVICES_DECIDE_CONCURRENCY"] = str(args.decide_concurrency)
    return settings


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server (plein_server) on `timeout` or kill
    moving, extracting = args.only in ("all", "moves"), args.only in ("all", "extracts")
    load_before = os.getloadavg()
    if moving:
        step = step_times(args.step_runs)
        report_step(step)
    temp = Path(tempfile.mkdtemp(prefix="plein-bench-services-"))
    try:
        with population_database(args.database_url, BENCH_DB, args.persons, args.seed, args.reuse, BRP_CLIENT,
                                 prepare) as url:
            moves = asyncio.run(pick_moves(url, args.warmup + args.moves, args.municipalities)) if moving else []
            code, citizens = asyncio.run(extracts.prepare(url, args.extract_warmup + args.extracts)) \
                if extracting else ("", [])
            with plein_server(url, temp, args.workers, server_settings(args)) as base, \
                    ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                load_before = os.getloadavg()
                try:
                    if moving:
                        result, found = pool.submit(load, base, pg_dsn(url), moves, args).result()
                    if extracting:
                        made = pool.submit(extracts.load, base, pg_dsn(url), code, citizens, args, SECRET_KEY).result()
                except Exception:
                    console.print("The server's log ends with:\n" + "\n".join(
                        (temp / "server.log").read_text().splitlines()[-40:]), highlight=False, markup=False)
                    raise
            after = os.getloadavg()
            if extracting:  # the server stopped: the rendering alone has the machine to itself
                rendered = extracts.renderings(asyncio.run(extracts.sample(url)), args.renders,
                                               args.extract_concurrency, args.workers)
        if moving:
            report(result, found, args)
            targets(result, step)
        if extracting:
            extracts.report(made, rendered, args, code)
            extracts.targets(made, rendered)
        console.print(f"Load average of this machine (1 min) before the load: {load_before[0]:.1f}, after: "
                      f"{after[0]:.1f}, on {os.cpu_count()} cores shared by PostgreSQL, the server and the load "
                      "generator.", highlight=False)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
