"""The Haal Centraal BRP Personen query: its seven types, their parameters and the rules of `fields`.

`parse_query(body)` checks a request body against the rules of the 2.7.0 specification and returns a
PersonenQuery, or raises InvalidInput whose invalidParams name every parameter that is wrong and why (reasons are
kept within the character set the specification allows for them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from plein.errors import InvalidInput, InvalidParam
from plein.identifiers import passes_elfproef
from plein.registers.brp.spec import schema_paths

MAX_BSNS = 20
MAX_FIELDS = 130
AUTOMATIC_FIELDS = frozenset({"geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie"})
IN_ONDERZOEK = "inOnderzoek"

NAME_CHARS = r"a-zA-Z0-9À-ž \.\-\'"
GESLACHTSNAAM = re.compile(rf"^[{NAME_CHARS}]{{1,200}}$|^[{NAME_CHARS}]{{3,199}}\*$")
VOORNAMEN_OPTIONEEL = re.compile(rf"^[{NAME_CHARS}]{{1,199}}\*?$")
VOORNAMEN_VERPLICHT = GESLACHTSNAAM
STRAAT_CHARS = r"a-zA-Z0-9À-ž \-\'\."
STRAAT = re.compile(rf"^[{STRAAT_CHARS}]{{1,80}}$|^[{STRAAT_CHARS}]{{7,79}}\*$|^\*[{STRAAT_CHARS}]{{7,79}}$")
PATTERNS = {
    "geslacht": re.compile(r"^[MmVvOo]$"),
    "voorvoegsel": re.compile(r"^[a-zA-Z \']{1,10}$"),
    "postcode": re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$"),
    "huisletter": re.compile(r"^[a-zA-Z]$"),
    "huisnummertoevoeging": re.compile(r"^[a-zA-Z0-9 \-]{1,4}$"),
    "nummeraanduidingIdentificatie": re.compile(r"^(?!0{16})[0-9]{16}$"),
    "adresseerbaarObjectIdentificatie": re.compile(r"^(?!0{16})[0-9]{16}$"),
    "gemeenteVanInschrijving": re.compile(r"^[0-9]{4}$"),
}
FIELD = re.compile(r"^[a-zA-Z0-9\._]{1,200}$")
SAFE_IN_REASON = re.compile(r"^[a-zA-Z0-9\.]{1,50}$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

PERSOON = "Persoon"
PERSOON_BEPERKT = "PersoonBeperkt"
GEZAG_PERSOON_BEPERKT = "GezagPersoonBeperkt"


# The most persons a search may find (BRP API 2.5 and later): 10 by name, 30 at an address; more is an error.
MAX_BY_NAME = 10
MAX_AT_ADDRESS = 30


@dataclass(frozen=True)
class QueryType:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    response: str
    max_results: int | None = None


_SEARCH_OPTIONAL = ("inclusiefOverledenPersonen",)
QUERY_TYPES = {
    "RaadpleegMetBurgerservicenummer": QueryType(("burgerservicenummer",), ("gemeenteVanInschrijving",), PERSOON),
    "ZoekMetGeslachtsnaamEnGeboortedatum": QueryType(
        ("geslachtsnaam", "geboortedatum"),
        ("geslacht", "voorvoegsel", "voornamen", "gemeenteVanInschrijving", *_SEARCH_OPTIONAL), PERSOON_BEPERKT,
        MAX_BY_NAME),
    "ZoekMetNaamEnGemeenteVanInschrijving": QueryType(
        ("geslachtsnaam", "voornamen", "gemeenteVanInschrijving"),
        ("geslacht", "voorvoegsel", *_SEARCH_OPTIONAL), PERSOON_BEPERKT, MAX_BY_NAME),
    "ZoekMetPostcodeEnHuisnummer": QueryType(
        ("postcode", "huisnummer"),
        ("huisletter", "huisnummertoevoeging", "geboortedatum", "geslachtsnaam", "gemeenteVanInschrijving",
         *_SEARCH_OPTIONAL), PERSOON_BEPERKT, MAX_AT_ADDRESS),
    "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving": QueryType(
        ("straat", "huisnummer", "gemeenteVanInschrijving"),
        ("huisletter", "huisnummertoevoeging", *_SEARCH_OPTIONAL), PERSOON_BEPERKT, MAX_AT_ADDRESS),
    "ZoekMetNummeraanduidingIdentificatie": QueryType(
        ("nummeraanduidingIdentificatie",), ("gemeenteVanInschrijving", *_SEARCH_OPTIONAL), PERSOON_BEPERKT,
        MAX_AT_ADDRESS),
    "ZoekMetAdresseerbaarObjectIdentificatie": QueryType(
        ("adresseerbaarObjectIdentificatie",), ("gemeenteVanInschrijving", *_SEARCH_OPTIONAL), GEZAG_PERSOON_BEPERKT,
        MAX_AT_ADDRESS),
}


class TooManyResults(InvalidInput):
    """A search finds more persons than the API may return: the client must refine it (nothing is delivered)."""

    problem = ("Teveel zoekresultaten.", "tooManyResults")  # the BRP API's title and code for this 400

    def __init__(self, limit: int) -> None:
        super().__init__(f"Meer dan maximum van {limit} zoekresultaten gevonden. Verfijn de zoekopdracht.")
        self.limit = limit


@dataclass(frozen=True)
class PersonenQuery:
    """A checked query: the type, the requested field paths and the (normalised) search parameters."""

    type: str
    fields: tuple[str, ...]
    burgerservicenummer: tuple[str, ...] = ()
    geslachtsnaam: str | None = None
    geboortedatum: str | None = None  # LO3 yyyymmdd
    geslacht: str | None = None
    voorvoegsel: str | None = None
    voornamen: str | None = None
    postcode: str | None = None
    huisnummer: int | None = None
    huisletter: str | None = None
    huisnummertoevoeging: str | None = None
    straat: str | None = None
    nummeraanduiding_identificatie: str | None = None
    adresseerbaar_object_identificatie: str | None = None
    gemeente_van_inschrijving: str | None = None
    inclusief_overleden_personen: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def response_schema(self) -> str:
        return QUERY_TYPES[self.type].response


class ParamError(ValueError):
    """One parameter value breaks one rule; code and reason go into invalidParams."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


