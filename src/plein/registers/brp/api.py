"""POST /haalcentraal/api/brp/personen (Haal Centraal BRP Personen 2.7.0) and POST
/haalcentraal/api/brphistorie/verblijfplaatshistorie (BRP Historie 2.0), at their standard paths and in their shape.

The body is read and checked here (not by FastAPI) so that every error is the specification's own problem shape
(type, title, status, detail, instance, code, invalidParams with name/code/reason) and never a 500 or data. Both
authenticate the same way: a client JWT and the processing activity in the X-Verwerkingsactiviteit header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import RETRY_AFTER, unreachable
from plein.errors import InvalidInput, NotAuthenticated, NotFound, PleinError
from plein.exchange import service as exchange
from plein.exchange.service import ACTIVITY_HEADER, TRANSACTION_HEADER
from plein.http import PrefixRouter, bearer_token, current_principal, open_session
from plein.registers.brp import historie, schemas, service

router = PrefixRouter("/haalcentraal/api/brp", tags=["brp"])  # brp/ and brphistorie/
logger = logging.getLogger("plein.registers.brp")

PATH = "/haalcentraal/api/brp/personen"
SPEC_VERSION = "2.7.0"
HISTORIE_PATH = "/haalcentraal/api/brphistorie/verblijfplaatshistorie"
HISTORIE_VERSION = "2.0.0"
JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json"
RFC = "https://datatracker.ietf.org/doc/html/"
PROBLEMS: dict[int, tuple[str, str, str]] = {  # status -> (type, title, code)
    400: (RFC + "rfc7231#section-6.5.1", "Een of meerdere parameters zijn niet correct.", "paramsValidation"),
    401: (RFC + "rfc7235#section-3.1", "Niet correct geauthenticeerd.", "authentication"),
    403: (RFC + "rfc7231#section-6.5.3", "U bent niet geautoriseerd voor deze operatie.", "unauthorized"),
    404: (RFC + "rfc7231#section-6.5.4", "Opgevraagde resource bestaat niet.", "notFound"),
    405: (RFC + "rfc7231#section-6.5.5", "Gebruikte bevragingsmethode is niet toegestaan.", "methodNotAllowed"),
    406: (RFC + "rfc7231#section-6.5.6", "Gevraagde content type wordt niet ondersteund.", "notAcceptable"),
    415: (RFC + "rfc7231#section-6.5.13", "Media Type wordt niet ondersteund.", "unsupportedMediaType"),
    500: (RFC + "rfc7231#section-6.6.1", "Interne server fout.", "serverError"),
    503: (RFC + "rfc7231#section-6.6.4", "Bronservice BRP is tijdelijk niet beschikbaar.", "notAvailable"),
}
# The reference's texts use characters the OpenAPI document's patterns for detail and reason leave out (the colon
# of "zijn:", the [index] of an item, the patterns a reason names, an HTML-encoded name; docs/deviations.md). A
# detail keeps the document's characters and those; a reason loses only control characters.
NOT_IN_DETAIL = re.compile(r"[^a-zA-Z0-9À-ž \.\-\(\),:;/=\[\]&#]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
NOT_IN_CODE = re.compile(r"[^a-zA-Z0-9]+")
JSON_ONLY = "Ondersteunde content type: application/json; charset=utf-8."


def _clean(pattern: re.Pattern[str], text: str, limit: int = 500) -> str:
    """Text without the characters `pattern` matches, on one line, of a sane length."""
    cleaned = " ".join(pattern.sub(" ", text).split())[:limit].strip()
    return cleaned or "-"


def _camel(code: str) -> str:
    head, *rest = [part for part in NOT_IN_CODE.split(code) if part] or ["invalid"]
    return (head + "".join(part[:1].upper() + part[1:] for part in rest))[:25]


def foutbericht(request: Request, status: int, detail: str, params: list[dict[str, str]] | None = None,
                headers: dict[str, str] | None = None, problem: tuple[str, str] | None = None,
                version: str = SPEC_VERSION) -> JSONResponse:
    """A problem in the Foutbericht / BadRequestFoutbericht shape of the specification; `problem` overrides the
    title and code of the status (e.g. tooManyResults); `version` is the API-Version of the API that answers."""
    kind, title, code = PROBLEMS.get(status, PROBLEMS[500])
    title, code = problem or (title, code)
    body: dict[str, Any] = {"type": kind, "title": title, "status": status,
                            "detail": _clean(NOT_IN_DETAIL, detail), "instance": request.url.path, "code": code}
    if params:
        body["invalidParams"] = params
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE,
                        headers={"API-Version": version, **(headers or {})})


def from_error(request: Request, error: PleinError, version: str = SPEC_VERSION) -> JSONResponse:
    """A Plein error (ours or the exchange layer's) in the specification's shape."""
    params = [{"name": param.name, "code": _camel(param.code), "reason": _clean(CONTROL, param.reason)}
              for param in error.invalid_params]
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return foutbericht(request, error.status, error.detail, params, headers, getattr(error, "problem", None),
                       version)


def _accepts_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return True
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(kinds & {"application/json", "application/*", "*/*"})


def _json_content(content_type: str) -> bool:
    """application/json, with no charset or utf-8; an empty Content-Type is taken as JSON, as the reference does."""
    kind, _, parameters = content_type.partition(";")
    if not kind.strip():
        return True
    charset = parameters.strip().lower().removeprefix("charset=").strip()
    return kind.strip().lower() == "application/json" and charset in ("", "utf-8")


async def _body(request: Request) -> Any:
    if not _json_content(request.headers.get("content-type", "")):
        raise _Unsupported(JSON_ONLY)
    raw = await request.body()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON (position {getattr(exc, 'pos', 0)})") from exc


class _Unsupported(PleinError):
    status = 415
    title = "Unsupported media type"
    code = "unsupported"


class _NotAcceptable(PleinError):
    status = 406
    title = "Not acceptable"
    code = "not-acceptable"


async def _without_transaction(session: AsyncSession) -> None:
    """On PostgreSQL this request only reads, so its statements run without BEGIN and COMMIT (each sees the latest
    committed data, as under READ COMMITTED): two round trips fewer. The processing log is appended in a
    transaction of its own (exchange.log_reads)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


Read = Callable[[AsyncSession, Principal, exchange.ClientReader | None, str | None, str], Awaitable[bytes]]


async def _reader(request: Request, session: AsyncSession) -> tuple[Principal, exchange.ClientReader | None]:
    """The client that asks (a client's token is checked in the same statement that reads its grants for this
    activity); NotAuthenticated without one, not acceptable when it does not take JSON."""
    token = bearer_token(request)
    activity = request.headers.get(ACTIVITY_HEADER)
    reader = None if token is None else await exchange.authenticate_reader(session, token, service.REGISTER, activity)
    principal = reader.principal if reader else await current_principal(request, session)
    if principal is None:
        raise NotAuthenticated("send a client JWT (Authorization Bearer)")
    if not _accepts_json(request):
        raise _NotAcceptable(JSON_ONLY)
    return principal, reader


async def _answer(request: Request, session: AsyncSession, version: str, read: Read) -> Response:
    """Authenticate, run `read` (which checks the body and reads through the exchange layer) and answer its JSON;
    every error in the specification's shape."""
    trace = getattr(request.state, "trace_id", None) or exchange.new_trace_id()
    try:
        await _without_transaction(session)
        principal, reader = await _reader(request, session)
        body = await read(session, principal, reader, request.headers.get(ACTIVITY_HEADER), trace)
    except PleinError as error:
        return from_error(request, error, version)
    except Exception as error:
        if unreachable(error):
            logger.warning("the database cannot be reached (%s): %s", request.url.path, type(error).__name__)
            return foutbericht(request, 503, "De gegevens kunnen nu niet worden gelezen. Probeer het over enkele "
                               "seconden opnieuw.", headers={"Retry-After": str(RETRY_AFTER)}, version=version)
        logger.exception("unexpected error in %s", request.url.path)
        return foutbericht(request, 500, "Er is iets misgegaan, de fout is gelogd. Er zijn geen gegevens geleverd.",
                           version=version)
    return Response(body, media_type=JSON_TYPE, headers={"API-Version": version, TRANSACTION_HEADER: trace})


@router.post(PATH, summary="Zoek of raadpleeg personen (Haal Centraal BRP Personen 2.7.0)", operation_id="Personen")
async def personen(request: Request) -> Response:
    """The seven query types of the specification; every read passes the exchange layer and is logged."""

    async def read(session: AsyncSession, principal: Principal, reader: exchange.ClientReader | None,
                   activity: str | None, trace: str) -> bytes:
        query = schemas.parse_query(await _body(request))
        result = await service.read_personen(session, principal, query, activity, trace, reader=reader)
        return orjson.dumps({"type": query.type, "personen": result.personen})  # serialised once, straight to bytes

    async with open_session(request) as session:
        return await _answer(request, session, SPEC_VERSION, read)


@router.post(HISTORIE_PATH, summary="Raadpleeg de verblijfplaatshistorie van een persoon (Haal Centraal BRP Historie "
             "2.0)", operation_id="Verblijfplaatshistorie")
async def verblijfplaatshistorie(request: Request) -> Response:
    """RaadpleegMetPeildatum and RaadpleegMetPeriode: the person's residences, newest first, under a grant for
    `verblijfplaatshistorie`; the read is logged."""

    async def read(session: AsyncSession, principal: Principal, reader: exchange.ClientReader | None,
                   activity: str | None, trace: str) -> bytes:
        query = historie.parse_query(await _body(request))
        found = await service.read_verblijfplaatshistorie(session, principal, query.burgerservicenummer, activity,
                                                          trace, reader=reader, **query.arguments())
        return orjson.dumps({"verblijfplaatsen": found})

    async with open_session(request) as session:
        return await _answer(request, session, HISTORIE_VERSION, read)


OTHER_METHODS = ["GET", "PUT", "PATCH", "DELETE", "POST", "OPTIONS", "TRACE"]


def _elsewhere(request: Request, rest: str, resource: str, version: str) -> JSONResponse:
    if rest.strip("/") == resource:
        return foutbericht(request, 405, f"Gebruik POST voor {resource}.", headers={"Allow": "POST"}, version=version)
    return from_error(request, NotFound(f"er is geen resource {rest}"), version)


@router.api_route("/haalcentraal/api/brp/{rest:path}", methods=OTHER_METHODS,
                  include_in_schema=False)
async def elsewhere(request: Request, rest: str) -> JSONResponse:
    """Other paths and methods under the BRP API: 404 or 405, also in the specification's shape."""
    return _elsewhere(request, rest, "personen", SPEC_VERSION)


@router.api_route("/haalcentraal/api/brphistorie/{rest:path}", methods=OTHER_METHODS,
                  include_in_schema=False)
async def elsewhere_historie(request: Request, rest: str) -> JSONResponse:
    """Other paths and methods under the BRP Historie API: 404 or 405."""
    return _elsewhere(request, rest, "verblijfplaatshistorie", HISTORIE_VERSION)
