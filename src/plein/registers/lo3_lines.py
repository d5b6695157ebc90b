"""LO3 persoonslijst lines (GBA-V test set rows) and their values: categories, occurrences, versions, checked values.

A line holds elements keyed by LO3 number (`01.01.20` = category 01, group 01, element 20). `occurrences` splits a
category into its occurrences, each with its versions newest first; the `cc.H` column of a line says what the next
line holds for category cc: 5x an older version of the same occurrence, 0x a new occurrence. The value helpers
check an element against the rules of the BRP API and raise RowError naming the element and the rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

from plein.identifiers import is_a_nummer, passes_elfproef
from plein.registers.brp import lo3
from plein.registers.brp import service as brp
from plein.registers.brp.models import PersonName, Relation, Residence, Verblijfstitel


class Row(dict[str, str]):
    """The elements of one category on one line, keyed without the category ('01.20' for '01.01.20')."""

    def __init__(self, cat: str, values: dict[str, str] | None = None) -> None:
        super().__init__(values or {})
        self.cat = cat

    def element(self, key: str) -> str:
        return f"{self.cat}.{key}"


SINGLE = frozenset({"01", "02", "03", "06", "07", "08", "10", "11", "13"})  # categories with one occurrence
NAME = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$")
VOORVOEGSEL = re.compile(r"^[a-zA-Z \']{1,10}$")
PLACE = re.compile(r"^[a-zA-Z0-9À-ž \'\.\-\(\),]{1,80}$")
WOONPLAATS = re.compile(r"^[a-zA-Z0-9À-ž, \(\)\.\-\']{1,80}$")
POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
HUISLETTER = re.compile(r"^[a-zA-Z]$")
TOEVOEGING = re.compile(r"^[a-zA-Z0-9 \-]{1,4}$")
IDENTIFICATIE = re.compile(r"^[0-9]{16}$")
CODE4 = re.compile(r"^[0-9]{4}$")
T = TypeVar("T")
V = TypeVar("V", PersonName, Residence, Relation, Verblijfstitel)


def is_code4(value: str) -> bool:
    return CODE4.match(value) is not None


class RowError(ValueError):
    """A value on a line breaks a rule."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Line:
    number: int
    values: dict[str, str]


@dataclass
class PersoonsLijst:
    label: str
    lines: list[Line]

    @property
    def first_line(self) -> int:
        return self.lines[0].number

    def fingerprint(self) -> str:
        text = "\n".join(";".join(f"{k}={v}" for k, v in sorted(line.values.items())) for line in self.lines)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ReportedRow:
    line: int
    label: str
    reason: str


def category(line: Line, cat: str) -> Row:
    """The elements of one category on a line, without the category prefix ('01.20' for '01.01.20')."""
    prefix = cat + "."
    return Row(cat, {key[3:]: value for key, value in line.values.items()
                     if key.startswith(prefix) and key != cat + ".H"})


def occurrences(lines: list[Line], cat: str) -> list[list[tuple[int, Row]]]:
    """Each occurrence of a category with its versions, newest first, as (line number, elements)."""
    result: list[list[tuple[int, Row]]] = []
    marker = ""
    for line in lines:
        data = category(line, cat)
        if data:
            if result and (cat in SINGLE or marker.startswith("5")):
                result[-1].append((line.number, data))
            else:
                result.append([(line.number, data)])
        marker = line.values.get(f"{cat}.H", "")
    return result


def valid_versions(versions: list[tuple[int, Row]]) -> list[tuple[int, Row]]:
    """Versions not marked incorrect (84.10 = O)."""
    return [(number, data) for number, data in versions if data.get("84.10") != "O"]


# ---------------------------------------------------------------------------------------------- values


def date_value(line: int, data: Row, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: a date is required")
        return None
    try:
        return lo3.check_date(value)
    except lo3.Lo3DateError as exc:
        raise RowError(line, f"{data.element(key)}: {exc}") from exc


def text_value(line: int, data: Row, key: str, pattern: re.Pattern[str], required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: a value is required")
        return None
    if not pattern.match(value):
        raise RowError(line, f"{data.element(key)}: '{value}' has characters or a length the BRP API does not allow")
    return value


def place_value(line: int, data: Row, key: str) -> str | None:
    return text_value(line, data, key, PLACE)


def code_value(line: int, data: Row, key: str, allowed: Callable[[str], bool], what: str) -> str | None:
    value = data.get(key)
    if value and not allowed(value):
        raise RowError(line, f"{data.element(key)}: '{value}' is not {what}")
    return value or None


def bsn_value(line: int, data: Row, key: str = "01.20", required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: the burgerservicenummer is missing")
        return None
    if not passes_elfproef(value):
        raise RowError(line, f"{data.element(key)}: '{value}' is not a burgerservicenummer (11-check)")
    return value


def name_value(line: int, data: Row, required: bool) -> brp.NameData | None:
    geslachtsnaam = text_value(line, data, "02.40", NAME, required)
    voornamen = text_value(line, data, "02.10", NAME)
    if geslachtsnaam is None:
        if voornamen:
            raise RowError(line, f"{data.element('02.40')}: voornamen without a geslachtsnaam")
        return None
    titel = code_value(line, data, "02.20", lambda v: v in lo3.ADELLIJKE_TITELS, "an adellijke titel or predicaat")
    naamgebruik = code_value(line, data, "61.10", lambda v: v in lo3.NAAMGEBRUIK, "E, P, V or N") or "E"
    return brp.NameData(geslachtsnaam=geslachtsnaam, voornamen=voornamen,
                        voorvoegsel=text_value(line, data, "02.30", VOORVOEGSEL), adellijke_titel=titel,
                        naamgebruik=naamgebruik)


def geslacht_value(line: int, data: Row, required: bool) -> str | None:
    value = code_value(line, data, "04.10", lambda v: v in lo3.GESLACHT, "M, V or O")
    if value is None and required:
        raise RowError(line, f"{data.element('04.10')}: the geslachtsaanduiding is missing")
    return value


def built_versions(versions: list[tuple[int, Row]], build: Callable[[int, Row], T], label: str,
                   skipped: list[ReportedRow]) -> list[T]:
    """Build each version not marked incorrect, newest first; an older version that breaks a rule is skipped."""
    built: list[T] = []
    for index, (number, data) in enumerate(valid_versions(versions)):
        try:
            built.append(build(number, data))
        except RowError as error:
            if index == 0:
                raise
            skipped.append(ReportedRow(error.line, label, f"older version left out: {error.reason}"))
    return built


def close_rows(rows: list[V]) -> list[V]:
    """Newest first: each older row ends where the next newer one starts; the newest stays current."""
    for newer, older in pairwise(rows):
        older.valid_to = newer.valid_from
    if rows:
        rows[0].valid_to = None
    return rows


def a_nummer_value(line: int, data: Row, key: str = "01.10") -> str | None:
    """An A-nummer: ten digits that pass the A-nummer checks (identifiers.is_a_nummer)."""
    return code_value(line, data, key, is_a_nummer, "an A-nummer (10 digits passing the A-nummer checks)")


def lenient(build: Callable[[], T], label: str, skipped: list[ReportedRow], default: T) -> T:
    """The value, or the default with the broken rule reported: for data the register adds to a persoonslijst
    that is imported anyway (categories 10, 11 and 13, in onderzoek, RNI participants, verificatie)."""
    try:
        return build()
    except RowError as error:
        skipped.append(ReportedRow(error.line, label, f"value left out: {error.reason}"))
        return default
