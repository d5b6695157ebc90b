"""Admission check 5: lint an app's bundled openapi.yaml against the NL API Design Rules with Spectral."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from plein.store.findings import Finding

CHECK = "openapi"
RULESET_PATH = Path(__file__).resolve().parent / "rulesets" / "adr-linter.yaml"
# The ruleset (developer.overheid.nl, ADR 2.x) carries no version of its own: name it by its content.
RULESET_VERSION: str = "adr-2.x+sha256:" + hashlib.sha256(RULESET_PATH.read_bytes()).hexdigest()[:12]

# Spectral fetches remote $refs through this proxy: a closed local port, so it never reaches the network.
_NO_NETWORK_PROXY = "http://127.0.0.1:9"
_SEVERITY_PREFIX = {0: "", 1: "", 2: "(info) ", 3: "(tip) "}
# What each rule of the ADR ruleset asks, in Dutch (the place follows); another rule keeps Spectral's own message.
RULE_MESSAGES = {
    "nlgov:openapi3": "gebruik OpenAPI versie 3 (major.minor.patch) voor de documentatie",
    "nlgov:openapi-root-exists": "het document moet op het hoogste niveau de sleutel `openapi` hebben",
    "nlgov:missing-version-header": "geef het volledige versienummer terug in de header API-Version",
    "nlgov:missing-header": "geef het volledige versienummer terug in de header API-Version",
    "nlgov:include-major-version-in-uri": "neem het hoofdversienummer op in de URI (bijvoorbeeld /v1)",
    "nlgov:paths-no-trailing-slash": "laat de schuine streep aan het eind van URI's weg",
    "info-contact": "info moet een object contact hebben",
    "nlgov:info-contact-fields-exist": "info.contact moet email, name en url hebben",
    "nlgov:http-methods": "gebruik alleen de standaard HTTP-methoden",
    "nlgov:paths-kebab-case": "schrijf paden in kebab-case (kleine letters met streepjes)",
    "nlgov:query-keys-camel-case": "schrijf queryparameters in lowerCamelCase",
    "nlgov:schema-camel-case": "schrijf de namen van schema's in UpperCamelCase",
    "nlgov:servers-use-https": "servers moeten een absolute https-URL hebben",
    "nlgov:use-problem-schema": "een foutantwoord moet het contenttype application/problem+json of "
                                "application/problem+xml hebben (RFC 9457)",
    "nlgov:problem-schema-members": "een foutantwoord moet de velden status, title en detail hebben",
    "nlgov:problem-invalid-input": "GET- en DELETE-endpoints met parameters en alle andere endpoints moeten een "
                                   "antwoord 400 kunnen geven",
    "nlgov:property-casing": "schrijf de namen van eigenschappen in lowerCamelCase",
    "nlgov:date-time-ensure-timezone": "gebruik het formaat date-time, met een tijdzone",
    "nlgov:time-without-timezone": "gebruik het formaat time-local, zonder tijdzone",
    "nlgov:specify-format-for-date-and-time": "een datumveld moet format: date hebben",
    "nlgov:use-date-instead-of-datetime": "dit veld is een datum en moet format: date hebben",
    "nlgov:semver": "de versie moet een semantische versie zijn (major.minor.patch)",
}


class SpectralUnavailable(RuntimeError):
    """No Spectral command was found."""

    def __init__(self) -> None:
        super().__init__(
            "Spectral (the OpenAPI linter) is not installed: run `npm ci` in the repository root "
            "(`make test` and `make demo` do that), or set PLEIN_SPECTRAL_BIN to the spectral command."
        )


def find_spectral() -> list[str] | None:
    """The command that runs Spectral: PLEIN_SPECTRAL_BIN, the repository's node_modules, or PATH."""
    configured = os.environ.get("PLEIN_SPECTRAL_BIN", "").strip()
    if configured:
        return shlex.split(configured)
    for directory in Path(__file__).resolve().parents:
        if (directory / "package.json").is_file():
            local = directory / "node_modules" / ".bin" / "spectral"
            if local.is_file():
                return [str(local)]
    on_path = shutil.which("spectral")
    return [on_path] if on_path else None


def lint_openapi(content: bytes, filename: str = "openapi.yaml", *, timeout: float = 60.0) -> list[Finding]:
    """Findings for one OpenAPI document; raises SpectralUnavailable only when Spectral is not installed."""
    problem = _parse(content, filename)
    if problem is not None:
        return [problem]
    external = list(_external_refs(content, filename))
    if external:
        return external
    command = find_spectral()
    if command is None:
        raise SpectralUnavailable
    return _run_spectral(command, content, filename, timeout)


