"""HTTP plumbing shared by the ZGW APIs: one route per operation of the standard, checked against its document.

`operation_route` registers a handler for a (method, path) of an API's OpenAPI document. Before the handler runs,
the caller is authenticated and must hold one of the operation's scopes, the query parameters must be ones the
operation declares (400 otherwise, as the standard requires) and fit their types, and a path `uuid` must be a UUID
(404 otherwise). Handlers get a `ZgwContext` with the session, the caller, the checked query and URL helpers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

import orjson
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.ext.asyncio import AsyncSession

from plein.bounds import MAX_DIGITS
from plein.errors import InvalidInput, InvalidParam, NotFound, PleinError
from plein.http import open_session
from plein.zgw import remote, spec, validation
from plein.zgw.auth import ZgwCaller, caller

PAGE_SIZE = 100
CRS = "EPSG:4326"
Handler = Callable[..., Awaitable[Response | dict[str, Any] | None]]


class UnsupportedMediaType(PleinError):
    status = 415
    title = "Unsupported media type"
    code = "unsupported_media_type"


class PreconditionFailed(PleinError):
    status = 412
    title = "Precondition failed"
    code = "precondition_failed"


class NotAcceptable(PleinError):
    status = 406
    title = "Not acceptable"
    code = "not_acceptable"


def check_crs(operation: spec.Operation, request: Request) -> None:
    """Geo operations need `Accept-Crs` (and, with a body, `Content-Crs`) set to EPSG:4326, as the standard says."""
    if "Accept-Crs" in operation.required_headers:
        accept = request.headers.get("accept-crs")
        if accept is None:
            raise PreconditionFailed("the Accept-Crs header is required (use EPSG:4326)")
        if accept != CRS:
            raise NotAcceptable(f"only {CRS} is supported as Accept-Crs")
    if "Content-Crs" in operation.required_headers and operation.method in ("post", "put", "patch"):
        content = request.headers.get("content-crs")
        if content is None:
            raise PreconditionFailed("the Content-Crs header is required (use EPSG:4326)")
        if content != CRS:
            raise UnsupportedMediaType(f"only {CRS} is supported as Content-Crs")


def _json_response(operation: spec.Operation, request: Request, body: dict[str, Any], status: int) -> Response:
    """The body as JSON with the standard's headers; an ETag (and 304 on If-None-Match) where the standard has it."""
    headers = {"API-version": operation.api.version}
    if "Accept-Crs" in operation.required_headers:
        headers["Content-Crs"] = CRS
    if status == 201 and isinstance(body.get("url"), str):
        headers["Location"] = body["url"]
    content = orjson.dumps(body)
    if operation.etag:
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        headers["ETag"] = etag
        wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
        if etag in wanted or "*" in wanted:
            return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="application/json")
    return Response(content, status_code=status, headers=headers, media_type="application/json")


@dataclass
class ZgwContext:
    """One ZGW request: who asks, with what query, on which operation, and how to make and read URLs."""

    request: Request
    session: AsyncSession
    operation: spec.Operation
    caller: ZgwCaller
    query: dict[str, str]

    @property
    def api(self) -> spec.ZgwApi:
        return self.operation.api

    @property
    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")

    def url(self, api: str, collection: str, key: uuid.UUID | str) -> str:
        """The URL of a resource: `{base}/{api}/api/v1/{collection}/{uuid}`."""
        return f"{self.base_url}{spec.APIS[api].prefix}/{collection}/{key}"

    def parse_url(self, value: str, api: str, collection: str, name: str) -> uuid.UUID:
        """The uuid of a local resource from its URL; 400 naming the field when it is not ours or not that kind."""
        return parse_resource_url(self.base_url, value, api, collection, name)

    async def body(self, schema: str | None = None) -> dict[str, Any]:
        """The JSON body, checked against the operation's request schema (or the one named); PATCH may be partial."""
        data = await read_json(self.request)
        name = schema or self.operation.body_schema
        if name is None:
            return data if isinstance(data, dict) else {}
        checked = validation.check_body(self.api.name, name, data, partial=self.operation.method == "patch")
        await remote.check_body(self.request, self.api.name, name, checked)
        return checked


def parse_resource_url(base_url: str, value: str, api: str, collection: str, name: str) -> uuid.UUID:
    """The uuid in `{base}{prefix}/{collection}/{uuid}`; `bad-url` or `invalid-resource` problems otherwise."""
    parsed = urlparse(value)
    base = urlparse(base_url)
    prefix = f"{base.path.rstrip('/')}{spec.APIS[api].prefix}/"
    if parsed.netloc != base.netloc or not parsed.path.startswith(base.path.rstrip("/") + "/"):
        raise InvalidInput(f"{name}: the URL does not point to a resource of this Plein",
                           [InvalidParam(name, "bad-url", "the URL does not resolve to a resource here")])
    rest = parsed.path.removeprefix(prefix).strip("/").split("/") if parsed.path.startswith(prefix) else []
    if len(rest) != 2 or rest[0] != collection:
        raise InvalidInput(f"{name}: the URL points to something other than a {collection} resource",
                           [InvalidParam(name, "invalid-resource", f"expected a URL of {api} {collection}")])
    try:
        return uuid.UUID(rest[1])
    except ValueError as exc:
        raise InvalidInput(f"{name}: the URL does not end in a uuid",
                           [InvalidParam(name, "bad-url", "the URL does not resolve to a resource here")]) from exc


