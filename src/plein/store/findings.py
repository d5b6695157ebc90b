"""Findings of the admission checks: one problem in one file, the way a linter reports it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One thing an admission check found: which rule, how bad, where, and what to do about it."""

    check: str
    rule: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None
    ruleset: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    def location(self) -> str:
        """`file:line` (or just the file, or the package) for a linter-style report."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "(package)"


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
