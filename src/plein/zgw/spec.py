"""The ZGW standard's OpenAPI documents, shipped with Plein: where each API lives and what each operation accepts.

The documents in zgw/specs/ are VNG Realisatie's own files (EUPL-1.2, see specs/LICENSE), used as they are. Plein
serves them next to each API and derives from them the query parameters an operation accepts and the scopes it
needs, so the standard stays the single source of those rules.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SPEC_FOLDER = Path(__file__).parent / "specs"
METHODS = ("get", "post", "put", "patch", "delete", "head")


@dataclass(frozen=True)
class ZgwApi:
    """One of the ZGW APIs: its name, version, URL prefix and the component code its autorisaties use."""

    name: str
    version: str
    component: str
    title: str

    @property
    def prefix(self) -> str:
        return f"/{self.name}/api/v1"

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.yaml"


APIS: dict[str, ZgwApi] = {api.name: api for api in (
    ZgwApi("catalogi", "1.3.1", "ztc", "Catalogi API"),
    ZgwApi("zaken", "1.5.1", "zrc", "Zaken API"),
    ZgwApi("documenten", "1.4.2", "drc", "Documenten API"),
    ZgwApi("besluiten", "1.1.0", "brc", "Besluiten API"),
    ZgwApi("autorisaties", "1.0.0", "ac", "Autorisaties API"),
    ZgwApi("notificaties", "1.0.0", "nrc", "Notificaties API"),
)}


@dataclass(frozen=True)
class Operation:
    """What the standard says of one operation: its query parameters and the scopes that allow it."""

    api: ZgwApi
    path: str
    method: str
    operation_id: str
    query: dict[str, dict[str, Any]]
    required_query: frozenset[str]
    scopes: frozenset[str]
    body_schema: str | None
    required_headers: frozenset[str] = frozenset()
    etag: bool = False


@functools.cache
def document(api_name: str) -> dict[str, Any]:
    """The OpenAPI document of an API, parsed once per process."""
    api = APIS[api_name]
    loaded: dict[str, Any] = yaml.safe_load((SPEC_FOLDER / api.filename).read_text(encoding="utf-8"))
    return loaded


@functools.cache
def document_text(api_name: str) -> str:
    """The OpenAPI document as the standard publishes it (YAML), for serving."""
    return (SPEC_FOLDER / APIS[api_name].filename).read_text(encoding="utf-8")


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (one level at a time until a real node is reached)."""
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _scopes(security: list[dict[str, list[str]]] | None) -> frozenset[str]:
    """`(zaken.bijwerken | zaken.geforceerd-bijwerken)` means: any one of these scopes."""
    found: set[str] = set()
    for requirement in security or []:
        for expressions in requirement.values():
            for expression in expressions:
                found.update(part for part in re.split(r"[\s()|]+", expression) if part)
    return frozenset(found)


def _body_schema(doc: dict[str, Any], operation: dict[str, Any]) -> str | None:
    body = operation.get("requestBody")
    if not body:
        return None
    body = resolve(doc, body)
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    reference = schema.get("$ref", "")
    return reference.rsplit("/", 1)[-1] if reference else None


@functools.cache
def operations(api_name: str) -> dict[tuple[str, str], Operation]:
    """Every operation of an API by (method, path as in the document)."""
    api = APIS[api_name]
    doc = document(api_name)
    found: dict[tuple[str, str], Operation] = {}
    for path, item in doc["paths"].items():
        shared = [resolve(doc, p) for p in item.get("parameters", [])]
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = shared + [resolve(doc, p) for p in operation.get("parameters", [])]
            query = {p["name"]: p for p in parameters if p.get("in") == "query"}
            required = frozenset(name for name, p in query.items() if p.get("required"))
            headers = frozenset(p["name"] for p in parameters if p.get("in") == "header" and p.get("required"))
            ok = resolve(doc, operation.get("responses", {}).get("200", {}))
            found[(method, path)] = Operation(
                api, path, method, operation.get("operationId", f"{method}_{path}"), query, required,
                _scopes(operation.get("security")), _body_schema(doc, operation),
                headers - {"Content-Type"}, "ETag" in ok.get("headers", {}),
            )
    return found


def operation(api_name: str, method: str, path: str) -> Operation:
    """One operation; a KeyError here is a programming error (a route that the standard does not have)."""
    return operations(api_name)[(method.lower(), path)]
