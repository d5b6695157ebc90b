"""The login simulator (dev, demo and test only): log in as a citizen (a BSN and a DigiD level) or as a business (KvK
number, vestigingsnummer, acting person, eHerkenning level and machtigingen) without a broker; the forms' checks."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import yaml

from plein import apps
from plein.auth import assurance, logins
from plein.identifiers import passes_elfproef

PERSONS_SHOWN = 50  # persons from the BRP offered to log in as


@dataclass(frozen=True)
class DemoCompany:
    kvk: str
    name: str


# Made-up companies with valid-looking KvK numbers (8 digits), offered in the simulator.
DEMO_COMPANIES = (
    DemoCompany("68750110", "Uitvaartzorg De Linde B.V."),
    DemoCompany("71623145", "Uitvaartverzorging Van der Meer"),
    DemoCompany("59817746", "Bakkerij Het Korenschoof"),
    DemoCompany("80431293", "Installatiebedrijf Noord B.V."),
)


@dataclass(frozen=True)
class Service:
    """A service a simulated employee can hold a machtiging for: its app id and name."""

    id: str
    name: str


@functools.cache
def built_in_services() -> tuple[Service, ...]:
    """The service apps Plein ships (id from plein.yaml, name from publiccode.yml), by name."""
    found = []
    for app in apps.BUILT_IN:
        folder = apps.package_path(app)
        manifest = yaml.safe_load((folder / "plein.yaml").read_text(encoding="utf-8")) or {}
        if manifest.get("kind") != "service":
            continue
        publiccode = yaml.safe_load((folder / "publiccode.yml").read_text(encoding="utf-8")) or {}
        found.append(Service(app, str(publiccode.get("name") or app)))
    return tuple(sorted(found, key=lambda service: service.name))


def services(asked: str | None) -> list[Service]:
    """The machtigingen offered: the built-in services, and the service the login is for when that is another."""
    offered = list(built_in_services())
    if asked and logins.is_service_id(asked) and all(service.id != asked for service in offered):
        offered.append(Service(asked, asked))
    return offered


@dataclass
class Outcome:
    """A checked simulator form: the login it makes, or the problems as (field id, Dutch message)."""

    login: logins.NewLogin | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


def _digits(value: str) -> str:
    return "".join(value.split())


def citizen(fields: Mapping[str, str], names: Mapping[str, str]) -> Outcome:
    """The citizen form: a typed BSN (else the person picked from the BRP) and a DigiD level. `names` are the
    names of the persons offered, shown as the login's name."""
    typed = _digits(fields.get("bsn", ""))
    bsn = typed or fields.get("persoon", "").strip()
    outcome = Outcome()
    if not bsn:
        outcome.errors.append(("inwoner-persoon", "Kies een persoon of typ een burgerservicenummer."))
    elif not passes_elfproef(bsn):
        outcome.errors.append(("inwoner-bsn", "Het burgerservicenummer moet uit 9 cijfers bestaan en voldoen aan "
                                              "de elfproef."))
    level = assurance.parse_level(fields.get("digid_niveau", ""), assurance.DIGID)
    if level is None:
        outcome.errors.append(("inwoner-niveau-basis", "Kies een betrouwbaarheidsniveau."))
    if not outcome.errors and level is not None:
        outcome.login = logins.citizen(bsn, level, "simulator", names.get(bsn))
    return outcome


def business(fields: Mapping[str, str], mandates: Iterable[str] = ()) -> Outcome:
    """The business form: a typed KvK number (else the demo company picked), an optional vestigingsnummer, the name
    of the person acting for the company, an eHerkenning level and the services checked as machtigingen."""
    typed = _digits(fields.get("kvk", ""))
    kvk = typed or fields.get("bedrijf", "").strip()
    branch = _digits(fields.get("vestiging", "")) or None
    acting = " ".join(fields.get("medewerker", "").split())
    outcome = Outcome()
    if not kvk:
        outcome.errors.append(("ondernemer-bedrijf", "Kies een bedrijf of typ een KvK-nummer."))
    elif len(kvk) != 8 or not kvk.isascii() or not kvk.isdigit():
        outcome.errors.append(("ondernemer-kvk", "Het KvK-nummer moet uit 8 cijfers bestaan."))
    if branch is not None and (len(branch) != 12 or not branch.isascii() or not branch.isdigit()):
        outcome.errors.append(("ondernemer-vestiging", "Het vestigingsnummer moet uit 12 cijfers bestaan, of laat "
                                                       "het leeg."))
    if not acting:
        outcome.errors.append(("ondernemer-medewerker", "Vul de naam in van de medewerker die inlogt."))
    level = assurance.parse_level(fields.get("eh_niveau", ""), assurance.EHERKENNING)
    if level is None:
        outcome.errors.append(("ondernemer-niveau-EH1", "Kies een betrouwbaarheidsniveau."))
    if not outcome.errors and level is not None:
        name = next((company.name for company in DEMO_COMPANIES if company.kvk == kvk), None)
        outcome.login = logins.business(kvk, branch, acting, level, "simulator", name, mandates)
    return outcome
