"""Shared page plumbing: templates, static files, log-in and log-out, and HTML error pages."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from plein.auth import logins, throttle
from plein.auth import service as auth
from plein.clock import LOCAL_TIME
from plein.db import RETRY_AFTER, unreachable
from plein.errors import PleinError
from plein.http import (
    DATABASE_ERRORS,
    LoginExpired,
    OptionalPrincipal,
    SessionDep,
    is_api_path,
    login_principal,
)
from plein.organisations import service as organisations
from plein.web import csrf

logger = logging.getLogger("plein")
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIRS = [Path(__file__).parent / "templates", *(Path(__file__).parents[1] / domain / "templates"
                                                     for domain in ("store", "notifications", "organisations",
                                                                    "services", "payments"))]
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
ERROR_TITLES = {
    400: "De invoer klopt niet", 401: "Inloggen is nodig", 403: "Geen toegang", 404: "Pagina niet gevonden",
    405: "Dit kan hier niet", 409: "Dit kan nu niet", 413: "Het bestand is te groot", 422: "De invoer klopt niet",
    503: "Even niet beschikbaar",
}

def datum(value: dt.datetime | dt.date | None, with_time: bool = False) -> str:
    """'3 mei 2025' (or '3 mei 2025 14:05') in Dutch time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LOCAL_TIME)
        if with_time:
            return f"{value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def euro(amount: Any) -> str:
    """'€ 1.234,50' in Dutch notation."""
    try:
        number = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    text = f"{number:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def getal(number: int) -> str:
    """'931.298': a whole number with Dutch thousands separators."""
    return f"{number:,}".replace(",", ".")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in TEMPLATE_DIRS]),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["datum"] = datum
    env.filters["euro"] = euro
    env.filters["getal"] = getal
    return env


templates = Jinja2Templates(env=_environment())


async def page_principal(request: Request, session: SessionDep, principal: OptionalPrincipal) -> auth.Principal | None:
    """Who looks at the page; also remembers the municipalities they manage, for the navigation."""
    request.state.principal = principal
    managed = []
    for code in principal.organisations_with("beheerder") if principal else []:
        try:
            managed.append(await organisations.get_by_code(session, code))
        except organisations.UnknownOrganisation:
            continue
    request.state.managed = [(organisation.code, organisation.name) for organisation in managed]
    return principal


PagePrincipal = Annotated[auth.Principal | None, Depends(page_principal)]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once, on the next page (after a redirect)."""
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """Render a page with what every page needs: who is logged in, the CSRF token, flash messages, the env."""
    settings = request.app.state.settings
    full: dict[str, Any] = {
        "principal": getattr(request.state, "principal", None),
        "managed": getattr(request.state, "managed", []),
        "account_name": _account_name(request),
        "csrf_token": csrf.csrf_token(request),
        "flashes": request.session.pop("flash", []),
        "env": settings.env,
        "current_path": request.url.path,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "error_count": 0,
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status)


def _account_name(request: Request) -> str | None:
    """Who the header shows as logged in: the checked principal (see page_principal and _header_principal)."""
    principal: auth.Principal | None = getattr(request.state, "principal", None)
    return principal.display_name if principal else None


async def _header_principal(request: Request) -> None:
    """On an error page that no page dependency prepared (e.g. a 404), look up who is logged in for the header,
    without recording activity; when that fails too, the header shows nobody."""
    if hasattr(request.state, "principal"):
        return
    request.state.principal = None
    if "session" not in request.scope or not request.session.get(logins.COOKIE_KEY):
        return
    try:
        async with request.app.state.sessions() as session:
            request.state.principal = await login_principal(request, session, look_only=True)
    except Exception:  # the error page must render even when the database is what failed
        request.state.principal = None


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a POST the browser GETs the next page."""
    return RedirectResponse(url, status_code=303)


