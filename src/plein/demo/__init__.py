"""The demo: a fresh database with all municipalities, sample apps published through the real pipeline, adoptions."""

from __future__ import annotations

import asyncio
import fcntl
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import IO

import yaml
from rich.console import Console
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from plein.apps import BUILT_IN, package_path
from plein.auth.service import Principal, create_client, create_user
from plein.db import make_engine, make_session_factory
from plein.demo.cases import CITIZENS, FUNERAL_DIRECTOR, add_demo_cases, add_new_addresses
from plein.demo.market import ADVISED_VERSION, FIXED_VERSION, REVIEWS, add_marketplace
from plein.demo.wishes import add_demo_wishes
from plein.exchange.service import GrantRequest, create_activity, create_grant
from plein.migrate import seed_reference_data, upgrade
from plein.organisations.service import create_organisation
from plein.registers.fields import BAG_FIELDS
from plein.registers.gbav import import_gbav
from plein.settings import Settings
from plein.storage import FileStorage, storage_from_settings
from plein.store import adoptions
from plein.store.package import load_package
from plein.store.service import publish

PASSWORD = "plein-demo-2026"  # noqa: S105 - the demo's published password, refused outside dev and demo
CLIENT_SECRET = "plein-demo-client-secret-for-amsterdam"  # noqa: S105
GBAV_FILE = "gba-v-testset-20220502.csv"
DEMO_ACTIVITY = "demo-raadplegen"
DEMO_BRP_FIELDS = ["burgerservicenummer", "naam", "geboorte", "geslacht", "leeftijd", "verblijfplaats",
                   "gemeenteVanInschrijving", "partners", "kinderen", "ouders", "overlijden"]
PLEIN = "plein"
VENDOR = "afvalwijzer"
LOGINS = [
    ("beheerder.amsterdam", "Functioneel beheerder, Amsterdam", [("0363", "beheerder"), ("0363", "publisher")]),
    ("beheerder.utrecht", "Functioneel beheerder, Utrecht", [("0344", "beheerder"), ("0344", "publisher")]),
    ("beheerder.rotterdam", "Functioneel beheerder, Rotterdam", [("0599", "beheerder"), ("0599", "publisher")]),
    ("curator", "Curator van de store", [(PLEIN, "curator"), (PLEIN, "publisher")]),
    ("behandelaar.amsterdam", "Behandelaar burgerzaken, Amsterdam", [("0363", "behandelaar")]),
    ("behandelaar.utrecht", "Behandelaar burgerzaken, Utrecht", [("0344", "behandelaar")]),
    ("behandelaar.denhaag", "Behandelaar burgerzaken, Den Haag", [("0518", "behandelaar")]),
    ("burgerlijkestand.amsterdam", "Ambtenaar burgerlijke stand, Amsterdam", [("0363", "behandelaar")]),
    ("burgerlijkestand.denhaag", "Ambtenaar burgerlijke stand, Den Haag", [("0518", "behandelaar")]),
]
# (package, publisher); the last one fails admission on purpose, so its report can be seen.
DEMO_PACKAGES = [
    ("bruggen-op-afstand", "0363"), ("meldingen-openbare-ruimte", "0344"), ("afvalkalender", VENDOR),
    ("parkeervergunning-aanvragen", "0599"),
]
# (municipality, app, options, active). Verhuizing doorgeven runs three ways: Amsterdam decides straight-through,
# Utrecht asks for proof and a case worker decides, Den Haag takes moves at the desk (an appointment request).
ADOPTIONS = [
    ("0363", "verhuizing-doorgeven", {"automatischAfhandelen": True, "behandeltermijnDagen": 5,
                                      "contactEmail": "verhuizen@amsterdam.example"}, True),
    ("0363", "bruggen-op-afstand", {"centrale": "Centrale Amsterdam", "aantalObjecten": 120}, True),
    ("0344", "verhuizing-doorgeven", {"bewijsstukVereist": True, "behandeltermijnDagen": 10,
                                      "contactEmail": "burgerzaken@utrecht.example"}, True),
    ("0344", "meldingen-openbare-ruimte", {"anoniemMelden": True}, True),
    ("0344", "bruggen-op-afstand", {"centrale": "Centrale Utrecht", "aantalObjecten": 14}, False),
    ("0599", "uittreksel-brp", {"legesEur": 15.6}, True),
    ("0599", "afvalkalender", {}, True),
    ("0599", "verhuizing-doorgeven", {"behandeltermijnDagen": 40}, False),
    ("0518", "aangifte-overlijden", {"bereikbaarheid": "piket", "contactTelefoon": "070 353 3000",
                                     "contactEmail": "burgerlijkestand@denhaag.example"}, True),
    ("0363", "aangifte-overlijden", {"nabestaandenDigitaal": True, "zelfdeWerkdagVoor": "14:00",
                                     "contactEmail": "burgerlijkestand@amsterdam.example"}, True),
    ("0363", "uittreksel-brp", {"legesEur": 16.45, "contactEmail": "burgerzaken@amsterdam.example"}, True),
    ("0518", "verhuizing-doorgeven", {"intake": "balie", "behandeltermijnDagen": 14,
                                      "contactEmail": "burgerzaken@denhaag.example"}, True),
    ("0772", "uittreksel-brp", {"legesEur": 16.45, "internationaal": False}, True),
    ("0014", "afvalkalender", {"stromen": "rest-gft-papier"}, False),
]


