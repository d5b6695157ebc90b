"""Checks request bodies and query parameters against the ZGW OpenAPI documents, naming each field and rule.

OpenAPI 3.0 schemas are turned into JSON Schema once per (API, schema): `nullable` becomes a null type, and for
requests the readOnly properties are dropped (clients often send a resource back whole, with its `url`; the
standard's reference implementation ignores those). Error codes follow the ones ZGW clients know (required,
invalid, invalid_choice, max_length, …).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import fastjsonschema
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from plein.bounds import MAX_DIGITS
from plein.errors import InvalidInput, InvalidParam
from plein.identifiers import is_zgw_rsin
from plein.zgw import spec

DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
CODES = {
    "required": "required", "type": "invalid", "enum": "invalid_choice", "maxLength": "max_length",
    "minLength": "min_length", "pattern": "invalid", "format": "invalid", "maxItems": "max_length",
    "minItems": "min_length", "minimum": "min_value", "maximum": "max_value", "uniqueItems": "unique",
}
FORMATS = FormatChecker(())
# Request fields a document lists as required that clients leave out and the reference implementation (Open Zaak on
# vng-api-common) defaults to empty: (API, schema) -> names. Each is listed in docs/deviations.md.
OPTIONAL_IN_PRACTICE: dict[tuple[str, str], frozenset[str]] = {
    ("catalogi", "ZaakTypeCreate"): frozenset({"deelzaaktypen"}),
    ("catalogi", "ZaakTypeUpdate"): frozenset({"deelzaaktypen"}),
    ("catalogi", "ResultaatTypeCreate"): frozenset({"besluittypen"}),
    ("catalogi", "ResultaatTypeUpdate"): frozenset({"besluittypen"}),
    ("catalogi", "BesluitTypeCreate"): frozenset({"informatieobjecttypen"}),
    ("catalogi", "BesluitTypeUpdate"): frozenset({"informatieobjecttypen"}),
}


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """An absolute http(s) URL; the empty string stands for "none" in the standard's optional URL fields."""
    if not isinstance(value, str) or value == "":
        return True
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or (bool(dt.date.fromisoformat(value)) and len(value) == 10)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@FORMATS.checks("duration")
def _is_duration(value: object) -> bool:
    return not isinstance(value, str) or bool(DURATION.match(value))


def to_json_schema(node: Any, for_request: bool) -> Any:
    """An OpenAPI 3.0 schema node as JSON Schema (draft 7), refs pointing at `#/definitions/…`."""
    if isinstance(node, list):
        return [to_json_schema(item, for_request) for item in node]
    if not isinstance(node, dict):
        return node
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            converted[key] = "#/definitions/" + value.rsplit("/", 1)[-1]
        elif key == "properties":
            kept = {name: prop for name, prop in value.items() if not (for_request and prop.get("readOnly"))}
            converted[key] = {name: to_json_schema(prop, for_request) for name, prop in kept.items()}
        elif key in ("discriminator", "example", "xml", "externalDocs", "nullable", "readOnly", "writeOnly"):
            continue
        else:
            converted[key] = to_json_schema(value, for_request)
    if for_request and "required" in converted and "properties" in node:
        read_only = {name for name, prop in node["properties"].items() if prop.get("readOnly")}
        converted["required"] = [name for name in converted["required"] if name not in read_only]
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _root(api_name: str, schema_name: str, for_request: bool) -> dict[str, Any]:
    doc = spec.document(api_name)
    schemas = doc["components"]["schemas"]
    definitions = {name: to_json_schema(schema, for_request) for name, schema in schemas.items()}
    if for_request:
        for name, definition in definitions.items():
            relaxed = OPTIONAL_IN_PRACTICE.get((api_name, name))
            if relaxed and "required" in definition:
                definition["required"] = [field for field in definition["required"] if field not in relaxed]
    return {"$ref": f"#/definitions/{schema_name}", "definitions": definitions}


@functools.cache
def _validator(api_name: str, schema_name: str, for_request: bool) -> Draft7Validator:
    return Draft7Validator(_root(api_name, schema_name, for_request), format_checker=FORMATS)


def _format_check(name: str) -> Callable[[str], bool]:
    return lambda value: FORMATS.conforms(value, name)


@functools.cache
def _quick_check(api_name: str, schema_name: str, for_request: bool) -> Callable[[Any], Any]:
    """The same schema compiled to Python by fastjsonschema: about twenty times faster than jsonschema on a valid body,
    but it stops at the first problem and words it its own way. It only lets a body through quickly; whatever it
    refuses is checked again by jsonschema, which lists every problem (and has the last word). It is never more
    lenient: the same formats, no defaults filled in, and tests/zgw/test_validation_fast_path.py checks both agree."""
    formats = {name: _format_check(name) for name in FORMATS.checkers}
    return fastjsonschema.compile(_root(api_name, schema_name, for_request), formats=formats, use_default=False)


def _passes_quick_check(api_name: str, schema_name: str, for_request: bool, data: Any) -> bool:
    try:
        _quick_check(api_name, schema_name, for_request)(data)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _name(error: ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.message, str):
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(path) or "nonFieldErrors"


def _code(error: ValidationError) -> str:
    if error.validator == "anyOf" and error.instance is None:
        return "null"
    if error.validator == "minLength" and error.instance == "":
        return "blank"
    if error.validator == "type" and error.instance is None:
        return "null"
    return CODES.get(str(error.validator), "invalid")


