"""The service check: service/service.yaml against its schema, its identifiers, references, JSON Logic and grants.

Each rule test breaks exactly that rule in a copy of the built-in verhuizing-doorgeven package and expects its
finding at the path and line where the package breaks it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from plein.apps import package_path
from plein.store.checks import CheckContext, run_checks
from plein.store.checks import service as service_check
from plein.store.checks.manifest import check_manifest
from plein.store.checks.service import check_service, service_schema
from plein.store.findings import Finding
from plein.store.package import SERVICE, AppPackage, load_package
from tests.factories import make_package

BUILT_IN = package_path("verhuizing-doorgeven")
ORIGINAL = (BUILT_IN / SERVICE).read_text("utf-8")
MANIFEST = yaml.safe_load((BUILT_IN / "plein.yaml").read_text("utf-8"))
IDENTIFIER = st.from_regex(r"\A[a-z][A-Za-z0-9]{0,20}\Z")


def edit(*replacements: tuple[str, str]) -> str:
    """The built-in service.yaml with each snippet (occurring exactly once) replaced."""
    text = ORIGINAL
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line on which the snippet occurs (the n-th time)."""
    start = -1
    for _ in range(occurrence):
        start = text.index(snippet, start + 1)
    return text.count("\n", 0, start) + 1


def report(tmp_path: Path, service: str | None = None, manifest: dict[str, Any] | None = None,
           drop_service: bool = False) -> list[Finding]:
    """Every finding of the admission pipeline on a copy of the built-in package with these changes."""
    folder = make_package(tmp_path, name="pakket")
    if manifest is not None:
        (folder / "plein.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    if service is not None:
        (folder / SERVICE).write_text(service, "utf-8")
    if drop_service:
        (folder / SERVICE).unlink()
    loaded = load_package(folder)
    assert loaded.package is not None
    return run_checks(CheckContext(loaded.package, [])).findings


def errors(findings: list[Finding]) -> set[tuple[str, str | None, int | None]]:
    return {(f.rule, f.path, f.line) for f in findings if f.severity == "error"}


def only_error(tmp_path: Path, service: str, rule: str, path: str, snippet: str,
               manifest: dict[str, Any] | None = None) -> Finding:
    """Check that the changed definition breaks exactly `rule`, at `path`, on the line of `snippet`."""
    findings = report(tmp_path, service, manifest)
    assert errors(findings) == {(rule, path, line_of(service, snippet))}, [f.message for f in findings]
    found = next(f for f in findings if f.rule == rule)
    assert found.check == "service" and found.file == SERVICE and found.message.startswith(f"{path}: ")
    return found


def in_memory(definition: Any, manifest: dict[str, Any] | None = None) -> tuple[CheckContext, list[Finding]]:
    """The service check alone, on an in-memory package (fast enough for Hypothesis)."""
    files = {"plein.yaml": yaml.safe_dump(manifest or MANIFEST, sort_keys=False).encode(),
             SERVICE: yaml.safe_dump(definition, allow_unicode=True, sort_keys=False).encode()}
    context = CheckContext(AppPackage(files, b"", "zip", "test"))
    check_manifest(context)
    return context, check_service(context)


def original() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ORIGINAL)
    return data


# --- the built-in package, loading, kind, schema ---------------------------------------------------------------


def test_the_built_in_package_passes_and_the_definition_is_kept() -> None:
    loaded = load_package(BUILT_IN)
    assert loaded.package is not None
    context = CheckContext(loaded.package, [])
    result = run_checks(context)
    assert result.findings == []
    assert {c["id"]: c["status"] for c in result.checks}["service"] == "passed"
    assert [c["id"] for c in result.checks].index("service") == [c["id"] for c in result.checks].index("zaaktypen") + 1
    assert context.service == original()
    assert context.service_lines["case.zaaktype"] == line_of(ORIGINAL, "zaaktype: VERHUIZING")


