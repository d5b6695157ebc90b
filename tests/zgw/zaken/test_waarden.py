"""Properties of the check of a zaakeigenschap's waarde against its eigenschap's specificatie: generated values of
each formaat that fit pass, values longer than the lengte fail, values outside a waardenverzameling fail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plein.zgw.zaken.waarden import as_date, waarde_problems

DATES = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))
MOMENTS = st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59))
NUMBERS = st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=2, allow_nan=False,
                      allow_infinity=False)


def _codes(specificatie: dict[str, object], waarde: str) -> list[str]:
    return [p.code for p in waarde_problems("eigenschap", specificatie, waarde)]


@given(lengte=st.integers(min_value=1, max_value=200), data=st.data())
def test_tekst_up_to_its_lengte_passes(lengte: int, data: st.DataObject) -> None:
    waarde = data.draw(st.text(max_size=lengte))
    assert _codes({"formaat": "tekst", "lengte": str(lengte)}, waarde) == []


@given(lengte=st.integers(min_value=0, max_value=50), extra=st.integers(min_value=1, max_value=50), data=st.data())
def test_a_waarde_longer_than_its_lengte_fails(lengte: int, extra: int, data: st.DataObject) -> None:
    tekst = data.draw(st.text(min_size=lengte + extra, max_size=lengte + extra))
    assert "waarde-lengte" in _codes({"formaat": "tekst", "lengte": str(lengte)}, tekst)
    digits = "1" * (lengte + extra)
    assert _codes({"formaat": "getal", "lengte": str(lengte)}, digits) == ["waarde-lengte"]


@given(number=NUMBERS, comma=st.booleans())
def test_a_getal_with_a_comma_or_a_point_passes(number: Decimal, comma: bool) -> None:
    waarde = f"{number:f}".replace(".", "," if comma else ".")
    assert _codes({"formaat": "getal", "lengte": "10"}, waarde) == []


@given(day=DATES)
def test_a_datum_as_yyyymmdd_passes_and_in_iso_fails(day: dt.date) -> None:
    specificatie = {"formaat": "datum", "lengte": "8"}
    assert _codes(specificatie, day.strftime("%Y%m%d")) == []
    assert _codes(specificatie, day.isoformat()) == ["waarde-formaat"]


@given(moment=MOMENTS)
def test_a_datum_tijd_as_yyyymmddhhmmss_passes_and_in_iso_fails(moment: dt.datetime) -> None:
    specificatie = {"formaat": "datum_tijd", "lengte": "14"}
    assert _codes(specificatie, moment.strftime("%Y%m%d%H%M%S")) == []
    assert _codes(specificatie, moment.replace(microsecond=0).isoformat()) == ["waarde-formaat"]


@given(allowed=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5, unique=True), data=st.data())
def test_only_values_of_the_waardenverzameling_pass(allowed: list[str], data: st.DataObject) -> None:
    specificatie = {"formaat": "tekst", "lengte": "20", "waardenverzameling": allowed}
    assert _codes(specificatie, data.draw(st.sampled_from(allowed))) == []
    other = data.draw(st.text(max_size=20).filter(lambda value: value not in allowed))
    assert _codes(specificatie, other) == ["waarde-niet-in-waardenverzameling"]


@given(waarde=st.text(alphabet="0123456789+-.,e _", max_size=12))
def test_every_getal_that_passes_reads_as_a_number(waarde: str) -> None:
    if _codes({"formaat": "getal", "lengte": ""}, waarde) == []:
        assert Decimal(waarde.replace(",", ".")).is_finite()
        assert waarde.count(",") + waarde.count(".") <= 1 and " " not in waarde and "_" not in waarde


@given(moment=MOMENTS)
def test_the_archiving_date_of_a_datum_or_datum_tijd_is_its_day(moment: dt.datetime) -> None:
    assert as_date(moment.strftime("%Y%m%d")) == moment.date()
    assert as_date(moment.strftime("%Y%m%d%H%M%S")) == moment.date()
    assert as_date(moment.date().isoformat()) == moment.date()  # older values in ISO form still count


def test_a_waarde_that_names_no_day_gives_no_archiving_date() -> None:
    assert [as_date(value) for value in ("", None, "morgen", "2026", "20261340")] == [None] * 5
