"""The question types of a service: reading an answer from a page's form or an API body, checking it with a clear
Dutch message, and showing it back. Lookups at the source (the BAG for an address, the BRP for persons) and
stored files are the engine's part; this module only knows the shapes.

Answer shapes (as stored and as the headless API takes them): text, textarea, email, phone: text; number: a number;
date: "YYYY-MM-DD"; time: "HH:MM"; yesno: true or false; choice: an option's value, or a list of them when `multiple`;
bsn: nine digits that pass the 11-check; gemeente: the CBS code of a current municipality;
address: {postcode, huisnummer, huisletter, huisnummertoevoeging} (the engine adds what the BAG says); persons: a
list of BSNs; document: {bestand, naam, formaat, grootte} of a stored upload.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from plein.identifiers import passes_elfproef
from plein.organisations.service import current_municipalities
from plein.services.definition import Question

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
PHONE = re.compile(r"^\+?[0-9]{10,15}$")
POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
HUISLETTER = re.compile(r"^[A-Za-z]$")
TOEVOEGING = re.compile(r"^[A-Za-z0-9]{1,4}$")
BSN = re.compile(r"^[0-9]{9}$")
TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
ADDRESS_PARTS = ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")
DATE_PARTS = ("dag", "maand", "jaar")
TEXT_LIMIT = 1000
TEXTAREA_LIMIT = 10000


class FormInput(Protocol):
    """What a page's POSTed form gives (Starlette's FormData has it): a value, or all values, of a name."""

    def get(self, key: str, /) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


@dataclass(frozen=True)
class Problem:
    """Why an answer is not accepted: the question, the input to go to, and a message the user can act on."""

    question: str
    message: str
    part: str | None = None

    @property
    def field(self) -> str:
        """The id of the input the error summary links to."""
        return f"{self.question}.{self.part}" if self.part else self.question


def name(question: Question) -> str:
    """How the question is named in a message: its label without a closing question mark or colon."""
    return question.label.rstrip("?: ").strip()


# --- reading a page's form ------------------------------------------------------------------------------------


def from_form(question: Question, form: FormInput) -> Any:
    """The answer as the form gives it, in the answer's shape but not yet checked (None: nothing was given)."""
    key = question.id
    if question.type == "address":
        parts = {part: _text(form.get(f"{key}.{part}")) for part in ADDRESS_PARTS}
        return parts if any(parts.values()) else None
    if question.type == "date":
        parts = {part: _text(form.get(f"{key}.{part}")) for part in DATE_PARTS}
        return parts if any(parts.values()) else None
    if question.many:
        values = [_text(value) for value in form.getlist(key)]
        return [value for value in values if value]
    if question.type == "yesno":
        value = _text(form.get(key))
        return {"ja": True, "nee": False}.get(value, value or None)
    value = _text(form.get(key))
    return value or None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- checking -------------------------------------------------------------------------------------------------


def clean(question: Question, value: Any, allowed: Sequence[str] | None = None) -> tuple[Any, Problem | None]:
    """The answer in its stored shape, or the problem with it. An empty answer to a question that is not required
    is None (or [] for a list). `allowed` are the values a choice or persons question offers."""
    if _empty(value):
        if question.required:
            return _empty_value(question), Problem(question.id, _missing(question), _first_part(question))
        return _empty_value(question), None
    checker = CHECKERS.get(question.type, _clean_text)
    return checker(question, value, allowed)


def _empty(value: Any) -> bool:
    return value is None or value in ("", []) or (
        isinstance(value, dict) and not any(str(v).strip() for v in value.values() if v is not None))


def _empty_value(question: Question) -> Any:
    return [] if question.many else None


def _first_part(question: Question) -> str | None:
    return {"address": "postcode", "date": "dag"}.get(question.type)


def _missing(question: Question) -> str:
    if question.type in ("choice", "yesno", "persons", "gemeente"):
        return f"Kies een antwoord bij ‘{name(question)}’."
    if question.type == "document":
        return f"Voeg een bestand toe bij ‘{name(question)}’."
    if question.type == "address":
        return "Vul de postcode en het huisnummer in."
    return f"Vul ‘{name(question)}’ in."


Result = tuple[Any, Problem | None]