def test_yaml_errors_have_a_line(tmp_path: Path) -> None:
    duplicate = edit(("audience: inwoner\n", "audience: inwoner\naudience: ondernemer\n"))
    findings = report(tmp_path, duplicate)
    assert errors(findings) == {("service.yaml.duplicate-key", None, line_of(duplicate, "audience: ondernemer"))}
    broken = edit(("title: Verhuizing doorgeven", "title: [Verhuizing doorgeven"))
    syntax = [f for f in report(tmp_path / "b", broken) if f.severity == "error"]
    assert [f.rule for f in syntax] == ["service.yaml.syntax"] and syntax[0].line is not None


def test_only_service_apps_have_a_definition(tmp_path: Path) -> None:
    manifest = {key: value for key, value in MANIFEST.items() if key != "zaaktypen"} | {"kind": "integration"}
    findings = report(tmp_path, manifest=manifest)
    assert errors(findings) == {("service.service-only", None, line_of(ORIGINAL, "plein-service: 1"))}
    found = next(f for f in findings if f.rule == "service.service-only")
    assert "'integration'" in found.message and found.file == SERVICE


def test_a_service_app_without_a_definition_gets_a_warning(tmp_path: Path) -> None:
    findings = report(tmp_path, drop_service=True)
    assert [(f.rule, f.severity) for f in findings] == [("service.missing", "warning")]
    manifest = {key: value for key, value in MANIFEST.items() if key != "zaaktypen"} | {"kind": "integration"}
    assert report(tmp_path / "integration", manifest=manifest, drop_service=True) == []


def test_the_schema_names_the_path(tmp_path: Path) -> None:
    service = edit(("audience: inwoner", "audience: burger"))
    found = only_error(tmp_path, service, "service.schema.enum", "audience", "audience: burger")
    assert "regel: enum" in found.message


# --- identifiers -------------------------------------------------------------------------------------------------

EXISTING_IDS = {"verhuizing", "meeverhuizers", "bewijs", "afronden", "afspraak", "bekend", "verhuisdatum", "nieuwAdres",
                "bewijsstuk", "afhandeling", "voorkeur", "telefoon", "aanvrager", "huisgenoten", "teLaat",
                "hoofdbewoner"}


def _duplicated(group: str, ident: str) -> tuple[dict[str, Any], str]:
    """The definition with two entries of a group sharing an id, and the path of the second one's id."""
    data = original()
    if group == "steps":
        data["steps"][1]["id"] = data["steps"][3]["id"] = ident
        return data, "steps[3].id"
    if group == "questions":  # across steps; neither question is referenced elsewhere
        data["steps"][0]["questions"][0]["id"] = data["steps"][4]["questions"][1]["id"] = ident
        return data, "steps[4].questions[1].id"
    entries = data[group]
    extra = [{**copy.deepcopy(entries[-1]), "id": ident} for _ in range(2)]
    entries.extend(extra)
    return data, f"{group}[{len(entries) - 1}].id"


@settings(max_examples=40, deadline=None)
@given(group=st.sampled_from(["steps", "questions", "prefill", "checks", "consent"]), ident=IDENTIFIER)
def test_identifiers_are_unique(group: str, ident: str) -> None:
    assume(ident not in EXISTING_IDS)
    data, path = _duplicated(group, ident)
    _, findings = in_memory(data)
    assert [(f.rule, f.path) for f in findings] == [("service.duplicate-id", path)], findings
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lines = [n for n, line in enumerate(text.splitlines(), 1)
             if re.fullmatch(rf"\s*(- )?id: ['\"]?{ident}['\"]?", line)]
    assert findings[0].line == lines[1]


def test_the_same_id_in_different_groups_is_fine() -> None:
    data = original()
    data["consent"][0]["id"] = "verhuizing"  # also a step id
    assert in_memory(data)[1] == []


# --- references within the definition ---------------------------------------------------------------------------


def test_handled_by_after_is_a_step(tmp_path: Path) -> None:
    service = edit(("after: verhuizing", "after: verhuisstap"))
    found = only_error(tmp_path, service, "service.unknown-step", "handledBy.after", "after: verhuisstap")
    assert "'verhuizing'" in found.message


