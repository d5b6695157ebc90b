"""Plein's own OpenAPI documents: one per API, shaped to pass the NL API Design Rules, served and committed."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from plein.http import API_VERSION

CONTACT = {"name": "Plein", "url": "https://plein.example", "email": "team@plein.example"}
PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457) with the input that was not valid.",
    "required": ["status", "title", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}, "code": {"type": "string"},
        "invalidParams": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}
ERRORS = {
    "400": "The input is not valid; invalidParams names each field and rule",
    "401": "Not authenticated", "403": "Not allowed", "404": "Not found", "409": "Conflict with the current state",
}
VERSION_HEADER = {"description": "The full version of the API", "schema": {"type": "string"}}


@dataclass(frozen=True)
class ApiDocument:
    """One of Plein's APIs: where it lives and how it is described."""

    name: str
    prefix: str
    title: str
    description: str


API_DOCUMENTS = [
    ApiDocument("store", "/api/store/v1", "Plein store API",
                "Search the municipal app store, read releases and their admission reports, publish releases, "
                "and adopt apps for a municipality with its own options."),
    ApiDocument("exchange", "/api/exchange/v1", "Plein exchange API",
                "The exchange layer: API clients (HS256 JWTs, ZGW style), the processing register, and grants of "
                "register fields to a client for one processing activity, optionally within one municipality. "
                "Every register read (Haal Centraal BRP, BAG) names its processing activity in the "
                "X-Verwerkingsactiviteit request header; it is refused (403, listing the ungranted fields) unless "
                "a live grant covers every requested field, and each person returned is written to the "
                "append-only, hash-chained processing log before the response is sent. Every /api response "
                "carries its transaction id in the X-Transaction-Id header, which the log records as trace id."),
    ApiDocument("inzage", "/api/inzage/v1", "Plein inzage API",
                "Citizen insight: the logged-in citizen sees which organisations processed their personal data "
                "through Plein, for which purpose and legal basis, and which fields were delivered. Looking is "
                "itself logged."),
    ApiDocument("bag", "/api/bag/v1", "Plein BAG API",
                "Addresses of the BAG register: check that an address exists, by postcode and house number "
                "(optionally letter and addition) or by nummeraanduiding identificatie. Addresses are not "
                "personal data, so no processing-log record is written; the read still passes the exchange "
                "layer: the client needs a grant on register bag for the fields it reads and names its "
                "processing activity in the X-Verwerkingsactiviteit header."),
    ApiDocument("diensten", "/api/diensten/v1", "Plein services API",
                "The shared services of the municipalities, for their websites and apps: the services a "
                "municipality runs (with the JSON Schema of their answers, the municipality's own options applied), "
                "submitting an aanvraag with all answers at once (a citizen token; register data is read at the "
                "source, every read logged; the aanvraag becomes a zaak under the ZGW standards with its documents "
                "and notifications in one transaction; an Idempotency-Key makes a retried call safe), reading it, "
                "and the case worker's decision, whose effects change the registers."),
    ApiDocument("betalingen", "/api/betalingen/v1", "Plein payments API",
                "Payments of fees (leges) for the municipalities' services. A payment provider (Mollie) calls the "
                "webhook when a payment's status changed; the call only names the payment, and Plein asks the "
                "provider itself for the status. A payment is recorded as paid exactly once, however often the "
                "webhook comes and whether or not the citizen's browser comes back."),
    ApiDocument("notifications", "/api/notifications/v1", "Plein notifications API",
                "Administration of notification delivery: the outbox of messages, their deliveries to each "
                "abonnement with status (pending, delivering, delivered, parked), every attempt with its HTTP "
                "status or error, and resending a parked delivery. Delivery is at least once, with exponential "
                "backoff; after the last attempt a delivery is parked, never dropped. Subscribers manage their "
                "abonnementen with the ZGW Notificaties API at /notificaties/api/v1. Exchange administrators only."),
]


def api_document(app: FastAPI, api: ApiDocument) -> dict[str, Any]:
    """The OpenAPI document of one API: its paths relative to its server URL, errors as problem+json."""
    full = get_openapi(title=api.title, version=API_VERSION, description=api.description, routes=app.routes)
    paths = {path[len(api.prefix):] or "/": item for path, item in full["paths"].items()
             if path.startswith(api.prefix + "/")}
    document: dict[str, Any] = {
        "openapi": full["openapi"],
        "info": {"title": api.title, "version": API_VERSION, "description": api.description, "contact": CONTACT},
        "servers": [{"url": f"{app.state.settings.base_url.rstrip('/')}{api.prefix}"}],
        "tags": [{"name": api.name}],
        "security": [{"bearer": []}, {}],
        "paths": {path: _operations(item) for path, item in sorted(paths.items())},
        "components": {
            "schemas": _used_schemas(full.get("components", {}).get("schemas", {}), paths),
            "responses": {code: _problem_response(text) for code, text in ERRORS.items()},
            "headers": {"API-Version": VERSION_HEADER},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "HS256 JWT signed with the client's secret (ZGW style)"}},
        },
    }
    document["components"]["schemas"]["Problem"] = PROBLEM
    return document


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _operations(item: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for method, original in item.items():
        operation = copy.deepcopy(original)
        responses = operation.setdefault("responses", {})
        responses.pop("422", None)
        for code, response in responses.items():
            if code.startswith(("2", "3")):
                response.setdefault("headers", {})["API-Version"] = {"$ref": "#/components/headers/API-Version"}
        parameters = operation.get("parameters", [])
        writes = method in ("post", "put", "patch")
        errors = ["400"] if writes or parameters else []
        errors += ["404"] if any(p.get("in") == "path" for p in parameters) else []
        errors += ["401", "403", "409"] if writes else []
        for code in errors:
            responses[code] = {"$ref": f"#/components/responses/{code}"}
        operation["tags"] = [operation.get("tags", ["store"])[0]]
        result[method] = operation
    return result


def _used_schemas(schemas: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Only the schemas the API's paths refer to (directly or through other schemas)."""
    wanted: dict[str, Any] = {}
    pending = _refs(paths)
    while pending:
        name = pending.pop()
        if name in wanted or name not in schemas or name in ("HTTPValidationError", "ValidationError"):
            continue
        wanted[name] = schemas[name]
        pending |= _refs(schemas[name])
    return dict(sorted(wanted.items()))


def _refs(value: Any) -> set[str]:
    text = json.dumps(value)
    marker = '"#/components/schemas/'
    return {part.split('"', 1)[0] for part in text.split(marker)[1:]}


def write_documents(app: FastAPI, folder: Path) -> list[Path]:
    """Write every API's document to folder/<name>.json (what docs/openapi/ holds)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for api in API_DOCUMENTS:
        path = folder / f"{api.name}.json"
        path.write_text(render(api_document(app, api)), "utf-8")
        written.append(path)
    return written


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
