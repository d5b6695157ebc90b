"""The admission policy: which findings a curator may make an error or a warning, its versions, and the check
context the pipeline runs with (the current policy and the list of standards)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.store import service, spectral, standards
from plein.store.checks import CheckContext
from plein.store.findings import Severity
from plein.store.models import AdmissionPolicy
from plein.store.package import AppPackage

LEVELS: tuple[Severity, ...] = ("error", "warning")
INITIAL_VERSION = 1  # seeded by the migration: every finding as its check gives it
INITIAL_REASON = "Beginbeleid: elke bevinding telt zoals de controle haar geeft."
REASON_MIN, REASON_MAX = 10, 2000


@dataclass(frozen=True)
class PolicyRule:
    """A finding code the curator may set: its group on the page, what it means, and its check's own severity."""

    code: str
    group: str
    title: str
    default: Severity


# publiccode.yml rules that concern content, not whether the file can be read at all (those stay errors).
PUBLICCODE_RULES = {
    "publiccode.alias": "Een categorie- of soortnaam is een verouderde alias",
    "publiccode.category": "Een categorie staat niet in de lijst van de standaard",
    "publiccode.country-code": "Een landcode is geen ISO 3166-1 alpha-2-code",
    "publiccode.date": "Een datum is niet in de vorm JJJJ-MM-DD",
    "publiccode.deprecated": "Een sleutel is verouderd in de standaard",
    "publiccode.email": "Een e-mailadres is ongeldig",
    "publiccode.enum": "Een waarde staat niet in de toegestane lijst",
    "publiccode.file-content": "Een logo of screenshot heeft een onleesbare inhoud",
    "publiccode.file-format": "Een logo of screenshot heeft een niet toegestaan bestandsformaat",
    "publiccode.file-missing": "Een genoemd bestand zit niet in het pakket",
    "publiccode.file-path": "Een bestandspad is ongeldig",
    "publiccode.generic-name-length": "De algemene naam is te lang",
    "publiccode.language-code": "Een taalcode is ongeldig",
    "publiccode.long-description-length": "De lange beschrijving is te kort of te lang",
    "publiccode.mime-type": "Een MIME-type is ongeldig",
    "publiccode.not-allowed": "Een sleutel is hier niet toegestaan",
    "publiccode.phone": "Een telefoonnummer is ongeldig",
    "publiccode.required": "Een verplichte sleutel ontbreekt",
    "publiccode.scope": "Een toepassingsgebied staat niet in de lijst van de standaard",
    "publiccode.short-description-length": "De korte beschrijving is te lang",
    "publiccode.spdx": "De licentie is geen geldige SPDX-expressie",
    "publiccode.spdx-deprecated": "De licentie gebruikt een verouderde SPDX-naam",
    "publiccode.unknown-key": "Een sleutel is onbekend in de standaard",
    "publiccode.uri": "Een URI is ongeldig",
    "publiccode.url": "Een URL is ongeldig of niet bereikbaar als https",
    "publiccode.version": "De versie van publiccode.yml wordt niet ondersteund",
    "publiccode.yaml-1.1": "Het bestand verklaart YAML 1.1",
}
OTHER_RULES = [
    PolicyRule("licence.not-open", "other", "De licentie is niet open (OSI of EUPL-verenigbaar)", "warning"),
    PolicyRule("service.missing", "other", "Een dienst-app zonder dienstdefinitie", "warning"),
    PolicyRule("standards.unknown", "other", "Een vereiste standaard staat niet op de lijst van standaarden",
               "warning"),
]
GROUPS = {"publiccode": "publiccode.yml", "openapi": "API: NL API Design Rules (openapi.yaml)", "other": "Overige"}
# What can never be downgraded (shown on the policy page): these protect Plein, the data it holds and its users.
FIXED = [
    ("archive.*", "Het archief: grootte, aantal bestanden, paden buiten het pakket, links en het formaat. Dit "
     "beschermt Plein tegen vijandige archieven."),
    ("manifest.*, version.*, options.*", "plein.yaml: het schema, de versie (oplopend en gelijk aan publiccode.yml) "
     "en de opties. Plein installeert apps en valideert de keuzes van gemeenten ermee."),
    ("data.*", "De gevraagde persoonsgegevens: elk veld moet in het register bestaan, met doel en grondslag."),
    ("service.* (behalve service.missing), zaaktypen.*", "De dienstdefinitie en de zaaktypen: Plein voert ze uit "
     "en maakt er zaken en zaaktypen mee."),
    ("publiccode.missing, publiccode.encoding, publiccode.yaml-syntax, publiccode.multi-document, "
     "publiccode.top-level, publiccode.duplicate-key, publiccode.type", "publiccode.yml moet er zijn en leesbaar "
     "zijn."),
    ("openapi.linter-failed", "De API-controle moet kunnen draaien."),
]