def test_a_persons_question_chooses_from_huisgenoten(tmp_path: Path) -> None:
    service = edit(("source: huisgenoten", "source: aanvrager"))
    only_error(tmp_path, service, "service.persons-source", "steps[1].questions[0].source", "source: aanvrager")
    unknown = edit(("source: huisgenoten", "source: buren"))
    only_error(tmp_path / "b", unknown, "service.persons-source", "steps[1].questions[0].source", "source: buren")


def test_huisgenoten_need_the_applicants_relations(tmp_path: Path) -> None:
    fields = "fields: [burgerservicenummer, naam, geboorte, verblijfplaats, adressering, gemeenteVanInschrijving, "
    service = edit((fields + "partners,\n             kinderen]", fields + "partners.burgerservicenummer,\n"
                    "             kinderen]"))
    found = only_error(tmp_path, service, "service.huisgenoten-needs-aanvrager", "prefill[0].fields", fields)
    assert "voeg partners aan deze velden toe" in found.message
    without = edit(("    about: aanvrager", "    about: antwoord.verhuisdatum"))
    only_error(tmp_path / "b", without, "service.huisgenoten-needs-aanvrager", "prefill[1].about",
               "about: huisgenoten")


def test_prefill_about_an_answer_names_a_question(tmp_path: Path) -> None:
    entry = ("\n  - id: partner\n    register: brp\n    about: antwoord.partnerBsn\n    fields: [naam]\n"
             "    activity: verhuizing-verwerken\n")
    service = edit(("fields: [burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats]\n"
                    "    activity: verhuizing-verwerken\n",
                    "fields: [burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats]\n"
                    "    activity: verhuizing-verwerken" + entry))
    only_error(tmp_path, service, "service.prefill-about", "prefill[2].about", "about: antwoord.partnerBsn")


def test_consent_names_an_address_question(tmp_path: Path) -> None:
    service = edit(("address: nieuwAdres", "address: verhuisdatum"))
    found = only_error(tmp_path, service, "service.consent-address", "consent[0].address", "address: verhuisdatum")
    assert "vraag van het type date" in found.message


# --- references to the manifest's zaaktype ------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "rule", "path"), [
    ("zaaktype: VERHUIZING", "zaaktype: VERHUIZEN", "unknown-zaaktype", "case.zaaktype"),
    ("    intake: {if:", "    kanaal: {if:", "unknown-eigenschap", "case.eigenschappen.kanaal"),
    ("- roltype: Meeverhuizer", "- roltype: Medebewoner", "unknown-roltype", "case.betrokkenen[0].roltype"),
    ("resultaattype: Afgewezen", "resultaattype: Geweigerd", "unknown-resultaattype",
     "decision.afgewezen.resultaattype"),
    ("informatieobjecttype: Bewijs van bewoning", "informatieobjecttype: Huurcontract",
     "unknown-informatieobjecttype", "steps[2].questions[0].informatieobjecttype"),
])
def test_the_case_refers_to_its_zaaktype(tmp_path: Path, old: str, new: str, rule: str, path: str) -> None:
    service = edit((old, new))
    found = only_error(tmp_path, service, f"service.{rule}", path, new)
    assert "plein.yaml" in found.message


# --- JSON Logic and variables -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "path", "said"), [
    ("when: {var: opties.bewijsstukVereist}", "when: {var: opties.bewijsstukVereist, missing: []}",
     "steps[2].when", "exactly one operator"),
    ('omschrijving: {cat: ["Verhuizing', 'omschrijving: {concat: ["Verhuizing', "case.omschrijving",
     "'concat' is not a JSON Logic operator"),
    ('- {"!": {var: controles.teLaat}}', "- {log: {var: controles.teLaat}}", "decision.automatic.and[1]",
     "'log' is not allowed"),
    ("    datum: {var: antwoorden.verhuisdatum}", "    datum: {verhuisdatum: []}", "effects[0].datum",
     "'verhuisdatum' is not a JSON Logic operator"),
])
def test_every_logic_place_holds_json_logic(tmp_path: Path, old: str, new: str, path: str, said: str) -> None:
    service = edit((old, new))
    found = only_error(tmp_path, service, "service.logic", path, new)
    assert said in found.message


