"""Security advisories: a publisher or curator says which versions of an app are vulnerable, how badly (CVSS 3.1)
and which version fixes it; every municipality with an open adoption on an affected version is told on the `store`
kanaal in the same transaction. Corrections and withdrawals are kept in the advisory's history."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import semver
from cvss import CVSS3
from cvss.exceptions import CVSSError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.notifications import service as notifications
from plein.store import numbering
from plein.store.models import Adoption, Advisory, AdvisoryEvent, App, Release
from plein.store.service import get_app, is_curator

KANAAL = "store"
ALIAS = re.compile(r"^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$")
COMPARATOR = re.compile(r"^(>=|<=|>|<|==|=)?(.+)$")
SEVERITIES = ("none", "low", "medium", "high", "critical")
ACTIONS = {"published": "create", "corrected": "update", "withdrawn": "destroy"}
MAX_SUMMARY = 200


@dataclass
class AdvisoryInput:
    """What a publisher writes: every field checked by `check`."""

    affected: str
    cvss: str
    summary: str
    details: str
    fixed: str | None = None
    aliases: list[str] = field(default_factory=list)


def parse_range(text: str) -> list[list[tuple[str, semver.Version]]]:
    """A semver range: alternatives separated by `||`, each a list of comparators (>=1.0.0 <1.2.3) that must all
    hold; a bare version means exactly that version. ValueError says what is wrong."""
    alternatives = []
    for part in text.split("||"):
        comparators = []
        for token in part.replace(",", " ").split():
            match = COMPARATOR.match(token)
            assert match is not None  # the pattern matches any non-empty token
            operator = {None: "==", "=": "=="}.get(match[1], match[1])
            try:
                comparators.append((operator, semver.Version.parse(match[2])))
            except ValueError as exc:
                raise ValueError(f"'{match[2]}' is not a semantic version (like 1.2.3)") from exc
        if not comparators:
            raise ValueError("each part of the range needs a comparison, like >=1.0.0 <1.2.3")
        alternatives.append(comparators)
    return alternatives


def in_range(version: str, text: str) -> bool:
    """Whether the version lies in the range (an unparsable version never does)."""
    try:
        parsed = semver.Version.parse(version)
    except ValueError:
        return False
    return any(all(parsed.match(f"{op}{bound}") for op, bound in alternative) for alternative in parse_range(text))


def score(vector: str) -> tuple[str, float, str]:
    """The CVSS 3.1 vector in its canonical form, its base score and severity (none … critical)."""
    if not vector.startswith("CVSS:3.1/"):
        raise ValueError("give a CVSS 3.1 vector, starting with CVSS:3.1/")
    try:
        parsed = CVSS3(vector)
    except CVSSError as exc:
        raise ValueError(str(exc)) from exc
    return parsed.clean_vector(), float(parsed.scores()[0]), str(parsed.severities()[0]).lower()


def check(data: AdvisoryInput) -> tuple[AdvisoryInput, str, float, str]:
    """The input cleaned, with the vector's canonical form, score and severity; InvalidInput names each bad field."""
    problems: list[InvalidParam] = []
    aliases = list(dict.fromkeys(alias.strip() for alias in data.aliases if alias.strip()))
    problems += [InvalidParam("aliases", "pattern", f"'{alias}' is not a CVE id (CVE-2026-12345) or GHSA id")
                 for alias in aliases if not ALIAS.match(alias)]
    affected = " ".join(data.affected.split())
    try:
        parse_range(affected)
    except ValueError as exc:
        problems.append(InvalidParam("affected", "semver-range", str(exc)))
    fixed = (data.fixed or "").strip() or None
    if fixed is not None and not semver.Version.is_valid(fixed):
        problems.append(InvalidParam("fixed", "semver", f"'{fixed}' is not a semantic version (like 1.2.3)"))
    elif fixed is not None and not problems and in_range(fixed, affected):
        problems.append(InvalidParam("fixed", "not-affected", f"{fixed} lies in the affected range {affected}"))
    vector, base, severity = "", 0.0, "none"
    try:
        vector, base, severity = score(data.cvss.strip())
    except ValueError as exc:
        problems.append(InvalidParam("cvss", "cvss-3.1", str(exc)))
    summary, details = " ".join(data.summary.split()), data.details.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        problems.append(InvalidParam("summary", "length", f"write 1 to {MAX_SUMMARY} characters"))
    if not details:
        problems.append(InvalidParam("details", "required", "describe the vulnerability and what to do"))
    if problems:
        raise InvalidInput("the advisory is not valid", problems)
    return AdvisoryInput(affected, vector, summary, details, fixed, aliases), vector, base, severity


