"""Options forms from a JSON Schema: which control each type gets, and parsing the submitted text back."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.errors import InvalidParam
from plein.store import forms

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["leges"],
    "properties": {
        "intake": {"type": "string", "title": "Intake", "enum": ["digitaal", "balie", "beide"], "default": "digitaal"},
        "soort": {"type": "string", "enum": ["a", "b", "c", "d", "e"]},
        "bewijs": {"type": "boolean", "title": "Bewijsstuk vereist", "description": "Vraag om een bewijsstuk.",
                   "default": True},
        "dagen": {"type": "integer", "title": "Dagen", "minimum": 1, "maximum": 56, "default": 5},
        "leges": {"type": "number", "title": "Leges", "minimum": 0, "maximum": 100},
        "email": {"type": "string", "title": "E-mail", "format": "email"},
        "naam": {"type": "string"},
        "lijst": {"type": "array", "items": {"type": "string"}},
    },
}


def by_name(fields: list[forms.FormField]) -> dict[str, forms.FormField]:
    return {field.name: field for field in fields}


def test_each_type_gets_its_control() -> None:
    fields = by_name(forms.form_fields(SCHEMA, forms.initial_values(SCHEMA)))
    assert fields["intake"].widget == "radio" and fields["intake"].value == "digitaal"
    assert fields["intake"].choices == [("digitaal", "digitaal"), ("balie", "balie"), ("beide", "beide")]
    assert fields["soort"].widget == "select"
    assert fields["bewijs"].widget == "checkbox" and fields["bewijs"].checked is True
    assert fields["bewijs"].label == "Bewijsstuk vereist"
    assert fields["bewijs"].describedby == "option-bewijs-description"
    dagen = fields["dagen"]
    assert (dagen.widget, dagen.minimum, dagen.maximum, dagen.step, dagen.value) == ("number", "1", "56", "1", "5")
    assert fields["leges"].step == "any" and fields["leges"].required is True and fields["leges"].value == ""
    assert fields["email"].widget == "email" and fields["naam"].widget == "text" and fields["naam"].label == "naam"
    assert fields["lijst"].widget == "json"
    assert fields["dagen"].input_name == "options.dagen" and fields["dagen"].id == "option-dagen"


def test_submitted_text_and_errors_are_shown() -> None:
    submitted = {"options.dagen": "0", "options.email": "geen-adres"}
    fields = by_name(forms.form_fields(SCHEMA, {}, {"dagen": "Te klein"}, submitted))
    assert fields["dagen"].value == "0" and fields["dagen"].error == "Te klein"
    assert fields["dagen"].describedby == "option-dagen-error"
    assert fields["email"].value == "geen-adres"
    assert fields["bewijs"].checked is False  # not in the submitted form: unchecked


def test_parse_types_the_values() -> None:
    form = {"options.intake": "balie", "options.soort": "c", "options.bewijs": "true", "options.dagen": " 12 ",
            "options.leges": "16,45", "options.email": "a@b.nl", "options.naam": "", "options.lijst": '["x"]'}
    options, errors = forms.parse_options(SCHEMA, form)
    assert errors == {}
    assert options == {"intake": "balie", "soort": "c", "bewijs": True, "dagen": 12, "leges": 16.45,
                       "email": "a@b.nl", "lijst": ["x"]}


def test_unchecked_checkbox_is_false_and_empty_optional_fields_are_left_out() -> None:
    options, errors = forms.parse_options(SCHEMA, {"options.leges": "3"})
    assert options == {"bewijs": False, "leges": 3} and errors == {}


@pytest.mark.parametrize(("name", "text", "message"), [
    ("dagen", "vijf", "Vul een geheel getal in"),
    ("dagen", "5.5", "Vul een geheel getal in"),
    ("leges", "twee", "Vul een getal in"),
    ("leges", "1e999", "Vul een getal in"),
    ("intake", "fax", "Kies een van: digitaal, balie, beide"),
    ("email", "geen-adres", "Vul een geldig e-mailadres in"),
    ("lijst", "[", "Vul geldige JSON in"),
])
def test_text_that_does_not_parse_gets_a_dutch_message(name: str, text: str, message: str) -> None:
    _, errors = forms.parse_options(SCHEMA, {"options.leges": "1", f"options.{name}": text})
    assert errors[name].startswith(message)


def test_check_options_adds_schema_errors_in_dutch() -> None:
    options, errors = forms.check_options(SCHEMA, {"options.dagen": "0"})
    assert options == {"bewijs": False, "dagen": 0}
    assert errors == {"dagen": "Vul een geheel getal in van 1 tot en met 56", "leges": "Vul leges in"}
    _, parse_first = forms.check_options(SCHEMA, {"options.dagen": "x", "options.leges": "200"})
    assert parse_first == {"dagen": "Vul een geheel getal in, zonder punt of komma",
                           "leges": "Vul een getal in van 0 tot en met 100"}


def test_errors_from_maps_service_names_to_fields() -> None:
    params = [InvalidParam("options.dagen", "maximum", "99 is greater than the maximum of 56 (rule: maximum)"),
              InvalidParam("options", "additionalProperties", "'x' was unexpected"),
              InvalidParam("version", "unknown", "no admitted release 9.9.9")]
    errors = forms.errors_from(params, SCHEMA)
    assert errors == {"dagen": "Vul een geheel getal in van 1 tot en met 56", "options": "'x' was unexpected",
                      "version": "no admitted release 9.9.9"}
    fields = forms.form_fields(SCHEMA, {}, errors)
    assert forms.error_summary(fields, errors) == [
        ("#option-dagen", "Dagen: Vul een geheel getal in van 1 tot en met 56"),
        ("#formulier", "'x' was unexpected"), ("#version", "no admitted release 9.9.9"),
    ]


def test_describe_options_for_the_app_page() -> None:
    rows = {row.name: row for row in forms.describe_options(SCHEMA)}
    assert (rows["intake"].type, rows["intake"].allowed, rows["intake"].default) == (
        "keuze", "digitaal, balie, beide", "digitaal")
    assert (rows["dagen"].type, rows["dagen"].allowed) == ("geheel getal", "1 t/m 56")
    assert rows["bewijs"].default == "ja" and rows["email"].type == "tekst (e-mailadres)"
    assert rows["leges"].required and not rows["dagen"].required
    assert forms.display_options(SCHEMA, {"leges": 16.45, "bewijs": False, "oud": 1}) == [
        ("Bewijsstuk vereist", "nee"), ("Leges", "16,45"), ("oud", "1")]


def test_a_schema_without_properties_has_no_fields() -> None:
    assert forms.form_fields({"type": "object"}, {}) == []
    assert forms.parse_options({"type": "object"}, {"options.x": "1"}) == ({}, {})


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_integers_round_trip(value: int) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    [field] = forms.form_fields(schema, {"n": value})
    assert forms.parse_options(schema, {"options.n": field.value}) == ({"n": value}, {})


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-(10**15), max_value=10**15))
def test_numbers_round_trip(value: float) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "number"}}}
    [field] = forms.form_fields(schema, {"x": value})
    options, errors = forms.parse_options(schema, {"options.x": field.value})
    assert errors == {}
    assert options["x"] == value and math.copysign(1, options["x"] or 1) == math.copysign(1, value or 1)


@given(st.booleans())
def test_booleans_round_trip(value: bool) -> None:
    schema = {"type": "object", "properties": {"b": {"type": "boolean"}}}
    [field] = forms.form_fields(schema, {"b": value})
    submitted = {"options.b": "true"} if field.checked else {}
    assert forms.parse_options(schema, submitted) == ({"b": value}, {})


@given(st.lists(st.one_of(st.text(min_size=1).filter(lambda s: s.strip() == s and s), st.integers()),
                min_size=1, max_size=6, unique_by=forms.as_text))
def test_enum_choices_round_trip(choices: list[Any]) -> None:
    schema = {"type": "object", "properties": {"e": {"enum": choices}}}
    for choice in choices:
        [field] = forms.form_fields(schema, {"e": choice})
        assert forms.parse_options(schema, {"options.e": field.value}) == ({"e": choice}, {})