def test_the_logic_places_follow_the_schema() -> None:
    places = service_check.logic_places(original())
    assert {"handledBy.gemeente", "steps[0].questions[0].rows[0].value", "steps[0].questions[1].validations[0].rule",
            "steps[1].when", "appointment.when", "checks[0].when", "consent[0].movers", "case.omschrijving",
            "case.eigenschappen.aantalPersonen", "case.betrokkenen[0].personen", "decision.automatic",
            "effects[0].personen", "effects[0].adres", "effects[0].datum"} <= set(places)
    assert not any(path.endswith((".label", ".message", ".statustekst", ".type")) for path in places)
    text = original()
    text["case"]["toelichting"] = "Gewone tekst"  # $defs/text as a string is text, not logic
    assert "case.toelichting" not in service_check.logic_places(text)


@pytest.mark.parametrize(("old", "new", "rule"), [
    ('">": [{date: {var: vandaag}}', '">": [{date: {var: morgen}}', "variable-root"),
    ("- {\"==\": [{var: antwoorden.afhandeling}, balie]}\n  message:",
     "- {\"==\": [{var: antwoorden.afhandelwijze}, balie]}\n  message:", "variable-question"),
    ("value: {var: prefill.aanvrager.burgerservicenummer}", "value: {var: prefill.persoon.burgerservicenummer}",
     "variable-prefill"),
    ('- {"!": {var: controles.teLaat}}', '- {"!": {var: controles.telaat}}', "variable-check"),
    ("when: {var: opties.bewijsstukVereist}", "when: {var: opties.bewijsVereist}", "variable-option"),
])
def test_variables_name_what_exists(tmp_path: Path, old: str, new: str, rule: str) -> None:
    service = edit((old, new))
    findings = [f for f in report(tmp_path, service) if f.severity == "error"]
    assert [f.rule for f in findings] == [f"service.{rule}"]
    assert findings[0].line == line_of(service, new.split("\n", maxsplit=1)[0])
    name = re.search(r"var: ([\w.]+)", new)
    assert name is not None and f"leest {name.group(1)!r}" in findings[0].message


def test_an_option_the_manifest_drops_is_reported(tmp_path: Path) -> None:
    manifest = copy.deepcopy(MANIFEST)
    del manifest["options"]["properties"]["toestemmingHoofdbewoner"]
    found = [f for f in report(tmp_path, manifest=manifest) if f.severity == "error"]
    assert [(f.rule, f.path) for f in found] == [("service.variable-option", "consent[0].when")]
    assert found[0].line == line_of(ORIGINAL, "when: {var: opties.toestemmingHoofdbewoner}")