def may_publish(app: App, actor: Principal) -> bool:
    return actor.has_role(app.publisher.code, "publisher") or is_curator(actor)


def _require_publisher(app: App, actor: Principal) -> None:
    if not may_publish(app, actor):
        raise Forbidden(f"only the publisher of '{app.slug}' ({app.publisher.name}) or a curator may publish "
                        "advisories for it")


def snapshot(advisory: Advisory) -> dict[str, Any]:
    return {"aliases": list(advisory.aliases), "affected": advisory.affected, "fixed": advisory.fixed,
            "cvss": advisory.cvss_vector, "score": advisory.score, "severity": advisory.severity,
            "summary": advisory.summary, "details": advisory.details, "status": advisory.status}


async def affected_adoptions(session: AsyncSession, advisory: Advisory) -> list[Adoption]:
    """The open (planned or active) adoptions of the app on a version the advisory affects."""
    versions = await session.scalars(select(Release.version).where(
        Release.app_id == advisory.app_id, Release.status == "accepted"))
    affected = [version for version in versions if in_range(version, advisory.affected)]
    if not affected:
        return []
    query = (select(Adoption).join(Release, Release.id == Adoption.release_id)
             .where(Adoption.app_id == advisory.app_id, Adoption.status != "ended", Release.version.in_(affected)))
    return list((await session.scalars(query)).all())


async def _notify(session: AsyncSession, advisory: Advisory, adoptions: Iterable[Adoption], action: str,
                  base_url: str) -> list[str]:
    """One notification per municipality on the `store` kanaal, in the caller's transaction; their codes."""
    url = advisory_url(base_url, advisory.identifier)
    oins = {adoption.organisation.code: adoption.organisation.oin for adoption in adoptions}
    codes = sorted(oins)
    await notifications.publish_each(
        session, kanaal=KANAAL, hoofd_object=url, resource="advisory", resource_url=url, actie=ACTIONS[action],
        each=[({"app": advisory.app.slug, "gemeente": code, "severity": advisory.severity}, oins[code])
              for code in codes])
    return codes


def advisory_url(base_url: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}/api/store/v1/advisories/{identifier}"


async def _record(session: AsyncSession, advisory: Advisory, action: str, reason: str, actor: Principal,
                  base_url: str, adoptions: Iterable[Adoption]) -> AdvisoryEvent:
    notified = await _notify(session, advisory, adoptions, action, base_url)
    event = AdvisoryEvent(advisory_id=advisory.id, action=action, reason=reason, snapshot=snapshot(advisory),
                          notified=notified, actor=actor.id, at=advisory.modified_at)
    session.add(event)
    return event


async def publish(session: AsyncSession, slug: str, data: AdvisoryInput, actor: Principal,
                  base_url: str) -> Advisory:
    """Publish an advisory and tell every municipality on an affected version, in one transaction."""
    app = await get_app(session, slug)
    _require_publisher(app, actor)
    clean, vector, base, severity = check(data)
    now = utcnow()
    advisory = await numbering.add_numbered(session, Advisory, {
        "app": app, "app_id": app.id, "aliases": clean.aliases, "affected": clean.affected, "fixed": clean.fixed,
        "cvss_vector": vector, "score": base, "severity": severity, "summary": clean.summary, "details": clean.details,
        "status": "published", "published_at": now, "modified_at": now, "published_by": actor.id},
        Advisory.identifier, "PLEIN", "many advisories are being published at this moment; publish this one again")
    await _record(session, advisory, "published", "", actor, base_url, await affected_adoptions(session, advisory))
    await session.commit()
    return advisory


async def get_advisory(session: AsyncSession, identifier: str) -> Advisory:
    advisory = await session.scalar(select(Advisory).where(Advisory.identifier == identifier))
    if advisory is None:
        raise NotFound(f"there is no advisory '{identifier}'")
    return advisory


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("say why the advisory changes", [InvalidParam("reason", "required", "give a reason")])
    return text


