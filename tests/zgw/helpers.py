"""Test helpers for the ZGW APIs: responses checked against the standard's own OpenAPI documents."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import spec, validation
from tests.conftest import SHARED_SPECS
from tests.factories import client_headers

SPEC_FILES = SHARED_SPECS / "zgw"


@functools.cache
def _response_validator(api: str, method: str, path: str, status: int) -> Draft7Validator:
    doc = spec.document(api)
    operation = doc["paths"][path][method]
    response = spec.resolve(doc, operation["responses"][str(status)])
    content = response.get("content", {})
    media = content.get("application/json") or content.get("application/problem+json") or {}
    definitions = {n: validation.to_json_schema(s, for_request=False) for n, s in doc["components"]["schemas"].items()}
    schema = validation.to_json_schema(media.get("schema", {}), for_request=False)
    return Draft7Validator({**schema, "definitions": definitions}, format_checker=validation.FORMATS)


def assert_spec(api: str, method: str, path: str, response: httpx.Response,
                erratum: Callable[[ValidationError], bool] | None = None) -> Any:
    """The response has a status the operation documents and a body that validates against its schema.

    `erratum` names known mistakes of a document that Plein answers correctly (each API's helpers say which);
    those errors, and only those, are accepted.
    """
    operation = spec.document(api)["paths"][path][method]
    assert str(response.status_code) in operation["responses"], (response.status_code, response.text)
    is_json = "json" in response.headers.get("content-type", "")
    body = response.json() if response.content and is_json and method != "head" else None
    if body is not None:
        problems = [f"{list(e.absolute_path)}: {e.message}"
                    for e in _response_validator(api, method, path, response.status_code).iter_errors(body)
                    if not (erratum and response.status_code < 400 and erratum(e))]
        assert not problems, problems
    assert response.headers.get("api-version") == spec.APIS[api].version
    return body


def assert_schema(api: str, schema_name: str, body: Any) -> Any:
    """The body validates against one of the document's component schemas (as a response)."""
    problems = validation.errors(api, schema_name, body, for_request=False)
    assert not problems, problems
    return body


async def all_rights(session: AsyncSession, client_id: str = "zgw-beheer") -> dict[str, str]:
    """Headers of a client registered with every right (how test suites and first set-up start)."""
    return await client_headers(session, client_id, None, [], all_rights=True)


def test_the_shipped_documents_are_the_standards_own() -> None:
    for api in spec.APIS.values():
        assert (spec.SPEC_FOLDER / api.filename).read_bytes() == (SPEC_FILES / api.filename).read_bytes()
