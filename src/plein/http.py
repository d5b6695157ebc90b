"""Shared HTTP plumbing: the request's database session, who is asking, and problem+json errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.ext.asyncio import AsyncSession
from starlette._utils import get_route_path
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plein.auth import logins
from plein.auth import service as auth
from plein.db import RETRY_AFTER, unreachable
from plein.errors import InvalidParam, NotAuthenticated, PleinError
from plein.settings import Settings

# Errors of the database and its driver: a handler of their own answers them (503 when the database cannot be
# reached, else 500), so that they do not fall through to Starlette's last-resort handler, which answers and then
# raises the error again to the server, and uvicorn closes the client's keep-alive connection.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy_errors.DBAPIError, sqlalchemy_errors.TimeoutError, ConnectionError, asyncpg.PostgresError,
    asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)
PROBLEM_JSON = "application/problem+json"
API_VERSION = "1.0.0"
logger = logging.getLogger("plein")


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def open_session(request: Request) -> AsyncSession:
    """A new session for `async with` in an endpoint, as get_session gives one (closing it rolls back what was not
    committed). The hot API endpoints use it instead of SessionDep: a generator dependency costs FastAPI an exit
    stack and a cancel scope per request."""
    session: AsyncSession = request.app.state.sessions()
    return session


class PrefixRouter(APIRouter):
    """An APIRouter whose paths all start with `path_prefix` (its `prefix` when it has one): a request for another
    path skips all its routes with one string comparison instead of trying each route's pattern."""

    def __init__(self, path_prefix: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.path_prefix = path_prefix or self.prefix
        assert self.path_prefix.startswith("/"), "a PrefixRouter needs a path prefix"

    def add_api_route(self, path: str, *args: Any, **kwargs: Any) -> None:
        assert (self.prefix + path).startswith(self.path_prefix), f"{path} is outside {self.path_prefix}"
        super().add_api_route(path, *args, **kwargs)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not get_route_path(scope).startswith(self.path_prefix):
            return Match.NONE, {}
        return super().matches(scope)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def bearer_token(request: Request) -> str | None:
    """The JWT of an `Authorization: Bearer` header; None without the header, NotAuthenticated for another kind."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("use 'Authorization: Bearer <JWT>'")
    return token.strip()


def is_api_path(path: str) -> bool:
    """Plein's APIs (/api/…) and the standards' APIs (/zaken/api/v1/…, /haalcentraal/api/…); everything else is a
    page."""
    return path.startswith("/api/") or "/api/" in path


class LoginExpired(Exception):
    """A page was asked with a web login that has just passed its idle or absolute limit (and has now ended): the
    page answers with a redirect to the login page of its kind and a message that the session expired."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"the {kind} login ended: {reason}")
        self.kind = kind
        self.reason = reason


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_principal(request: Request, session: SessionDep) -> auth.Principal | None:
    """The caller: an API client by its Bearer JWT, else whoever logged in through the web (staff, citizen or
    business) by the token in the session cookie, else nobody.

    An API write (POST, PUT, PATCH, DELETE under an API path) is never authenticated by the cookie: a browser sends
    the cookie with a request that another site makes it send, and the APIs take no CSRF token (forms do: web.csrf).
    Such a write with only the cookie is answered 401."""
    token = bearer_token(request)
    if token is not None:
        try:
            return await auth.client_principal(session, token)
        except auth.AuthError as exc:
            raise NotAuthenticated(str(exc)) from exc
    if request.method not in SAFE_METHODS and is_api_path(request.url.path):
        if "session" in request.scope and request.session.get(logins.COOKIE_KEY):
            raise NotAuthenticated("an API write needs a client JWT (Authorization: Bearer …); the web login's "
                                   "session cookie is not accepted for API writes (cross-site request forgery)")
        return None
    return await login_principal(request, session)


async def login_principal(request: Request, session: AsyncSession, *, look_only: bool = False) -> auth.Principal | None:
    """The principal of the web login whose token the session cookie holds, or None.

    A login that ended gives nobody. One past its idle or absolute limit is ended here (with the reason), and a page
    request with it raises LoginExpired. Activity is written at most once a minute per login. These writes use a
    session of their own, so the request's session is left as it was. `look_only`: no writes and no LoginExpired
    (for the header of an error page)."""
    token = request.session.get(logins.COOKIE_KEY) if "session" in request.scope else None
    if not isinstance(token, str) or not token:
        return None
    found = await logins.look_up(session, token, logins.Limits.from_settings(get_settings(request)))
    if look_only:
        return None if found.login is None else await logins.principal(session, found.login)
    if found.login is None:
        request.session.pop(logins.COOKIE_KEY, None)
        if found.expired and found.login_id and found.kind:
            await _write(request, logins.end, found.login_id, found.expired)
            _expired(request, found.kind, found.expired)
        return None
    if found.touch:
        await _write(request, logins.touch, found.login.id)
    principal = await logins.principal(session, found.login)
    if principal is None:  # the staff account was removed or deactivated
        request.session.pop(logins.COOKIE_KEY, None)
        await _write(request, logins.end, found.login.id, "account")
    return principal


async def _write(request: Request, change: Callable[..., Awaitable[Any]], *args: Any) -> None:
    async with request.app.state.sessions() as writer:
        await change(writer, *args)


def _expired(request: Request, kind: str, reason: str) -> None:
    """Tell a page request that its login has just expired (logging out itself needs no telling)."""
    if is_api_path(request.url.path) or request.url.path == "/logout":
        return
    raise LoginExpired(kind, reason)


OptionalPrincipal = Annotated[auth.Principal | None, Depends(current_principal)]


async def require_principal(principal: OptionalPrincipal) -> auth.Principal:
    if principal is None:
        raise NotAuthenticated("log in or send a client JWT (Authorization: Bearer …) to do this")
    return principal


PrincipalDep = Annotated[auth.Principal, Depends(require_principal)]


CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware: every response says what the browser may load (Content-Security-Policy: only Plein's own
    scripts, styles and images; no framing), not to guess content types, to send no path to other sites, and, in
    production (HTTPS only), to use HTTPS from now on (HSTS). A response that set a header keeps its own."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Frame-Options", "DENY"),
                        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")]
        if https:
            self.headers.append(("Strict-Transport-Security", HSTS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


MAX_HEADER_BYTES = 16 * 1024  # all request headers together (names and values)
MAX_HEADER_VALUE = 8 * 1024  # one header's value


class HeaderLimits:
    """ASGI middleware: a request whose headers are larger than MAX_HEADER_BYTES in all, or one of whose headers is
    longer than MAX_HEADER_VALUE, is answered 431 before anything else reads them (tokens have their own, smaller
    bound: plein.auth.service.MAX_TOKEN_LENGTH)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            too_large = _too_large(scope["headers"])
            if too_large:
                response = problem(431, "Request header fields too large", too_large, scope["path"],
                                   "header-too-large")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _too_large(headers: list[tuple[bytes, bytes]]) -> str | None:
    total = 0
    for name, value in headers:
        if len(value) > MAX_HEADER_VALUE:
            return f"{name.decode('latin-1')}: a header may be at most {MAX_HEADER_VALUE} bytes long"
        total += len(name) + len(value)
    if total > MAX_HEADER_BYTES:
        return f"the request headers may be at most {MAX_HEADER_BYTES} bytes together"
    return None


class ApiVersionHeader:
    """ASGI middleware: every response under /api/ carries an API-Version header (unless it set its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "api-version" not in headers:
                    headers.append("API-Version", API_VERSION)
            await send(message)

        await self.app(scope, receive, send_with_version)


def problem(status: int, title: str, detail: str, instance: str, code: str, **extra: Any) -> JSONResponse:
    body = {"type": f"urn:plein:problem:{code}", "title": title, "status": status, "detail": detail,
            "instance": instance, "code": code, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers={"API-Version": API_VERSION})


def install_problem_handlers(app: FastAPI) -> None:
    """Every error of an API becomes application/problem+json with status, title, detail and invalidParams."""

    async def plein_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PleinError)
        extra: dict[str, Any] = dict(exc.extra)
        if exc.invalid_params:
            extra["invalidParams"] = [param.as_dict() for param in exc.invalid_params]
        response = problem(exc.status, exc.title, exc.detail, request.url.path, exc.code, **extra)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        params = [_invalid_param(error) for error in exc.errors()]
        detail = "; ".join(f"{p.name}: {p.reason}" for p in params)
        return problem(400, "The input is not valid", detail, request.url.path, "invalid",
                       invalidParams=[p.as_dict() for p in params])

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request.url.path, f"http-{exc.status_code}")

    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        if unreachable(exc):
            logger.warning("the database cannot be reached (%s %s): %s", request.method, request.url.path,
                           type(exc).__name__)
            response = problem(503, "The database cannot be reached", "Plein's database cannot be reached right "
                               "now; try again in a few seconds", request.url.path, "unavailable")
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(500, "Internal error", "something went wrong on our side; it has been logged",
                       request.url.path, "internal")

    app.add_exception_handler(Exception, unexpected_error)
    for kind in DATABASE_ERRORS:  # answered here, not re-raised to the server (which would drop the connection)
        app.add_exception_handler(kind, unexpected_error)
    app.add_exception_handler(PleinError, plein_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _invalid_param(error: Any) -> InvalidParam:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    return InvalidParam(".".join(location) or "body", str(error.get("type", "invalid")), str(error.get("msg", "")))
