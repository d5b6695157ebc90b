"""Every path and operation of the Zaken API 1.5.1 document is served: a route for each (method, path), and each
answers in the standard's shapes (never 405, never the framework's bare 404, never a 500) for a client without
rights, a client with all rights and resources that do not exist."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import spec
from tests.factories import client_headers
from tests.zgw.helpers import all_rights, assert_spec
from tests.zgw.zaken.helpers import CRS
from tests.zgw.zaken.relation_helpers import problem

PREFIX = spec.APIS["zaken"].prefix


def _routes(routes: list[Any]) -> list[APIRoute]:
    """The API routes of the app, also those of included routers (FastAPI keeps those as `_IncludedRouter`)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:
            found.extend(_routes(route.original_router.routes))
    return found


def test_every_operation_of_the_document_has_a_route(app: Any) -> None:
    served = {(method.lower(), route.path) for route in _routes(app.routes) for method in route.methods}
    documented = set(spec.operations("zaken"))
    assert len(documented) == 62
    missing = sorted((method, path) for method, path in documented if (method, PREFIX + path) not in served)
    assert not missing, missing
    extra = sorted((method, path) for method, path in served
                   if path.startswith(PREFIX + "/") and (method, path.removeprefix(PREFIX)) not in documented
                   and not path.endswith(("/openapi.yaml", "/openapi.json")))
    assert not extra, extra


def _filled(path: str) -> str:
    return PREFIX + path.replace("{zaak_uuid}", str(uuid.uuid4())).replace("{uuid}", str(uuid.uuid4()))


def _checked(method: str, path: str, response: httpx.Response) -> dict[str, Any]:
    """The standard's response where the document lists the status; the Fout shape where it does not (404 on the
    nested lists of a zaak that does not exist)."""
    assert response.status_code not in (405, 500), (method, path, response.status_code)
    if method == "head":
        assert response.headers.get("api-version") == "1.5.1"
        return {}
    if str(response.status_code) in spec.document("zaken")["paths"][path][method]["responses"]:
        body = assert_spec("zaken", method, path, response)
        return body if isinstance(body, dict) else {}
    return problem(response)


async def test_every_operation_answers_in_the_standards_shapes(client: httpx.AsyncClient,
                                                               session: AsyncSession) -> None:
    admin = await all_rights(session) | CRS
    nobody = await client_headers(session, "zonder-rechten", None, []) | CRS
    for (method, path), operation in sorted(spec.operations("zaken").items()):
        url = _filled(path)
        body = {} if operation.body_schema else None
        anonymous = await client.request(method.upper(), url, json=body, headers=CRS)
        if method != "head":
            assert _checked(method, path, anonymous)["status"] == 401, (method, path)
        forbidden = await client.request(method.upper(), url, json=body, headers=nobody)
        if method != "head" and operation.scopes:
            assert _checked(method, path, forbidden)["status"] == 403, (method, path)
        answered = await client.request(method.upper(), url, json=body, headers=admin)
        shown = _checked(method, path, answered)
        if (method == "get" and "{uuid}" not in path and "{zaak_uuid}" not in path) or path == "/zaken/_zoek":
            assert answered.status_code == 200, (path, answered.text)  # lists (and a search for everything)
        elif method in ("post", "put", "patch") and "{zaak_uuid}" not in path and "{uuid}" not in path:
            assert answered.status_code == 400 and shown["invalidParams"], (method, path, answered.text)
        elif method != "head" and answered.status_code != 200:  # nothing there, or the empty body checked first
            assert answered.status_code in ((400, 404) if operation.body_schema else (404,)), (method, path)
        if method == "get":
            unknown = await client.get(url, params={"onbekend": "1"}, headers=admin)
            assert _checked(method, path, unknown)["invalidParams"][0]["code"] == "unknown-parameters"
