"""Filter matching on kenmerken (the standard's semantics: equal value, or `*` for anything), and the formats."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from plein.notifications import formats
from plein.notifications.filters import any_group_matches, filter_problems, kenmerken_problems, matches, url_problem

NAMES = st.sampled_from(["bronorganisatie", "zaaktype", "vertrouwelijkheidaanduiding", "catalogus"])
VALUES = st.text(min_size=1, max_size=20).filter(lambda value: value != "*")
KENMERKEN = st.dictionaries(NAMES, VALUES, max_size=4)


@given(KENMERKEN)
def test_no_filters_match_everything(kenmerken: dict[str, str]) -> None:
    assert matches({}, kenmerken)


@given(KENMERKEN, st.data())
def test_filters_taken_from_the_kenmerken_match(kenmerken: dict[str, str], data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(sorted(kenmerken)), unique=True) if kenmerken else st.just([]))
    assert matches({name: kenmerken[name] for name in chosen}, kenmerken)


@given(KENMERKEN, NAMES, VALUES)
def test_a_different_value_does_not_match(kenmerken: dict[str, str], name: str, value: str) -> None:
    wanted = {name: value}
    assert matches(wanted, kenmerken) == (kenmerken.get(name) == value)


@given(KENMERKEN, st.lists(NAMES, unique=True))
def test_the_wildcard_matches_anything_even_a_missing_kenmerk(kenmerken: dict[str, str], names: list[str]) -> None:
    assert matches(dict.fromkeys(names, "*"), kenmerken)


@given(KENMERKEN, st.lists(st.dictionaries(NAMES, VALUES | st.just("*"), max_size=3), max_size=4))
def test_several_groups_match_when_any_does(kenmerken: dict[str, str], groups: list[dict[str, str]]) -> None:
    assert any_group_matches(groups, kenmerken) == any(matches(group, kenmerken) for group in groups)


def test_filters_and_kenmerken_are_checked() -> None:
    assert [p.name for p in kenmerken_problems({"a": "", "b": 3, "c": "x" * 1001, "d": "ok"})] == [
        "kenmerken.a", "kenmerken.b", "kenmerken.c"]
    assert kenmerken_problems(["a"])[0].code == "invalid"
    problems = filter_problems({"zaaktype": "x", "kleur": "rood"}, ["zaaktype"], "zaken", "kanalen.0.filters")
    assert [(p.name, p.code) for p in problems] == [("kanalen.0.filters.kleur", "unknown-kenmerk")]
    assert url_problem("https://ontvanger.example/x", "callbackUrl", 200) is None
    for bad in ("", "ontvanger.example/x", "ftp://x/y", "http://", "https://" + "x" * 300):
        assert url_problem(bad, "callbackUrl", 200) is not None, bad


@given(st.sampled_from(["zaken", "documenten", "besluiten"]), st.text(min_size=1, max_size=30),
       st.sampled_from(["create", "update", "partial_update", "destroy", "publish"]))
def test_event_types_are_reverse_dns_tokens(kanaal: str, resource: str, actie: str) -> None:
    kind = formats.event_type(kanaal, resource, actie)
    assert kind.startswith(f"nl.plein.{kanaal}.")
    assert all(part and all((c.isascii() and c.isalnum()) or c == "-" for c in part) for part in kind.split("."))


def test_event_type_words() -> None:
    assert formats.event_type("zaken", "zaak", "create") == "nl.plein.zaken.zaak-aangemaakt"
    assert formats.event_type("zaken", "zaak", "destroy") == "nl.plein.zaken.zaak-verwijderd"
    assert formats.event_type("documenten", "enkelvoudiginformatieobject", "partial_update") == (
        "nl.plein.documenten.enkelvoudiginformatieobject-gewijzigd")
    assert formats.timestamp(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "2026-01-02T03:04:05Z"
