"""The zaaktypen block of plein.yaml: its schema, the zaaktypen check, and releases refused for it at admission."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from plein.apps import package_path
from plein.store.checks.manifest import check_manifest
from plein.store.checks.zaaktypen import check_zaaktypen
from plein.store.package import load_package
from plein.store.service import publish
from tests.factories import make_package
from tests.store.helpers import STORAGE, SYSTEM
from tests.store.test_manifest_checks import BASE, context, json_values, rules_of

BUILT_IN = yaml.safe_load((package_path("verhuizing-doorgeven") / "plein.yaml").read_text("utf-8"))
OPTIONS = BUILT_IN["options"]


def zaaktype(**changes: Any) -> dict[str, Any]:
    """The built-in zaaktype without its fromOptions (BASE has no options), changed."""
    item: dict[str, Any] = copy.deepcopy(BUILT_IN["zaaktypen"][0])
    item.pop("fromOptions")
    item.update(changes)
    return item


def paths(findings: list[Any]) -> list[str]:
    return [finding.path for finding in findings]


def test_the_built_in_block_is_valid() -> None:
    ctx = context({**BASE, "zaaktypen": [zaaktype()]})
    assert check_manifest(ctx) == [] and check_zaaktypen(ctx) == []
    with_options = context({**BASE, "options": OPTIONS, "zaaktypen": BUILT_IN["zaaktypen"]})
    assert check_manifest(with_options) == [] and check_zaaktypen(with_options) == []


def test_an_integration_app_has_no_zaaktypen() -> None:
    findings = check_zaaktypen(context({**BASE, "kind": "integration", "zaaktypen": [zaaktype()]}))
    assert rules_of(findings) == ["zaaktypen.service-only"]
    assert findings[0].path == "zaaktypen" and findings[0].line == 5 and "integration" in findings[0].message
    assert check_zaaktypen(context({**BASE, "kind": "integration"})) == []


def test_identificaties_are_unique() -> None:
    manifest = {**BASE, "zaaktypen": [zaaktype(), zaaktype(identificatie="ANDER"), zaaktype()]}
    findings = check_zaaktypen(context(manifest))
    assert rules_of(findings) == ["zaaktypen.duplicate-identificatie"]
    assert paths(findings) == ["zaaktypen[2].identificatie"]
    assert "zaaktypen[0]" in findings[0].message and findings[0].line is not None


def test_the_schema_names_each_bad_field() -> None:
    broken = zaaktype(doorlooptijd="vijf dagen", vertrouwelijkheidaanduiding="geheimpje")
    del broken["statustypen"]
    single = zaaktype(statustypen=[{"omschrijving": "Klaar"}])
    findings = check_manifest(context({**BASE, "zaaktypen": [broken, single]}))
    found = {(finding.path, finding.rule) for finding in findings}
    assert found == {
        ("zaaktypen[0].doorlooptijd", "manifest.schema.pattern"),
        ("zaaktypen[0].vertrouwelijkheidaanduiding", "manifest.schema.enum"),
        ("zaaktypen[0]", "manifest.schema.required"),
        ("zaaktypen[1].statustypen", "manifest.schema.minItems"),
    }
    assert any("statustypen" in f.message for f in findings if f.rule == "manifest.schema.required")


def test_durations_follow_iso_8601() -> None:
    for good in ("P5D", "P8W", "P1Y6M", "PT36H", "P1DT12H"):
        assert check_manifest(context({**BASE, "zaaktypen": [zaaktype(doorlooptijd=good)]})) == [], good
    for bad in ("P", "PT", "5D", "P5", "P1.5D", "p5d"):
        findings = check_manifest(context({**BASE, "zaaktypen": [zaaktype(doorlooptijd=bad)]}))
        assert paths(findings) == ["zaaktypen[0].doorlooptijd"], bad


def test_the_catalogi_rules_on_the_parts() -> None:
    item = zaaktype(verlengingMogelijk=True)
    item["resultaattypen"].append(copy.deepcopy(item["resultaattypen"][0]))
    item["resultaattypen"][0]["brondatumArchiefprocedure"] = {"afleidingswijze": "termijn"}
    item["informatieobjecttypen"].append({**item["informatieobjecttypen"][0], "richting": "uitgaand"})
    other = zaaktype(identificatie="ANDER", verlengingstermijn="P5D")
    other["informatieobjecttypen"][0]["vertrouwelijkheidaanduiding"] = "openbaar"
    last_informatieobjecttype = len(item["informatieobjecttypen"]) - 1  # the copies appended above
    last_resultaattype = len(item["resultaattypen"]) - 1
    findings = check_zaaktypen(context({**BASE, "zaaktypen": [item, other]}))
    assert sorted(zip(paths(findings), rules_of(findings), strict=True)) == [
        (f"zaaktypen[0].informatieobjecttypen[{last_informatieobjecttype}].omschrijving",
         "zaaktypen.duplicate-informatieobjecttype"),
        ("zaaktypen[0].resultaattypen[0].brondatumArchiefprocedure.procestermijn",
         "zaaktypen.brondatum-archiefprocedure"),
        (f"zaaktypen[0].resultaattypen[{last_resultaattype}].omschrijving", "zaaktypen.duplicate-resultaattype"),
        ("zaaktypen[0].verlengingstermijn", "zaaktypen.verlengingstermijn"),
        ("zaaktypen[1].informatieobjecttypen[0]", "zaaktypen.informatieobjecttype-differs"),
        ("zaaktypen[1].verlengingstermijn", "zaaktypen.verlengingstermijn"),
    ]


async def test_a_release_with_bad_zaaktypen_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    integration = make_package(tmp_path, version="2.1.0", name="integration", manifest={"kind": "integration"})
    duplicate = make_package(tmp_path, version="2.1.0", name="duplicate",
                             manifest={"zaaktypen": [zaaktype(), zaaktype(doorlooptijd="P1W")]})
    integration_errors = {("zaaktypen", "zaaktypen.service-only"), (None, "service.service-only")}
    for folder, expected in ((integration, integration_errors),
                             (duplicate, {("zaaktypen[1].identificatie", "zaaktypen.duplicate-identificatie")})):
        loaded = load_package(folder)
        assert loaded.package is not None
        result = await publish(session, STORAGE, loaded, "0363", SYSTEM)
        assert result.release.status == "rejected"
        errors = {(f.get("path"), f["rule"]) for f in result.report["findings"] if f["severity"] == "error"}
        assert errors == expected
        assert {c["id"]: c["status"] for c in result.report["checks"]}["zaaktypen"] == "failed"


def test_eigenschappen_follow_the_schema_and_have_unique_names() -> None:
    item = zaaktype()
    item["eigenschappen"].append({"naam": "verhuisdatum", "definitie": "Nog eens", "formaat": "datum"})
    item["eigenschappen"].append({"naam": "te lang en met spaties", "definitie": "x", "formaat": "kleur"})
    ctx = context({**BASE, "zaaktypen": [item]})
    assert {(f.path, f.rule) for f in check_manifest(ctx)} == {
        ("zaaktypen[0].eigenschappen[5].naam", "manifest.schema.pattern"),
        ("zaaktypen[0].eigenschappen[5].formaat", "manifest.schema.enum"),
    }
    findings = check_zaaktypen(ctx)
    assert [(f.path, f.rule) for f in findings] == [("zaaktypen[0].eigenschappen[4].naam",
                                                     "zaaktypen.duplicate-eigenschap")]
    assert "eigenschappen[0]" in findings[0].message


# --- fromOptions: fields of the zaaktype that follow the municipality's options -----------------------------------

def from_options(expressions: dict[str, Any], options: dict[str, Any] | None = None) -> tuple[list[Any], str]:
    """The zaaktypen findings for a zaaktype with these fromOptions, and the manifest's YAML they point into."""
    manifest = {**BASE, "options": options or OPTIONS, "zaaktypen": [zaaktype(fromOptions=expressions)]}
    return check_zaaktypen(context(manifest)), yaml.safe_dump(manifest, sort_keys=False)


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def test_the_built_in_from_options_work() -> None:
    findings, _ = from_options({"doorlooptijd": {"cat": ["P", {"var": "opties.behandeltermijnDagen"}, "D"]},
                                "servicenorm": {"cat": ["P", {"var": "opties.behandeltermijnDagen"}, "D"]},
                                "verantwoordelijke": {"if": [{"var": "opties.bewijsstukVereist"}, "Burgerzaken",
                                                             "Publiekszaken"]}})
    assert findings == []


