"""Advisories in the OSV format (Open Source Vulnerability, schema 1.6), the open format vulnerability scanners read.

Plein is the home database (ids PLEIN-yyyy-nnnn) and the ecosystem (`Plein`, package name = the app's id in the
store); affected versions are given both as SEMVER ranges and as the list of admitted releases in the range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import semver

from plein.store.advisories import in_range, parse_range
from plein.store.models import Advisory

SCHEMA_VERSION = "1.6.7"
ECOSYSTEM = "Plein"


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC with a Z, as OSV requires."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _events(alternative: list[tuple[str, semver.Version]], fixed: str | None) -> list[dict[str, str]] | None:
    """OSV events of one alternative of the range, when OSV's introduced/fixed/last_affected can say it exactly."""
    lower = [str(bound) for op, bound in alternative if op == ">="]
    upper = [(op, str(bound)) for op, bound in alternative if op in ("<", "<=")]
    exact = [str(bound) for op, bound in alternative if op == "=="]
    if exact and len(alternative) == 1:
        return [{"introduced": exact[0]}, {"last_affected": exact[0]}]
    if len(lower) + len(upper) != len(alternative) or len(lower) > 1 or len(upper) > 1:
        return None  # > or several bounds: the versions list says it
    events = [{"introduced": lower[0] if lower else "0"}]
    if upper:
        events.append({"fixed" if upper[0][0] == "<" else "last_affected": upper[0][1]})
    elif fixed is not None:
        events.append({"fixed": fixed})
    return events


def entry(advisory: Advisory, versions: list[str], base_url: str) -> dict[str, Any]:
    """One advisory as an OSV entry; `versions` are the app's admitted versions."""
    base = base_url.rstrip("/")
    ranges = [{"type": "SEMVER", "events": events} for alternative in parse_range(advisory.affected)
              if (events := _events(alternative, advisory.fixed)) is not None]
    affected: dict[str, Any] = {
        "package": {"ecosystem": ECOSYSTEM, "name": advisory.app.slug},
        "versions": sorted((v for v in versions if in_range(v, advisory.affected)), key=semver.Version.parse),
        "database_specific": {"affectedRange": advisory.affected, "fixedVersion": advisory.fixed},
    }
    if ranges:
        affected["ranges"] = ranges
    osv: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "id": advisory.identifier, "modified": timestamp(advisory.modified_at),
        "published": timestamp(advisory.published_at), "aliases": list(advisory.aliases),
        "summary": advisory.summary, "details": advisory.details,
        "severity": [{"type": "CVSS_V3", "score": advisory.cvss_vector}],
        "affected": [affected],
        "references": [{"type": "ADVISORY", "url": f"{base}/api/store/v1/advisories/{advisory.identifier}"},
                       {"type": "PACKAGE", "url": f"{base}/apps/{advisory.app.slug}"}],
        "database_specific": {"severity": advisory.severity.upper(), "cvssScore": advisory.score},
    }
    if advisory.withdrawn_at is not None:
        osv["withdrawn"] = timestamp(advisory.withdrawn_at)
    return osv
