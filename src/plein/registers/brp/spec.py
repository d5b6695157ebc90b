"""The Haal Centraal BRP Personen 2.7.0 OpenAPI document shipped in the package, and the field paths it defines.

The document is the single source of the field paths: the `fields` parameter (schemas), the grants of the exchange
layer (registers.fields) and the store's data check all use `schema_paths`, which walks a response schema through
$ref, allOf, array items and every discriminator mapping (a path of any subtype counts, e.g.
`verblijfplaats.verblijfadres.regel1` of VerblijfplaatsBuitenland).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

SPEC_FILE = "personen-openapi-2.7.0.yaml"
VERSION = "2.7.0"
SCHEMA_PREFIX = "#/components/schemas/"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def document_text() -> str:
    """The document as shipped (YAML)."""
    return resources.files("plein.registers.brp").joinpath(f"data/{SPEC_FILE}").read_text("utf-8")


@cache
def document() -> dict[str, Any]:
    """The document parsed; callers must not change it."""
    parsed: dict[str, Any] = yaml.load(document_text(), Loader=Loader)  # noqa: S506 - a safe loader
    return parsed


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = document()["components"]["schemas"]
    return schemas


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _schemas()[node["$ref"].removeprefix(SCHEMA_PREFIX)]
    return node


def _properties(node: dict[str, Any], seen: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
    """Property name -> the schemas it has, over allOf parts and the subtypes of a discriminator."""
    node = _resolve(node)
    if node.get("type") == "array" and "items" in node:
        return _properties(node["items"], seen)
    found: dict[str, list[dict[str, Any]]] = {}
    parts = [*node.get("allOf", [])]
    for target in node.get("discriminator", {}).get("mapping", {}).values():
        name = target.removeprefix(SCHEMA_PREFIX)
        if name not in seen:
            parts.append({"$ref": target, "seen": name})
    for part in parts:
        inner = seen | {part["seen"]} if "seen" in part else seen
        for key, schemas in _properties({k: v for k, v in part.items() if k != "seen"}, inner).items():
            found.setdefault(key, []).extend(schemas)
    for key, schema in node.get("properties", {}).items():
        found.setdefault(key, []).append(schema)
    return found


def _paths(node: dict[str, Any], prefix: str, seen: frozenset[str]) -> set[str]:
    result: set[str] = set()
    for key, schemas in _properties(node, seen).items():
        path = prefix + key
        result.add(path)
        for schema in schemas:
            result |= _paths(schema, path + ".", seen)
    return result


def warm() -> None:
    """Work out the response schemas' paths now (about a second for Persoon) rather than in the first request."""
    for schema in ("Persoon", "PersoonBeperkt", "GezagPersoonBeperkt"):
        schema_paths(schema)


@cache
def schema_paths(schema: str) -> frozenset[str]:
    """Every property path of a response schema (Persoon, PersoonBeperkt, GezagPersoonBeperkt): `naam.voornamen`."""
    if schema not in _schemas():
        raise KeyError(f"the specification has no schema {schema!r}")
    return frozenset(_paths({"$ref": SCHEMA_PREFIX + schema}, "", frozenset()))