def test_from_options_give_valid_values_with_the_defaults() -> None:
    findings, text = from_options({"doorlooptijd": {"cat": ["P", {"var": "opties.behandeltermijnDagen"}]}})
    assert [(f.rule, f.path) for f in findings] == [("zaaktypen.from-options", "zaaktypen[0].fromOptions.doorlooptijd")]
    assert findings[0].line == line_of(text, "    doorlooptijd:\n      cat:")
    assert "'P5'" in findings[0].message and "behandeltermijnDagen': 5" in findings[0].message
    too_long, _ = from_options({"verantwoordelijke": {"cat": ["Afdeling ", {"var": "opties.contactEmail"},
                                                               " en nog veel meer tekst erachter"]}})
    assert [(f.rule, f.path) for f in too_long] == [("zaaktypen.from-options",
                                                      "zaaktypen[0].fromOptions.verantwoordelijke")]


def test_from_options_are_json_logic() -> None:
    findings, text = from_options({"doorlooptijd": {"concat": ["P", {"var": "opties.behandeltermijnDagen"}, "D"]}})
    assert [(f.rule, f.path) for f in findings] == [("zaaktypen.from-options-logic",
                                                     "zaaktypen[0].fromOptions.doorlooptijd")]
    assert "'concat' is not a JSON Logic operator" in findings[0].message
    assert findings[0].line == line_of(text, "concat:") - 1
    numbered, _ = from_options({"doorlooptijd": {1: "P5D"}})
    assert [f.rule for f in numbered] == ["zaaktypen.from-options-logic"]


def test_from_options_read_options_that_exist() -> None:
    findings, text = from_options({"doorlooptijd": {"cat": ["P", {"var": "opties.termijn"}, "D"]}})
    assert [(f.rule, f.path) for f in findings] == [("zaaktypen.from-options-option",
                                                     "zaaktypen[0].fromOptions.doorlooptijd")]
    assert "'opties.termijn'" in findings[0].message and "behandeltermijnDagen" in findings[0].message
    assert findings[0].line == line_of(text, "    doorlooptijd:\n      cat:")
    other_root, _ = from_options({"doorlooptijd": {"var": "antwoorden.termijn"}})
    assert [f.rule for f in other_root] == ["zaaktypen.from-options-option"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["service", "integration", None]),
       st.lists(st.dictionaries(st.sampled_from(["identificatie", "verlengingMogelijk", "verlengingstermijn",
                                                 "resultaattypen", "informatieobjecttypen", "eigenschappen",
                                                 "fromOptions"]),
                                json_values, max_size=5), max_size=3) | json_values)
def test_the_check_never_raises(kind: str | None, zaaktypen: Any) -> None:
    for finding in check_zaaktypen(context({**BASE, "kind": kind, "zaaktypen": zaaktypen})):
        assert finding.severity == "error" and finding.path and finding.message
