"""The manifest checks: plein.yaml against its schema, version rules, options schema, data requests."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from plein.store.checks import CheckContext
from plein.store.checks.manifest import check_data, check_manifest, check_options, check_version
from plein.store.package import AppPackage

BASE: dict[str, Any] = {"plein": 1, "id": "mijn-app", "kind": "service", "version": "1.0.0"}


def context(manifest: object, earlier: list[str] | None = None, raw: bytes | None = None) -> CheckContext:
    content = raw if raw is not None else yaml.safe_dump(manifest, sort_keys=False).encode()
    package = AppPackage({"plein.yaml": content}, content, "zip", "test")
    ctx = CheckContext(package, earlier or [], publiccode={"softwareVersion": "1.0.0"})
    check_manifest(ctx)
    return ctx


def rules_of(findings: list[Any]) -> list[str]:
    return [finding.rule for finding in findings]


def test_valid_manifest() -> None:
    ctx = context(BASE)
    assert check_manifest(ctx) == [] and ctx.manifest == BASE


def test_unknown_key_and_wrong_kind_name_the_path() -> None:
    findings = check_manifest(context({**BASE, "kind": "plugin", "colour": "red"}))
    assert set(rules_of(findings)) == {"manifest.schema.enum", "manifest.schema.additionalProperties"}
    kind = next(f for f in findings if f.rule == "manifest.schema.enum")
    assert kind.path == "kind" and kind.line == 3


def test_version_rules() -> None:
    assert rules_of(check_version(context({**BASE, "version": "1.0"}))) == ["version.semver"]
    assert rules_of(check_version(context({**BASE, "version": "1.0.1"}))) == ["version.publiccode-mismatch"]
    lower = check_version(context(BASE, earlier=["1.0.0", "0.9.0"]))
    assert rules_of(lower) == ["version.not-greater"] and "1.0.0" in lower[0].message
    assert check_version(context(BASE, earlier=["0.9.0"])) == []


def test_options_must_be_a_valid_schema_with_valid_defaults() -> None:
    broken = context({**BASE, "options": {"type": "object", "properties": {"a": {"type": "nummer"}}}})
    assert rules_of(check_options(broken)) == ["options.invalid-schema"]
    not_object = context({**BASE, "options": {"type": "string"}})
    assert rules_of(check_options(not_object)) == ["options.not-object"]
    bad_default = context({**BASE, "options": {"type": "object", "properties": {
        "n": {"type": "integer", "minimum": 1, "default": 0}}}})
    findings = check_options(bad_default)
    assert rules_of(findings) == ["options.default-invalid"]
    assert findings[0].path == "options.properties.n.default"


def test_data_fields_must_exist_in_the_register() -> None:
    manifest = {**BASE, "requires": {"data": [
        {"register": "brp", "fields": ["naam.voornamen", "schoenmaat"], "activity": "iets-doen",
         "purpose": "Een duidelijk doel", "legalBasis": "Wet BRP"},
        {"register": "kadaster", "fields": ["perceel"], "activity": "iets-doen",
         "purpose": "Een duidelijk doel", "legalBasis": "Wet BRP"},
    ]}}
    findings = check_data(context(manifest))
    assert rules_of(findings) == ["data.unknown-field", "data.unknown-register"]
    assert findings[0].path == "requires.data[0].fields[1]"


def test_missing_purpose_is_a_schema_error() -> None:
    manifest = {**BASE, "requires": {"data": [{"register": "brp", "fields": ["naam"], "activity": "x-y"}]}}
    findings = check_manifest(context(manifest))
    assert {f.message.split(":")[0] for f in findings} == {"requires.data[0]"}
    assert any("purpose" in f.message for f in findings) and any("legalBasis" in f.message for f in findings)


def test_yaml_problems() -> None:
    assert rules_of(check_manifest(context(None, raw=b"a: 1\n---\nb: 2\n"))) == ["manifest.yaml.multi-document"]
    assert rules_of(check_manifest(context(None, raw=b"a: 1\na: 2\n"))) == ["manifest.yaml.duplicate-key"]
    assert rules_of(check_manifest(context(None, raw=b"\xff\xfe"))) == ["manifest.yaml.encoding"]
    assert rules_of(check_manifest(context(None, raw=b"a: [1, 2\n"))) == ["manifest.yaml.syntax"]
    assert rules_of(check_manifest(context(None, raw=b"[" * 5000))) == ["manifest.yaml.syntax"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["plein", "id", "kind", "version", "options", "requires", "pricing", "x"]),
                       json_values, max_size=7))
def test_checks_never_raise_on_any_manifest(manifest: dict[str, Any]) -> None:
    ctx = context(manifest)
    for check in (check_version, check_options, check_data):
        for finding in check(ctx):
            assert finding.severity in {"error", "warning"} and finding.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_findings_not_exceptions(raw: bytes) -> None:
    ctx = context(None, raw=raw)
    check_options(ctx)
    check_data(ctx)
    check_version(ctx)
