"""The shape of a publiccode.yml document as data, and the walk that checks a document against that shape."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from plein.store.publiccode.context import Context, item, join
from plein.store.publiccode.values import ValueCheck, check_date, language_problem

# Words YAML 1.1 read as booleans; YAML 1.2, which the standard uses, reads them as text.
YAML_11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
SectionCheck = Callable[[Context, str, dict[Any, Any]], None]


@dataclass(frozen=True)
class Text:
    """A string, with an optional check of its value."""

    check: ValueCheck | None = None


@dataclass(frozen=True)
class Date:
    """A YYYY-MM-DD date (quoted, or unquoted so that YAML reads it as a date)."""


@dataclass(frozen=True)
class Flag:
    """A boolean: true or false."""


@dataclass(frozen=True)
class ListOf:
    """A list whose items all have the shape `item`."""

    item: Spec


@dataclass(frozen=True)
class TextOrList:
    """One string, or a list of strings."""

    item: Text


@dataclass(frozen=True)
class Key:
    """A key of a section: its shape, whether it must be there, and (when deprecated) what to do instead."""

    spec: Spec
    required: bool = False
    deprecated: str | None = None
    advisory: bool = False  # what the key's own rules find are warnings (the whole section is deprecated)


@dataclass(frozen=True)
class Section:
    """A mapping with a fixed set of keys; `after` checks rules that span several keys."""

    keys: Mapping[str, Key]
    after: SectionCheck | None = None


@dataclass(frozen=True)
class PerLanguage:
    """A mapping from BCP 47 language tags to sections of shape `body`."""

    body: Section
    after: SectionCheck | None = None


Spec = Text | Date | Flag | ListOf | TextOrList | Section | PerLanguage


def walk(ctx: Context, spec: Spec, value: Any, path: str) -> None:
    """Check `value` (found at `path`) against `spec`, adding findings to `ctx`."""
    if isinstance(spec, Text):
        _text(ctx, spec, value, path)
    elif isinstance(spec, Date):
        check_date(ctx, path, value)
    elif isinstance(spec, Flag):
        if isinstance(value, str) and value.lower() in YAML_11_BOOLEANS:
            ctx.error("publiccode.yaml-1.2", path,
                      f"{path} is '{value}', in YAML 1.2 (de YAML van de standaard) een tekst en geen booleaanse "
                      "waarde; schrijf true of false")
        elif not isinstance(value, bool):
            ctx.type_error(path, "true of false", value)
    elif isinstance(spec, ListOf):
        _list(ctx, spec, value, path)
    elif isinstance(spec, TextOrList):
        if isinstance(value, list):
            _list(ctx, ListOf(spec.item), value, path)
        else:
            _text(ctx, spec.item, value, path, expected="een tekst of een lijst van teksten")
    elif isinstance(spec, Section):
        _section(ctx, spec, value, path)
    else:
        _per_language(ctx, spec, value, path)


def _text(ctx: Context, spec: Text, value: Any, path: str, expected: str = "een tekst") -> None:
    if not isinstance(value, str):
        ctx.type_error(path, expected, value)
    elif spec.check is not None:
        spec.check(ctx, path, value)


def _list(ctx: Context, spec: ListOf, value: Any, path: str) -> None:
    if not isinstance(value, list):
        ctx.type_error(path, "een lijst", value)
        return
    for index, entry in enumerate(value):
        walk(ctx, spec.item, entry, item(path, index))


def _section(ctx: Context, spec: Section, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        ctx.type_error(path, "een verzameling sleutels (sleutel: waarde)", value)
        return
    for name in value:
        if not isinstance(name, str) or name not in spec.keys:
            _unknown_key(ctx, spec, name, path)
    for name, key in spec.keys.items():
        _key(ctx, key, value, name, join(path, name))
    if spec.after is not None:
        spec.after(ctx, path, value)


def _unknown_key(ctx: Context, spec: Section, name: object, path: str) -> None:
    where = f"in {path}" if path else "op het hoogste niveau"
    close = difflib.get_close_matches(str(name), list(spec.keys), n=1) if isinstance(name, str) else []
    advice = f"bedoelt u '{close[0]}'?" if close else "toegestaan zijn: " + ", ".join(spec.keys)
    ctx.error("publiccode.unknown-key", join(path, name), f"onbekende sleutel '{name}' {where}; {advice}")


def is_blank(value: Any) -> bool:
    """True for values that say nothing: null, an empty or blank string, an empty list."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _key(ctx: Context, key: Key, mapping: dict[Any, Any], name: str, path: str) -> None:
    if name not in mapping:
        if key.required:
            ctx.error("publiccode.required", path, f"{path} ontbreekt; de standaard maakt dit verplicht")
        return
    value = mapping[name]
    if value is None and not key.required:
        return  # an optional key with no value (`categories:`) is as good as absent
    if key.deprecated:
        ctx.warning("publiccode.deprecated", path, f"{path} is verouderd; {key.deprecated}")
    if key.required and is_blank(value):
        ctx.error("publiccode.required", path, f"{path} is leeg; de standaard maakt dit verplicht")
        return
    before = len(ctx.findings)
    walk(ctx, key.spec, value, path)
    if key.advisory:
        ctx.findings[before:] = [replace(finding, severity="warning") for finding in ctx.findings[before:]]


def _per_language(ctx: Context, spec: PerLanguage, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        ctx.type_error(path, "taalcodes (bijvoorbeeld nl, en) met teksten", value)
        return
    if not value:
        ctx.error("publiccode.required", path, f"{path} heeft geen taal; geef er minstens één (bijvoorbeeld nl:)")
    for tag, body in value.items():
        problem = language_problem(tag)
        if problem:
            ctx.error("publiccode.language-code", join(path, tag), f"{path} key '{tag}' {problem}")
        walk(ctx, spec.body, body, join(path, tag))
    if spec.after is not None:
        spec.after(ctx, path, value)
