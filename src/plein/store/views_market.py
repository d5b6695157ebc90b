"""The store's marketplace pages: what an app costs a municipality, reviews by adopters, and security advisories
(the advisory pages and the publish form; the app, municipality and adoption pages take their parts from here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Forbidden, InvalidInput, NotFound
from plein.http import SessionDep
from plein.organisations.models import Organisation
from plein.store import advisories, costs, reviews, service
from plein.store.models import Adoption, Advisory, App, Release
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, login_url, redirect, render

router = APIRouter(include_in_schema=False)

SEVERITY_NAMES = {"none": "Geen", "low": "Laag", "medium": "Middel", "high": "Hoog", "critical": "Kritiek"}
PRICING_PERIODS = {"one-off": "eenmalig", "yearly": "per jaar", "per-inhabitant": "per inwoner per jaar"}
REVIEW_MESSAGES = {"rating": "Kies 1 tot en met 5 sterren", "text": "Schrijf in een paar zinnen wat u van de app "
                   "vindt (hoogstens 5000 tekens)", "reason": "Schrijf de reden (hoogstens 5000 tekens)"}
ADVISORY_MESSAGES = {
    "aliases": "Vul CVE- of GHSA-nummers in, zoals CVE-2026-12345, gescheiden door komma's",
    "affected": "Vul de getroffen versies in als semver-bereik, zoals >=1.0.0 <1.2.3",
    "fixed": "Vul een versienummer in (zoals 1.2.3) dat buiten het getroffen bereik ligt",
    "cvss": "Vul een geldige CVSS 3.1-vector in, zoals CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
    "summary": "Vul een korte samenvatting in (hoogstens 200 tekens)",
    "details": "Beschrijf de kwetsbaarheid en wat gemeenten moeten doen",
}
CORRECTION_REASON = "Schrijf op waarom u de melding corrigeert; dat blijft bij de geschiedenis staan"
ADVISORY_FIELDS = ("aliases", "affected", "fixed", "cvss", "summary", "details")


def field_errors(exc: InvalidInput, messages: dict[str, str]) -> dict[str, str]:
    """The refused fields with Dutch messages (the service's own words when we have none)."""
    return {param.name: messages.get(param.name, param.reason) for param in exc.invalid_params}


# --- the app page -------------------------------------------------------------------------------------


async def _review_state(session: AsyncSession, app: App, code: str, min_days: int) -> dict[str, Any]:
    """May this municipality review the app now, and if not, why (in words for its beheerder)."""
    allowed = await reviews.allowed_from(session, code, app, min_days)
    return {"may": allowed is not None and allowed <= utcnow(), "from": allowed,
            "review": await reviews.get_review(session, app, code)}


async def app_parts(session: AsyncSession, request: Request, slug: str, principal: Principal | None) -> dict[str, Any]:
    """Costs for the municipalities the viewer manages, reviews with the forms the viewer may use, advisories."""
    app = await service.get_app(session, slug)
    latest = await session.get(Release, app.latest_release_id) if app.latest_release_id else None
    min_days = request.app.state.settings.store_review_min_days
    managed: list[tuple[str, str]] = request.state.managed
    quotes = []
    states = []
    for code, name in managed:
        cost, figure = await costs.app_cost(session, code, latest)
        quotes.append({"code": code, "name": name, "cost": cost, "inhabitants": figure})
        states.append({"code": code, "name": name, **await _review_state(session, app, code, min_days)})
    found = await advisories.list_advisories(session, app)
    newest = app.latest_version or ""
    return {
        "quotes": quotes, "review_states": states, "min_days": min_days,
        "newest_affected": [a for a in found if a.status == "published" and advisories.in_range(newest, a.affected)],
        "reviews": await reviews.app_reviews(session, app, principal),
        "may_reply": principal is not None and principal.has_role(app.publisher.code, "publisher"),
        "curator": service.is_curator(principal),
        "advisories": found,
        "may_publish_advisory": principal is not None and advisories.may_publish(app, principal),
        "review_errors": {}, "submitted": {},
    }


# --- a municipality's apps and one adoption -----------------------------------------------------------


async def municipality_parts(session: AsyncSession, municipality: Organisation,
                             found: list[Adoption]) -> dict[str, Any]:
    """The yearly costs of the open adoptions, the inhabitants they are reckoned with, and advisory warnings."""
    reckoned = await costs.municipality_costs(session, municipality.code)
    history = await costs.inhabitant_history(session, municipality)
    return {"costs": reckoned, "cost_of": {adoption.id: cost for adoption, cost in reckoned.items},
            "inhabitant_history": history, "warnings": await advisories.open_advisories(session, found),
            "inhabitant_error": None}


async def adoption_parts(session: AsyncSession, adoption: Adoption, newer: list[Release]) -> dict[str, Any]:
    """The advisories that affect this adoption's version, each with the release to upgrade to."""
    found = (await advisories.open_advisories(session, [adoption])).get(adoption.id, [])
    return {"warnings": [(advisory, advisories.upgrade_target(advisory, newer)) for advisory in found]}


# --- advisory pages -----------------------------------------------------------------------------------


def _require_login(request: Request, principal: Principal | None) -> Response | None:
    return redirect(login_url(request)) if principal is None else None


def _check_publisher(app: App, principal: Principal | None) -> Principal:
    if principal is None or not advisories.may_publish(app, principal):
        raise Forbidden(f"alleen de uitgever van {app.name} of een curator mag beveiligingsmeldingen publiceren")
    return principal


@router.get("/apps/{slug}/beveiligingsmeldingen/nieuw")
async def advisory_form(slug: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    app = await service.get_app(session, slug)
    _check_publisher(app, principal)
    return render(request, "store/advisory_new.html", {"app": app, "values": {}, "errors": {}})


@router.post("/apps/{slug}/beveiligingsmeldingen/nieuw")
async def publish_advisory(slug: str, request: Request, session: SessionDep, principal: PagePrincipal,
                           form: csrf.CheckedForm) -> Response:
    app = await service.get_app(session, slug)
    actor = _check_publisher(app, principal)
    fields = csrf.text_fields(form)
    try:
        advisory = await advisories.publish(session, slug, _advisory_input(fields), actor, str(request.base_url))
    except InvalidInput as exc:
        app = await service.get_app(session, slug)
        context = {"app": app, "values": fields, "errors": field_errors(exc, ADVISORY_MESSAGES)}
        return render(request, "store/advisory_new.html", context, status=400)
    flash(request, f"Beveiligingsmelding {advisory.identifier} is gepubliceerd.")
    return redirect(f"/beveiligingsmeldingen/{advisory.identifier}")


def _advisory_input(fields: dict[str, str]) -> advisories.AdvisoryInput:
    """The advisory form's fields (CVE and GHSA ids separated by commas or spaces)."""
    return advisories.AdvisoryInput(
        affected=fields.get("affected", ""), cvss=fields.get("cvss", ""), summary=fields.get("summary", ""),
        details=fields.get("details", ""), fixed=fields.get("fixed") or None,
        aliases=[alias for alias in fields.get("aliases", "").replace(",", " ").split() if alias])


async def _advisory_context(session: AsyncSession, advisory: Advisory, principal: Principal | None) -> dict[str, Any]:
    concerned = await advisories.affected_adoptions(session, advisory) if advisory.status == "published" else []
    return {"advisory": advisory, "history": await advisories.history(session, advisory),
            "concerned": sorted({a.organisation.name for a in concerned}),
            "manage": principal is not None and advisories.may_publish(advisory.app, principal), "error": None}


@contextmanager
def not_found_in_dutch(message: str) -> Iterator[None]:
    """A page's 404 says what is missing in Dutch (the service's words are the API's)."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(message) from exc


@router.get("/beveiligingsmeldingen/{identifier}")
async def advisory_page(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    with not_found_in_dutch(f"Er is geen beveiligingsmelding {identifier[:40]}."):
        advisory = await advisories.get_advisory(session, identifier)
    return render(request, "store/advisory.html", await _advisory_context(session, advisory, principal))


@router.post("/beveiligingsmeldingen/{identifier}/intrekken")
async def withdraw_advisory(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                            form: csrf.CheckedForm) -> Response:
    advisory = await advisories.get_advisory(session, identifier)
    actor = _check_publisher(advisory.app, principal)
    try:
        await advisories.withdraw(session, identifier, csrf.text_fields(form).get("reason"), actor,
                                  str(request.base_url))
    except InvalidInput:
        context = await _advisory_context(session, await advisories.get_advisory(session, identifier), principal)
        context["error"] = REVIEW_MESSAGES["reason"]
        return render(request, "store/advisory.html", context, status=400)
    flash(request, f"Beveiligingsmelding {identifier} is ingetrokken.")
    return redirect(f"/beveiligingsmeldingen/{identifier}")


@router.get("/beveiligingsmeldingen/{identifier}/corrigeren")
async def correction_form(identifier: str, request: Request, session: SessionDep,
                          principal: PagePrincipal) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    with not_found_in_dutch(f"Er is geen beveiligingsmelding {identifier[:40]}."):
        advisory = await advisories.get_advisory(session, identifier)
    _check_publisher(advisory.app, principal)
    values = {"aliases": ", ".join(advisory.aliases), "affected": advisory.affected, "fixed": advisory.fixed or "",
              "cvss": advisory.cvss_vector, "summary": advisory.summary, "details": advisory.details}
    return render(request, "store/advisory_new.html", {"app": advisory.app, "advisory": advisory, "values": values,
                                                       "errors": {}})


@router.post("/beveiligingsmeldingen/{identifier}/corrigeren")
async def correct_advisory(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                           form: csrf.CheckedForm) -> Response:
    with not_found_in_dutch(f"Er is geen beveiligingsmelding {identifier[:40]}."):
        advisory = await advisories.get_advisory(session, identifier)
    actor = _check_publisher(advisory.app, principal)
    fields = csrf.text_fields(form)
    try:
        await advisories.correct(session, identifier, _advisory_input(fields), fields.get("reason"), actor,
                                 str(request.base_url))
    except InvalidInput as exc:
        await session.rollback()
        advisory = await advisories.get_advisory(session, identifier)
        errors = field_errors(exc, {**ADVISORY_MESSAGES, "reason": CORRECTION_REASON})
        return render(request, "store/advisory_new.html", {"app": advisory.app, "advisory": advisory,
                                                           "values": fields, "errors": errors}, status=400)
    flash(request, f"Beveiligingsmelding {identifier} is gecorrigeerd; de gemeenten die nu een getroffen versie "
                   "gebruiken, hebben opnieuw bericht gekregen.")
    return redirect(f"/beveiligingsmeldingen/{identifier}")
