"""HTML forms from an app's options JSON Schema: fields to render, typed parsing back, and Dutch error texts."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plein.errors import InvalidInput, InvalidParam
from plein.store import adoptions

PREFIX = "options."
MAX_RADIO_CHOICES = 4
TYPE_LABELS = {"string": "tekst", "integer": "geheel getal", "number": "getal", "boolean": "ja/nee",
               "array": "lijst", "object": "samengesteld"}
FORMAT_LABELS = {"email": "e-mailadres", "uri": "internetadres", "date": "datum"}
INPUT_TYPES = {"email": "email", "uri": "url", "date": "date"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class FormField:
    """One option as a form control: what to show, what the user typed, and what is wrong with it."""

    name: str
    input_name: str
    id: str
    label: str
    widget: str  # select, radio, checkbox, number, text, email, url, date, json
    description: str = ""
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    minimum: str | None = None
    maximum: str | None = None
    step: str | None = None
    value: str = ""
    checked: bool = False
    error: str | None = None

    @property
    def describedby(self) -> str:
        ids = [f"{self.id}-description"] if self.description else []
        return " ".join([*ids, f"{self.id}-error"] if self.error else ids)


@dataclass(frozen=True)
class OptionRow:
    """One option in the app page's table: what a municipality can choose."""

    name: str
    title: str
    type: str
    allowed: str
    default: str
    description: str
    required: bool


