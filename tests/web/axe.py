"""axe-core (from npm, node_modules/axe-core) in a Playwright page: assert_accessible fails a test with a readable
list of the WCAG 2.1 A and AA violations on the page; fits fails it when the page is wider than its viewport; and
assert_usable does both."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: run `make install` (npm ci) to get axe-core"
    return AXE.read_text("utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it is now, with the WCAG 2.0 and 2.1 A and AA rules; returns its violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # not a script tag: Plein's Content-Security-Policy allows no inline script
    result: dict[str, Any] = page.evaluate(
        "tags => window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One block per rule: id, impact, help text and link, then each failing element's selector and summary."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'unknown impact'}): {violation['help']}"
                     f" <{violation.get('helpUrl', '')}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, context: str = "") -> None:
    """Fail when axe finds any WCAG 2.1 A/AA violation on the page (context says which page, in the message)."""
    violations = axe_violations(page)
    where = context or page.url
    assert not violations, f"axe-core found {len(violations)} accessibility violation(s) on {where}:\n" + \
        describe(violations)


def fits(page: Any) -> None:
    """Nothing wider than the viewport (no sideways scrolling at 390 px)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px viewport"


def assert_usable(page: Any, context: str) -> None:
    """No WCAG 2.1 A/AA violation, and no sideways scrolling."""
    assert_accessible(page, context)
    fits(page)
