"""Admission check 1: the strict publiccode.yml validator against the standard's rules and examples."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from license_expression import get_spdx_licensing

from plein.store.findings import Finding, has_errors
from plein.store.publiccode import PubliccodeResult, validate_publiccode
from plein.store.publiccode.rules import SUPPORTED_VERSIONS
from plein.store.publiccode.vocab import ALIASES, CATEGORIES, SCOPES

SPECS = Path(__file__).resolve().parents[3] / "shared/specs/publiccode"
FILES = frozenset({"publiccode.yml", "plein.yaml", "img/logo.svg", "screenshots/1.png", "AUTHORS.txt"})
LONG = "Inwoners geven hun verhuizing digitaal door aan de gemeente. " * 4  # 244 characters

BASE = f"""\
publiccodeYmlVersion: "0.4"
name: Verhuizing doorgeven
url: "https://example.org/gemeente/verhuizing.git"
platforms:
  - web
developmentStatus: stable
softwareType: "standalone/web"
logo: img/logo.svg
releaseDate: 2024-03-31
categories:
  - digital-citizenship
intendedAudience:
  countries:
    - NL
  scope:
    - local-authorities
description:
  nl:
    shortDescription: Een verhuizing doorgeven aan de gemeente.
    longDescription: "{LONG.strip()}"
    features:
      - Verhuizing doorgeven
    screenshots:
      - screenshots/1.png
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Jan Jansen
      email: jan.jansen@example.org
      phone: "+31 20 1234567"
localisation:
  localisationReady: true
  availableLanguages:
    - nl
