"""The state of one validation run: where keys are, what was found, and how to report it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plein.store.findings import Finding, Severity

CHECK = "publiccode"


def join(path: str, key: object) -> str:
    """The dotted path of `key` inside `path` (`description` + `en` -> `description.en`)."""
    return f"{path}.{key}" if path else str(key)


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def describe(value: object) -> str:
    """How a value found in the document reads in a message."""
    if value is None:
        return "leeg (null)"
    if isinstance(value, bool):
        return f"een booleaanse waarde ({str(value).lower()})"
    if isinstance(value, list | dict):
        return "een lijst" if isinstance(value, list) else "een verzameling sleutels"
    if isinstance(value, int | float):
        return f"een getal ({value})"
    if isinstance(value, dt.date):
        return f"een datum ({value.isoformat()})"
    return f"een tekst ('{value}')" if isinstance(value, str) else f"een {type(value).__name__}"


@dataclass
class Context:
    """Findings collected so far, and the line and source text of every path in the document."""

    filename: str
    package_files: frozenset[str]
    contents: Mapping[str, bytes] = field(default_factory=dict)  # by normalised path, when the bytes are known
    lines: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def line(self, path: str) -> int | None:
        """The line of a path, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = parent(path)
        return self.lines.get("")

    def add(self, severity: Severity, rule: str, path: str, message: str, line: int | None = None) -> None:
        self.findings.append(Finding(
            CHECK, rule, severity, message, file=self.filename,
            line=line if line is not None else self.line(path), path=path or None,
        ))

    def error(self, rule: str, path: str, message: str) -> None:
        self.add("error", rule, path, message)

    def warning(self, rule: str, path: str, message: str) -> None:
        self.add("warning", rule, path, message)

    def type_error(self, path: str, expected: str, value: Any) -> None:
        hint = ""
        source = self.sources.get(path)
        if expected == "een tekst" and source is not None and value is not None:
            hint = f'; zet de waarde tussen aanhalingstekens: "{source}"'
        self.error("publiccode.type", path, f"{path} is {describe(value)}; de standaard vraagt {expected}{hint}")
