"""The Haal Centraal BRP Personen 2.7.0 document as JSON Schema: validate response bodies against its components.

The document is the one shipped in the package (test_spec checks it is the published one in ../shared/specs).

jsonschema ignores OpenAPI's `discriminator`, so each reference to a polymorphic schema (AbstractDatum,
AbstractVerblijfplaats, AbstractNationaliteit, …) is pointed at a wrapper that also applies the subtype the `type`
value names; without it a Datum without `datum` or an Adres with a wrong field would pass.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from plein.registers.brp.spec import document_text

URI = "urn:haalcentraal:brp:personen:2.7.0"
PREFIX = "#/components/schemas/"


def _rewrite(node: Any, polymorphic: set[str], in_all_of: bool = False) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, polymorphic, in_all_of) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _rewrite(value, polymorphic, key == "allOf") if key == "allOf" else _rewrite(value, polymorphic)
              for key, value in node.items()}
    ref = node.get("$ref", "")
    if ref.startswith(PREFIX) and ref[len(PREFIX):] in polymorphic and not in_all_of:
        result["$ref"] = f"{ref}Dispatch"
    return result


@cache
def spec() -> dict[str, Any]:
    """The document, with a <Name>Dispatch schema for every schema that has a discriminator."""
    document = yaml.safe_load(document_text())
    schemas = document["components"]["schemas"]
    polymorphic = {name for name, schema in schemas.items() if "discriminator" in schema}
    document = _rewrite(document, polymorphic)
    schemas = document["components"]["schemas"]
    for name in polymorphic:
        discriminator = schemas[name]["discriminator"]
        prop = discriminator["propertyName"]
        branches = [{"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": target}}
                    for value, target in discriminator["mapping"].items()]
        schemas[f"{name}Dispatch"] = {
            "allOf": [{"$ref": PREFIX + name}, *branches],
            "properties": {prop: {"enum": sorted(discriminator["mapping"])}},
        }
    return document


@cache
def _registry() -> Registry:
    return Registry().with_resource(URI, Resource.from_contents(spec(), default_specification=DRAFT202012))


@cache
def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{URI}{PREFIX}{schema}"}, registry=_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(schema: str, instance: Any) -> list[str]:
    """Every way instance breaks the schema (empty when it is valid)."""
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator(schema).iter_errors(copy.deepcopy(instance))]


REFERENCE_TEXTS = ("detail", "reason", "name")  # where the reference's texts go beyond the document's patterns


def errors_but_reference_texts(schema: str, instance: Any) -> list[str]:
    """errors(), less the patterns and lengths of detail, reason and name, which Plein writes as the reference
    does (docs/deviations.md)."""
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator(schema).iter_errors(copy.deepcopy(instance))
            if not (error.absolute_path and error.absolute_path[-1] in REFERENCE_TEXTS
                    and error.validator in ("pattern", "maxLength"))]


def leaf_paths(value: Any, prefix: str = "") -> set[str]:
    """The dotted property paths present in a response value (array items share their path)."""
    if isinstance(value, list):
        return set().union(*(leaf_paths(item, prefix) for item in value)) if value else set()
    if isinstance(value, dict):
        paths: set[str] = set()
        for key, item in value.items():
            path = f"{prefix}{key}"
            paths |= {path} | leaf_paths(item, path + ".")
        return paths
    return set()