async def read_json(request: Request) -> Any:
    """The request body as JSON; 415 for another media type, 400 naming the position when it does not parse."""
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind not in ("application/json", "application/merge-patch+json"):
        raise UnsupportedMediaType(f"send application/json, not {kind}")
    raw = await request.body()
    try:
        return orjson.loads(raw or b"null")
    except (UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise InvalidInput(f"the request body is not valid JSON (position {getattr(exc, 'pos', 0)})",
                           [InvalidParam("nonFieldErrors", "parse_error", "the body is not valid JSON")]) from exc


MAX_PAGE = 10_000_000


def page_number(ctx: ZgwContext) -> int:
    """The `page` asked for (1 when none); pages that cannot exist are 404, as the standard's pages are."""
    text = ctx.query.get("page", "1")
    if len(text) > MAX_DIGITS:
        raise NotFound(f"page {text[:30]}… does not exist")
    number = int(text)
    if number < 1:
        raise NotFound("pages start at 1")
    if number > MAX_PAGE:
        raise NotFound(f"page {number} does not exist")
    return number


def paginated(ctx: ZgwContext, total: int, results: list[dict[str, Any]], page: int) -> dict[str, Any]:
    """The standard's page shape: count (exact), next and previous as URLs with `page`, and the results."""
    if page > 1 and not results:
        raise NotFound(f"page {page} does not exist; there are {max(1, -(-total // PAGE_SIZE))} pages")
    params = [(k, v) for k, v in ctx.request.query_params.multi_items() if k != "page"]
    base = f"{ctx.base_url}{ctx.request.url.path}"

    def link(number: int) -> str:
        return f"{base}?{urlencode([*params, ('page', str(number))])}"

    return {
        "count": total,
        "next": link(page + 1) if page * PAGE_SIZE < total else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": results,
    }


def _path_uuids(request: Request) -> dict[str, uuid.UUID]:
    found: dict[str, uuid.UUID] = {}
    for key, value in request.path_params.items():
        try:
            found[key] = uuid.UUID(str(value))
        except ValueError as exc:
            raise NotFound(f"no resource with {key} {value!r}") from exc
    return found


def operation_route(
    router: APIRouter, api: str, method: str, path: str, status: int = 200,
) -> Callable[[Handler], Handler]:
    """Register `handler(ctx, **path uuids)` for an operation of the standard; the dict it returns is the body."""
    operation = spec.operation(api, method, path)
    if method == "head" and not operation.scopes:  # the documents leave HEAD unsecured; it answers what GET does
        operation = dataclasses.replace(operation, scopes=spec.operation(api, "get", path).scopes)
    version = spec.APIS[api].version

    def decorate(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            async with open_session(request) as session:
                try:
                    return await _run(request, session)
                except PleinError as error:
                    return problem_response(request, error, version)

        async def _run(request: Request, session: AsyncSession) -> Response:
            who = await caller(request, session)
            who.require(operation.api.component, operation.scopes)
            check_crs(operation, request)
            query = validation.check_query(operation, list(request.query_params.multi_items()))
            ctx = ZgwContext(request, session, operation, who, query)
            result = await handler(ctx, **_path_uuids(request))
            if isinstance(result, Response):
                result.headers.setdefault("API-version", version)
                return result
            if result is None:
                return Response(status_code=204, headers={"API-version": version})
            return _json_response(operation, request, result, status)

        router.add_api_route(spec.APIS[api].prefix + path, endpoint, methods=[method.upper()],
                             operation_id=f"{api}_{operation.operation_id}", include_in_schema=False)
        return handler

    return decorate


# Plein's generic error codes as the reference implementation (Django REST framework under vng-api-common) words
# them; codes a rule gives itself stay as they are. The table in docs/deviations.md lists them all.
REFERENCE_CODES = {
    "forbidden": "permission_denied", "not-authenticated": "not_authenticated", "not-found": "not_found",
    "too-large": "request_entity_too_large", "unavailable": "service_unavailable",
}


def problem_response(request: Request, error: PleinError, version: str) -> Response:
    """An error in the standard's Fout / ValidatieFout shape (a 400 always lists invalidParams), with the
    reference implementation's codes."""
    code = REFERENCE_CODES.get(error.code, error.code)
    body: dict[str, Any] = {
        "type": f"urn:plein:problem:{code}", "code": code, "title": error.title, "status": error.status,
        "detail": error.detail or error.title, "instance": f"urn:uuid:{uuid.uuid4()}", **error.extra,
    }
    if error.status == 400 or error.invalid_params:
        body["invalidParams"] = [param.as_dict() for param in error.invalid_params]
    headers = {"API-version": version}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=error.status, media_type="application/problem+json", headers=headers)


def detail_routes(router: APIRouter, api: str, path: str) -> Callable[[Handler], Handler]:
    """Register a detail handler for GET and, where the standard has it, HEAD (same headers, no body)."""
    def decorate(handler: Handler) -> Handler:
        operation_route(router, api, "get", path)(handler)
        if ("head", path) in spec.operations(api):
            operation_route(router, api, "head", path)(handler)
        return handler

    return decorate


def include_schema_routes(app: FastAPI) -> None:
    """Each API serves the standard's OpenAPI document at `{prefix}/openapi.yaml` and `/openapi.json`."""
    for api in spec.APIS.values():
        def routes(name: str) -> None:
            async def as_yaml() -> Response:
                return PlainTextResponse(spec.document_text(name), media_type="application/yaml")

            async def as_json() -> Response:
                return JSONResponse(spec.document(name))

            app.add_api_route(f"/{name}/api/v1/openapi.yaml", as_yaml, methods=["GET"], include_in_schema=False)
            app.add_api_route(f"/{name}/api/v1/openapi.json", as_json, methods=["GET"], include_in_schema=False)
            app.add_api_route(f"/{name}/api/v1/schema/openapi.yaml", as_yaml, methods=["GET"],
                              include_in_schema=False)

        routes(api.name)