async def correct(session: AsyncSession, identifier: str, data: AdvisoryInput, reason: str | None,
                  actor: Principal, base_url: str) -> Advisory:
    """Correct an advisory (new range, fix, severity, text); municipalities affected now are told again."""
    advisory = await get_advisory(session, identifier)
    _require_publisher(advisory.app, actor)
    why = _reason(reason)
    if advisory.status == "withdrawn":
        raise Conflict("a withdrawn advisory cannot be corrected; publish a new one")
    clean, vector, base, severity = check(data)
    advisory.aliases, advisory.affected, advisory.fixed = clean.aliases, clean.affected, clean.fixed
    advisory.cvss_vector, advisory.score, advisory.severity = vector, base, severity
    advisory.summary, advisory.details, advisory.modified_at = clean.summary, clean.details, utcnow()
    await session.flush()
    await _record(session, advisory, "corrected", why, actor, base_url, await affected_adoptions(session, advisory))
    await session.commit()
    return advisory


async def withdraw(session: AsyncSession, identifier: str, reason: str | None, actor: Principal,
                   base_url: str) -> Advisory:
    """Withdraw an advisory (it was wrong); the municipalities it concerned are told, the history stays."""
    advisory = await get_advisory(session, identifier)
    _require_publisher(advisory.app, actor)
    why = _reason(reason)
    if advisory.status == "withdrawn":
        raise Conflict("the advisory was already withdrawn")
    concerned = await affected_adoptions(session, advisory)
    advisory.status, advisory.withdrawn_at = "withdrawn", utcnow()
    advisory.modified_at = advisory.withdrawn_at
    await _record(session, advisory, "withdrawn", why, actor, base_url, concerned)
    await session.commit()
    return advisory


async def history(session: AsyncSession, advisory: Advisory) -> list[AdvisoryEvent]:
    query = select(AdvisoryEvent).where(AdvisoryEvent.advisory_id == advisory.id).order_by(AdvisoryEvent.at)
    return list((await session.scalars(query)).all())


async def list_advisories(session: AsyncSession, app: App | None = None, *,
                          published_only: bool = False) -> list[Advisory]:
    """Advisories newest first, of one app or all."""
    query = select(Advisory).order_by(Advisory.published_at.desc(), Advisory.identifier)
    if app is not None:
        query = query.where(Advisory.app_id == app.id)
    if published_only:
        query = query.where(Advisory.status == "published")
    return list((await session.scalars(query)).all())


async def app_advisories(session: AsyncSession, slug: str) -> tuple[App, list[Advisory]]:
    app = await get_app(session, slug)
    return app, await list_advisories(session, app)


async def open_advisories(session: AsyncSession, adoptions: list[Adoption]) -> dict[Any, list[Advisory]]:
    """For each open adoption (by id), the published advisories that affect the version it uses."""
    app_ids = {adoption.app_id for adoption in adoptions if adoption.status != "ended"}
    if not app_ids:
        return {}
    found = (await session.scalars(select(Advisory).where(
        Advisory.app_id.in_(app_ids), Advisory.status == "published").order_by(Advisory.score.desc()))).all()
    result: dict[Any, list[Advisory]] = {}
    for adoption in adoptions:
        hits = [advisory for advisory in found if adoption.status != "ended" and advisory.app_id == adoption.app_id
                and in_range(adoption.release.version, advisory.affected)]
        if hits:
            result[adoption.id] = hits
    return result


async def admitted_versions(session: AsyncSession, app_ids: Iterable[Any]) -> dict[Any, list[str]]:
    """The admitted versions of each app."""
    wanted = set(app_ids)
    result: dict[Any, list[str]] = {key: [] for key in wanted}
    if wanted:
        rows = await session.execute(select(Release.app_id, Release.version).where(
            Release.app_id.in_(wanted), Release.status == "accepted"))
        for app_id, version in rows:
            result[app_id].append(version)
    return result


def upgrade_target(advisory: Advisory, releases: list[Release]) -> Release | None:
    """The admitted release to upgrade to: the fixed version, else the lowest admitted one above it, not affected."""
    if advisory.fixed is None:
        return None
    fixed = semver.Version.parse(advisory.fixed)
    candidates = [r for r in releases if r.status == "accepted" and semver.Version.parse(r.version) >= fixed
                  and not in_range(r.version, advisory.affected)]
    return min(candidates, key=lambda r: semver.Version.parse(r.version), default=None)