def demo_package(name: str) -> Path:
    return Path(str(resources.files("plein.demo").joinpath("packages", name)))


NEXT_VERSION = "2.1.0"


def _next_release(folder: Path) -> Path:
    """verhuizing-doorgeven 2.1.0: a new option, and a tighter bound on the handling time (so one upgrade blocks)."""
    manifest = yaml.safe_load((folder / "plein.yaml").read_text("utf-8"))
    publiccode = yaml.safe_load((folder / "publiccode.yml").read_text("utf-8"))
    manifest["version"] = publiccode["softwareVersion"] = NEXT_VERSION
    publiccode["releaseDate"] = "2026-12-08"
    manifest["options"]["properties"]["behandeltermijnDagen"]["maximum"] = 28
    manifest["options"]["properties"]["afspraakAanbieden"] = {
        "type": "boolean", "title": "Afspraak aanbieden", "default": True,
        "description": "Bied inwoners die aan de balie willen komen een afspraak aan.",
    }
    (folder / "plein.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    (folder / "publiccode.yml").write_text(yaml.safe_dump(publiccode, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


async def _publish_all(session: AsyncSession, storage: FileStorage, console: Console) -> None:
    actor = Principal("demo", "plein-demo", "Plein demo", frozenset(), all_rights=True)
    packages = [(package_path(name), PLEIN) for name in BUILT_IN]
    packages += [(demo_package(name), publisher) for name, publisher in DEMO_PACKAGES]
    with tempfile.TemporaryDirectory() as temp:
        upgrade_folder = shutil.copytree(package_path("verhuizing-doorgeven"), Path(temp) / "verhuizing")
        packages.append((_next_release(upgrade_folder), PLEIN))
        for folder, publisher in packages:
            result = await publish(session, storage, load_package(folder), publisher, actor)
            errors = sum(1 for f in result.report["findings"] if f["severity"] == "error")
            accepted = result.release.status == "accepted"
            mark = "[green]admitted[/green]" if accepted else f"[red]rejected[/red] ({errors} errors, see its report)"
            console.print(f"  {result.release.app.slug} {result.release.version}: {mark}")


async def _adopt_all(session: AsyncSession, base_url: str) -> None:
    """The demo's adoptions; activating verhuizing-doorgeven provides its zaaktype in each municipality."""
    actor = Principal("demo", "plein-demo", "Plein demo", frozenset(), all_rights=True)
    for code, app, options, active in ADOPTIONS:
        version = "2.0.0" if app == "verhuizing-doorgeven" else None
        await adoptions.adopt(session, code, app, options, actor, version=version, activate=active,
                              base_url=base_url)


class DemoRefused(Exception):
    """The demo will not touch this database; the message says why and what to do instead."""


def build_demo(settings: Settings, fresh: bool = True, console: Console | None = None) -> None:
    """Build the demo database (in settings.database_url): migrations, municipalities, users, a client, apps and
    adoptions. `fresh` starts from nothing, but only on a database the demo made itself (DemoRefused otherwise)."""
    console = console or Console()
    if fresh:
        _start_fresh(settings.database_url)
    upgrade(settings)
    _mark_as_demo(settings.database_url)
    added = asyncio.run(seed_reference_data(settings))
    console.print(f"Municipalities loaded: {added}")
    if fresh:
        asyncio.run(_populate(settings, console))


async def _populate(settings: Settings, console: Console) -> None:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            await create_organisation(session, PLEIN, "Plein (coöperatie van gemeenten)", kind="cooperation")
            await create_organisation(session, VENDOR, "Afvalwijzer B.V.", kind="vendor")
            for username, name, roles in LOGINS:
                await create_user(session, username, PASSWORD, name, roles)
            await create_client(session, "demo-amsterdam", "0363", ["publisher", "beheerder"], secret=CLIENT_SECRET)
            console.print("Publishing sample apps through the admission pipeline:")
            await _publish_all(session, storage_from_settings(settings), console)
            await _adopt_all(session, settings.base_url)
            await _load_registers(session, console)
            made_wishes = await add_demo_wishes(session, settings.base_url)
            console.print(f"Wishes (joint demand): {', '.join(made_wishes)}, joined by other municipalities")
            await add_new_addresses(session)
            await _grant_demo_client(session)
            made = await add_demo_cases(session, settings, "demo-amsterdam")
            console.print(f"Cases: {made} aanvragen (moves, death registrations, a paid extract) made through the "
                          "service engine, each a zaak of the zaaktype that activating the app provided in the "
                          "municipality's catalogus")
            advisory = await add_marketplace(session, storage_from_settings(settings),
                                             demo_package("meldingen-openbare-ruimte"),
                                             settings.store_review_min_days, settings.base_url)
            console.print(f"Marketplace: {len(REVIEWS)} reviews by municipalities that have used the app for months "
                          f"(e.g. /apps/verhuizing-doorgeven#beoordelingen); security advisory {advisory} affects "
                          f"Utrecht's Meldingen openbare ruimte {ADVISED_VERSION} only: the banner at "
                          f"/gemeenten/0344/apps, the upgrade to {FIXED_VERSION} on that adoption's page (as "
                          "beheerder.utrecht)")
    finally:
        await engine.dispose()


async def _load_registers(session: AsyncSession, console: Console) -> None:
    """RvIG's GBA-V test persons in the BRP (and the BAG addresses they live at)."""
    path = Path(str(resources.files("plein.registers").joinpath("data", GBAV_FILE)))
    report = await import_gbav(session, path)
    console.print(f"BRP test persons (GBA-V test set): {report.persons_created} imported, {len(report.rejected)} rows "
                  "not importable (see `plein registers import-gbav`)")


async def _grant_demo_client(session: AsyncSession) -> None:
    """The demo client may read typical BRP and BAG fields for one registered processing activity."""
    actor = Principal("demo", "plein-demo", "Plein demo", frozenset(), all_rights=True)
    await create_activity(session, actor, "0363", DEMO_ACTIVITY, "Demo: gegevens raadplegen",
                          "Laten zien hoe een gemeentelijke app de BRP en BAG raadpleegt", "Demo, geen echte grondslag")
    for register, fields in (("brp", DEMO_BRP_FIELDS), ("bag", sorted(BAG_FIELDS))):
        await create_grant(session, actor, GrantRequest("demo-amsterdam", register, fields, DEMO_ACTIVITY))


MARKER = ".plein-demo"  # next to a SQLite file the demo made: `demo.db.plein-demo`


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database)."""
    return Path(url.split("///", 1)[-1]) if url.startswith("sqlite") else None


def _start_fresh(url: str) -> None:
    """Remove the demo's previous SQLite file; anything else is refused: a SQLite file the demo did not make, and a
    PostgreSQL database that has tables (the demo never drops them)."""
    path = sqlite_path(url)
    if path is None:
        if asyncio.run(_has_tables(url)):
            raise DemoRefused("PLEIN_DATABASE_URL names a PostgreSQL database that already has tables; the demo "
                              "does not delete them. Give an empty database, or start with --no-fresh to use it as "
                              "it is.")
        return
    if path.exists() and not Path(f"{path}{MARKER}").exists():
        raise DemoRefused(f"{path} exists and was not made by `plein demo`; it is left alone. Set "
                          "PLEIN_DATABASE_URL to another file, or start with --no-fresh to use it as it is.")
    for suffix in ("", "-wal", "-shm", MARKER):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _has_tables(url: str) -> bool:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return bool(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


def _mark_as_demo(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        Path(f"{path}{MARKER}").write_text("made by `plein demo`: it may delete this database to start afresh\n")


def hold_database(url: str) -> IO[str] | None:
    """Take the demo's lock on its SQLite file for as long as the returned file stays open (the serving demo keeps
    it): a second demo on the same file is refused instead of deleting the first one's database."""
    path = sqlite_path(url)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = Path(f"{path}.lock").open("w")  # noqa: SIM115 - held open while the demo runs
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        lock.close()
        raise DemoRefused(f"another `plein demo` is using {path}; stop it first, or set PLEIN_DATABASE_URL to "
                          "another file") from exc
    return lock


