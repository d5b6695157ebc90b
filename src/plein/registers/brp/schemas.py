"""The Haal Centraal BRP Personen query: its seven types, their parameters and the rules of `fields`.

`parse_query(body)` checks a request body against the rules of the 2.7.0 specification, as the Haal Centraal
reference applies them, and returns a PersonenQuery, or raises InvalidInput whose invalidParams name every parameter
that is wrong with the reference's code, name and reason (docs/deviations.md says where those go beyond the OpenAPI
document).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from plein.errors import InvalidInput, InvalidParam
from plein.registers.brp.spec import schema_paths

MAX_BSNS = 20
MAX_FIELDS = 130
AUTOMATIC_FIELDS = frozenset({"geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie"})
IN_ONDERZOEK = "inOnderzoek"

# The patterns of the parameters, written as the reference writes them in its reasons ("Waarde voldoet niet aan
# patroon …"); Python's re reads them alike.
NAAM = r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$|^[a-zA-Z0-9À-ž \.\-\']{3,199}\*{1}$"
PATTERNS = {
    "burgerservicenummer": r"^[0-9]{9}$",
    "geslachtsnaam": NAAM,
    "voornamen": r"^[a-zA-Z0-9À-ž \.\-\']{1,199}\*{0,1}$",
    "voorvoegsel": r"^[a-zA-Z \']{1,10}$",
    "geslacht": r"^([Mm]|[Vv]|[Oo])$",
    "postcode": r"^[1-9]{1}[0-9]{3}[ ]?[A-Za-z]{2}$",
    "huisletter": r"^[a-zA-Z]{1}$",
    "huisnummertoevoeging": r"^[a-zA-Z0-9 \-]{1,4}$",
    "straat": r"^[a-zA-Z0-9À-ž \-\'\.]{1,80}$|^[a-zA-Z0-9À-ž \-\'\.]{7,79}\*{1}$|^\*{1}[a-zA-Z0-9À-ž \-\'\.]{7,79}$",
    "nummeraanduidingIdentificatie": r"^[0-9]{16}$",
    "adresseerbaarObjectIdentificatie": r"^(?!0{16})[0-9]{16}$",
    "gemeenteVanInschrijving": r"^[0-9]{4}$",
    "fields": r"^[a-zA-Z0-9\._]{1,200}$",
}
FIELD = re.compile(PATTERNS["fields"])
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DIGITS = re.compile(r"^[0-9]+$")
REQUIRED = "Parameter is verplicht."
UNKNOWN = "Parameter is niet verwacht."

PERSOON = "Persoon"
PERSOON_BEPERKT = "PersoonBeperkt"
GEZAG_PERSOON_BEPERKT = "GezagPersoonBeperkt"


# The most persons a search may find (BRP API 2.5 and later): 10 by name, 30 at an address; more is an error.
MAX_BY_NAME = 10
MAX_AT_ADDRESS = 30


@dataclass(frozen=True)
class QueryType:
    """A query type's parameters; `required` in the order the reference checks (and names) them."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    response: str
    max_results: int | None = None


