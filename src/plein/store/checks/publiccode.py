"""Check 1: publiccode.yml against the standard (versions 0 and 0.2–0.7), strictly."""

from __future__ import annotations

from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding
from plein.store.package import PUBLICCODE
from plein.store.publiccode import validate_publiccode


def check_publiccode(context: CheckContext) -> list[Finding]:
    raw = context.package.files.get(PUBLICCODE)
    if raw is None:
        return [Finding("publiccode", "publiccode.missing", "error", "the package has no publiccode.yml at its root")]
    result = validate_publiccode(raw, context.package.files, PUBLICCODE)
    if isinstance(result.data, dict):
        context.publiccode = result.data  # later checks compare with it even when it has findings
    return result.findings


CHECK = Check("publiccode", "publiccode.yml: de standaard publiccode.yml", "0.7", check_publiccode)
