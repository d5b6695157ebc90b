"""LO3 dates (unknown parts), ages, table values and search keys."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.registers.brp import lo3
from plein.registers.brp.present import voorletters
from plein.registers.keys import prefix_end, search_key


@pytest.mark.parametrize(("value", "expected"), [
    ("19561115", {"type": "Datum", "datum": "1956-11-15", "langFormaat": "15 november 1956"}),
    ("19780300", {"type": "JaarMaandDatum", "jaar": 1978, "maand": 3, "langFormaat": "maart 1978"}),
    ("19680000", {"type": "JaarDatum", "jaar": 1968, "langFormaat": "1968"}),
    ("00000000", {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"}),
])
def test_dates_with_unknown_parts(value: str, expected: dict[str, object]) -> None:
    assert lo3.check_date(value) == value
    assert lo3.datum(value) == expected


@pytest.mark.parametrize("value", ["2015", "000000000", "19660013", "19821291", "00002014", "19800015", "1980-01-01"])
def test_what_is_not_a_date(value: str) -> None:
    with pytest.raises(lo3.Lo3DateError):
        lo3.check_date(value)


@pytest.mark.parametrize(("born", "expected"), [
    ("20000101", 26), ("20001124", 25), ("20001123", 26), ("20001100", None), ("20001000", 26), ("20001200", 25),
    ("20000000", None), ("00000000", None), ("18000101", None),
])
def test_age_on_a_day(born: str, expected: int | None) -> None:
    assert lo3.leeftijd(born, dt.date(2026, 11, 23)) == expected


def test_table_values() -> None:
    assert lo3.plaats("0518") == {"code": "0518", "omschrijving": "'s-Gravenhage"}
    assert lo3.plaats("Thann") == {"omschrijving": "Thann"}
    assert lo3.land("6030") == {"code": "6030", "omschrijving": "Nederland"}
    assert lo3.gemeente("0001") == {"code": "0001", "omschrijving": "Adorp"}
    assert lo3.waarde("X", lo3.GESLACHT) == {"code": "X"}
    assert "/" not in lo3.nationaliteiten()["0088"]
    assert voorletters("Yvonne Johanna") == "Y.J." and voorletters(None) is None


def test_search_keys_ignore_case_and_accents() -> None:
    assert search_key("Käster") == search_key("KASTER") == "kaster"
    assert search_key("  Weéß   de  Vries ") == "weess de vries"
    assert search_key("Żáïŀëñøŕ Åłéèç Ðëļŧå") == "zailenor aleec delta"


@given(st.text(min_size=1, max_size=10), st.text(max_size=10))
def test_prefix_range_holds_every_string_with_the_prefix(prefix: str, rest: str) -> None:
    assert prefix <= prefix + rest < prefix_end(prefix)
    assert prefix_end(prefix).encode("utf-8", "surrogatepass") > (prefix + rest).encode("utf-8", "surrogatepass")
