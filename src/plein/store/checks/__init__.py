"""The admission pipeline: a list of small checks run in order over one app package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from plein.store.findings import Finding, Severity, has_errors
from plein.store.package import AppPackage

PIPELINE_VERSION = "1"


@dataclass
class CheckContext:
    """What the checks share: the package, what earlier checks parsed, and the app's earlier versions."""

    package: AppPackage
    earlier_versions: list[str] = field(default_factory=list)
    publiccode: dict[str, Any] | None = None
    manifest: dict[str, Any] | None = None
    manifest_lines: dict[str, int] = field(default_factory=dict)
    publiccode_lines: dict[str, int] = field(default_factory=dict)
    service: dict[str, Any] | None = None
    service_lines: dict[str, int] = field(default_factory=dict)
    severities: dict[str, Severity] = field(default_factory=dict)  # admission policy: rule code -> error | warning
    policy_version: int | None = None  # None: checked without the store's policy (`plein store check`)
    standards: dict[str, str] | None = None  # the curator's list (alias -> title); None: not known here


@dataclass(frozen=True)
class Check:
    """One admission check: an id for reports, a title for people, a ruleset version, and the function."""

    id: str
    title: str
    version: str
    run: Callable[[CheckContext], list[Finding]]


@dataclass
class AdmissionReport:
    """Every check run, the rulesets used, every finding and the verdict."""

    checks: list[dict[str, Any]]
    findings: list[Finding]
    sha256: str
    size: int
    checked_at: dt.datetime
    policy_version: int | None = None

    @property
    def accepted(self) -> bool:
        return not has_errors(self.findings)

    @property
    def verdict(self) -> str:
        return "accepted" if self.accepted else "rejected"

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "pipelineVersion": PIPELINE_VERSION,
            "checkedAt": self.checked_at.isoformat(),
            "sha256": self.sha256,
            "size": self.size,
            "checks": self.checks,
            "findings": [finding.as_dict() for finding in self.findings],
            **({"policyVersion": self.policy_version} if self.policy_version is not None else {}),
        }


def default_checks() -> list[Check]:
    """The checks every package passes through, in order (later checks use what earlier ones parsed)."""
    from plein.store.checks import licence, manifest, openapi, publiccode, service, standards, zaaktypen

    return [
        publiccode.CHECK, manifest.CHECK, manifest.VERSION_CHECK, manifest.OPTIONS_CHECK,
        manifest.DATA_CHECK, zaaktypen.CHECK, service.CHECK, openapi.CHECK, licence.CHECK, standards.CHECK,
    ]


def run_checks(
    context: CheckContext, checks: list[Check] | None = None, archive_findings: list[Finding] | None = None
) -> AdmissionReport:
    """Run every check and collect the report, with each finding's severity as the admission policy says; a check
    never stops the others."""
    findings = _by_policy(context, list(archive_findings or []))
    summaries = [_summary("archive", "Archief: grootte, paden, links, controlegetal", "1", findings)]
    for check in checks if checks is not None else default_checks():
        found = _by_policy(context, check.run(context))
        findings.extend(found)
        summaries.append(_summary(check.id, check.title, check.version, found))
    package = context.package
    return AdmissionReport(summaries, findings, package.sha256, package.size, dt.datetime.now(dt.UTC),
                           context.policy_version)


def _by_policy(context: CheckContext, findings: list[Finding]) -> list[Finding]:
    """The findings with the severity the policy gives their rule (plein.store.policy keeps only adjustable rules)."""
    severities = context.severities
    return [replace(f, severity=severities[f.rule]) if f.rule in severities else f for f in findings]


def _summary(check_id: str, title: str, version: str, findings: list[Finding]) -> dict[str, Any]:
    errors = sum(1 for finding in findings if finding.severity == "error")
    return {
        "id": check_id, "title": title, "version": version,
        "errors": errors, "warnings": len(findings) - errors,
        "status": "failed" if errors else "passed",
    }