# ---------------------------------------------------------------------------------------------- field paths


def is_automatic(path: str) -> bool:
    """inOnderzoek (at any level), geheimhoudingPersoonsgegevens, opschortingBijhouding, rni and verificatie."""
    parts = path.split(".")
    return parts[0] in AUTOMATIC_FIELDS or IN_ONDERZOEK in parts


@cache
def allowed_fields(schema: str) -> frozenset[str]:
    """The paths a client may ask for in `fields` for this response schema."""
    return frozenset(path for path in schema_paths(schema) if not is_automatic(path))


def check_field(path: Any, schema: str) -> str:
    """One entry of `fields`: a string in the spec's pattern naming a field that exists and is not automatic."""
    if not isinstance(path, str):
        raise ParamError("string", "waarde is geen tekst")
    if not FIELD.match(path):
        raise ParamError("pattern", "waarde is geen veldpad")
    shown = f"veld {path}" if SAFE_IN_REASON.match(path) else "veld"
    if path not in schema_paths(schema):
        raise ParamError("field", f"{shown} bestaat niet")
    if is_automatic(path):
        raise ParamError("field", f"{shown} wordt automatisch geleverd")
    return path


def _fields(value: Any, schema: str) -> tuple[tuple[str, ...], list[InvalidParam]]:
    if not isinstance(value, list):
        return (), [InvalidParam("fields", "array", "Parameter is geen array.")]
    if not value:
        return (), [InvalidParam("fields", "minItems", "Array bevat minder dan 1 item.")]
    if len(value) > MAX_FIELDS:
        return (), [InvalidParam("fields", "maxItems", f"Array bevat meer dan {MAX_FIELDS} items.")]
    paths: list[str] = []
    problems: list[InvalidParam] = []
    for index, item in enumerate(value):
        try:
            paths.append(check_field(item, schema))
        except ParamError as error:
            problems.append(InvalidParam("fields", error.code, f"Item {index}, {error.reason}."))
    return tuple(dict.fromkeys(paths)), problems


# ---------------------------------------------------------------------------------------------- parameters


def check_bsn(value: Any) -> str:
    """A burgerservicenummer: nine digits that pass the 11-check."""
    if not isinstance(value, str):
        raise ParamError("string", "Waarde is geen tekst.")
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        raise ParamError("pattern", "Waarde is geen burgerservicenummer van 9 cijfers.")
    if not passes_elfproef(value):
        raise ParamError("elfproef", "Waarde is geen geldig burgerservicenummer, de elfproef faalt.")
    return value


def _bsns(value: Any) -> tuple[tuple[str, ...], list[InvalidParam]]:
    name = "burgerservicenummer"
    if not isinstance(value, list):
        return (), [InvalidParam(name, "array", "Parameter is geen array.")]
    if not value:
        return (), [InvalidParam(name, "minItems", "Array bevat minder dan 1 item.")]
    if len(value) > MAX_BSNS:
        return (), [InvalidParam(name, "maxItems", f"Array bevat meer dan {MAX_BSNS} items.")]
    bsns: list[str] = []
    problems: list[InvalidParam] = []
    for index, item in enumerate(value):
        try:
            bsns.append(check_bsn(item))
        except ParamError as error:
            reason = error.reason[0].lower() + error.reason[1:]
            problems.append(InvalidParam(name, error.code, f"Item {index}, {reason}"))
    return tuple(dict.fromkeys(bsns)), problems


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ParamError("string", "Waarde is geen tekst.")
    return value


