"""Dutch findings for JSON Schema errors in a package (plein.yaml, service.yaml): what is wrong, and which rule."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema.exceptions import SchemaError, ValidationError

TYPES = {"string": "tekst", "integer": "geheel getal", "number": "getal", "boolean": "true of false",
         "array": "lijst", "object": "object (sleutels met waarden)", "null": "null"}
QUOTED = re.compile(r"'([^']*)'")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " of ".join(TYPES.get(str(name), str(name)) for name in names)


def _bounds(rule: str, limit: Any, instance: Any) -> str | None:
    words = {
        "minimum": f"is {_shown(instance)}; het minimum is {limit}",
        "maximum": f"is {_shown(instance)}; het maximum is {limit}",
        "exclusiveMinimum": f"is {_shown(instance)}; het moet groter zijn dan {limit}",
        "exclusiveMaximum": f"is {_shown(instance)}; het moet kleiner zijn dan {limit}",
        "minLength": f"moet minstens {limit} tekens lang zijn",
        "maxLength": f"mag hoogstens {limit} tekens lang zijn",
        "minItems": f"moet minstens {limit} element(en) hebben",
        "maxItems": f"mag hoogstens {limit} element(en) hebben",
        "minProperties": f"moet minstens {limit} sleutel(s) hebben",
        "maxProperties": f"mag hoogstens {limit} sleutel(s) hebben",
    }
    return words.get(rule)


def reason(error: ValidationError | SchemaError) -> str:
    """What is wrong, in Dutch, without the place (the caller says where)."""
    rule, limit, shown = str(error.validator), error.validator_value, _shown(error.instance)
    quoted = QUOTED.findall(error.message)
    extra = ", ".join(f"'{name}'" for name in quoted) or "een sleutel"
    allowed = ", ".join(_shown(value) for value in limit) if isinstance(limit, list) else ""
    words = {
        "required": f"de verplichte sleutel '{quoted[0] if quoted else limit}' ontbreekt",
        "additionalProperties": f"onbekende sleutel {extra}: die is hier niet toegestaan",
        "unevaluatedProperties": f"onbekende sleutel {extra}: die is hier niet toegestaan",
        "type": f"is {shown}; dit moet een {_types(limit)} zijn",
        "enum": f"is {shown}; toegestaan zijn: {allowed}",
        "const": f"is {shown}; dit moet {_shown(limit)} zijn",
        "pattern": f"{shown} past niet bij het patroon {limit}",
        "format": f"{shown} is geen geldige waarde van het formaat {limit}",
        "uniqueItems": "bevat een waarde meer dan eens",
        "oneOf": "past bij geen van de toegestane vormen",
        "anyOf": "past bij geen van de toegestane vormen",
        "not": "is hier niet toegestaan",
    }
    return words.get(rule) or _bounds(rule, limit, error.instance) or f"voldoet niet aan de regel '{rule}'"


def message(where: str, error: ValidationError) -> str:
    """'plein.yaml: pricing: de verplichte sleutel …' style: the place, what is wrong, and the rule's name."""
    return f"{where}: {reason(error)} (regel: {error.validator})"
