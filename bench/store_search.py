"""Store search benchmark: facet search, browse and the app page over HTTP, next to raw SQL returning the same rows;
with reviews and security advisories in the data, and the time to publish one advisory that notifies every
municipality (342) on an affected version."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from common import console as bench_console
from common import ms, pg_admin, pg_dsn, plein_server
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from plein.auth.service import Principal
from plein.db import make_engine, make_session_factory
from plein.migrate import upgrade_and_seed
from plein.notifications.models import Message
from plein.organisations.models import Organisation
from plein.settings import Settings
from plein.store import advisories
from plein.store.checks import default_checks
from plein.store.listing import facet_values, search_terms, tokens
from plein.store.models import Adoption, Advisory, App, AppFacet, AppTerm, Release, Review

console = bench_console()
BENCH_DB = "plein_bench"
WARMUP = 20
CHUNK = 1000
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SUBJECTS = ("Parkeervergunning", "Afvalkalender", "Subsidie", "Melding", "Verhuizing", "Uittreksel", "Paspoort",
    "Rijbewijs", "Bijstand", "Kwijtschelding", "Evenementenvergunning", "Kapvergunning", "Omgevingsvergunning",
    "Huwelijk", "Geboorteaangifte", "Hondenbelasting", "Gehandicaptenparkeerkaart", "Schuldhulp",
    "Leerlingenvervoer", "Jeugdhulp", "Grofvuil", "Containerpas", "Marktvergunning", "Terrasvergunning",
    "Straatverlichting", "Bezwaar", "Klacht", "WOZ-beschikking", "Afspraak", "Begraafplaats", "Sportpas",
    "Energietoeslag", "Ligplaats", "Bodeminformatie", "Wmo-voorziening", "Participatie", "Inspraak", "Leges",
    "Belastingen", "Buurtpreventie")
QUALIFIERS = ("aanvragen", "doorgeven", "online", "portaal", "loket", "register", "koppeling", "dashboard",
    "assistent", "beheer", "wijzer", "checker", "overzicht", "planner", "signalering")
VARIANTS = ("", "Noord", "Zuid", "Oost", "West", "Plus", "Lite", "Pro", "Digitaal", "Direct", "Centraal", "Regio",
    "Open", "Samen", "Basis", "Connect", "Flex", "Totaal", "Slim", "Compact")
AUDIENCES = ("Inwoners", "Ondernemers", "Verenigingen", "Medewerkers", "Zorgaanbieders")
CHANNELS = ("online met DigiD", "via de website", "met eHerkenning", "in de app", "aan de balie en online")
HANDLING = ("de gemeente behandelt het als zaak", "gegevens komen uit de BRP", "het adres wordt gecontroleerd",
            "notificaties houden iedereen op de hoogte", "de status is altijd te volgen")
FEATURES = (
    "Vooraf ingevuld formulier met gegevens uit de BRP", "Adrescontrole in de BAG", "Zaak volgens ZGW Zaken 1.5",
    "Inloggen met DigiD of eHerkenning", "Betalen met iDEAL", "Statusinformatie voor de aanvrager",
    "Notificaties bij elke statuswijziging", "Kaart met locaties in de buurt", "Documenten uploaden",
    "Afspraak maken bij de balie", "Toegankelijk volgens WCAG 2.1", "Koppeling met het zaaksysteem",
    "Lokale keuzes per gemeente instellen", "Logboek van elke verwerking", "Werkvoorraad voor behandelaars")
SENTENCES = (
    "Het formulier stelt alleen de vragen die nodig zijn.", "De gemeente kiest zelf termijnen en teksten.",
    "Elke aanvraag wordt een zaak volgens de ZGW-standaarden.", "Gegevens worden bij de bron opgevraagd.",
    "Behandelaars zien de werkvoorraad en de historie van elke melding.", "Na het besluit volgt een bericht.",
    "De app is samen door gemeenten ontwikkeld en wordt gedeeld via Plein.", "Betalingen lopen via iDEAL.")
CATEGORIES = ("digital-citizenship", "workflow-management", "document-management", "appointment-scheduling",
    "data-collection", "geographic-information-systems", "payment-gateway", "billing-and-invoicing",
    "public-participation", "customer-service-and-support", "event-management", "facility-management",
    "grant-management", "identity-management", "knowledge-management", "property-management", "transportation",
    "survey", "e-signature", "content-management")
SOFTWARE_TYPES = ("standalone/web", "standalone/mobile", "standalone/backend", "addon", "library")
STATUSES = ("stable", "stable", "stable", "beta", "development", "concept", "obsolete")
LICENCES = ("EUPL-1.2", "EUPL-1.2", "AGPL-3.0-or-later", "MIT", "Apache-2.0", "GPL-3.0-or-later", "MPL-2.0")
STANDARDS = ("zgw-zaken-1.5", "haal-centraal-brp-2", "bag", "nl-api-design-rules-2", "zgw-documenten-1.4",
             "notificaties-1.0", "logboek-dataverwerkingen-1.0")
PRICING = ("free", "free", "free", "one-off", "yearly", "per-inhabitant")
OPTIONS = {"type": "object", "additionalProperties": False, "properties": {
    "behandeltermijnDagen": {"type": "integer", "title": "Behandeltermijn (dagen)", "minimum": 1, "default": 5},
    "contactEmail": {"type": "string", "format": "email", "default": "info@gemeente.example"}}}
BRP_REQUEST = {"register": "brp", "fields": ["naam", "verblijfplaats"], "activity": "aanvraag-behandelen",
               "purpose": "Behandelen van de aanvraag van de inwoner", "legalBasis": "Wet BRP artikel 3.9"}
SEARCH_WORDS = ("afval", "parkeer", "melding", "subsidie", "vergunning", "inwoners", "zaak", "digid",
                "formulier aanvragen", "online brp")
TABLES = {"apps": App.__table__, "releases": Release.__table__, "terms": AppTerm.__table__,
          "facets": AppFacet.__table__}
FILTERS = (("kind", "service"), ("category", "digital-citizenship"), ("category", "workflow-management"),
           ("licence", "EUPL-1.2"), ("softwareType", "standalone/web"), ("developmentStatus", "stable"),
           ("pricing", "free"), ("standard", "zgw-zaken-1.5"), ("kind", "integration"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="postgresql+asyncpg://… URL of a server on which the bench creates "
                        f"and drops its own database {BENCH_DB}; default (and for any sqlite URL): a fresh SQLite "
                        "file in a temp dir")
    parser.add_argument("--apps", type=int, default=10_000, help="published apps (default 10000)")
    parser.add_argument("--adoptions", type=int, default=20_000, help="adoptions (default 20000)")
    parser.add_argument("--reviews", type=int, default=50_000, help="reviews (default 50000)")
    parser.add_argument("--advisories", type=int, default=2_000, help="security advisories (default 2000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    return parser.parse_args()


# -- the database ------------------------------------------------------------------------------------------------

@contextmanager
def bench_database(url: str | None, temp: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database plein_bench on the given PostgreSQL server, dropped afterwards."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{temp / 'bench.db'}"
        return
    drop = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    asyncio.run(pg_admin(url, drop, f"CREATE DATABASE {BENCH_DB}"))
    try:
        yield make_url(url).set(database=BENCH_DB).render_as_string(hide_password=False)
    finally:
        asyncio.run(pg_admin(url, drop))


# -- the data set ------------------------------------------------------------------------------------------------

def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def app_names(rng: random.Random, count: int) -> list[str]:
    combos = [" ".join(filter(None, (s, q, v))) for s in SUBJECTS for q in QUALIFIERS for v in VARIANTS]
    rng.shuffle(combos)
    return [combos[i % len(combos)] + (f" {i // len(combos) + 1}" if i >= len(combos) else "") for i in range(count)]


def description(rng: random.Random, name: str, subject: str) -> dict[str, Any]:
    short = f"{rng.choice(AUDIENCES)} regelen {subject.lower()} {rng.choice(CHANNELS)}; {rng.choice(HANDLING)}."
    nl = {"localisedName": name, "shortDescription": short, "features": rng.sample(FEATURES, rng.randint(3, 6)),
          "longDescription": f"Met {name} " + " ".join(rng.sample(SENTENCES, rng.randint(2, 4)))}
    if rng.random() > 0.3:
        return {"nl": nl}
    en = {"localisedName": name, "shortDescription": f"Residents arrange {subject.lower()} online.",
          "longDescription": f"{name} is shared by municipalities through Plein.", "features": ["Open API"]}
    return {"nl": nl, "en": en}


def release_docs(rng: random.Random, slug: str, name: str, version: str, released: dt.datetime) -> tuple[dict, dict]:
    """publiccode.yml and plein.yaml as the store keeps them (parsed to JSON)."""
    standards = rng.sample(STANDARDS, rng.choice((0, 1, 1, 2, 3)))
    publiccode = {
        "publiccodeYmlVersion": "0.4", "name": name, "url": f"https://code.plein.example/apps/{slug}.git",
        "softwareVersion": version, "releaseDate": released.date().isoformat(), "platforms": ["web"],
        "categories": rng.sample(CATEGORIES[:8] if rng.random() < 0.6 else CATEGORIES, rng.randint(1, 3)),
        "developmentStatus": rng.choice(STATUSES), "softwareType": rng.choice(SOFTWARE_TYPES),
        "intendedAudience": {"countries": ["nl"], "scope": ["government"]},
        "description": description(rng, name, name.split(maxsplit=1)[0]),
        "legal": {"license": rng.choice(LICENCES), "mainCopyrightOwner": "Plein"},
        "maintenance": {"type": "community", "contacts": [{"name": "Beheer", "email": f"{slug}@plein.example"}]},
    }
    model = rng.choice(PRICING)
    pricing = {"model": model} if model == "free" else {"model": model, "amountEur": rng.randint(1, 200) * 50}
    manifest = {"plein": 1, "id": slug, "kind": "service" if rng.random() < 0.7 else "integration",
                "version": version, "options": OPTIONS, "pricing": pricing, "requires": {
                    "standards": standards, "data": [BRP_REQUEST] if "haal-centraal-brp-2" in standards else []}}
    return publiccode, manifest


def plan_adoptions(rng: random.Random, apps: int, orgs: int, count: int) -> list[tuple[int, int, str]]:
    """(municipality, app, status); popular apps get more; at most one open adoption per pair, the rest ended."""
    chosen = rng.choices(range(apps), weights=[1 / (rank + 50) for rank in range(apps)], k=count)
    open_pairs: set[tuple[int, int]] = set()
    plan = []
    for app in chosen:
        org = rng.randrange(orgs)
        ended = (org, app) in open_pairs or rng.random() < 0.1
        status = "ended" if ended else rng.choice(("active",) * 9 + ("planned",))
        if status != "ended":
            open_pairs.add((org, app))
        plan.append((org, app, status))
    return plan


def plan_reviews(rng: random.Random, apps: int, orgs: int, count: int) -> list[tuple[int, int, int, bool, bool]]:
    """(municipality, app, rating, hidden, replied): popular apps get more; one per municipality and app."""
    chosen = rng.choices(range(apps), weights=[1 / (rank + 50) for rank in range(apps)], k=count * 2)
    seen: set[tuple[int, int]] = set()
    plan = []
    for app in chosen:
        org = rng.randrange(orgs)
        if (org, app) in seen:
            continue
        seen.add((org, app))
        plan.append((org, app, rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 5)), rng.random() < 0.02, rng.random() < 0.3))
        if len(plan) == count:
            break
    return plan


VECTORS = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
           "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:N/A:N")


class DataSet:
    """The rows to load, made deterministically from one random.Random, in chunks of CHUNK."""

    def __init__(self, rng: random.Random, orgs: list[tuple[uuid.UUID, str]], args: argparse.Namespace) -> None:
        apps = args.apps
        self.rng, self.orgs = rng, orgs
        self.ids = [(new_id(rng), new_id(rng)) for _ in range(apps)]  # (app, its release)
        self.names = app_names(rng, apps)
        self.plan = plan_adoptions(rng, apps, len(orgs), args.adoptions)
        self.active = [0] * apps
        for _, app, status in self.plan:
            self.active[app] += status == "active"
        self.review_plan = plan_reviews(rng, apps, len(orgs), args.reviews)
        self.ratings: list[list[int]] = [[] for _ in range(apps)]
        for _, app, rating, hidden, _ in self.review_plan:
            if not hidden:
                self.ratings[app].append(rating)
        self.advisory_apps = rng.sample(range(apps), min(args.advisories, apps))
        self.versions: list[str] = [""] * apps
        self.slugs: dict[str, uuid.UUID] = {}
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.checks = [{"id": c.id, "title": c.title, "version": c.version, "errors": 0, "warnings": 0,
                        "status": "passed"} for c in default_checks()]

    def app_batches(self) -> Iterator[dict[str, list[dict]]]:
        for start in range(0, len(self.ids), CHUNK):
            batch: dict[str, list[dict]] = {name: [] for name in TABLES}
            for index in range(start, min(start + CHUNK, len(self.ids))):
                for name, rows in self.app_rows(index).items():
                    batch[name] += rows
                    self.counts[name] += len(rows)
            yield batch

    def app_rows(self, index: int) -> dict[str, list[dict]]:
        rng, name, (app_id, release_id) = self.rng, self.names[index], self.ids[index]
        slug = "-".join(tokens(name))
        self.slugs[slug] = app_id
        version = f"{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
        released = NOW - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        publiccode, manifest = release_docs(rng, slug, name, version, released)
        publisher_id, publisher_code = rng.choice(self.orgs)
        sha = f"{rng.getrandbits(256):064x}"
        self.versions[index] = version
        ratings = self.ratings[index]
        app = {"id": app_id, "slug": slug, "kind": manifest["kind"], "publisher_id": publisher_id, "name": name,
               "short_description": publiccode["description"]["nl"]["shortDescription"], "listed": True,
               "latest_release_id": release_id, "latest_version": version, "latest_released_at": released,
               "adoption_count": self.active[index], "review_count": len(ratings),
               "rating_average": sum(ratings) / len(ratings) if ratings else None, "created_at": released}
        report = {"verdict": "accepted", "pipelineVersion": "1", "checkedAt": released.isoformat(), "sha256": sha,
                  "size": 4096, "checks": self.checks, "findings": []}
        release = {"id": release_id, "app_id": app_id, "version": version, "status": "accepted",
                   "publiccode": publiccode, "manifest": manifest, "report": report, "sha256": sha, "size": 4096,
                   "licence": publiccode["legal"]["license"], "published_by": "bench", "created_at": released}
        terms = [{"app_id": app_id, "term": t, "weight": w} for t, w in search_terms(publiccode).items()]
        facets = [{"app_id": app_id, "facet": f, "value": v}
                  for f, v in sorted(facet_values(publiccode, manifest, publisher_code))]
        return {"apps": [app], "releases": [release], "terms": terms, "facets": facets}

    def adoption_batches(self) -> Iterator[list[dict]]:
        for start in range(0, len(self.plan), CHUNK):
            yield [self.adoption_row(*step) for step in self.plan[start:start + CHUNK]]

    def review_batches(self) -> Iterator[list[dict]]:
        for start in range(0, len(self.review_plan), CHUNK):
            yield [self.review_row(*step) for step in self.review_plan[start:start + CHUNK]]

    def review_row(self, org: int, app: int, rating: int, hidden: bool, replied: bool) -> dict:
        written = NOW - dt.timedelta(minutes=self.rng.randint(0, 365 * 24 * 60))
        return {"id": new_id(self.rng), "app_id": self.ids[app][0], "organisation_id": self.orgs[org][0],
                "rating": rating, "text": rng_text(self.rng), "version": self.versions[app], "author": "bench",
                "created_at": written, "updated_at": written,
                "reply": "Dank voor uw beoordeling." if replied else None, "reply_by": "bench" if replied else None,
                "reply_at": written if replied else None, "hidden_reason": "Bench" if hidden else None,
                "hidden_by": "bench" if hidden else None, "hidden_at": written if hidden else None}

    def advisory_rows(self) -> list[dict]:
        rows = []
        for number, app in enumerate(self.advisory_apps, start=1):
            vector = self.rng.choice(VECTORS)
            _, score, severity = advisories.score(vector)
            published = NOW - dt.timedelta(minutes=self.rng.randint(0, 365 * 24 * 60))
            rows.append({"id": new_id(self.rng), "identifier": f"PLEIN-2025-{number:04d}", "app_id": self.ids[app][0],
                         "aliases": [f"CVE-2025-{10000 + number}"], "affected": f"<={self.versions[app]}",
                         "fixed": None, "cvss_vector": vector, "score": score, "severity": severity,
                         "summary": "Kwetsbaarheid in de bench", "details": "Bench.", "status": "published",
                         "published_at": published, "modified_at": published, "published_by": "bench"})
        return rows

    def adoption_row(self, org: int, app: int, status: str) -> dict:
        rng = self.rng
        created = NOW - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        activated = created + dt.timedelta(days=rng.randint(1, 30)) if status != "planned" else None
        ended = activated + dt.timedelta(days=rng.randint(1, 60)) if status == "ended" and activated else None
        return {"id": new_id(rng), "organisation_id": self.orgs[org][0], "app_id": self.ids[app][0],
                "release_id": self.ids[app][1], "status": status, "options": {"behandeltermijnDagen": 5},
                "created_at": created, "activated_at": activated, "ended_at": ended, "created_by": "bench"}


def rng_text(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, 2))


async def insert_rows(conn: Any, table: Any, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[start:start + CHUNK])


async def load(url: str, args: argparse.Namespace) -> DataSet:
    """Bulk-insert apps, releases, terms, facets and adoptions (Core inserts, one transaction)."""
    engine = make_engine(Settings(database_url=url))
    municipalities = (select(Organisation.id, Organisation.code).where(Organisation.kind == "municipality")
                      .order_by(Organisation.code))
    try:
        async with engine.begin() as conn:
            orgs = [(row.id, row.code) for row in await conn.execute(municipalities)]
            data = DataSet(random.Random(args.seed), orgs, args)
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("loading apps, adoptions and reviews",
                                         total=args.apps + args.adoptions + len(data.review_plan))
                for batch in data.app_batches():
                    for name, table in TABLES.items():
                        await insert_rows(conn, table, batch[name])
                    progress.advance(task, len(batch["apps"]))
                for rows in data.adoption_batches():
                    await insert_rows(conn, Adoption.__table__, rows)
                    progress.advance(task, len(rows))
                for rows in data.review_batches():
                    await insert_rows(conn, Review.__table__, rows)
                    progress.advance(task, len(rows))
                await insert_rows(conn, Advisory.__table__, data.advisory_rows())
        return data
    finally:
        await engine.dispose()


# -- the server and the measurements -----------------------------------------------------------------------------

@contextmanager
def server(url: str, temp: Path) -> Iterator[httpx.Client]:
    """`plein serve` as a subprocess; a keep-alive client once it answers; always stopped."""
    with plein_server(url, temp) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def timed(call: Callable[[Any], object], items: list[Any], count: int) -> tuple[list[float], float]:
    """Latencies in seconds of `count` calls rotating over items, after WARMUP untimed calls; and the wall time."""
    for index in range(WARMUP):
        call(items[index % len(items)])
    latencies = []
    began = time.perf_counter()
    for index in range(count):
        start = time.perf_counter()
        call(items[index % len(items)])
        latencies.append(time.perf_counter() - start)
    return latencies, time.perf_counter() - began


@dataclass
class Search:
    text: str
    filters: list[tuple[str, str]]
    sort: str | None = None

    def params(self) -> list[tuple[str, str]]:
        return [*(("q", self.text),) * bool(self.text), *self.filters, *(("sort", self.sort),) * bool(self.sort)]


def scenarios(rng: random.Random, slugs: list[str], count: int) -> dict[str, list[Any]]:
    searches = [Search(word, rng.sample(FILTERS, rng.choice((1, 2)))) for word in SEARCH_WORDS for _ in range(2)]
    browse = [Search("", [], "adoptions"), Search("", [], "adoptions")]
    browse += [Search("", [choice], "adoptions") for choice in FILTERS]
    rated = [Search("", [], "rating")] + [Search("", [choice], "rating") for choice in FILTERS]
    return {"facet search": searches, "browse": browse, "by rating": rated,
            "app page": rng.sample(slugs, min(count, len(slugs)))}


# -- raw SQL -----------------------------------------------------------------------------------------------------

def raw_search(search: Search) -> list[tuple[str, dict[str, Any]]]:
    """Hand-written SQL: the page; then the facet counts with publisher names and the exact total (a row of NULLs)."""
    terms = list(dict.fromkeys(tokens(search.text)))
    params: dict[str, Any] = {}
    for index, term in enumerate(terms):
        params[f"t{index}"], params[f"u{index}"] = term, term[:-1] + chr(ord(term[-1]) + 1)
    ranges = [f"(term >= :t{index} AND term < :u{index})" for index in range(len(terms))]
    if terms:
        which = " ".join(f"WHEN {r} THEN {i}" for i, r in enumerate(ranges))
        hits = (f"WITH m AS (SELECT app_id, SUM(weight) AS score FROM store_app_terms WHERE {' OR '.join(ranges)} "
                f"GROUP BY app_id HAVING COUNT(DISTINCT CASE {which} END) = {len(terms)}), hits AS (SELECT "
                "m.app_id AS id, m.score FROM m WHERE EXISTS (SELECT 1 FROM store_apps a WHERE a.id = m.app_id "
                "AND a.listed)")
        key = "m.app_id"
    else:
        hits, key = "WITH hits AS (SELECT a.id, 0 AS score FROM store_apps a WHERE a.listed", "a.id"
    filters: dict[str, list[str]] = {}
    for facet, value in search.filters:
        filters.setdefault(facet, []).append(value)
    for index, (facet, values) in enumerate(filters.items()):
        params[f"f{index}"] = facet
        params.update({f"f{index}v{n}": value for n, value in enumerate(values)})
        chosen = ", ".join(f":f{index}v{n}" for n in range(len(values)))
        hits += (f" AND EXISTS (SELECT 1 FROM store_app_facets f WHERE f.app_id = {key} "
                 f"AND f.facet = :f{index} AND f.value IN ({chosen}))")
    orders = {"relevance": "h.score DESC, a.adoption_count DESC",
              "adoptions": "a.adoption_count DESC, a.latest_released_at DESC",
              "rating": "COALESCE(a.rating_average, 0) DESC, a.review_count DESC, a.adoption_count DESC"}
    order = orders[search.sort or ("relevance" if terms else "adoptions")]
    page = (f"{hits}) SELECT a.id, a.slug, a.name, a.short_description, a.kind, o.code, o.name, a.latest_version, "
            "a.latest_released_at, a.adoption_count, a.review_count, a.rating_average, h.score "
            "FROM hits h JOIN store_apps a ON a.id = h.id "
            f"JOIN organisations o ON o.id = a.publisher_id ORDER BY {order}, a.id LIMIT 20")
    facets = (f"{hits}) SELECT c.facet, c.value, c.n, o.name FROM (SELECT f.facet, f.value, COUNT(*) AS n "
              "FROM hits h JOIN store_app_facets f ON f.app_id = h.id GROUP BY f.facet, f.value "
              "UNION ALL SELECT NULL, NULL, COUNT(*) FROM hits) c "
              "LEFT JOIN organisations o ON c.facet = 'publisher' AND o.code = c.value")
    return [(page, params), (facets, params)]


def raw_app_page(slug: str) -> list[tuple[str, dict[str, Any]]]:
    """The app row with its publisher, its accepted releases, and its open adoptions with municipality names."""
    app = ("SELECT a.*, o.code, o.name FROM store_apps a JOIN organisations o ON o.id = a.publisher_id "
           "WHERE a.slug = :slug")
    releases = ("SELECT r.version, r.status, r.created_at, r.sha256, r.licence, r.report, r.publiccode, r.manifest "
                "FROM store_releases r JOIN store_apps a ON a.id = r.app_id WHERE a.slug = :slug "
                "AND r.status = 'accepted' ORDER BY r.created_at DESC")
    users = ("SELECT o.code, o.name, d.status, COALESCE(d.activated_at, d.created_at) AS since, r.version "
             "FROM store_adoptions d JOIN store_apps a ON a.id = d.app_id "
             "JOIN organisations o ON o.id = d.organisation_id JOIN store_releases r ON r.id = d.release_id "
             "WHERE a.slug = :slug AND d.status != 'ended' ORDER BY since")
    return [(sql, {"slug": slug}) for sql in (app, releases, users)]


class Raw:
    """Runs SQL with :name parameters straight on the driver: stdlib sqlite3, or asyncpg on its own event loop."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self.loop = asyncio.new_event_loop()
        self.conn: Any = (sqlite3.connect(make_url(url).database or "") if self.sqlite
                          else self.loop.run_until_complete(asyncpg.connect(pg_dsn(url))))

    def run(self, statements: list[tuple[str, dict[str, Any]]]) -> list[list[tuple]]:
        if self.sqlite:
            return [self.conn.execute(sql, params).fetchall() for sql, params in statements]
        return self.loop.run_until_complete(self._fetch(statements))

    async def _fetch(self, statements: list[tuple[str, dict[str, Any]]]) -> list[list[tuple]]:
        results = []
        for sql, params in statements:
            names = list(dict.fromkeys(re.findall(r":(\w+)", sql)))
            numbered = re.sub(r":(\w+)", lambda m, names=names: f"${names.index(m[1]) + 1}", sql)
            results.append([tuple(row) for row in await self.conn.fetch(numbered, *(params[n] for n in names))])
        return results

    def close(self) -> None:
        closing = self.conn.close()
        if not self.sqlite:
            self.loop.run_until_complete(closing)
        self.loop.close()