"""


def check(text: str | bytes, files: frozenset[str] = FILES) -> PubliccodeResult:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return validate_publiccode(raw, files)


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str, start: int = 0) -> int:
    """The 1-based line of the first line (from line `start` + 1 on) that contains `fragment`."""
    for number, line in enumerate(text.splitlines()[start:], start + 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def only(result: PubliccodeResult, rule: str) -> Finding:
    """The one finding with `rule`; fails when there is none or more than one."""
    found = [finding for finding in result.findings if finding.rule == rule]
    assert len(found) == 1, result.findings
    return found[0]


def errors(result: PubliccodeResult) -> list[Finding]:
    return [finding for finding in result.findings if finding.severity == "error"]


def assert_finding(result: PubliccodeResult, rule: str, path: str | None, line: int | None,
                   severity: str = "error") -> Finding:
    finding = only(result, rule)
    assert (finding.severity, finding.path, finding.line) == (severity, path, line), finding
    assert finding.check == "publiccode"
    assert finding.file == "publiccode.yml"
    return finding


# --- the standard's examples and a clean document ---------------------------------------------------------------


def test_standard_examples_pass_without_errors() -> None:
    files = frozenset({"publiccode.yml", "img/logo.svg", "img/sshot1.jpg", "img/sshot2.jpg", "img/sshot3.jpg"})
    full = validate_publiccode((SPECS / "publiccode.yml").read_bytes(), files)
    minimal = validate_publiccode((SPECS / "publiccode.minimal.yml").read_bytes(), frozenset({"publiccode.yml"}))
    assert errors(full) == []
    assert errors(minimal) == []
    assert minimal.findings == []
    assert full.version == minimal.version == "0"
    assert full.data is not None
    assert full.data["name"] == "Medusa"
    # the example uses the deprecated Italian section: warnings only, naming the replacement
    deprecated = {finding.path: finding.message for finding in full.findings}
    assert set(deprecated) == {"IT", "IT.piattaforme.spid", "IT.piattaforme.cie", "IT.piattaforme.anpr",
                               "IT.piattaforme.pagopa"}
    assert "alias:spid" in deprecated["IT.piattaforme.spid"]


def test_clean_document_has_no_findings() -> None:
    result = check(BASE)
    assert result.findings == []
    assert result.version == "0.4"
    assert result.data is not None
    assert result.data["maintenance"]["contacts"][0]["name"] == "Jan Jansen"


def test_examples_need_their_files_in_the_package() -> None:
    result = validate_publiccode((SPECS / "publiccode.yml").read_bytes(), frozenset({"publiccode.yml"}))
    missing = sorted(finding.path or "" for finding in result.findings if finding.rule == "publiccode.file-missing")
    assert missing == ["description.en.screenshots[0]", "description.en.screenshots[1]",
                       "description.en.screenshots[2]", "logo"]


# --- bytes and YAML ------------------------------------------------------------------------------------------------


def test_non_utf8_bytes_are_an_error_with_offset_and_line() -> None:
    raw = b'publiccodeYmlVersion: "0.4"\nname: Caf\xe9\n'
    result = check(raw)
    finding = assert_finding(result, "publiccode.encoding", None, 2)
    offset = raw.index(0xE9)
    assert f"positie {offset}" in finding.message
    assert result.data is None


def test_two_yaml_documents_are_an_error() -> None:
    result = check(BASE + "---\nname: tweede\n")
    assert_finding(result, "publiccode.multi-document", None, line_of(BASE, "availableLanguages") + 3)
    assert result.data is None


def test_yaml_syntax_error_names_the_line() -> None:
    text = edit("developmentStatus: stable", "developmentStatus: [stable")
    result = check(text)
    finding = only(result, "publiccode.yaml-syntax")
    assert finding.severity == "error"
    assert finding.line is not None
    assert finding.line >= line_of(text, "developmentStatus")
    assert result.data is None


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "een lijst"), ("just text\n", "één waarde"),
                                            ("", "leeg")])
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    result = check(text)
    assert only(result, "publiccode.top-level").severity == "error"
    assert kind in result.findings[0].message
    assert result.data is None


def test_duplicate_keys_are_an_error_at_the_second_key() -> None:
    text = edit("  type: community\n", "  type: community\n  type: internal\n")
    result = check(text)
    finding = assert_finding(result, "publiccode.duplicate-key", "maintenance.type", line_of(text, "type: internal"))
    assert f"regels {line_of(text, 'type: community')} en" in finding.message
    assert result.data is not None  # the checks go on with the value YAML keeps (the last)
    assert result.data["maintenance"]["type"] == "internal"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF"])
def test_yaml_11_booleans_are_text_in_yaml_12_so_not_a_boolean(word: str) -> None:
    text = edit("localisationReady: true", f"localisationReady: {word}")
    result = check(text)
    finding = assert_finding(result, "publiccode.yaml-1.2", "localisation.localisationReady",
                             line_of(text, "localisationReady"))
    assert "YAML 1.2" in finding.message and "true of false" in finding.message


def test_yaml_11_boolean_words_are_text_where_text_is_expected() -> None:
    result = check(edit("name: Verhuizing doorgeven", "name: on"))
    assert not has_errors(result.findings) and result.data is not None and result.data["name"] == "on"


def test_yaml_11_directive_gives_a_warning() -> None:
    result = check("# publiccode.yml\n%YAML 1.1\n---\n" + BASE)
    assert_finding(result, "publiccode.yaml-1.1", None, 2, severity="warning")
    assert not has_errors(result.findings)


# --- version --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
def test_every_supported_version_is_accepted(version: str) -> None:
    result = check(edit('publiccodeYmlVersion: "0.4"', f'publiccodeYmlVersion: "{version}"'))
    assert result.findings == []
    assert result.version == version


@pytest.mark.parametrize("version", ["0.1", "0.8", "1.0", "0.2.0", "latest"])
def test_unsupported_versions_are_rejected(version: str) -> None:
    result = check(edit('publiccodeYmlVersion: "0.4"', f'publiccodeYmlVersion: "{version}"'))
    finding = assert_finding(result, "publiccode.version", "publiccodeYmlVersion", 1)
    assert '"0.7"' in finding.message
    assert result.version == version


def test_unquoted_version_is_a_type_error_that_says_to_quote_it() -> None:
    result = check(edit('publiccodeYmlVersion: "0.4"', "publiccodeYmlVersion: 0.4"))
    finding = assert_finding(result, "publiccode.type", "publiccodeYmlVersion", 1)
    assert '"0.4"' in finding.message
    assert result.version == "0.4"


# --- required keys and types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["name", "url", "developmentStatus", "softwareType", "publiccodeYmlVersion"])
def test_required_top_level_keys(key: str) -> None:
    text = "".join(line + "\n" for line in BASE.splitlines() if not line.startswith(f"{key}:"))
    result = check(text)
    assert_finding(result, "publiccode.required", key, None)


def test_required_sections_report_their_missing_key() -> None:
    text = edit("legal:\n  license: EUPL-1.2\n", "legal:\n  mainCopyrightOwner: Gemeente Utrecht\n")
    assert_finding(check(text), "publiccode.required", "legal.license", line_of(text, "legal:"))
    text = edit("  availableLanguages:\n    - nl\n", "")
    assert_finding(check(text), "publiccode.required", "localisation.availableLanguages",
                   line_of(text, "localisation:"))


def test_empty_required_value_is_an_error() -> None:
    text = edit("name: Verhuizing doorgeven", 'name: ""')
    assert_finding(check(text), "publiccode.required", "name", line_of(text, "name:"))


def test_short_description_is_required_in_every_language() -> None:
    text = edit("legal:\n", "  en:\n    features: [Report a move]\nlegal:\n")
    assert_finding(check(text), "publiccode.required", "description.en.shortDescription", line_of(text, "  en:"))


def test_long_description_and_features_in_at_least_one_language() -> None:
    text = edit(f'    longDescription: "{LONG.strip()}"\n', "")
    text = edit("    features:\n      - Verhuizing doorgeven\n", "", text)
    result = check(text)
    paths = {(finding.rule, finding.path) for finding in result.findings}
    assert paths == {("publiccode.required", "description")}
    messages = " ".join(finding.message for finding in result.findings)
    assert "longDescription" in messages
    assert "features" in messages
    # another language without them is fine once one language has them
    extra = edit("legal:\n", "  en:\n    shortDescription: Report a move.\nlegal:\n")
    assert check(extra).findings == []


def test_type_errors_name_what_was_found_and_what_is_required() -> None:
    text = edit("name: Verhuizing doorgeven", "name: 2024")
    finding = assert_finding(check(text), "publiccode.type", "name", 2)
    assert "een getal (2024)" in finding.message
    assert "een tekst" in finding.message
    text = edit("localisationReady: true", 'localisationReady: "true"')
    finding = assert_finding(check(text), "publiccode.type", "localisation.localisationReady",
                             line_of(text, "localisationReady"))
    assert "true of false" in finding.message
    text = edit("  - digital-citizenship\n", "").replace("categories:\n", "categories: digital-citizenship\n")
    assert_finding(check(text), "publiccode.type", "categories", line_of(text, "categories:"))


def test_platforms_may_be_one_string_or_a_list_with_free_values() -> None:
    assert check(edit("platforms:\n  - web\n", "platforms: web\n")).findings == []
    assert check(edit("  - web\n", "  - web\n  - kiosk\n")).findings == []
    text = edit("platforms:\n  - web\n", "platforms: []\n")
    assert_finding(check(text), "publiccode.required", "platforms", line_of(text, "platforms"))


@pytest.mark.parametrize(("old", "new", "path", "allowed"), [
    ("developmentStatus: stable", "developmentStatus: alpha", "developmentStatus", "concept, development, beta"),
    ('softwareType: "standalone/web"', "softwareType: webapp", "softwareType", "standalone/web"),
    ("type: community", "type: volunteers", "maintenance.type", "internal, contract, community, none"),
])
def test_enumerations_list_the_allowed_values(old: str, new: str, path: str, allowed: str) -> None:
    text = edit(old, new)
    finding = assert_finding(check(text), "publiccode.enum", path, line_of(text, new))
    assert allowed in finding.message


# --- description ---------------------------------------------------------------------------------------------------


def _short(length: int) -> str:
    return edit("shortDescription: Een verhuizing doorgeven aan de gemeente.", f"shortDescription: {'a' * length}")


def _long(length: int) -> str:
    return edit(f'longDescription: "{LONG.strip()}"', f"longDescription: {'b' * length}")


def test_short_description_of_151_characters_is_an_error() -> None:
    text = _short(151)
    finding = assert_finding(check(text), "publiccode.short-description-length", "description.nl.shortDescription",
                             line_of(text, "shortDescription"))
    assert finding.message == "description.nl.shortDescription is 151 tekens lang; de standaard staat hoogstens 150 toe"
    assert check(_short(150)).findings == []


def test_long_description_must_be_150_to_10000_characters() -> None:
    text = _long(149)
    finding = assert_finding(check(text), "publiccode.long-description-length", "description.nl.longDescription",
                             line_of(text, "longDescription"))
    assert "149 tekens" in finding.message
    assert "150 tot 10.000" in finding.message
    assert check(_long(150)).findings == []
    assert check(_long(10_000)).findings == []
    assert only(check(_long(10_001)), "publiccode.long-description-length").severity == "error"


def test_folded_block_newline_does_not_count() -> None:
    text = edit("shortDescription: Een verhuizing doorgeven aan de gemeente.",
                "shortDescription: >\n      " + "a" * 150 + "\n")
    assert check(text).findings == []


@pytest.mark.parametrize(("tag", "hint"), [("xx-YY", "BCP 47"), ("en_US", "en-US"), ("x-private", "BCP 47"),
                                           ("nederlands", "BCP 47")])
def test_description_language_must_be_bcp47(tag: str, hint: str) -> None:
    text = edit("  nl:\n    shortDescription", f"  {tag}:\n    shortDescription")
    finding = assert_finding(check(text), "publiccode.language-code", f"description.{tag}",
                             line_of(text, f"  {tag}:"))
    assert hint in finding.message


def test_available_languages_must_be_bcp47() -> None:
    text = edit("    - nl\n", "    - nl\n    - zz\n", BASE[BASE.index("localisation:"):])
    text = BASE[: BASE.index("localisation:")] + text
    assert_finding(check(text), "publiccode.language-code", "localisation.availableLanguages[1]",
                   line_of(text, "- zz"))


def test_empty_description_is_an_error() -> None:
    start, end = BASE.index("description:"), BASE.index("legal:")
    text = BASE[:start] + "description: {}\n" + BASE[end:]
    assert_finding(check(text), "publiccode.required", "description", line_of(text, "description:"))


# --- legal ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("licence", ["EUPL-1.2", "EUPL-1.2 OR AGPL-3.0-or-later", "MIT AND Apache-2.0",
                                     "GPL-2.0-or-later WITH Classpath-exception-2.0", "(MIT OR ISC) AND BSD-3-Clause"])
def test_valid_spdx_expressions_pass(licence: str) -> None:
    assert check(edit("license: EUPL-1.2", f'license: "{licence}"')).findings == []


@pytest.mark.parametrize(("licence", "said"), [
    ("EUPL-9.9", "niet op de SPDX-lijst staan: EUPL-9.9"),
    ("LicenseRef-gemeente", "LicenseRef-ids zijn niet toegestaan"),
    ("MIT AND", "geen geldige SPDX-licentie-expressie"),
    ("(MIT", "geen geldige SPDX-licentie-expressie"),
    ("MIT WITH GPL-3.0-only", "geen geldige SPDX-licentie-expressie"),
])
def test_bad_spdx_expressions_are_errors(licence: str, said: str) -> None:
    text = edit("license: EUPL-1.2", f'license: "{licence}"')
    finding = assert_finding(check(text), "publiccode.spdx", "legal.license", line_of(text, "license:"))
    assert said in finding.message


def test_deprecated_spdx_id_is_a_warning_with_the_current_id() -> None:
    text = edit("license: EUPL-1.2", "license: GPL-3.0")
    result = check(text)
    finding = assert_finding(result, "publiccode.spdx-deprecated", "legal.license", line_of(text, "license:"),
                             severity="warning")
    assert "GPL-3.0-only" in finding.message
    assert not has_errors(result.findings)


# --- maintenance ----------------------------------------------------------------------------------------------------


def _without_contacts(kind: str) -> str:
    start, end = BASE.index("  contacts:"), BASE.index("localisation:")
    return edit("type: community", f"type: {kind}", BASE[:start] + BASE[end:])


@pytest.mark.parametrize("kind", ["community", "internal"])
def test_contacts_are_required_for_community_and_internal_maintenance(kind: str) -> None:
    text = _without_contacts(kind)
    finding = assert_finding(check(text), "publiccode.required", "maintenance.contacts", line_of(text, "maintenance:"))
    assert kind in finding.message


def test_no_contacts_needed_when_not_maintained() -> None:
    assert check(_without_contacts("none")).findings == []


def test_contractors_are_required_for_contract_maintenance() -> None:
    text = edit("type: community", "type: contract")
    finding = assert_finding(check(text), "publiccode.required", "maintenance.contractors",
                             line_of(text, "maintenance:"))
    assert "contract" in finding.message
    fixed = edit("  contacts:\n", '  contractors:\n    - name: Leverancier BV\n      until: "2026-12-31"\n'
                 "  contacts:\n", text)
    assert check(fixed).findings == []


def test_contractors_are_not_allowed_without_a_contract() -> None:
    text = edit("  contacts:\n", "  contractors:\n    - name: Leverancier BV\n      until: 2026-12-31\n  contacts:\n")
    assert_finding(check(text), "publiccode.not-allowed", "maintenance.contractors", line_of(text, "contractors:"))


def test_contractor_needs_name_and_until() -> None:
    text = edit("type: community\n", "type: contract\n  contractors:\n    - website: https://leverancier.example\n")
    result = check(text)
    paths = sorted(finding.path or "" for finding in result.findings)
    assert paths == ["maintenance.contractors[0].name", "maintenance.contractors[0].until"]
    assert {finding.line for finding in result.findings} == {line_of(text, "- website")}


@pytest.mark.parametrize(("field", "value", "rule"), [
    ("email", "jan.jansen-at-example.org", "publiccode.email"),
    ("phone", '"020 1234567"', "publiccode.phone"),
])
def test_contact_email_and_phone(field: str, value: str, rule: str) -> None:
    old = {"email": "email: jan.jansen@example.org", "phone": 'phone: "+31 20 1234567"'}[field]
    text = edit(old, f"{field}: {value}")
    assert_finding(check(text), rule, f"maintenance.contacts[0].{field}", line_of(text, f"{field}:"))


# --- dates ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "said"), [
    ("2023-02-30", "geen bestaande datum"),
    ('"2023-02-30"', "geen bestaande datum"),
    ('"31-03-2024"', "JJJJ-MM-DD"),
    ("2024-03-31T10:00:00", "JJJJ-MM-DD"),
    ('"2024-3-31"', "JJJJ-MM-DD"),
])
def test_bad_dates_are_errors(written: str, said: str) -> None:
    text = edit("releaseDate: 2024-03-31", f"releaseDate: {written}")
    finding = assert_finding(check(text), "publiccode.date", "releaseDate", line_of(text, "releaseDate"))
    assert said in finding.message


def test_quoted_and_unquoted_dates_pass() -> None:
    assert check(edit("releaseDate: 2024-03-31", 'releaseDate: "2024-02-29"')).findings == []
    result = check(BASE)
    assert result.findings == []
    assert str(result.data["releaseDate"] if result.data else None) == "2024-03-31"


# --- audience, categories, supports ---------------------------------------------------------------------------------


def test_bad_country_code_is_an_error() -> None:
    text = edit("    - NL\n", "    - NL\n    - XX\n")
    assert_finding(check(text), "publiccode.country-code", "intendedAudience.countries[1]", line_of(text, "- XX"))


def test_lowercase_country_code_is_deprecated() -> None:
    text = edit("    - NL\n", "    - nl\n")
    result = check(text)
    finding = assert_finding(result, "publiccode.deprecated", "intendedAudience.countries[0]",
                             line_of(text, "    - nl"), severity="warning")
    assert "'NL'" in finding.message
    assert not has_errors(result.findings)


def test_unknown_category_is_an_error() -> None:
    text = edit("  - digital-citizenship\n", "  - digital-citizenship\n  - burgerzaken\n")
    assert_finding(check(text), "publiccode.category", "categories[1]", line_of(text, "burgerzaken"))


def test_unknown_scope_is_an_error() -> None:
    text = edit("    - local-authorities\n", "    - gemeenten\n")
    finding = assert_finding(check(text), "publiccode.scope", "intendedAudience.scope[0]", line_of(text, "gemeenten"))
    assert "local-authorities" in finding.message


def test_supports_aliases_and_uris() -> None:
    good = BASE + "supports:\n  - id: alias:gdpr\n  - id: https://eur-lex.europa.eu/eli/reg/2016/679/oj\n" \
                  "  - id: urn:nbn:nl:ui:13-abc\n"
    assert check(good).findings == []
    bad_alias = BASE + "supports:\n  - id: alias:avg\n"
    finding = assert_finding(check(bad_alias), "publiccode.alias", "supports[0].id", line_of(bad_alias, "alias:avg"))
    assert "alias:gdpr" in finding.message
    bad_uri = BASE + "supports:\n  - id: not a uri\n"
    assert_finding(check(bad_uri), "publiccode.uri", "supports[0].id", line_of(bad_uri, "not a uri"))


def test_organisation_needs_a_uri() -> None:
    assert check(BASE + "organisation:\n  uri: urn:x-nl-gemeente:0344\n  name: Utrecht\n").findings == []
    text = BASE + "organisation:\n  name: Gemeente Utrecht\n"
    assert_finding(check(text), "publiccode.required", "organisation.uri", line_of(text, "organisation:"))


def test_funded_by_organisations_need_a_name() -> None:
    text = BASE + "fundedBy:\n  - uri: https://vng.nl\n"
    assert_finding(check(text), "publiccode.required", "fundedBy[0].name", line_of(text, "- uri"))


def test_depends_on_dependencies() -> None:
    good = BASE + 'dependsOn:\n  open:\n    - name: PostgreSQL\n      versionMin: "14"\n      optional: false\n'
    assert check(good).findings == []
    text = BASE + "dependsOn:\n  open:\n    - version: 14\n      optional: sometimes\n"
    result = check(text)
    assert sorted((f.rule, f.path) for f in result.findings) == [
        ("publiccode.required", "dependsOn.open[0].name"),
        ("publiccode.type", "dependsOn.open[0].optional"),
        ("publiccode.type", "dependsOn.open[0].version"),
    ]


# --- URLs and files -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ssh://git@example.org/gemeente/app.git", "git://example.org/app.git",
                                 "https://example.org/app"])
def test_repository_urls_accept_source_control_schemes(url: str) -> None:
    assert check(edit('url: "https://example.org/gemeente/verhuizing.git"', f'url: "{url}"')).findings == []


@pytest.mark.parametrize(("key", "value"), [("url", "example.org/app.git"), ("landingURL", "ftp://example.org/"),
                                            ("roadmap", "https:///no-host")])
def test_bad_urls_are_errors(key: str, value: str) -> None:
    text = edit("platforms:", f'{key}: "{value}"\nplatforms:', "".join(
        line + "\n" for line in BASE.splitlines() if not (key == "url" and line.startswith("url:"))))
    assert_finding(check(text), "publiccode.url", key, line_of(text, f"{key}:"))


def test_missing_logo_file_is_an_error() -> None:
    text = edit("logo: img/logo.svg", "logo: img/logo-gemeente.svg")
    finding = assert_finding(check(text), "publiccode.file-missing", "logo", line_of(text, "logo:"))
    assert "img/logo-gemeente.svg" in finding.message
    assert "img/logo.svg" in finding.message  # the close match is suggested


def test_missing_screenshot_is_an_error() -> None:
    text = edit("- screenshots/1.png", "- screenshots/2.png")
    assert_finding(check(text), "publiccode.file-missing", "description.nl.screenshots[0]",
                   line_of(text, "screenshots/2.png"))


def test_logo_path_forms() -> None:
    assert check(edit("logo: img/logo.svg", "logo: ./img/logo.svg")).findings == []
    assert check(edit("logo: img/logo.svg", "logo: https://example.org/raw/logo.png")).findings == []
    text = edit("logo: img/logo.svg", "logo: ../logo.svg")
    assert_finding(check(text), "publiccode.file-path", "logo", line_of(text, "logo:"))
    text = edit("logo: img/logo.svg", "logo: https://example.org/raw/logo.gif")
    finding = assert_finding(check(text), "publiccode.file-format", "logo", line_of(text, "logo:"))
    assert ".svg, .svgz, .png" in finding.message


# --- unknown keys, country section, deprecations --------------------------------------------------------------------


def test_unknown_top_level_key_is_an_error_with_its_line() -> None:
    text = edit("developmentStatus: stable\n", "developmentStatus: stable\nlandingUrl: https://example.org\n")
    finding = assert_finding(check(text), "publiccode.unknown-key", "landingUrl", line_of(text, "landingUrl"))
    assert "landingURL" in finding.message  # did you mean


def test_unknown_nested_key_is_an_error() -> None:
    text = edit("    features:", "    kenmerken: [x]\n    features:")
    finding = assert_finding(check(text), "publiccode.unknown-key", "description.nl.kenmerken",
                             line_of(text, "kenmerken"))
    assert "in description.nl" in finding.message


def test_italian_section_is_validated() -> None:
    ok = BASE + 'IT:\n  countryExtensionVersion: "1.0"\n  riuso:\n    codiceIPA: c_h501\n'
    result = check(ok)
    assert not has_errors(result.findings)
    assert {finding.path for finding in result.findings} == {"IT", "IT.riuso.codiceIPA"}
    codice = next(finding for finding in result.findings if finding.path == "IT.riuso.codiceIPA")
    assert "organisation.uri" in codice.message
    text = BASE + 'it:\n  countryExtensionVersion: "2.0"\n  piattaforme:\n    spid: true\n    digid: true\n'
    result = check(text)
    assert_finding(result, "publiccode.enum", "it.countryExtensionVersion", line_of(text, "countryExtensionVersion"),
                   severity="warning")
    assert_finding(result, "publiccode.unknown-key", "it.piattaforme.digid", line_of(text, "digid"),
                   severity="warning")
    assert_finding(check(BASE + "IT:\n  conforme: {}\n"), "publiccode.required", "IT.countryExtensionVersion",
                   line_of(BASE + "IT:\n", "IT:"), severity="warning")


def test_the_deprecated_italian_sections_own_rules_are_warnings_not_errors() -> None:
    text = BASE + ('it:\n  countryExtensionVersion: "2.0"\n  conforme:\n    gdpr: "ja"\n'
                   '  piattaforme:\n    digid: true\n')
    result = check(text)
    assert not has_errors(result.findings), errors(result)
    rules = {finding.rule for finding in result.findings if (finding.path or "").startswith("it.")}
    assert {"publiccode.enum", "publiccode.type", "publiccode.unknown-key"} <= rules
    assert_finding(check(BASE + "IT:\n  conforme: {}\n"), "publiccode.required", "IT.countryExtensionVersion",
                   line_of(BASE + "IT:\n", "IT:"), severity="warning")


def test_other_country_sections_are_unknown_keys() -> None:
    text = BASE + "NL:\n  foo: bar\n"
    assert_finding(check(text), "publiccode.unknown-key", "NL", line_of(text, "NL:"))


@pytest.mark.parametrize(("addition", "path", "instead"), [
    ("monochromeLogo: img/logo.svg\n", "monochromeLogo", "logo"),
    ("inputTypes:\n  - text/plain\n", "inputTypes", "verwijder"),
    ("legal:\n  repoOwner: Gemeente Utrecht\n", "legal.repoOwner", "organisation.name"),
    ("legal:\n  authorsFile: AUTHORS.txt\n", "legal.authorsFile", "mainCopyrightOwner"),
    ("    genericName: Verhuisdienst\n", "description.nl.genericName", "categories"),
])
def test_deprecated_key_is_a_warning_not_an_error(addition: str, path: str, instead: str) -> None:
    if addition.startswith("legal:"):
        text = edit("legal:\n", addition)
    elif addition.startswith("    "):
        text = edit("    features:", addition + "    features:")
    else:
        text = edit("platforms:", addition + "platforms:")
    result = check(text)
    finding = assert_finding(result, "publiccode.deprecated", path, line_of(text, path.rsplit(".", 1)[-1] + ":"),
                             severity="warning")
    assert instead in finding.message
    assert not has_errors(result.findings)


def test_deprecated_authors_file_must_still_exist() -> None:
    text = edit("legal:\n", "legal:\n  authorsFile: doc/AUTHORS\n")
    assert_finding(check(text), "publiccode.file-missing", "legal.authorsFile", line_of(text, "authorsFile"))


def test_generic_name_is_at_most_35_characters() -> None:
    text = edit("    features:", f"    genericName: {'g' * 36}\n    features:")
    assert_finding(check(text), "publiccode.generic-name-length", "description.nl.genericName",
                   line_of(text, "genericName"))


def test_filename_is_reported() -> None:
    result = validate_publiccode(b"name: [\n", FILES, filename="pakket/publiccode.yml")
    assert result.findings[0].file == "pakket/publiccode.yml"


# --- vocabularies ---------------------------------------------------------------------------------------------------


def test_vocabularies_are_read_from_the_package_data() -> None:
    assert len(CATEGORIES) == 106
    assert {"document-management", "workflow-management", "other"} <= CATEGORIES
    assert len(SCOPES) == 24
    assert "local-authorities" in SCOPES
    assert ALIASES["gdpr"] == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
    assert set(ALIASES) == {"gdpr", "eidas", "nis2", "cra", "spid", "cie", "anpr", "pagopa", "io"}
    assert SUPPORTED_VERSIONS == ("0", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7")


# --- properties -----------------------------------------------------------------------------------------------------


def _well_formed(result: PubliccodeResult, text_lines: int) -> None:
    for finding in result.findings:
        assert finding.check == "publiccode"
        assert finding.rule.startswith("publiccode.")
        assert finding.severity in ("error", "warning")
        assert finding.message
        assert finding.line is None or 1 <= finding.line <= text_lines + 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_findings_not_exceptions(raw: bytes) -> None:
    result = validate_publiccode(raw, FILES)
    _well_formed(result, raw.count(b"\n") + 1)
    assert result.data is None or isinstance(result.data, dict)
    if result.data is None:
        assert has_errors(result.findings)


YAMLISH = st.lists(st.sampled_from([*"ab:- \n\t{}[],&*!%#'\"|>?~012.", "<<", "---", "yes", "name", "  "]),
                  max_size=60).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_any_yamlish_text_gives_findings_not_exceptions(text: str) -> None:
    _well_formed(check(text), text.count("\n") + 1)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(yaml.safe_load(BASE + "IT: {}\ndependsOn: {}\nsupports: []\n"))), JSONISH)
def test_any_value_for_any_key_gives_findings_not_exceptions(key: str, value: object) -> None:
    document = yaml.safe_load(BASE)
    document[key] = value
    text = yaml.safe_dump(document, allow_unicode=True)
    result = check(text)
    _well_formed(result, text.count("\n") + 1)
    assert result.data is not None


@given(st.integers(min_value=140, max_value=160) | st.integers(min_value=1, max_value=300),
       st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=1))
def test_short_description_boundary(length: int, char: str) -> None:
    text = edit("shortDescription: Een verhuizing doorgeven aan de gemeente.",
                f"shortDescription: {json.dumps(char * length, ensure_ascii=False)}")
    result = check(text)
    too_long = [f for f in result.findings if f.rule == "publiccode.short-description-length"]
    assert bool(too_long) == (length > 150)
    assert not [f for f in result.findings if f.rule != "publiccode.short-description-length"]


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_random_licence_strings_never_crash(licence: str) -> None:
    text = edit("license: EUPL-1.2", f"license: {json.dumps(licence)}")
    result = check(text)
    _well_formed(result, text.count("\n") + 1)
    spdx = [f for f in result.findings if f.rule == "publiccode.spdx"]
    if not spdx and licence.strip():
        info = get_spdx_licensing().validate(licence.strip())
        assert not info.errors
        assert info.normalized_expression


@given(st.lists(st.sampled_from(["EUPL-1.2", "MIT", "Apache-2.0", "AGPL-3.0-or-later", "BSD-3-Clause"]),
                min_size=1, max_size=4), st.sampled_from([" AND ", " OR "]))
def test_combined_spdx_ids_pass(ids: list[str], operator: str) -> None:
    assert check(edit("license: EUPL-1.2", f'license: "{operator.join(ids)}"')).findings == []


# --- empty values -----------------------------------------------------------------------------------------------------


def test_an_empty_features_list_is_not_features_in_a_language() -> None:
    text = edit("    features:\n      - Verhuizing doorgeven\n", "    features: []\n")
    finding = assert_finding(check(text), "publiccode.required", "description", line_of(text, "description:"))
    assert "features" in finding.message
    both = edit("legal:\n", "  en:\n    shortDescription: Report a move.\n    features: []\nlegal:\n", text)
    assert "features" in only(check(both), "publiccode.required").message


@pytest.mark.parametrize("key", ["categories", "usedBy", "landingURL", "dependsOn", "roadmap"])
def test_an_optional_key_with_no_value_counts_as_absent(key: str) -> None:
    text = BASE.replace("categories:\n  - digital-citizenship\n", "") + f"{key}:\n"
    result = check(text)
    assert [finding for finding in result.findings if finding.path == key] == []
    assert not has_errors(result.findings), errors(result)


def test_a_required_key_with_no_value_is_still_missing() -> None:
    text = edit("developmentStatus: stable", "developmentStatus:")
    assert_finding(check(text), "publiccode.required", "developmentStatus", line_of(text, "developmentStatus"))


# --- logo files are real images ---------------------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def with_logo(name: str, data: bytes, key: str = "logo") -> PubliccodeResult:
    text = edit("logo: img/logo.svg", f"logo: img/good.svg\n{key}: {name}") if key != "logo" else \
        edit("logo: img/logo.svg", f"logo: {name}")
    files = dict.fromkeys(FILES, b"") | {"img/good.svg": SVG, name: data}
    return validate_publiccode(text.encode(), files)


@pytest.mark.parametrize(("name", "data"), [
    ("img/logo.svg", SVG), ("img/logo.png", PNG), ("img/logo.svgz", gzip.compress(SVG)),
    ("img/logo.svg", b"\xef\xbb\xbf<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>"),
])
def test_a_real_logo_image_passes(name: str, data: bytes) -> None:
    result = with_logo(name, data)
    assert [finding for finding in result.findings if finding.path == "logo"] == []


@pytest.mark.parametrize(("name", "data", "said"), [
    ("img/logo.svg", b"dit is geen afbeelding", "geen SVG-afbeelding"),
    ("img/logo.svg", b"<html><svg/></html>", "geen SVG-afbeelding"),
    ("img/logo.png", b"GIF89a" + b"\x00" * 16, "geen PNG-afbeelding"),
    ("img/logo.svg", PNG, "bevat een PNG-afbeelding"),
    ("img/logo.png", SVG, "bevat een SVG-afbeelding"),
    ("img/logo.svgz", b"\x1f\x8b not gzip", "geen gecomprimeerde SVG-afbeelding"),
])
def test_a_logo_that_is_not_the_image_it_says_is_an_error(name: str, data: bytes, said: str) -> None:
    for key in ("logo", "monochromeLogo"):
        finding = only(with_logo(name, data, key), "publiccode.file-content")
        assert finding.severity == "error" and finding.path == key and said in finding.message, finding