def _reason(error: ValidationError) -> str:
    if error.validator == "anyOf":
        best = min(error.context or [], key=lambda sub: len(sub.message), default=None)
        return best.message if best is not None else error.message
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    return error.message


def _nested(found: Any) -> list[ValidationError]:
    """The errors inside a nullable object that was given (not null), so that they name the nested field
    (`opschorting.indicatie`, as the reference does) instead of the whole object."""
    result: list[ValidationError] = []
    for error in found:
        if error.validator == "anyOf" and error.instance is not None and error.context:
            inner = [sub for sub in error.context if not (sub.validator == "type" and sub.validator_value == "null")]
            if inner:
                result += _nested(inner)
                continue
        result.append(error)
    return result


def errors(api_name: str, schema_name: str, data: Any, for_request: bool = True,
           partial: bool = False) -> list[InvalidParam]:
    """Every way `data` breaks the schema, as invalidParams (empty when it is valid).

    `partial` (PATCH) lets top-level required properties be absent.
    """
    if _passes_quick_check(api_name, schema_name, for_request, data):
        return []
    validator = _validator(api_name, schema_name, for_request)
    found = sorted(_nested(validator.iter_errors(data)), key=lambda e: [str(p) for p in e.absolute_path])
    if partial:
        found = [e for e in found if not (e.validator == "required" and not e.absolute_path)]
    return [InvalidParam(_name(error), _code(error), _reason(error)) for error in found]


def check_body(api_name: str, schema_name: str, data: Any, partial: bool = False) -> dict[str, Any]:
    """The body as a dict when it fits the schema; otherwise a 400 that lists every problem."""
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object",
                           [InvalidParam("nonFieldErrors", "invalid", "expected a JSON object")])
    problems = errors(api_name, schema_name, data, partial=partial)
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems[:5]), problems)
    return data


def rsin_problem(name: str, value: object) -> InvalidParam | None:
    """An RSIN field's problem with vng-api-common's codes (only-digits, invalid-length, invalid), or None when it
    is empty or a valid RSIN (`000000000` included: see docs/deviations.md)."""
    if not isinstance(value, str) or value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        return InvalidParam(name, "only-digits", "an RSIN consists of digits only")
    if len(value) != 9:
        return InvalidParam(name, "invalid-length", "an RSIN has 9 digits")
    if not is_zgw_rsin(value):
        return InvalidParam(name, "invalid", "this RSIN fails the 11-check")
    return None


def rsin_problems(data: dict[str, Any], *names: str) -> list[InvalidParam]:
    """rsin_problem for each of the named fields in a body."""
    return [problem for name in names if (problem := rsin_problem(name, data.get(name))) is not None]


def _flat(values: list[Any]) -> list[Any]:
    """Enum values; some documents nest the list of values one level deeper."""
    return [item for value in values for item in (_flat(value) if isinstance(value, list) else [value])]


FOUND_OR_NOT = ("page", "versie")  # integers that name something to find: any number is asked, not refused


def _query_value(name: str, raw: str, schema: dict[str, Any]) -> InvalidParam | None:
    kind, form = schema.get("type"), schema.get("format")
    checks = {
        "integer": lambda v: re.fullmatch(rf"-?\d{{1,{MAX_DIGITS}}}", v) is not None,
        "number": lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
        "boolean": lambda v: v in ("true", "false", "True", "False", "1", "0"),
    }
    if kind == "integer" and name in FOUND_OR_NOT and re.fullmatch(r"\d+", raw):
        return None  # a page or versie that cannot exist is a 404, as the reference answers (http.page_number)
    if kind in checks and not checks[kind](raw):
        return InvalidParam(name, "invalid", f"{raw!r} is not a valid {kind}")
    options = [str(o) for o in _flat(schema.get("enum", []))]
    if "enum" in schema and raw not in options:
        return InvalidParam(name, "invalid_choice", f"{raw!r} is not one of {', '.join(options)}")
    if form and not FORMATS.conforms(raw, form):
        return InvalidParam(name, "invalid", f"{raw!r} is not a valid {form}")
    if kind == "string" and "maxLength" in schema and len(raw) > schema["maxLength"]:
        return InvalidParam(name, "max_length", f"at most {schema['maxLength']} characters")
    return None


def check_query(operation: spec.Operation, params: list[tuple[str, str]]) -> dict[str, str]:
    """The query parameters as a dict when the operation knows each one and each value fits; otherwise 400."""
    known = operation.query
    unknown = sorted({name for name, _ in params if name not in known})
    if unknown:
        raise InvalidInput(f"unknown query parameters: {', '.join(unknown)}",
                           [InvalidParam("nonFieldErrors", "unknown-parameters",
                                         f"unknown query parameters: {', '.join(unknown)}")])
    values = dict(params)
    problems = [InvalidParam(name, "required", "this query parameter is required")
                for name in sorted(operation.required_query - values.keys())]
    for name, raw in values.items():
        schema = known[name].get("schema", {})
        items = schema.get("items") if schema.get("type") == "array" else None
        for part in (raw.split(",") if items else [raw]):
            problem = _query_value(name, part, items or schema)
            if problem:
                problems.append(problem)
                break
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)
    return values
