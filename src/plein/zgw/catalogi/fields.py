"""The plain fields of each catalogi resource: the API name, the column it lives in, and how its value is converted.

Request bodies are checked against the standard's schemas before they get here (types, formats, lengths), so the
conversion only turns dates into `date` objects and back. References (URLs, names of other types) are not plain
fields; each resource handles those itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

BLANK: dict[str, Any] = {"str": "", "list": [], "dict": {}}


@dataclass(frozen=True)
class Field:
    """One plain field: `kind` is str, date, bool, int or json; `default` is stored when a create leaves it out."""

    api: str
    attr: str
    kind: str = "str"
    default: Any = None


def plain(api: str, attr: str, kind: str = "str", default: Any = None) -> Field:
    if default is None and kind in BLANK:
        default = BLANK[kind]
    return Field(api, attr, kind, default)


def to_column(field: Field, value: Any) -> Any:
    """The value as stored: dates parsed, lists and objects copied, everything else as it came."""
    if value is None:
        return None
    if field.kind == "date":
        return dt.date.fromisoformat(value)
    if field.kind in ("list", "dict", "json"):
        return _copy(value)
    return value


def to_api(field: Field, value: Any) -> Any:
    if field.kind == "date":
        return value.isoformat() if value is not None else None
    if field.kind in ("list", "dict", "json"):
        return _copy(value) if value is not None else field.default
    return value if value is not None or field.default is None else field.default


def values(fields: tuple[Field, ...], data: dict[str, Any], creating: bool) -> dict[str, Any]:
    """Column values from a checked body: the fields it has, and on create the defaults of the ones it leaves out."""
    found: dict[str, Any] = {}
    for field in fields:
        if field.api in data:
            found[field.attr] = to_column(field, data[field.api])
        elif creating:
            found[field.attr] = _copy(field.default)
    return found


def represent(fields: tuple[Field, ...], row: Any) -> dict[str, Any]:
    return {field.api: to_api(field, getattr(row, field.attr)) for field in fields}


def assign(row: Any, found: dict[str, Any]) -> None:
    for attr, value in found.items():
        setattr(row, attr, value)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value