def _finding(rule: str, message: str, filename: str, line: int | None = None) -> Finding:
    return Finding(CHECK, rule, "error", message, file=filename, line=line, ruleset=RULESET_VERSION)


def _parse(content: bytes, filename: str) -> Finding | None:
    """A finding when the content is not YAML/JSON or not an OpenAPI 3.x document."""
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = ", ".join(filter(None, [getattr(error, "context", None), getattr(error, "problem", None)]))
        message = f"{filename} is geen geldige YAML of JSON: {reason or error}"
        return _finding("openapi.parse", message, filename, line)
    found = _version_found(document)
    if found is not None:
        message = f"{filename} moet een OpenAPI 3.x-document zijn; gevonden: {found}"
        return _finding("openapi.version", message, filename)
    return None


def _version_found(document: Any) -> str | None:
    """None when the document says `openapi: 3.x`, else a description of what it is instead."""
    if document is None:
        return "een leeg document"
    if not isinstance(document, dict):
        kind = ("een lijst" if isinstance(document, list) else "een tekst" if isinstance(document, str)
                else f"een {type(document).__name__}")
        return f"{kind} in plaats van een verzameling sleutels"
    if "openapi" in document:
        version = str(document["openapi"])
        return None if version.startswith("3.") else f"openapi: {version}"
    if "swagger" in document:
        return f"Swagger {document['swagger']}"
    return "geen veld `openapi`"


def _external_refs(content: bytes, filename: str) -> Iterator[Finding]:
    """A bundled document refers only to itself; other $refs would make Spectral read files or the web."""
    for node in _walk(yaml.compose(content, Loader=yaml.SafeLoader)):
        for key, value in node.value:
            if key.value == "$ref" and isinstance(value, yaml.ScalarNode) and not value.value.startswith("#"):
                message = f"$ref {value.value!r} wijst buiten het document; bundel openapi.yaml tot één bestand"
                yield _finding("openapi.external-ref", message, filename, value.start_mark.line + 1)


def _walk(node: yaml.Node | None) -> Iterator[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        yield node
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def _run_spectral(command: list[str], content: bytes, filename: str, timeout: float) -> list[Finding]:
    name = Path(filename).name or "openapi.yaml"
    env = {**os.environ, "PROXY": _NO_NETWORK_PROXY, "NO_PROXY": "", "SCARF_ANALYTICS": "false"}
    with tempfile.TemporaryDirectory(prefix="plein-spectral-") as workdir:
        (Path(workdir) / name).write_bytes(content)
        arguments = ["lint", "--ruleset", str(RULESET_PATH), "--format", "json", "--quiet", "--fail-severity", "error"]
        try:
            completed = subprocess.run(
                [*command, *arguments, name],
                cwd=workdir,
                env=env,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [_finding("openapi.linter-failed", f"Spectral did not finish within {timeout:g} s", filename)]
        except OSError as error:
            return [_finding("openapi.linter-failed", f"Spectral kon niet worden gestart: {error}", filename)]
    return _read_results(completed, filename)


def _read_results(completed: subprocess.CompletedProcess[bytes], filename: str) -> list[Finding]:
    try:
        results = json.loads(completed.stdout)
    except ValueError:
        results = None
    if not isinstance(results, list):
        tail = completed.stderr.decode("utf-8", "replace").strip()[-1000:] or "(geen uitvoer)"
        message = f"Spectral is mislukt (afsluitcode {completed.returncode}): {tail}"
        return [_finding("openapi.linter-failed", message, filename)]
    return [_from_spectral(result, filename) for result in results]


def _from_spectral(result: dict[str, Any], filename: str) -> Finding:
    severity_code = int(result.get("severity", 0))
    json_path = ".".join(str(part) for part in result.get("path", []))
    code = str(result.get("code", "spectral"))
    said = RULE_MESSAGES.get(code) or str(result.get("message", "")).strip()
    message = _SEVERITY_PREFIX.get(severity_code, "") + said
    if json_path:
        message += f" (op {json_path})"
    line = result.get("range", {}).get("start", {}).get("line")
    return Finding(
        check=CHECK,
        rule=code,
        severity="error" if severity_code == 0 else "warning",
        message=message,
        file=filename,
        line=line + 1 if isinstance(line, int) else None,
        path=json_path or None,
        ruleset=RULESET_VERSION,
    )