def _matching(pattern: re.Pattern[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not pattern.match(_text(value)):
            raise ParamError("pattern", "Waarde voldoet niet aan het patroon.")
        return str(value)
    return check


def _name(pattern: re.Pattern[str], minimum: int) -> Callable[[Any], str]:
    """A name that may end in the wildcard *, only after at least `minimum` characters."""
    def check(value: Any) -> str:
        text = _text(value)
        if pattern.match(text):
            return text
        if "*" in text:
            raise ParamError("pattern", f"Wildcard is alleen toegestaan aan het eind, na ten minste {minimum} tekens.")
        raise ParamError("pattern", "Waarde voldoet niet aan het patroon.")
    return check


def _straat(value: Any) -> str:
    text = _text(value)
    if STRAAT.match(text):
        return text
    if "*" in text:
        raise ParamError("pattern", "Wildcard is alleen toegestaan aan begin of eind, met ten minste 7 tekens.")
    raise ParamError("pattern", "Waarde voldoet niet aan het patroon.")


def _datum(value: Any) -> str:
    text = _text(value)
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).strftime("%Y%m%d")
    except ValueError as exc:
        raise ParamError("date", "Waarde is geen geldige datum, gebruik jjjj-mm-dd.") from exc


def _huisnummer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError("integer", "Waarde is geen geldig getal.")
    if value < 1:
        raise ParamError("minimum", "Waarde is kleiner dan 1.")
    if value > 99999:
        raise ParamError("maximum", "Waarde is groter dan 99999.")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParamError("boolean", "Waarde is geen boolean.")
    return value


def _checkers(query_type: str) -> dict[str, Callable[[Any], Any]]:
    voornamen = (_name(VOORNAMEN_VERPLICHT, 3) if query_type == "ZoekMetNaamEnGemeenteVanInschrijving"
                 else _name(VOORNAMEN_OPTIONEEL, 1))
    return {
        "geslachtsnaam": _name(GESLACHTSNAAM, 3), "voornamen": voornamen, "straat": _straat,
        "geboortedatum": _datum, "huisnummer": _huisnummer, "inclusiefOverledenPersonen": _boolean,
        **{name: _matching(pattern) for name, pattern in PATTERNS.items()},
    }


ATTRIBUTES = {
    "nummeraanduidingIdentificatie": "nummeraanduiding_identificatie",
    "adresseerbaarObjectIdentificatie": "adresseerbaar_object_identificatie",
    "gemeenteVanInschrijving": "gemeente_van_inschrijving",
    "inclusiefOverledenPersonen": "inclusief_overleden_personen",
}
NORMALISE: dict[str, Callable[[str], str]] = {
    "geslacht": str.upper, "postcode": lambda value: value.replace(" ", "").upper(),
}


def _query_type(body: dict[str, Any]) -> QueryType:
    if "type" not in body:
        raise InvalidInput("De foutieve parameter is type.",
                           [InvalidParam("type", "required", "Parameter is verplicht.")])
    value = body["type"]
    if not isinstance(value, str) or value not in QUERY_TYPES:
        raise InvalidInput("De foutieve parameter is type.",
                           [InvalidParam("type", "value", "Waarde is geen bekend zoektype.")])
    return QUERY_TYPES[value]


def parse_query(body: Any) -> PersonenQuery:
    """Check a request body; raise InvalidInput naming every wrong parameter, or return the query."""
    if not isinstance(body, dict):
        raise InvalidInput("Het request body is geen JSON object.")
    query_type = _query_type(body)
    name = body["type"]
    problems: list[InvalidParam] = []
    known = {"type", "fields", *query_type.required, *query_type.optional}
    problems += [InvalidParam(key if FIELD.match(key) else "body", "unknownParam", "Parameter is niet verwacht.")
                 for key in body if key not in known]
    problems += [InvalidParam(key, "required", "Parameter is verplicht.")
                 for key in ("fields", *query_type.required) if key not in body]
    fields, field_problems = _fields(body.get("fields"), query_type.response) if "fields" in body else ((), [])
    problems += field_problems
    values: dict[str, Any] = {}
    if "burgerservicenummer" in body and "burgerservicenummer" in known:
        values["burgerservicenummer"], bsn_problems = _bsns(body["burgerservicenummer"])
        problems += bsn_problems
    checkers = _checkers(name)
    for key in (*query_type.required, *query_type.optional):
        if key not in body or key == "burgerservicenummer":
            continue
        try:
            value = checkers[key](body[key])
        except ParamError as error:
            problems.append(InvalidParam(key, error.code, error.reason))
            continue
        values[ATTRIBUTES.get(key, key)] = NORMALISE[key](value) if key in NORMALISE else value
    if problems:
        names = ", ".join(dict.fromkeys(problem.name for problem in problems))
        raise InvalidInput(f"De foutieve parameter(s) zijn {names}.", problems)
    return PersonenQuery(type=name, fields=fields, **values)
