"""Check 6: the app's licence is open (OSI-approved or compatible with the EUPL); anything else is a warning."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

from license_expression import ExpressionError

from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding
from plein.store.publiccode.licence import spdx_licensing

# The licences the EUPL-1.2 appendix names as compatible, in their SPDX forms.
EUPL_COMPATIBLE = frozenset({
    "EUPL-1.1", "EUPL-1.2", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
    "AGPL-3.0-only", "AGPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",
    "LGPL-3.0-or-later", "OSL-2.1", "OSL-3.0", "EPL-1.0", "EPL-2.0", "CECILL-2.0", "CECILL-2.1", "MPL-2.0",
    "CC-BY-SA-3.0", "LiLiQ-R-1.1", "LiLiQ-Rplus-1.1",
})


@cache
def osi_approved() -> frozenset[str]:
    text = resources.files("plein.store").joinpath("data/osi-approved.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_open_licence(identifier: str) -> bool:
    return identifier in osi_approved() or identifier in EUPL_COMPATIBLE


@lru_cache(maxsize=1024)
def is_open_expression(expression: str) -> bool:
    """Open when every choice that must be taken is open: all parts of an AND, at least one side of an OR."""
    licensing = spdx_licensing()
    try:
        parsed = licensing.parse(expression, validate=True)
    except ExpressionError:
        return False
    if parsed is None:
        return False
    return _open(parsed)


def _open(node: object) -> bool:
    kind = type(node).__name__
    args = getattr(node, "args", ())
    if kind == "AND":
        return all(_open(arg) for arg in args)
    if kind == "OR":
        return any(_open(arg) for arg in args)
    if kind == "LicenseWithExceptionSymbol":
        return _open(getattr(node, "license_symbol", None))
    key = getattr(node, "key", None)
    return isinstance(key, str) and is_open_licence(key)


def licence_of(publiccode: dict[str, object] | None) -> str | None:
    legal = (publiccode or {}).get("legal")
    licence = legal.get("license") if isinstance(legal, dict) else None
    return licence if isinstance(licence, str) else None


def check_licence(context: CheckContext) -> list[Finding]:
    licence = licence_of(context.publiccode)
    if licence is None:
        return []  # the publiccode check already reports a missing or malformed legal.license
    if is_open_expression(licence):
        return []
    return [Finding(
        "licence", "licence.not-open", "warning",
        f"legal.license '{licence}' is geen open licentie (door OSI erkend of verenigbaar met de EUPL); "
        "gemeenten zien deze waarschuwing op de pagina van de app",
        file="publiccode.yml", path="legal.license",
    )]


CHECK = Check("licence", "Licentie: open source (door OSI erkend of verenigbaar met de EUPL)", "1", check_licence)
