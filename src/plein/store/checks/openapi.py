"""Check 5: a bundled openapi.yaml is valid OpenAPI 3.x and passes the NL API Design Rules (Spectral)."""

from __future__ import annotations

from plein.errors import ServiceUnavailable
from plein.store import spectral
from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding
from plein.store.package import OPENAPI


def check_openapi(context: CheckContext) -> list[Finding]:
    content = context.package.files.get(OPENAPI)
    if content is None:
        return []
    try:
        return spectral.lint_openapi(content, OPENAPI)
    except spectral.SpectralUnavailable as exc:
        raise ServiceUnavailable(f"the OpenAPI check cannot run: {exc}") from exc


CHECK = Check("openapi", "API: OpenAPI 3.x en de NL API Design Rules", spectral.RULESET_VERSION, check_openapi)