@cache
def catalogue() -> tuple[PolicyRule, ...]:
    """Every finding code the curator may set, by group; a code not here keeps its check's own severity."""
    rules = [PolicyRule(code, "publiccode", title, "warning" if code in _PUBLICCODE_WARNINGS else "error")
             for code, title in sorted(PUBLICCODE_RULES.items())]
    rules += _spectral_rules()
    rules += OTHER_RULES
    return tuple(rules)


_PUBLICCODE_WARNINGS = {"publiccode.deprecated", "publiccode.spdx-deprecated", "publiccode.yaml-1.1"}


def _spectral_rules() -> list[PolicyRule]:
    """The rules of the NL API Design Rules ruleset, with the severity the ruleset gives them."""
    ruleset = yaml.safe_load(spectral.RULESET_PATH.read_text("utf-8"))
    found = []
    for code, rule in (ruleset.get("rules") or {}).items():
        level = rule.get("severity") if isinstance(rule, dict) else rule
        if level in (None, "off", False):
            continue
        title = str(rule.get("description") or rule.get("message") or "") if isinstance(rule, dict) else ""
        found.append(PolicyRule(str(code), "openapi", title.strip(), "error" if level == "error" else "warning"))
    return sorted(found, key=lambda rule: rule.code)


def adjustable() -> dict[str, PolicyRule]:
    return {rule.code: rule for rule in catalogue()}


@dataclass(frozen=True)
class CurrentPolicy:
    version: int
    severities: dict[str, Severity]


async def current(session: AsyncSession) -> CurrentPolicy:
    """The newest policy version, keeping only codes that may be set (version 1 when none is stored)."""
    newest = await session.scalar(select(AdmissionPolicy).order_by(AdmissionPolicy.version.desc()).limit(1))
    if newest is None:
        return CurrentPolicy(INITIAL_VERSION, {})
    codes = adjustable()
    kept: dict[str, Severity] = {code: level for code, level in newest.severities.items()
                                 if code in codes and level in LEVELS}
    return CurrentPolicy(newest.version, kept)


async def history(session: AsyncSession) -> list[AdmissionPolicy]:
    """Every stored version, newest first."""
    return list((await session.scalars(select(AdmissionPolicy).order_by(AdmissionPolicy.version.desc()))).all())


async def get_version(session: AsyncSession, version: int) -> AdmissionPolicy:
    found = await session.scalar(select(AdmissionPolicy).where(AdmissionPolicy.version == version))
    if found is None:
        raise NotFound(f"there is no admission policy version {version}")
    return found


def report_policy_version(report: dict[str, Any]) -> int:
    """The policy version a report ran under; reports from before policies were versioned ran under version 1
    (every finding as its check gave it)."""
    version = report.get("policyVersion")
    return version if isinstance(version, int) else INITIAL_VERSION


def _validate(severities: dict[str, str], reason: str) -> list[InvalidParam]:
    codes = adjustable()
    problems = []
    for code, level in severities.items():
        if code not in codes:
            problems.append(InvalidParam(code, "fixed", "this finding code cannot be set by the policy"))
        elif level not in LEVELS:
            problems.append(InvalidParam(code, "enum", "must be error or warning"))
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        problems.append(InvalidParam("reason", "length", f"give a reason of {REASON_MIN} to {REASON_MAX} characters"))
    return problems


async def set_policy(session: AsyncSession, severities: dict[str, str], reason: str,
                     actor: Principal) -> AdmissionPolicy:
    """A curator sets a new version of the policy: the full mapping of codes to error or warning, and why."""
    if not service.is_curator(actor):
        raise Forbidden("only a curator of the store may change the admission policy")
    reason = reason.strip()
    problems = _validate(severities, reason)
    if problems:
        raise InvalidInput("the admission policy was not changed", problems)
    now = await current(session)
    if severities == now.severities:
        raise InvalidInput("the admission policy was not changed: it is the same as the current version",
                           [InvalidParam("severities", "unchanged", "change at least one finding code")])
    highest = await session.scalar(select(func.max(AdmissionPolicy.version)))
    if highest is None:  # a database without the migration's version 1: store it, so the history is complete
        session.add(AdmissionPolicy(version=INITIAL_VERSION, severities={}, reason=INITIAL_REASON, set_by="plein"))
    policy = AdmissionPolicy(version=(highest or INITIAL_VERSION) + 1, severities=dict(severities), reason=reason,
                             set_by=actor.id)
    session.add(policy)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("another curator changed the policy at the same moment; look at it again") from exc
    return policy


async def admission_context(session: AsyncSession, package: AppPackage, earlier: list[str]) -> CheckContext:
    """What the checks run with in the store: the current policy and the curator's list of standards."""
    policy = await current(session)
    listed = {standard.alias: standard.title for standard in await standards.list_standards(session)}
    return CheckContext(package, earlier, severities=policy.severities, policy_version=policy.version,
                        standards=listed)