_SEARCH_OPTIONAL = ("inclusiefOverledenPersonen",)
QUERY_TYPES = {
    "RaadpleegMetBurgerservicenummer": QueryType(("burgerservicenummer",), ("gemeenteVanInschrijving",), PERSOON),
    "ZoekMetGeslachtsnaamEnGeboortedatum": QueryType(
        ("geboortedatum", "geslachtsnaam"),
        ("geslacht", "voorvoegsel", "voornamen", "gemeenteVanInschrijving", *_SEARCH_OPTIONAL), PERSOON_BEPERKT,
        MAX_BY_NAME),
    "ZoekMetNaamEnGemeenteVanInschrijving": QueryType(
        ("gemeenteVanInschrijving", "geslachtsnaam", "voornamen"),
        ("geslacht", "voorvoegsel", *_SEARCH_OPTIONAL), PERSOON_BEPERKT, MAX_BY_NAME),
    "ZoekMetPostcodeEnHuisnummer": QueryType(
        ("postcode", "huisnummer"),
        ("huisletter", "huisnummertoevoeging", "geboortedatum", "geslachtsnaam", "gemeenteVanInschrijving",
         *_SEARCH_OPTIONAL), PERSOON_BEPERKT, MAX_AT_ADDRESS),
    "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving": QueryType(
        ("gemeenteVanInschrijving", "huisnummer", "straat"),
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


def pattern_error(name: str) -> ParamError:
    """The reference's error for a value outside the pattern of parameter `name`, naming the pattern."""
    return ParamError("pattern", f"Waarde voldoet niet aan patroon {PATTERNS[name]}.")


def foutieve_parameters(problems: list[InvalidParam]) -> InvalidInput:
    """The 400 of the BRP APIs: the detail names each wrong parameter once, in the order of the problems."""
    names = ", ".join(dict.fromkeys(problem.name for problem in problems))
    return InvalidInput(f"De foutieve parameter(s) zijn: {names}.", problems)


def html_encoded(text: str) -> str:
    """A client's own text (an unknown parameter's name) as the reference echoes it: HTML-encoded."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#39;"))


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
    if not isinstance(path, str) or not FIELD.match(path):
        raise pattern_error("fields")
    if path not in schema_paths(schema):
        raise ParamError("fields", "Parameter bevat een niet bestaande veldnaam.")
    if is_automatic(path):
        raise ParamError("fields", "Parameter bevat een niet toegestane veldnaam.")
    return path


def _items(name: str, value: Any, maximum: int, check: Callable[[Any], str]
           ) -> tuple[tuple[str, ...], list[InvalidParam]]:
    """An array parameter (fields, burgerservicenummer): the array's own rules, then each item's, named
    `name[index]` as the reference names them."""
    if not isinstance(value, list):
        return (), [InvalidParam(name, "array", "Parameter is geen array.")]
    if not value:
        return (), [InvalidParam(name, "minItems", "Array bevat minder dan 1 items.")]
    if len(value) > maximum:
        return (), [InvalidParam(name, "maxItems", f"Array bevat meer dan {maximum} items.")]
    items: list[str] = []
    problems: list[InvalidParam] = []
    for index, item in enumerate(value):
        try:
            items.append(check(item))
        except ParamError as error:
            problems.append(InvalidParam(f"{name}[{index}]", error.code, error.reason))
    return tuple(dict.fromkeys(items)), problems


# ---------------------------------------------------------------------------------------------- parameters


def check_bsn(value: Any) -> str:
    """A burgerservicenummer: nine digits, as the reference checks it (a number failing the 11-check is simply not
    found, as with the reference)."""
    if not isinstance(value, str) or not MATCHERS["burgerservicenummer"].match(value):
        raise pattern_error("burgerservicenummer")
    return value


def _matching(name: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not MATCHERS[name].match(value):
            raise pattern_error(name)
        return value
    return check


def _datum(value: Any) -> str:
    try:
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value).strftime("%Y%m%d")
    except ValueError as exc:
        raise ParamError("date", "Waarde is geen geldige datum.") from exc


def _huisnummer(value: Any) -> int:
    """A whole number from 1 to 99999; as a string of digits too, as the reference accepts it."""
    if isinstance(value, str) and DIGITS.match(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError("integer", "Waarde is geen geldig getal.")
    if value < 1:
        raise ParamError("minimum", "Waarde is lager dan minimum 1.")
    if value > 99999:
        raise ParamError("maximum", "Waarde is hoger dan maximum 99999.")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParamError("boolean", "Waarde is geen boolean.")
    return value


MATCHERS = {name: re.compile(pattern) for name, pattern in PATTERNS.items()}
CHECKERS: dict[str, Callable[[Any], Any]] = {
    **{name: _matching(name) for name in PATTERNS}, "geboortedatum": _datum, "huisnummer": _huisnummer,
    "inclusiefOverledenPersonen": _boolean,
}
# ZoekMetNaamEnGemeenteVanInschrijving requires voornamen, in the pattern of a geslachtsnaam.
VOORNAMEN_VERPLICHT: Callable[[Any], Any] = _matching("geslachtsnaam")
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
        raise foutieve_parameters([InvalidParam("type", "required", REQUIRED)])
    value = body["type"]
    if not isinstance(value, str) or value not in QUERY_TYPES:
        raise foutieve_parameters([InvalidParam("type", "value", "Waarde is geen geldig zoek type.")])
    return QUERY_TYPES[value]


def _parameters(body: dict[str, Any], query_type: QueryType) -> tuple[dict[str, Any], list[InvalidParam]]:
    """The type's parameters checked in the reference's order: a required one missing or an empty string is
    `required`; each value by its own rule."""
    values: dict[str, Any] = {}
    problems: list[InvalidParam] = []
    for key in (*query_type.required, *query_type.optional):
        if key not in body or (key in query_type.required and body[key] == ""):
            if key in query_type.required:
                problems.append(InvalidParam(key, "required", REQUIRED))
            continue
        if key == "burgerservicenummer":
            values[key], bsn_problems = _items(key, body[key], MAX_BSNS, check_bsn)
            problems += bsn_problems
            continue
        check = VOORNAMEN_VERPLICHT if key == "voornamen" and key in query_type.required else CHECKERS[key]
        try:
            value = check(body[key])
        except ParamError as error:
            problems.append(InvalidParam(key, error.code, error.reason))
            continue
        values[ATTRIBUTES.get(key, key)] = NORMALISE[key](value) if key in NORMALISE else value
    return values, problems


def parse_query(body: Any) -> PersonenQuery:
    """Check a request body; raise InvalidInput naming every wrong parameter, or return the query."""
    if not isinstance(body, dict):
        raise InvalidInput("Het request body is geen JSON object.")
    query_type = _query_type(body)
    name = body["type"]
    values, problems = _parameters(body, query_type)
    fields: tuple[str, ...] = ()
    if "fields" not in body:
        problems.append(InvalidParam("fields", "required", REQUIRED))
    else:
        fields, field_problems = _items("fields", body["fields"], MAX_FIELDS,
                                        lambda path: check_field(path, query_type.response))
        problems += field_problems
    known = {"type", "fields", *query_type.required, *query_type.optional}
    problems += [InvalidParam(html_encoded(key), "unknownParam", UNKNOWN) for key in body if key not in known]
    if problems:
        raise foutieve_parameters(problems)
    return PersonenQuery(type=name, fields=fields, **values)