def safe_next(value: object) -> str:
    """A local path to go to after logging in; anything else (other sites, schemes, //host) becomes '/'."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if re.search(r"[\x00-\x20\\]", value) or len(value) > 2000:
        return "/"
    return value


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urlencode({"next": target})


LOGIN_PAGES = {"staff": "/login", "citizen": "/inloggen", "business": "/inloggen"}


async def begin_login(request: Request, session: AsyncSession, new: logins.NewLogin, target: str,
                      message: str) -> Response:
    """Where every web login ends (password, DigiD, eHerkenning, simulator): store the login server-side, end the
    one this browser had, start a fresh session (no session fixation) holding only the new token and a new CSRF
    token, and go to `target` with a message."""
    previous = request.session.get(logins.COOKIE_KEY)
    token = await logins.start(session, new)
    if isinstance(previous, str) and previous:
        await logins.end_token(session, previous, "replaced")
    request.session.clear()
    request.session[logins.COOKIE_KEY] = token
    csrf.renew_token(request)
    flash(request, message)
    return redirect(safe_next(target))


async def login_expired(request: Request, exc: Exception) -> Response:
    """A page asked with a login that just expired: to the login page of its kind, saying why, then back here."""
    assert isinstance(exc, LoginExpired)
    settings = request.app.state.settings
    if exc.reason == "idle":
        why = f"u was {settings.session_idle_minutes} minuten niet actief"
    else:
        why = f"u was langer dan {settings.session_max_hours:g} uur ingelogd"
    flash(request, f"Uw sessie is verlopen: {why}. Log opnieuw in.", "warning")
    here = request.url.path + (f"?{request.url.query}" if request.url.query and request.method == "GET" else "")
    page = LOGIN_PAGES.get(exc.kind, "/inloggen")
    if request.url.path.startswith((page, "/login", "/inloggen")):
        return redirect(here)  # already on a login page: show it again, now with the message
    return redirect(f"{page}?{urlencode({'next': here})}")


router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_form(
    request: Request, principal: PagePrincipal, next_path: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    return render(request, "login.html", {"next": safe_next(next_path), "username": "", "error": None})


@router.post("/login")
async def login(request: Request, session: SessionDep, form: csrf.CheckedForm) -> Response:
    fields = csrf.text_fields(form)
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    target = safe_next(fields.get("next", "/"))
    limiter: throttle.LoginThrottle = request.app.state.login_throttle
    keys = (throttle.account_key(username), throttle.address_key(request.client.host if request.client else None))
    if wait := limiter.wait(*keys):
        request.state.principal = None
        error = (f"Er is te vaak een verkeerde gebruikersnaam of een verkeerd wachtwoord ingevuld. Probeer het over "
                 f"{_duration(wait)} opnieuw.")
        response = render(request, "login.html", {"next": target, "username": username, "error": error}, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        principal = await auth.authenticate(session, username, password)
    except auth.AuthError:
        request.state.principal = None
        if username and password:
            limiter.failed(*keys)
        error = "De gebruikersnaam of het wachtwoord klopt niet." if username and password else \
            "Vul uw gebruikersnaam en wachtwoord in."
        return render(request, "login.html", {"next": target, "username": username, "error": error}, status=400)
    limiter.succeeded(keys[0])
    user_id = await auth.user_id_for(session, principal.id)
    new = logins.NewLogin("staff", user_id, principal.display_name, "password")
    return await begin_login(request, session, new, target, f"U bent ingelogd als {principal.display_name}.")


def _duration(seconds: int) -> str:
    """'45 seconden', '3 minuten'."""
    if seconds == 1:
        return "1 seconde"
    return f"{seconds} seconden" if seconds < 120 else f"{math.ceil(seconds / 60)} minuten"


@router.get("/api/docs")
async def api_docs(request: Request) -> Response:
    """The interactive API documentation (Swagger UI, served from Plein's own static files: no CDN)."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})


@router.post("/logout")
async def logout(request: Request, session: SessionDep, form: csrf.CheckedForm) -> Response:
    """End the login server-side (every copy of the cookie stops working) and start an empty session; then go to
    `next` (a local path: a municipality's pages send their own start page)."""
    token = request.session.get(logins.COOKIE_KEY)
    if isinstance(token, str) and token:
        await logins.end_token(session, token, "logout")
    request.session.clear()
    flash(request, "U bent uitgelogd.")
    return redirect(safe_next(csrf.text_fields(form).get("next", "/")))


def is_page(request: Request) -> bool:
    """Page routes answer errors in HTML; the APIs (/api/…, the ZGW /…/api/v1/…) keep problem+json."""
    return not is_api_path(request.url.path)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def error_page(request: Request, status: int, detail: str) -> Response:
    if status == 401 and request.method == "GET":
        return redirect(login_url(request))
    title = ERROR_TITLES.get(status, "Er ging iets mis")
    context = {"status": status, "title": title, "detail": detail, "login": login_url(request)}
    return render(request, "error.html", context, status=status)


def _html_errors(api_handler: Handler | None, status_of: Callable[[Exception], tuple[int, str]]) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page(request) or api_handler is None:
            status, detail = status_of(exc)
            await _header_principal(request)
            return error_page(request, status, detail)
        return await api_handler(request, exc)

    return handler


def _plein_status(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, PleinError)
    return exc.status, exc.detail


def _http_status(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, StarletteHTTPException)
    return exc.status_code, "" if exc.status_code == 404 else str(exc.detail)


def _validation_status(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, RequestValidationError)
    return 400, "; ".join(str(error.get("msg", "")) for error in exc.errors())


def _unexpected(api_handler: Handler) -> Handler:
    """Any other error: on a page the HTML error page (503 with Retry-After when the database cannot be reached,
    else 500, logged); on an API the problem+json handler's answer."""
    async def handler(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await api_handler(request, exc)
        if not unreachable(exc):
            logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
            return error_page(request, 500, "")
        request.state.principal = None  # the header cannot look it up either
        response = error_page(request, 503, "de gegevens zijn even niet bereikbaar; probeer het over enkele seconden "
                              "opnieuw")
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    return handler


def install_html_errors(app: FastAPI) -> None:
    """Wrap the problem+json handlers: pages get an HTML error page, APIs keep problem+json."""
    handlers: dict[Any, Any] = app.exception_handlers
    for kind, status_of in ((PleinError, _plein_status), (StarletteHTTPException, _http_status),
                            (RequestValidationError, _validation_status)):
        app.add_exception_handler(kind, _html_errors(handlers.get(kind), status_of))
    unexpected_kinds: tuple[type[Exception], ...] = (Exception, *DATABASE_ERRORS)
    for unexpected in unexpected_kinds:
        app.add_exception_handler(unexpected, _unexpected(handlers[unexpected]))


def include(app: FastAPI) -> None:
    from plein.auth import views as auth_views

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    auth_views.include(app)
    install_html_errors(app)
    app.add_exception_handler(LoginExpired, login_expired)

