"""Field paths and grant coverage: parsing, and a grant for a path covering exactly that path and its sub-paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.errors import InvalidInput
from plein.exchange.service import covers, parse_field_path, parse_fields, ungranted
from plein.registers.fields import brp_fields

segment = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
path = st.lists(segment, min_size=1, max_size=4).map(".".join)
BRP = sorted(brp_fields())


@given(path)
def test_a_path_covers_itself(value: str) -> None:
    assert covers(value, value)


@given(path, st.lists(segment, min_size=1, max_size=3))
def test_a_grant_covers_its_sub_paths_but_not_the_other_way(granted: str, suffix: list[str]) -> None:
    sub = f"{granted}.{'.'.join(suffix)}"
    assert covers(granted, sub)
    assert not covers(sub, granted)


@given(path, segment)
def test_a_longer_name_is_not_a_sub_path(granted: str, extra: str) -> None:
    assert not covers(granted, granted + extra)


@given(st.lists(path, max_size=6), st.lists(path, max_size=6))
def test_ungranted_is_exactly_what_no_grant_covers(requested: list[str], granted: list[str]) -> None:
    missing = ungranted(requested, granted)
    assert set(missing) <= set(requested)
    for value in requested:
        assert (value in missing) == (not any(covers(held, value) for held in granted))


@given(st.lists(st.sampled_from(BRP), min_size=1, max_size=8))
def test_granting_what_is_asked_leaves_nothing_ungranted(requested: list[str]) -> None:
    assert ungranted(requested, requested) == []
    parents = [value.split(".")[0] for value in requested]
    assert ungranted(requested, parents) == []


@given(path)
def test_parsing_a_valid_path_gives_it_back(value: str) -> None:
    assert parse_field_path(f"  {value} ") == value


@given(st.text(max_size=30))
def test_parsing_never_accepts_a_malformed_path(text: str) -> None:
    try:
        parsed = parse_field_path(text)
    except ValueError:
        return
    assert all(part and part[0].isalpha() and part.isalnum() and part.isascii() for part in parsed.split("."))


@pytest.mark.parametrize("bad", ["", " ", "naam.", ".naam", "naam..voornamen", "naam voornamen", "naam.*", "1naam",
                                 "naam\n.voornamen", "naäm"])
def test_malformed_paths_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="field path"):
        parse_field_path(bad)


def test_parse_fields_names_each_bad_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_fields("brp", ["naam", "bestaatNiet", "naam..x"])
    reasons = [(p.name, p.code) for p in caught.value.invalid_params]
    assert reasons == [("fields", "unknown-field"), ("fields", "pattern")]


def test_parse_fields_drops_duplicates_and_needs_one() -> None:
    assert parse_fields("brp", ["naam", " naam", "geboorte"]) == ("naam", "geboorte")
    with pytest.raises(InvalidInput):
        parse_fields("brp", [])
    with pytest.raises(InvalidInput, match="not a register"):
        parse_fields("kadaster", ["naam"])