def properties(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return {str(k): v for k, v in (props or {}).items() if isinstance(v, dict)}


def json_type(prop: Mapping[str, Any]) -> str:
    """The property's JSON type ('string' when only an enum is given); the first non-null of a type list."""
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if isinstance(kind, str):
        return kind
    values = prop.get("enum") or []
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    return "string"


def field_id(name: str) -> str:
    return "option-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def as_text(value: Any) -> str:
    """A typed value as it stands in a form control: 5, 16.45, true, tekst."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def display_value(value: Any) -> str:
    """A typed value for people: ja/nee, numbers with a decimal comma."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return as_text(value).replace(".", ",")
    return as_text(value)


def _widget(prop: Mapping[str, Any]) -> str:
    kind = json_type(prop)
    if isinstance(prop.get("enum"), list) and kind != "boolean":
        return "radio" if len(prop["enum"]) <= MAX_RADIO_CHOICES else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        return INPUT_TYPES.get(str(prop.get("format")), "text")
    return "json"


def _bound(prop: Mapping[str, Any], key: str) -> str | None:
    value = prop.get(key)
    return as_text(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def form_fields(
    schema: Mapping[str, Any], values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
    submitted: Mapping[str, str] | None = None,
) -> list[FormField]:
    """The form controls for the schema's properties, showing the submitted text when there is one."""
    required = set(schema.get("required") or [])
    fields = []
    for name, prop in properties(schema).items():
        widget = _widget(prop)
        text = submitted.get(PREFIX + name, "") if submitted is not None else as_text(values.get(name))
        checked = (PREFIX + name in submitted) if submitted is not None else values.get(name) is True
        fields.append(FormField(
            name=name, input_name=PREFIX + name, id=field_id(name), label=str(prop.get("title") or name),
            widget=widget, description=str(prop.get("description") or ""), required=name in required,
            choices=[(as_text(v), display_value(v)) for v in prop.get("enum") or []],
            minimum=_bound(prop, "minimum"), maximum=_bound(prop, "maximum"),
            step=_step(prop), value=text, checked=checked, error=(errors or {}).get(name),
        ))
    return fields


def _step(prop: Mapping[str, Any]) -> str | None:
    kind = json_type(prop)
    if kind not in ("integer", "number"):
        return None
    multiple = _bound(prop, "multipleOf")
    return multiple or ("1" if kind == "integer" else "any")


def initial_values(schema: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a new form shows: the given options, else each property's default."""
    return adoptions.apply_defaults(dict(schema), dict(options or {}))


def parse_value(prop: Mapping[str, Any], text: str) -> Any:
    """One submitted text as the type the property asks for; ValueError with a Dutch message when it is not."""
    kind = json_type(prop)
    if isinstance(prop.get("enum"), list) and kind != "boolean":
        for choice in prop["enum"]:
            if as_text(choice) == text:
                return choice
        raise ValueError(_enum_message(prop))
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise ValueError("Vul een geheel getal in, zonder punt of komma")
        return int(text)
    if kind == "number":
        return _number(text)
    if kind in ("object", "array"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError("Vul geldige JSON in") from exc
    if prop.get("format") == "email" and not EMAIL.match(text):
        raise ValueError("Vul een geldig e-mailadres in, zoals naam@gemeente.nl")
    return text


def _number(text: str) -> int | float:
    cleaned = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        raise ValueError("Vul een getal in, bijvoorbeeld 16,45")
    if re.fullmatch(r"[+-]?\d{1,18}", cleaned):
        return int(cleaned)
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError("Vul een getal in, bijvoorbeeld 16,45")
    return number


def parse_options(schema: Mapping[str, Any], form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form as typed options: unchecked checkbox false, empty optional field left out."""
    options: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in properties(schema).items():
        if _widget(prop) == "checkbox":
            options[name] = PREFIX + name in form
            continue
        text = form.get(PREFIX + name, "").strip()
        if not text:
            continue
        try:
            options[name] = parse_value(prop, text)
        except ValueError as exc:
            errors[name] = str(exc)
    return options, errors


def _enum_message(prop: Mapping[str, Any]) -> str:
    return "Kies een van: " + ", ".join(display_value(v) for v in prop.get("enum") or [])


def _range_message(prop: Mapping[str, Any]) -> str:
    low, high = _bound(prop, "minimum"), _bound(prop, "maximum")
    what = "een geheel getal" if json_type(prop) == "integer" else "een getal"
    if low is not None and high is not None:
        return f"Vul {what} in van {display_value(prop['minimum'])} tot en met {display_value(prop['maximum'])}"
    if low is not None:
        return f"Vul {what} in van minimaal {display_value(prop['minimum'])}"
    return f"Vul {what} in van maximaal {display_value(prop.get('maximum'))}"


def message(prop: Mapping[str, Any], rule: str, reason: str) -> str:
    """A Dutch message for one broken JSON Schema rule, in words a beheerder understands."""
    label = str(prop.get("title") or "dit veld").lower()
    simple = {
        "required": f"Vul {label} in",
        "enum": _enum_message(prop),
        "minLength": f"Gebruik minstens {prop.get('minLength')} tekens",
        "maxLength": f"Gebruik hoogstens {prop.get('maxLength')} tekens",
        "pattern": "De tekst heeft niet de juiste vorm",
        "format": f"Vul een geldig {FORMAT_LABELS.get(str(prop.get('format')), 'waarde')} in",
        "multipleOf": f"Vul een veelvoud van {display_value(prop.get('multipleOf'))} in",
        "exclusiveMinimum": f"Vul een getal groter dan {display_value(prop.get('exclusiveMinimum'))} in",
        "exclusiveMaximum": f"Vul een getal kleiner dan {display_value(prop.get('exclusiveMaximum'))} in",
    }
    if rule in ("minimum", "maximum"):
        return _range_message(prop)
    if rule == "type":
        return f"Vul een {TYPE_LABELS.get(json_type(prop), 'geldige waarde')} in"
    return simple.get(rule, reason)


def errors_from(params: list[InvalidParam], schema: Mapping[str, Any]) -> dict[str, str]:
    """invalid_params of the service ("options.x") as Dutch messages per property ("x"); others keep their name."""
    props = properties(schema)
    errors: dict[str, str] = {}
    for param in params:
        name = param.name.removeprefix(PREFIX)
        name = re.split(r"[.\[]", name, maxsplit=1)[0] if param.name.startswith(PREFIX) else param.name
        text = message(props[name], param.code, param.reason) if name in props else param.reason
        errors.setdefault(name, text)
    return errors


def check_options(schema: Mapping[str, Any], form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse and validate the submitted options; errors per property, parse errors first."""
    options, errors = parse_options(schema, form)
    try:
        adoptions.validate_options(dict(schema), options)
    except InvalidInput as exc:
        for name, text in errors_from(exc.invalid_params, schema).items():
            errors.setdefault(name, text)
    return options, errors


def error_summary(fields: list[FormField], errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(link target, text) for the summary at the top of a form: fields first, in form order."""
    linked = [(f"#{f.id}", f"{f.label}: {f.error}") for f in fields if f.error]
    known = {f.name for f in fields}
    other = [(f"#{'version' if name == 'version' else 'formulier'}", text)
             for name, text in errors.items() if name not in known]
    return linked + other


def describe_options(schema: Mapping[str, Any]) -> list[OptionRow]:
    """The options table of the app page: name, title, type, allowed values, default and description."""
    required = set(schema.get("required") or [])
    rows = []
    for name, prop in properties(schema).items():
        rows.append(OptionRow(
            name=name, title=str(prop.get("title") or name), type=_type_label(prop), allowed=_allowed(prop),
            default=display_value(prop["default"]) if "default" in prop else "",
            description=str(prop.get("description") or ""), required=name in required,
        ))
    return rows


def _type_label(prop: Mapping[str, Any]) -> str:
    kind = TYPE_LABELS.get(json_type(prop), json_type(prop))
    if isinstance(prop.get("enum"), list) and json_type(prop) != "boolean":
        return "keuze"
    return f"{kind} ({FORMAT_LABELS[prop['format']]})" if prop.get("format") in FORMAT_LABELS else kind


def _allowed(prop: Mapping[str, Any]) -> str:
    if isinstance(prop.get("enum"), list):
        return ", ".join(display_value(v) for v in prop["enum"])
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and high is not None:
        return f"{display_value(low)} t/m {display_value(high)}"
    if low is not None:
        return f"minimaal {display_value(low)}"
    if high is not None:
        return f"maximaal {display_value(high)}"
    if json_type(prop) == "boolean":
        return "ja, nee"
    return ""


def display_options(schema: Mapping[str, Any], options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, value) of an adoption's options, in schema order, then any the schema does not name."""
    props = properties(schema)
    shown = [(str(props[name].get("title") or name), display_value(options[name])) for name in props
             if name in options]
    return shown + [(name, display_value(value)) for name, value in options.items() if name not in props]
