"""Check 7: every standard plein.yaml requires is on the curator's list of standards (by alias) or is a URI."""

from __future__ import annotations

from urllib.parse import urlsplit

from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding
from plein.store.package import MANIFEST
from plein.store.yamldoc import YamlDoc


def is_uri(value: str) -> bool:
    """An absolute URI (https://…, urn:…): apps may name a standard that way instead of by alias."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and ":" in value


def check_standards(context: CheckContext) -> list[Finding]:
    if context.standards is None or context.manifest is None:
        return []  # no list here (an offline check), or no manifest: the manifest check reports that
    requires = context.manifest.get("requires")
    named = requires.get("standards") if isinstance(requires, dict) else None
    if not isinstance(named, list):
        return []
    doc = YamlDoc(context.manifest, context.manifest_lines)
    known = ", ".join(sorted(context.standards)) or "(geen)"
    findings = []
    for index, alias in enumerate(named):
        if not isinstance(alias, str) or alias in context.standards or is_uri(alias):
            continue
        path = f"requires.standards[{index}]"
        findings.append(Finding(
            "standards", "standards.unknown", "warning",
            f"{path}: '{alias}' staat niet op de lijst van standaarden van de store; gebruik een van: {known}, of een "
            "URI",
            file=MANIFEST, line=doc.line(path), path=path,
        ))
    return findings


CHECK = Check("standards", "Standaarden: de vereiste standaarden staan op de lijst van de store", "1",
              check_standards)