def check_same(name: str, search: Search, body: dict, raw: list[list[tuple]], slugs: dict[str, uuid.UUID]) -> int:
    """Warn when the raw SQL does not give the API's page ids, total and facet counts; how many differ."""
    api_ids = [slugs[item["slug"]] for item in body["results"]]
    raw_ids = [row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(row[0]) for row in raw[0]]
    total = next(row[2] for row in raw[1] if row[0] is None)
    api_facets = {(f, v["value"], v["count"]) for f, values in body["facets"].items() for v in values}
    raw_facets = {(row[0], row[1], row[2]) for row in raw[1] if row[0] is not None}
    differ = [what for what, same in (("page ids", api_ids == raw_ids), ("total", body["total"] == total),
                                      ("facet counts", api_facets == raw_facets)) if not same]
    for what in differ:
        console.print(f"[yellow]warning:[/] {name} {search.params()}: raw SQL {what} differ from the API's")
    return len(differ)


# -- the run -----------------------------------------------------------------------------------------------------

def api_call(client: httpx.Client, item: Any) -> httpx.Response:
    if isinstance(item, Search):
        return client.get("/api/store/v1/apps", params=item.params()).raise_for_status()
    return client.get(f"/api/store/v1/apps/{item}").raise_for_status()


def raw_sql(item: Any) -> list[tuple[str, dict[str, Any]]]:
    return raw_search(item) if isinstance(item, Search) else raw_app_page(item)


