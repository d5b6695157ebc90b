"""Admission check 5 with the real Spectral: openapi.yaml against the NL API Design Rules (needs `npm ci`)."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from plein.store.findings import Finding, has_errors
from plein.store.spectral import (
    RULESET_PATH,
    RULESET_VERSION,
    SpectralUnavailable,
    find_spectral,
    lint_openapi,
)

BASELINE = Path(__file__).parent / "data" / "baseline-openapi.json"

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
API_VERSION = {"API-Version": {"description": "Versie van de API", "schema": {"type": "string"}}}

# Line numbers below matter: the tests check that findings point at them.
NON_COMPLIANT = """\
openapi: 3.0.3
info:
  title: Zaken
  version: "1.0"
servers:
  - url: https://example.com/api
paths:
  /Zaak_Types:
    get:
      operationId: listZaakTypes
      parameters:
        - name: page_size
          in: query
          schema: {type: integer}
      responses:
        '200':
          description: OK
        '404':
          description: Not found
          content:
            application/json:
              schema: {type: object}
"""


def baseline() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(BASELINE.read_text())
    return document


def compliant_resource_api() -> dict[str, Any]:
    """The baseline plus a collection with a query parameter, a POST and problem+json errors."""
    document = baseline()
    error = {
        "description": "Fout",
        "headers": API_VERSION,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    ok = {
        "description": "OK",
        "headers": API_VERSION,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Zaak"}}},
    }
    document["paths"]["/zaken"] = {
        "get": {
            "operationId": "listZaken",
            "description": "Zaken",
            "parameters": [{"name": "pageSize", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": ok, "400": error},
        },
        "post": {
            "operationId": "createZaak",
            "description": "Zaak aanmaken",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Zaak"}}}},
            "responses": {"201": ok, "400": error, "422": error},
        },
    }
    document["components"]["schemas"] = {
        "Problem": PROBLEM,
        "Zaak": {
            "type": "object",
            "properties": {"startdatum": {"type": "string", "format": "date"}, "omschrijving": {"type": "string"}},
        },
    }
    return document


def as_yaml(document: dict[str, Any]) -> bytes:
    plain = json.loads(json.dumps(document))  # no shared objects, so no YAML anchors
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True).encode()


def rules(findings: list[Finding]) -> set[str]:
    return {finding.rule for finding in findings}


def errors_by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity == "error":
            by_rule.setdefault(finding.rule, []).append(finding)
    return by_rule


@pytest.fixture(scope="module")
def non_compliant() -> list[Finding]:
    return lint_openapi(NON_COMPLIANT.encode(), "apps/zaken/openapi.yaml")


def test_spectral_is_installed() -> None:
    assert find_spectral() is not None, str(SpectralUnavailable())


def test_baseline_passes_without_any_finding() -> None:
    assert lint_openapi(BASELINE.read_bytes(), "openapi.json") == []


def test_baseline_as_yaml_passes() -> None:
    assert lint_openapi(as_yaml(baseline())) == []


def test_compliant_resource_api_has_no_errors() -> None:
    findings = lint_openapi(as_yaml(compliant_resource_api()))
    assert not has_errors(findings), [finding.as_dict() for finding in findings]


def test_non_compliant_document_gives_the_nlgov_rules_with_lines(non_compliant: list[Finding]) -> None:
    by_rule = errors_by_rule(non_compliant)
    expected_lines = {
        "nlgov:semver": 4,
        "nlgov:include-major-version-in-uri": 6,
        "nlgov:paths-kebab-case": 8,
        "nlgov:query-keys-camel-case": 12,
        "nlgov:missing-header": 16,
        "nlgov:use-problem-schema": 20,
        "nlgov:problem-invalid-input": 15,
        "info-contact": 2,
    }
    for rule, line in expected_lines.items():
        assert rule in by_rule, (rule, sorted(by_rule))
        assert [finding.line for finding in by_rule[rule]] == [line], rule


def test_findings_carry_file_path_and_ruleset(non_compliant: list[Finding]) -> None:
    kebab = errors_by_rule(non_compliant)["nlgov:paths-kebab-case"][0]
    assert kebab.check == "openapi"
    assert kebab.file == "apps/zaken/openapi.yaml"
    assert kebab.path == "paths./Zaak_Types"
    assert kebab.message == "schrijf paden in kebab-case (kleine letters met streepjes) (op paths./Zaak_Types)"
    assert kebab.location() == "apps/zaken/openapi.yaml:8"
    assert {finding.ruleset for finding in non_compliant} == {RULESET_VERSION}


def test_missing_api_version_header_among_other_headers() -> None:
    document = baseline()
    headers = document["paths"]["/openapi.json"]["get"]["responses"]["200"]["headers"]
    del headers["API-Version"]
    findings = lint_openapi(json.dumps(document, indent=2).encode(), "openapi.json")
    [finding] = findings
    assert finding.rule == "nlgov:missing-version-header"
    assert finding.severity == "error"
    assert finding.path == "paths./openapi.json.get.responses.200.headers"
    assert finding.line is not None


def test_problem_schema_without_required_members() -> None:
    document = compliant_resource_api()
    del document["components"]["schemas"]["Problem"]["properties"]["detail"]
    findings = lint_openapi(as_yaml(document))
    assert "nlgov:problem-schema-members" in errors_by_rule(findings)


def test_oas_schema_errors_come_from_spectral_oas() -> None:
    document = baseline()
    del document["paths"]["/openapi.json"]["get"]["responses"]["200"]["description"]
    assert "oas3-schema" in errors_by_rule(lint_openapi(as_yaml(document)))


def test_warning_rules_are_warnings() -> None:
    document = baseline()
    document["servers"] = [{"url": "http://example.com/api/v1"}]
    document["components"]["schemas"] = {"zaak_type": {"type": "object"}}
    findings = lint_openapi(as_yaml(document))
    assert rules(findings) == {"nlgov:servers-use-https", "nlgov:schema-camel-case"}
    assert {finding.severity for finding in findings} == {"warning"}


def test_swagger_2_is_refused() -> None:
    [finding] = lint_openapi(b'swagger: "2.0"\ninfo: {title: x, version: 1.0.0}\npaths: {}\n')
    assert finding.rule == "openapi.version"
    assert finding.severity == "error"
    assert finding.message == "openapi.yaml moet een OpenAPI 3.x-document zijn; gevonden: Swagger 2.0"


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"- openapi: 3.0.3\n", "een lijst in plaats van een verzameling sleutels"),
        (b"just some text\n", "een tekst in plaats van een verzameling sleutels"),
        (b"", "een leeg document"),
        (b"info: {title: x}\n", "geen veld `openapi`"),
        (b"openapi: 2.0.0\n", "openapi: 2.0.0"),
    ],
)
def test_not_openapi_3(content: bytes, found: str) -> None:
    [finding] = lint_openapi(content)
    assert finding.rule == "openapi.version"
    assert finding.message.endswith(f"gevonden: {found}")


def test_garbage_is_a_parse_error_with_line() -> None:
    [finding] = lint_openapi(b"openapi: 3.0.3\ninfo:\n  title: [unclosed\n", "openapi.yaml")
    assert finding.rule == "openapi.parse"
    assert finding.severity == "error"
    assert finding.line is not None
    assert finding.line >= 3
    assert finding.ruleset == RULESET_VERSION


def test_binary_garbage_is_a_parse_error() -> None:
    [finding] = lint_openapi(b"\x00\xff\xfe{{{")
    assert finding.rule == "openapi.parse"


def test_external_refs_are_refused_before_spectral_runs() -> None:
    document = baseline()
    document["paths"]["/openapi.json"]["get"]["responses"]["200"] = {"$ref": "https://example.com/r.yaml#/ok"}
    document["components"]["schemas"] = {"Local": {"$ref": "../../etc/passwd"}, "Fine": {"type": "object"}}
    findings = lint_openapi(json.dumps(document, indent=2).encode(), "openapi.json")
    assert rules(findings) == {"openapi.external-ref"}
    assert len(findings) == 2
    assert all(finding.line for finding in findings)


def test_ruleset_version_is_stable_and_names_the_content() -> None:
    assert re.fullmatch(r"adr-2\.x\+sha256:[0-9a-f]{12}", RULESET_VERSION)
    assert RULESET_VERSION.endswith(hashlib.sha256(RULESET_PATH.read_bytes()).hexdigest()[:12])
    # The vendored ruleset is the published one, unchanged.
    shared = Path(__file__).resolve().parents[3] / "shared" / "specs" / "adr" / "linter.yaml"
    if shared.is_file():
        assert shared.read_bytes() == RULESET_PATH.read_bytes()


def test_a_crashing_spectral_is_a_finding_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    script = "import sys; sys.stderr.write('boom: ruleset exploded'); sys.exit(2)"
    monkeypatch.setenv("PLEIN_SPECTRAL_BIN", shlex.join([sys.executable, "-c", script]))
    [finding] = lint_openapi(BASELINE.read_bytes(), "openapi.json")
    assert finding.rule == "openapi.linter-failed"
    assert finding.severity == "error"
    assert "boom: ruleset exploded" in finding.message


def test_a_slow_spectral_times_out_as_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEIN_SPECTRAL_BIN", shlex.join([sys.executable, "-c", "import time; time.sleep(30)"]))
    [finding] = lint_openapi(BASELINE.read_bytes(), timeout=0.5)
    assert finding.rule == "openapi.linter-failed"


def test_a_missing_configured_spectral_is_a_finding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLEIN_SPECTRAL_BIN", str(tmp_path / "no-such-spectral"))
    [finding] = lint_openapi(BASELINE.read_bytes())
    assert finding.rule == "openapi.linter-failed"


def test_spectral_unavailable_tells_how_to_install() -> None:
    assert "npm ci" in str(SpectralUnavailable())
    assert isinstance(SpectralUnavailable(), RuntimeError)