def _clean_text(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if not isinstance(value, str):
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ tekst in.")
    text = value.strip()
    limit = int(question.spec.get("maxLength") or (TEXTAREA_LIMIT if question.type == "textarea" else TEXT_LIMIT))
    if len(text) > limit:
        return None, Problem(question.id, f"Gebruik bij ‘{name(question)}’ hoogstens {limit} tekens "
                                          f"(u gebruikte er {len(text)}).")
    minimum = int(question.spec.get("minLength") or 0)
    if len(text) < minimum:
        return None, Problem(question.id, f"Gebruik bij ‘{name(question)}’ minstens {minimum} tekens.")
    return text, None


def _clean_email(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if not isinstance(value, str) or not EMAIL.match(value.strip()) or len(value.strip()) > 254:
        return None, Problem(question.id, "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")
    return value.strip(), None


def _clean_phone(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    digits = re.sub(r"[\s()-]", "", value) if isinstance(value, str) else ""
    if not PHONE.match(digits):
        return None, Problem(question.id, "Vul een geldig telefoonnummer in, zoals 06 12345678 of 020 123 4567.")
    return digits, None


def _clean_number(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    number = _number(value)
    if number is None or (question.spec.get("integer") and number != int(number)):
        kind = "een heel getal" if question.spec.get("integer") else "een getal"
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ {kind} in, zoals 12.")
    minimum, maximum = question.spec.get("minimum"), question.spec.get("maximum")
    if minimum is not None and number < minimum:
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ een getal in van minstens {minimum}.")
    if maximum is not None and number > maximum:
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ een getal in van hoogstens {maximum}.")
    return int(number) if number == int(number) else number, None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}([.,][0-9]{1,6})?", value.strip()):
        return float(value.strip().replace(",", "."))
    return None


def _clean_date(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    day = _date(value)
    if day is None:
        part = "dag" if isinstance(value, dict) else None
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ een bestaande datum in, zoals 15 3 2026.",
                             part)
    return day.isoformat(), None


def _date(value: Any) -> dt.date | None:
    try:
        if isinstance(value, dict):
            day, month, year = (int(str(value.get(part) or "").strip()) for part in DATE_PARTS)
            if year < 1000:
                return None
            return dt.date(year, month, day)
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        return None
    return None


def _clean_time(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    match = TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ een tijd in als uren en minuten, zoals 14:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}", None


def _clean_bsn(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    digits = re.sub(r"[\s.]", "", value) if isinstance(value, str) else ""
    if not BSN.match(digits) or not passes_elfproef(digits):
        return None, Problem(question.id, f"Vul bij ‘{name(question)}’ een geldig burgerservicenummer in: 9 cijfers "
                                          "(het nummer staat bijvoorbeeld op het paspoort of rijbewijs).")
    return digits, None


def _clean_gemeente(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if not isinstance(value, str) or value not in (allowed or []):
        return None, Problem(question.id, f"Kies bij ‘{name(question)}’ een gemeente uit de lijst.")
    return value, None


def _clean_yesno(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if not isinstance(value, bool):
        return None, Problem(question.id, f"Kies ja of nee bij ‘{name(question)}’.")
    return value, None


def _clean_choice(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    offered = list(allowed if allowed is not None else [option["value"] for option in question.spec["options"]])
    values = value if isinstance(value, list) else [value]
    if not question.many and len(values) != 1:
        return None, Problem(question.id, f"Kies één antwoord bij ‘{name(question)}’.")
    if any(not isinstance(item, str) or item not in offered for item in values):
        return None, Problem(question.id, f"Kies bij ‘{name(question)}’ uit de antwoorden die er staan.")
    chosen = [item for item in offered if item in values]  # in the order offered, once each
    return (chosen if question.many else chosen[0]), None


def _clean_persons(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    values = value if isinstance(value, list) else [value]
    offered = list(allowed or [])
    if any(not isinstance(item, str) or not BSN.match(item) or item not in offered for item in values):
        return None, Problem(question.id, f"Kies bij ‘{name(question)}’ alleen personen die er staan.")
    return [item for item in offered if item in values], None


def _clean_address(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if not isinstance(value, dict):
        return None, Problem(question.id, "Vul de postcode en het huisnummer in.", "postcode")
    postcode = str(value.get("postcode") or "").replace(" ", "").upper()
    if not POSTCODE.match(postcode):
        return None, Problem(question.id, "Vul een geldige postcode in, zoals 1234 AB.", "postcode")
    number = _number(value.get("huisnummer"))
    if number is None or number != int(number) or not 1 <= number <= 99999:
        return None, Problem(question.id, "Vul een huisnummer in van alleen cijfers, zoals 12.", "huisnummer")
    letter = str(value.get("huisletter") or "").strip()
    if letter and not HUISLETTER.match(letter):
        return None, Problem(question.id, "Een huisletter is één letter, zoals A.", "huisletter")
    addition = str(value.get("huisnummertoevoeging") or "").strip()
    if addition and not TOEVOEGING.match(addition):
        return None, Problem(question.id, "Een toevoeging is hoogstens 4 letters of cijfers, zoals 2 of bis.",
                             "huisnummertoevoeging")
    return {"postcode": postcode, "huisnummer": int(number), "huisletter": letter.upper() or None,
            "huisnummertoevoeging": addition or None}, None


def _clean_document(question: Question, value: Any, allowed: Sequence[str] | None) -> Result:
    if isinstance(value, dict) and value.get("bestand"):
        return value, None
    return None, Problem(question.id, f"Voeg een bestand toe bij ‘{name(question)}’.")


CHECKERS = {
    "text": _clean_text, "textarea": _clean_text, "email": _clean_email, "phone": _clean_phone,
    "number": _clean_number, "date": _clean_date, "time": _clean_time, "yesno": _clean_yesno, "choice": _clean_choice,
    "bsn": _clean_bsn, "gemeente": _clean_gemeente,
    "persons": _clean_persons, "address": _clean_address, "document": _clean_document,
}


# --- showing --------------------------------------------------------------------------------------------------


def long_date(value: str | None) -> str:
    """'2026-03-15' as '15 maart 2026'."""
    day = _date(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def display(question: Question, value: Any, labels: Mapping[str, str] | None = None) -> str:
    """The answer as a summary page shows it; `labels` names the values (the BSNs a persons question offered, the
    municipalities of a gemeente question: see labels())."""
    if value is None or value == []:
        return "Niet ingevuld"
    shown = SHOWN.get(question.type)
    return shown(question, value, labels or {}) if shown else str(value)


def labels(question: Question, prefill: Mapping[str, Any] | None) -> dict[str, str]:
    """What the values of a persons or gemeente question stand for: persons from its prefill source ('Jan de
    Vries (geboren 1 maart 2012)'), municipalities by name; nothing for other types."""
    if question.type == "gemeente":
        return dict(municipalities())
    if question.type != "persons":
        return {}
    found = (prefill or {}).get(str(question.spec.get("source"))) or []
    return {str(person["burgerservicenummer"]): person_label(person) for person in found
            if isinstance(person, dict) and person.get("burgerservicenummer")}


def rows(questions: Iterable[Question], answers: Mapping[str, Any], prefill: Mapping[str, Any] | None,
         only_answered: bool = False) -> list[tuple[str, str]]:
    """(question, answer as shown) of the questions that take an answer."""
    return [(question.label, display(question, answers.get(question.id), labels(question, prefill)))
            for question in questions if question.asks and (question.id in answers or not only_answered)]


@cache
def municipalities() -> tuple[tuple[str, str], ...]:
    """(CBS code, name) of every current municipality, by name (national table 33)."""
    return tuple(sorted(((row.code, row.name) for row in current_municipalities()), key=lambda item: item[1]))


def nested(value: Any, *keys: str) -> Any:
    """value[key][key]… through dicts (a Haal Centraal person, say); None where a step is missing."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def person_label(person: Mapping[str, Any]) -> str:
    """'Jan de Vries (geboren 1 maart 2012)' from a Haal Centraal person."""
    naam = nested(person, "naam") or {}
    name = str(naam.get("volledigeNaam") or " ".join(
        str(part) for part in (naam.get("voornamen"), naam.get("voorvoegsel"), naam.get("geslachtsnaam")) if part))
    datum = nested(person, "geboorte", "datum") or {}
    born = long_date(datum.get("datum")) or str(datum.get("langFormaat") or "")
    return f"{name} (geboren {born})" if born else name


def _choice_labels(question: Question, value: Any, persons: Mapping[str, str]) -> str:
    labels = {option["value"]: option["label"] for option in question.spec["options"]}
    return ", ".join(str(labels.get(item, item)) for item in (value if isinstance(value, list) else [value]))


SHOWN: dict[str, Any] = {
    "date": lambda question, value, persons: long_date(value),
    "yesno": lambda question, value, persons: "Ja" if value else "Nee",
    "choice": _choice_labels,
    "persons": lambda question, value, persons: ", ".join(persons.get(bsn, bsn) for bsn in value),
    "gemeente": lambda question, value, names: names.get(value, value),
    "address": lambda question, value, persons: str(value.get("weergave") or address_line(value)),
    "document": lambda question, value, persons: f"{value.get('naam', '')} ({kilobytes(int(value['grootte']))})",
}


def address_line(value: Mapping[str, Any]) -> str:
    """'Dorpsstraat 12 A-2, 1234 AB Ergens' (the parts that are known)."""
    number = " ".join(str(part) for part in (value.get("huisnummer"), value.get("huisletter")) if part)
    if value.get("huisnummertoevoeging"):
        number += f"-{value['huisnummertoevoeging']}"
    postcode = str(value.get("postcode") or "")
    postcode = f"{postcode[:4]} {postcode[4:]}" if len(postcode) == 6 else postcode
    street = " ".join(part for part in (str(value.get("straat") or ""), number) if part)
    place = " ".join(part for part in (postcode, str(value.get("woonplaats") or "")) if part)
    return ", ".join(part for part in (street, place) if part)


def kilobytes(size: int) -> str:
    """'230 kB', '4,2 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