def measure(client: httpx.Client, raw: Raw, slugs: dict[str, uuid.UUID], args: argparse.Namespace) -> list[list]:
    """Per scenario: API p50, p99 and req/s; raw SQL p50 and the ratio (after checking the raw rows once)."""
    rows, checked, differ = [], 0, 0
    for name, items in scenarios(random.Random(args.seed + 1), sorted(slugs), args.requests).items():
        for search in items if name != "app page" else []:
            checked += 1
            differ += check_same(name, search, api_call(client, search).json(), raw.run(raw_search(search)), slugs)
        latencies, wall = timed(lambda item: api_call(client, item), items, args.requests)
        raw_latencies, _ = timed(lambda item: raw.run(raw_sql(item)), items, args.requests)
        p50, raw_p50 = statistics.median(latencies), statistics.median(raw_latencies)
        p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
        rows.append([name, ms(p50), ms(p99), f"{args.requests / wall:.0f}", ms(raw_p50), f"{p50 / raw_p50:.1f}×"])
    console.print(f"Raw SQL checked against the API on {checked} searches: {differ or 'no'} differences "
                  "in page ids, totals and facet counts")
    return rows


def report(rows: list[list], database: str) -> None:
    table = Table(title=f"Store search on {database} (timed requests after {WARMUP} warm-up each)")
    for column in ("scenario", "p50 ms", "p99 ms", "req/s", "raw p50 ms", "p50 / raw p50"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    facet = rows[0]
    console.print(f"target: facet search p50 ≤ 5× raw and < 50 ms — measured: p50 {facet[1]} ms, "
                  f"{facet[5]} raw ({facet[4]} ms)")


BENCH_ACTOR = Principal("cli", "bench", "Bench", frozenset(), all_rights=True)
TARGET_APP = "bench-advisory-target"
TARGET_MUNICIPALITIES = 342  # the Netherlands' municipalities (the seeded table may hold a few that merged since)


async def adopted_everywhere(url: str, data: DataSet) -> None:
    """One more app (unlisted, so search is unchanged) at version 1.0.0 with an open adoption in 342 municipalities."""
    engine = make_engine(Settings(database_url=url))
    app_id, release_id = new_id(data.rng), new_id(data.rng)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(App.__table__), [{
                "id": app_id, "slug": TARGET_APP, "kind": "service", "publisher_id": data.orgs[0][0],
                "name": "Bench advisory target", "short_description": "", "listed": False,
                "latest_release_id": release_id, "latest_version": "1.0.0", "latest_released_at": NOW,
                "adoption_count": TARGET_MUNICIPALITIES, "created_at": NOW}])
            await conn.execute(insert(Release.__table__), [{
                "id": release_id, "app_id": app_id, "version": "1.0.0", "status": "accepted", "report": {},
                "sha256": "0" * 64, "size": 1, "published_by": "bench", "created_at": NOW}])
            await insert_rows(conn, Adoption.__table__, [{
                "id": new_id(data.rng), "organisation_id": org_id, "app_id": app_id, "release_id": release_id,
                "status": "active", "options": {}, "created_at": NOW, "activated_at": NOW, "ended_at": None,
                "created_by": "bench"} for org_id, _ in data.orgs[:TARGET_MUNICIPALITIES]])
    finally:
        await engine.dispose()


