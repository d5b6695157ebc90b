"""Option validation for adoptions: defaults applied, errors naming the option and the rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.errors import InvalidInput
from plein.store.adoptions import apply_defaults, validate_options
from plein.store.checks.licence import is_open_expression

SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["leges"],
    "properties": {
        "leges": {"type": "number", "minimum": 0, "maximum": 100},
        "intake": {"type": "string", "enum": ["digitaal", "balie"], "default": "digitaal"},
        "dagen": {"type": "integer", "minimum": 1, "maximum": 56, "default": 5},
        "bewijs": {"type": "boolean", "default": False},
    },
}


def test_defaults_fill_missing_options_only() -> None:
    assert validate_options(SCHEMA, {"leges": 10, "dagen": 7}) == {
        "leges": 10, "dagen": 7, "intake": "digitaal", "bewijs": False}


def test_errors_name_option_and_rule() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_options(SCHEMA, {"dagen": 0, "intake": "fax", "kleur": "rood"})
    found = {(p.name, p.code) for p in caught.value.invalid_params}
    assert found == {("options.dagen", "minimum"), ("options.intake", "enum"), ("options.leges", "required"),
                     ("options", "additionalProperties")}


def test_options_must_be_an_object() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_options(SCHEMA, ["leges"])
    assert caught.value.invalid_params[0].name == "options"


@given(st.integers(min_value=-1000, max_value=1000))
def test_integer_bounds(days: int) -> None:
    if 1 <= days <= 56:
        assert validate_options(SCHEMA, {"leges": 1, "dagen": days})["dagen"] == days
        return
    with pytest.raises(InvalidInput) as caught:
        validate_options(SCHEMA, {"leges": 1, "dagen": days})
    assert caught.value.invalid_params[0].name == "options.dagen"


@given(st.dictionaries(st.sampled_from(["leges", "intake", "dagen", "bewijs"]),
                       st.none() | st.booleans() | st.integers() | st.text(max_size=8)))
def test_apply_defaults_never_overrides(options: dict[str, Any]) -> None:
    filled = apply_defaults(SCHEMA, options)
    for key, value in options.items():
        assert filled[key] == value


@pytest.mark.parametrize(("expression", "expected"), [
    ("EUPL-1.2", True), ("MIT", True), ("AGPL-3.0-or-later", True),
    ("MIT OR CC-BY-NC-4.0", True), ("MIT AND CC-BY-NC-4.0", False),
    ("EUPL-1.2 AND LicenseRef-closed", False), ("CC-BY-NC-4.0", False), ("not a licence", False),
    ("GPL-2.0-only WITH Classpath-exception-2.0", True),
])
def test_open_licences(expression: str, expected: bool) -> None:
    assert is_open_expression(expression) is expected