def print_logins(console: Console, port: int) -> None:
    console.rule("Plein demo")
    console.print(f"Open [bold]http://127.0.0.1:{port}[/bold] (API documentation: /api/docs)")
    console.print(f"Staff logins (password [bold]{PASSWORD}[/bold]):")
    for username, name, _ in LOGINS:
        console.print(f"  {username:22} {name}")
    console.print(f"  curator changes the admission policy at http://127.0.0.1:{port}/toelatingsbeleid and the list of "
                  "standards at /standaarden; publishers (the beheerders, curator) upload packages at /publiceren")
    console.print(f"API client: demo-amsterdam, secret {CLIENT_SECRET} "
                  "(HS256 JWT; publisher and beheerder for Amsterdam, 0363)")
    console.print(f"  it may read BRP and BAG fields with the header 'X-Verwerkingsactiviteit: {DEMO_ACTIVITY}', "
                  "e.g. BSN 999993653 (GBA-V test set)")
    console.print("Citizen insight: `plein exchange citizen-token 999993653`, then GET /api/inzage/v1/verwerkingen")
    console.print(f"Services: http://127.0.0.1:{port}/diensten/amsterdam, /diensten/utrecht, /diensten/s-gravenhage; "
                  "log in with the login simulator as one of these GBA-V test persons:")
    for bsn, name, place, note in CITIZENS:
        console.print(f"  {bsn}  {name:26} {place:10} {note}")
    console.print("Case workers (password above): behandelaar.amsterdam, behandelaar.utrecht, behandelaar.denhaag, "
                  f"at /werkvoorraad/<code>, e.g. http://127.0.0.1:{port}/werkvoorraad/0344")
    kvk, company, _ = FUNERAL_DIRECTOR
    console.print(f"Funeral director: log in with the login simulator as a company (eHerkenning), {company} "
                  f"(KvK {kvk}), with the machtiging for Aangifte overlijden; register a death at "
                  f"http://127.0.0.1:{port}/diensten/s-gravenhage/aangifte-overlijden (any BSN above) and see the "
                  f"company's registrations at /zakelijk (one approved, with the verlof to download; one waiting in "
                  f"Den Haag; one rejected). The registrars burgerlijkestand.amsterdam and burgerlijkestand.denhaag "
                  f"decide them at /werkvoorraad/0363 and /werkvoorraad/0518.")
    console.print(f"Store: reviews at http://127.0.0.1:{port}/apps/verhuizing-doorgeven#beoordelingen; a security "
                  f"advisory affects Utrecht's Meldingen openbare ruimte {ADVISED_VERSION}: log in as "
                  f"beheerder.utrecht and open http://127.0.0.1:{port}/gemeenten/0344/apps for the banner and the "
                  f"upgrade to {FIXED_VERSION}; the advisory itself at /apps/meldingen-openbare-ruimte#beveiliging")
    console.print(f"Extract: as a citizen of Amsterdam, http://127.0.0.1:{port}/diensten/amsterdam/uittreksel-brp; "
                  "the payment simulator lets you pay, cancel or fail; check the PDF's code at /verifieer.")
    console.rule()