async def publish_advisory(url: str) -> tuple[float, int]:
    """Publish one advisory on the target app (in-process, the service function the API calls): the seconds it
    took, the advisory and all its notifications committed, and how many notifications were written."""
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_session_factory(engine)() as session:
            began = time.perf_counter()
            advisory = await advisories.publish(session, TARGET_APP, advisories.AdvisoryInput(
                affected="<1.1.0", fixed="1.1.0", cvss=VECTORS[0], summary="Bench", details="Bench."),
                BENCH_ACTOR, "http://127.0.0.1")
            took = time.perf_counter() - began
            url_of = advisories.advisory_url("http://127.0.0.1", advisory.identifier)
            notified = await session.scalar(select(func.count()).select_from(Message).where(
                Message.kanaal == "store", Message.hoofd_object == url_of))
        return took, int(notified or 0)
    finally:
        await engine.dispose()


def main() -> None:
    args = parse_args()
    temp = Path(tempfile.mkdtemp(prefix="plein-bench-"))
    try:
        with bench_database(args.database_url, temp) as url:
            database = make_url(url).get_backend_name()
            console.print(f"Loading {args.apps:,} apps and {args.adoptions:,} adoptions into {database} …")
            began = time.perf_counter()
            upgrade_and_seed(Settings(database_url=url))
            data = asyncio.run(load(url, args))
            if database != "sqlite":
                asyncio.run(pg_admin(url, "VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
            console.print(f"Loaded in {time.perf_counter() - began:.1f} s (with migrations and municipalities): "
                          + ", ".join(f"{count:,} {name}" for name, count in data.counts.items())
                          + f", {len(data.plan):,} adoptions over {len(data.orgs)} municipalities, "
                          f"{len(data.review_plan):,} reviews, {len(data.advisory_apps):,} advisories")
            asyncio.run(adopted_everywhere(url, data))
            took, notified = asyncio.run(publish_advisory(url))
            console.print(f"Publishing one advisory that affects {TARGET_MUNICIPALITIES} municipalities' adoptions: "
                          f"{notified} notifications written and committed in {ms(took)} ms (target: all within "
                          "1 s)")
            raw = Raw(url)
            try:
                with server(url, temp) as client:
                    rows = measure(client, raw, data.slugs, args)
            finally:
                raw.close()
            report(rows, database)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