def test_reduce_items_are_not_variables() -> None:
    data = original()
    data["checks"][0]["when"] = {"reduce": [{"var": "antwoorden.meeverhuizers"},
                                            {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}
    assert in_memory(data)[1] == []
    data["checks"][0]["when"] = {"+": [{"var": "accumulator"}, 1]}
    assert [f.rule for f in in_memory(data)[1]] == ["service.variable-root"]


# --- grants ----------------------------------------------------------------------------------------------------

HUISGENOTEN_FIELDS = "fields: [burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats]"


def test_prefill_fields_must_be_granted(tmp_path: Path) -> None:
    service = edit((HUISGENOTEN_FIELDS, HUISGENOTEN_FIELDS[:-1] + ", nationaliteiten]"))
    found = only_error(tmp_path, service, "service.prefill-not-granted", "prefill[1].fields[5]",
                       HUISGENOTEN_FIELDS[:-1])
    assert "'nationaliteiten'" in found.message
    manifest = copy.deepcopy(MANIFEST)
    manifest["requires"]["data"][0]["fields"].remove("leeftijd")
    found = [f for f in report(tmp_path / "b", manifest=manifest) if f.severity == "error"]
    assert [(f.rule, f.path) for f in found] == [("service.prefill-not-granted", "prefill[1].fields[3]")]


def test_a_granted_field_covers_its_parts(tmp_path: Path) -> None:
    service = edit((HUISGENOTEN_FIELDS, HUISGENOTEN_FIELDS[:-1] + ", naam.voornamen, verblijfplaats.datumVan]"))
    assert errors(report(tmp_path, service)) == set()


def test_prefill_activity_must_be_granted(tmp_path: Path) -> None:
    service = edit(("fields: [burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats]\n"
                    "    activity: verhuizing-verwerken",
                    "fields: [burgerservicenummer, naam, geboorte, leeftijd, verblijfplaats]\n"
                    "    activity: verhuizing-controleren"))
    found = only_error(tmp_path, service, "service.prefill-not-granted", "prefill[1].activity",
                       "activity: verhuizing-controleren")
    assert "verhuizing-controleren" in found.message


def test_prefill_fields_exist_in_the_register(tmp_path: Path) -> None:
    service = edit((HUISGENOTEN_FIELDS, HUISGENOTEN_FIELDS[:-1] + ", schoenmaat]"))
    found = only_error(tmp_path, service, "service.prefill-unknown-field", "prefill[1].fields[5]",
                       HUISGENOTEN_FIELDS[:-1])
    assert "register brp" in found.message


def test_effects_need_a_write_grant(tmp_path: Path) -> None:
    manifest = copy.deepcopy(MANIFEST)
    del manifest["requires"]["writes"]
    found = [f for f in report(tmp_path, manifest=manifest) if f.severity == "error"]
    assert [(f.rule, f.path, f.line) for f in found] == [
        ("service.effect-not-granted", "effects[0].type", line_of(ORIGINAL, "- type: brp.verhuizing"))]
    assert "requires.writes" in found[0].message and "mutation verhuizing" in found[0].message


def test_effects_come_from_the_vocabulary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = edit(("- type: brp.verhuizing", "- type: brp.emigratie"))
    assert errors(report(tmp_path, service)) == {
        ("service.schema.enum", "effects[0].type", line_of(service, "brp.emigratie")),
        ("service.unknown-effect", "effects[0].type", line_of(service, "brp.emigratie")),
    }
    monkeypatch.delitem(service_check.EFFECT_WRITES, "brp.verhuizing")  # the schema still knows it; Plein does not
    found = [f for f in report(tmp_path / "b") if f.severity == "error"]
    assert [(f.rule, f.path) for f in found] == [("service.unknown-effect", "effects[0].type")]


# --- audience and assurance -------------------------------------------------------------------------------------


def test_audience_and_assurance_agree(tmp_path: Path) -> None:
    service = edit(("assurance: midden", "assurance: EH3"))
    found = only_error(tmp_path, service, "service.assurance", "assurance", "assurance: EH3")
    assert "DigiD" in found.message


@settings(max_examples=30, deadline=None)
@given(audience=st.sampled_from(["inwoner", "ondernemer"]),
       level=st.sampled_from(["basis", "midden", "substantieel", "hoog", "EH2", "EH2+", "EH3", "EH4"]))
def test_each_audience_has_its_own_levels(audience: str, level: str) -> None:
    data = {**original(), "audience": audience, "assurance": level}
    rules = [f.rule for f in in_memory(data)[1]]
    digid = level in ("basis", "midden", "substantieel", "hoog")
    assert rules == ([] if digid == (audience == "inwoner") else ["service.assurance"])


# --- robustness and the served schema ---------------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(original())), value=JSON)
def test_the_check_never_raises(key: str, value: Any) -> None:
    _, findings = in_memory({**original(), key: value})
    assert all(isinstance(f, Finding) and f.file == SERVICE for f in findings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(sorted(service_check.logic_places(original()))), value=JSON)
def test_any_value_in_a_logic_place_gives_findings_not_exceptions(place: str, value: Any) -> None:
    data = original()
    target: Any = data
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", place)
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    last = parts[-1]
    target[int(last[1:-1]) if last.startswith("[") else last] = value
    in_memory(data)


async def test_the_schema_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/store/v1/schemas/plein-service.json")
    assert response.status_code == 200
    assert response.json() == service_schema()
    assert response.json()["$id"] == "urn:plein:schema:plein-service:1"
