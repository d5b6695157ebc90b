"""LO3 values as the BRP keeps them: dates with unknown parts (yyyymmdd, 00 = unknown) and the national tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache
from importlib import resources
from typing import Any

UNKNOWN_DATE = "00000000"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

GESLACHT = {"M": "man", "V": "vrouw", "O": "onbekend"}
NAAMGEBRUIK = {
    "E": "eigen geslachtsnaam", "P": "geslachtsnaam partner",
    "V": "geslachtsnaam partner voor eigen geslachtsnaam", "N": "eigen geslachtsnaam voor geslachtsnaam partner",
}
# LO3 table 38: code -> (omschrijving, soort); the code already says whether it is the male or female form.
ADELLIJKE_TITELS = {
    "B": ("baron", "titel"), "BS": ("barones", "titel"), "G": ("graaf", "titel"), "GI": ("gravin", "titel"),
    "H": ("hertog", "titel"), "HI": ("hertogin", "titel"), "M": ("markies", "titel"), "MI": ("markiezin", "titel"),
    "P": ("prins", "titel"), "PS": ("prinses", "titel"), "R": ("ridder", "titel"),
    "JH": ("jonkheer", "predicaat"), "JV": ("jonkvrouw", "predicaat"),
}
SOORT_VERBINTENIS = {"H": "huwelijk", "P": "geregistreerd partnerschap"}
FUNCTIE_ADRES = {"W": "woonadres", "B": "briefadres"}
AANDUIDING_BIJ_HUISNUMMER = {"to": "tegenover", "by": "bij"}
OPSCHORTING = {
    "O": "overlijden", "E": "emigratie", "M": "ministerieel besluit", "R": "pl is aangelegd in de rni",
    "F": "fout", "W": "wissen", ".": "onbekend",
}
NOT_DELIVERED = frozenset({"F", "W"})  # a persoonslijst suspended for these reasons is never delivered
EUROPEES_KIESRECHT = {"1": "persoon is uitgesloten", "2": "persoon ontvangt oproep"}
UITGESLOTEN_KIESRECHT = "A"  # LO3 13.38.10
GEZAG_MINDERJARIGE = {  # LO3 11.32.10 indicatie gezag minderjarige
    "1": "ouder1 heeft het gezag", "2": "ouder2 heeft het gezag", "12": "ouder1 en ouder2 hebben het gezag",
    "D": "een of meer derden hebben het gezag", "1D": "ouder1 en een derde hebben het gezag",
    "2D": "ouder2 en een derde hebben het gezag",
}
CURATELE = "1"  # LO3 11.33.10
GEEN_VERBLIJFSTITEL = "98"
# RNI-deelnemerstabel: the participants whose descriptions the Haal Centraal documentation gives; others by code.
RNI_DEELNEMERS = {
    "0101": "Belastingdienst (inzake heffingen en toeslagen)",
    "0201": "Sociale Verzekeringsbank (inzake AOW, Anw en AKW)", "0401": "CAK (inzake zorgverzekeringen)",
    "0501": "Immigratie- en naturalisatiedienst (inzake nationaliteitsgegevens)",
}
RNI_CATEGORIES = {"01": "Persoon", "04": "Nationaliteit", "06": "Overlijden", "08": "Verblijfplaats"}
VERBLIJFT_NIET_OP_ADRES = "089999"  # aanduiding in onderzoek: vastgesteld verblijft niet op adres
NATIONALITEIT_ONBEKEND = "0000"
STAATLOOS = "0499"
LAND_ONBEKEND = "0000"
NEDERLAND = "6030"
RNI = "1999"


class Lo3DateError(ValueError):
    """Not a date as LO3 writes it."""


def check_date(value: str) -> str:
    """Accept yyyymmdd where month and day may be 00 (unknown), or 00000000; return it unchanged."""
    if len(value) != 8 or not value.isdigit():
        raise Lo3DateError(f"'{value}' is not a date (yyyymmdd)")
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if value == UNKNOWN_DATE:
        return value
    if year == 0 or month > 12 or (month == 0 and day != 0):
        raise Lo3DateError(f"'{value}' is not a date (yyyymmdd, 00 for an unknown month or day)")
    if day:
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            raise Lo3DateError(f"'{value}' is not a date: {exc}") from exc
    return value


def from_date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def to_date(value: str) -> dt.date | None:
    """The calendar date when it is complete, else None."""
    if value[4:6] == "00" or value[6:] == "00":
        return None
    return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))


def datum(value: str) -> dict[str, Any]:
    """An AbstractDatum of Haal Centraal BRP: Datum, JaarMaandDatum, JaarDatum or DatumOnbekend."""
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if year == 0:
        return {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"}
    if month == 0:
        return {"type": "JaarDatum", "jaar": year, "langFormaat": str(year)}
    if day == 0:
        return {"type": "JaarMaandDatum", "jaar": year, "maand": month, "langFormaat": f"{MONTHS[month - 1]} {year}"}
    return {"type": "Datum", "datum": f"{year:04d}-{month:02d}-{day:02d}",
            "langFormaat": f"{day} {MONTHS[month - 1]} {year}"}


def in_force(einde: str | None, on: dt.date) -> bool:
    """Whether something that ends on `einde` (LO3 date, may be partly unknown) still holds on `on`.

    No end, or an entirely unknown one, holds; a known day holds until it is reached; a year or year-month holds
    through that whole year or month (the rule Haal Centraal applies to kiesrecht and verblijfstitel).
    """
    if not einde or einde == UNKNOWN_DATE:
        return True
    year, month, day = int(einde[:4]), int(einde[4:6]), int(einde[6:])
    if month == 0:
        return year >= on.year
    if day == 0:
        return (year, month) >= (on.year, on.month)
    return dt.date(year, month, day) > on


def leeftijd(geboortedatum: str, on: dt.date) -> int | None:
    """Age in whole years on a day; None when the birth date is too unknown to say."""
    year, month, day = int(geboortedatum[:4]), int(geboortedatum[4:6]), int(geboortedatum[6:])
    if year == 0 or month == 0 or (day == 0 and on.month == month):
        return None
    before_birthday = (on.month, on.day) < (month, day) if day else on.month < month
    age = on.year - year - (1 if before_birthday else 0)
    return age if 0 <= age <= 150 else None


@cache
def _table(name: str) -> dict[str, str]:
    """code -> description; a '/' becomes ', ' (the spec's Waardetabel pattern has no '/': one nationality)."""
    text = resources.files("plein.registers").joinpath(f"data/{name}").read_text("utf-8")
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return {row[0]: row[1].replace("/", ", ") for row in reader}


def gemeenten() -> dict[str, str]:
    """National table 33, including municipalities that no longer exist (people were born there); the same file
    organisations.service loads the municipalities from."""
    return _table("tabel33-gemeenten.csv")


def landen() -> dict[str, str]:
    return _table("tabel34-landen.csv")


def nationaliteiten() -> dict[str, str]:
    return _table("tabel32-nationaliteiten.csv")


def verblijfstitels() -> dict[str, str]:
    """National table 56 (aanduiding verblijfstitel), including the codes from before the Vreemdelingenwet 2000."""
    return _table("tabel56-verblijfstitels.csv")


def waarde(code: str, table: dict[str, str]) -> dict[str, str]:
    """A Waardetabel value: the code with its description when the table knows it."""
    description = table.get(code)
    return {"code": code, "omschrijving": description} if description else {"code": code}


def gemeente(code: str) -> dict[str, str]:
    return waarde(code, gemeenten())


def land(code: str) -> dict[str, str]:
    return waarde(code, landen())


def plaats(value: str) -> dict[str, str]:
    """A place of birth, marriage or death: a municipality code from table 33, or a place abroad by its name."""
    if len(value) == 4 and value.isdigit():
        return gemeente(value)
    return {"omschrijving": value}
