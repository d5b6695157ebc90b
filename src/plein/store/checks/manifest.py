"""Checks 2–4: plein.yaml against its JSON Schema, its version rules, its options schema and its data requests."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import semver
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from plein.registers.fields import register_fields
from plein.store import schema_messages
from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding
from plein.store.package import MANIFEST
from plein.store.yamldoc import YamlDoc, YamlDocError, json_path_to_dotted, load_yaml

MANIFEST_SCHEMA_VERSION = "1"


@cache
def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of plein.yaml, served at /api/store/v1/schemas/plein-manifest.json."""
    text = resources.files("plein.store").joinpath(f"schemas/plein-manifest-{MANIFEST_SCHEMA_VERSION}.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return schema


def _finding(check: str, rule: str, message: str, doc: YamlDoc | None = None, path: str = "") -> Finding:
    line = doc.line(path) if doc else None
    return Finding(check, rule, "error", message, file=MANIFEST, line=line, path=path or None)


def _load(context: CheckContext) -> tuple[YamlDoc | None, list[Finding]]:
    raw = context.package.files.get(MANIFEST)
    if raw is None:
        return None, [_finding("manifest", "manifest.missing", "het pakket heeft geen plein.yaml in de hoofdmap")]
    try:
        return load_yaml(raw), []
    except YamlDocError as exc:
        return None, [Finding("manifest", f"manifest.{exc.rule}", "error", str(exc), file=MANIFEST, line=exc.line)]


def _schema_message(error: ValidationError) -> str:
    return schema_messages.message(json_path_to_dotted(list(error.absolute_path)) or "het manifest", error)


def check_manifest(context: CheckContext) -> list[Finding]:
    doc, findings = _load(context)
    if doc is None:
        return findings
    validator = Draft202012Validator(manifest_schema())
    errors = sorted(validator.iter_errors(doc.data), key=lambda error: list(map(str, error.absolute_path)))
    for error in errors:
        path = json_path_to_dotted(list(error.absolute_path))
        findings.append(_finding("manifest", f"manifest.schema.{error.validator}", _schema_message(error), doc, path))
    if isinstance(doc.data, dict):
        context.manifest = doc.data  # later checks look at the parts they need, even when others are wrong
        context.manifest_lines = doc.lines
    return findings


def _lines(context: CheckContext) -> YamlDoc:
    return YamlDoc(context.manifest, context.manifest_lines)


def check_version(context: CheckContext) -> list[Finding]:
    """version is semver, equals publiccode softwareVersion, and is above every earlier release."""
    if context.manifest is None or not isinstance(context.manifest.get("version"), str):
        return []  # the manifest check reports a missing or malformed version
    doc = _lines(context)
    version = context.manifest["version"]
    try:
        parsed = semver.Version.parse(version)
    except ValueError:
        return [_finding("version", "version.semver", f"version '{version}' is geen semantische versie "
                         "(MAJOR.MINOR.PATCH, bijvoorbeeld 1.2.0)", doc, "version")]
    findings = []
    software_version = (context.publiccode or {}).get("softwareVersion")
    if context.publiccode is not None and str(software_version) != version:
        findings.append(_finding(
            "version", "version.publiccode-mismatch",
            f"version '{version}' moet gelijk zijn aan softwareVersion in publiccode.yml ('{software_version}')",
            doc, "version",
        ))
    earlier = [semver.Version.parse(v) for v in context.earlier_versions if semver.Version.is_valid(v)]
    if earlier and parsed <= max(earlier):
        findings.append(_finding(
            "version", "version.not-greater",
            f"version '{version}' moet hoger zijn dan elke eerdere versie van deze app "
            f"(de hoogste is {max(earlier)})", doc, "version",
        ))
    return findings


def check_options(context: CheckContext) -> list[Finding]:
    """options is a valid JSON Schema 2020-12 describing an object, and its defaults validate against it."""
    schema = (context.manifest or {}).get("options")
    if not isinstance(schema, dict):
        return []  # absent, or not an object: the manifest check reports that
    doc = _lines(context)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path = json_path_to_dotted(["options", *exc.absolute_path])
        return [_finding("options", "options.invalid-schema",
                         f"{path}: geen geldig JSON Schema 2020-12: {schema_messages.reason(exc)}", doc, path)]
    if schema.get("type") != "object":
        return [_finding("options", "options.not-object", "options moet een object beschrijven (type: object)",
                         doc, "options")]
    return _check_defaults(schema, doc)


def _check_defaults(schema: dict[str, Any], doc: YamlDoc) -> list[Finding]:
    findings = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or "default" not in prop:
            continue
        for error in Draft202012Validator(prop).iter_errors(prop["default"]):
            path = f"options.properties.{name}.default"
            findings.append(_finding("options", "options.default-invalid",
                                     f"{path}: de standaardwaarde is ongeldig: {schema_messages.reason(error)}",
                                     doc, path))
    return findings


def check_data(context: CheckContext) -> list[Finding]:
    """Every requested field exists in the named register; activity, purpose and legal basis are there."""
    if context.manifest is None:
        return []
    doc = _lines(context)
    findings = []
    for index, request in _data_requests(context.manifest):
        base = f"requires.data[{index}]"
        fields = register_fields(request["register"])
        if fields is None:
            findings.append(_finding("data", "data.unknown-register",
                                     f"{base}.register: '{request['register']}' is geen register; "
                                     "gebruik brp of bag", doc, f"{base}.register"))
            continue
        for position, field in enumerate(request["fields"]):
            if isinstance(field, str) and field not in fields:
                path = f"{base}.fields[{position}]"
                findings.append(_finding("data", "data.unknown-field",
                                         f"{path}: '{field}' is geen veld van het register {request['register']}",
                                         doc, path))
    return findings


def _data_requests(manifest: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The well-formed entries of requires.data with their index (the schema check reports the others)."""
    requires = manifest.get("requires")
    requests = requires.get("data") if isinstance(requires, dict) else None
    if not isinstance(requests, list):
        return []
    return [
        (index, request) for index, request in enumerate(requests)
        if isinstance(request, dict) and isinstance(request.get("register"), str)
        and isinstance(request.get("fields"), list)
    ]


CHECK = Check("manifest", "Manifest: plein.yaml volgens zijn JSON Schema", MANIFEST_SCHEMA_VERSION, check_manifest)
VERSION_CHECK = Check("version", "Versie: semver, gelijk aan softwareVersion, hoger dan eerdere versies", "1",
                      check_version)
OPTIONS_CHECK = Check("options", "Opties: geldig JSON Schema 2020-12 met geldige standaardwaarden", "1", check_options)
DATA_CHECK = Check("data", "Persoonsgegevens: velden bestaan in het register, met doel en grondslag", "1",
                   check_data)
