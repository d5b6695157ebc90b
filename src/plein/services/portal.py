"""The citizen's portal /mijn: my cases (status history, documents, the decision), my data read at the source, who
used my data, and the consent asked of me. Plain Dutch, no JavaScript, in the theme of the user's municipality."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, ServiceUnavailable
from plein.exchange import insight
from plein.exchange.service import new_trace_id
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.services import decisions, downloads, my_cases, own_data, tasks, usage
from plein.services import service as engine
from plein.services.run import today
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, redirect, render

router = APIRouter(include_in_schema=False)
PORTAL_KINDS = ("citizen", "business")
From = Annotated[str, Query(alias="van")]
Until = Annotated[str, Query(alias="tot")]


# --- who and which theme --------------------------------------------------------------------------------------


def _check(principal: Principal, citizens_only: bool = False) -> Principal:
    """Mijn is for citizens (DigiD) and, for their cases only, businesses (eHerkenning)."""
    if principal.kind not in PORTAL_KINDS:
        raise Forbidden("Deze pagina's zijn voor inwoners en ondernemers. Log in met DigiD of eHerkenning.")
    if citizens_only and principal.kind != "citizen":
        raise Forbidden("Dit deel is voor inwoners: het gaat over uw gegevens in de Basisregistratie Personen. "
                        "Log in met DigiD.")
    return principal


async def theme_of(request: Request, session: AsyncSession, principal: Principal) -> Organisation | None:
    """The municipality whose theme the portal wears: the one whose service pages the user visited last, else the
    one handling the user's latest aanvraag; None (Plein's neutral frame) when there is neither."""
    slug = request.session.get("gemeente")
    if isinstance(slug, str) and slug:
        try:
            return await organisations.get_by_slug(session, slug)
        except organisations.UnknownOrganisation:
            pass
    code = await my_cases.latest_municipality(session, principal)
    if code:
        try:
            return await organisations.get_by_code(session, code)
        except organisations.UnknownOrganisation:
            return None
    return None


async def _page(request: Request, session: SessionDep, principal: Principal, name: str, context: dict[str, Any],
                status: int = 200) -> Response:
    organisation = await theme_of(request, session, principal)
    full = {"organisation": organisation, **context}
    response = render(request, f"services/mijn_{name}.html", full, status=status)
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
    return response


# --- overview and cases ---------------------------------------------------------------------------------------


@router.get("/mijn")
async def overview(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal)
    submitted, concepts = await my_cases.listing(session, user)
    asked = await decisions.asked_of(session, user.id) if user.kind == "citizen" else []
    requests = [await my_cases.consent_request(session, consent, aanvraag) for consent, aanvraag in asked]
    open_cases = [item for item in submitted if item.status not in ("toegekend", "afgewezen")]
    return await _page(request, session, user, "overzicht", {
        "open_cases": open_cases, "concepts": concepts, "submitted": submitted, "requests": requests})


@router.get("/mijn/zaken")
async def my_zaken(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal)
    submitted, concepts = await my_cases.listing(session, user)
    return await _page(request, session, user, "zaken", {"submitted": submitted, "concepts": concepts})


@router.get("/mijn/zaken/{aanvraag_id}")
async def my_zaak(request: Request, session: SessionDep, principal: PagePrincipal, aanvraag_id: uuid.UUID) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal)
    aanvraag = await engine.own_aanvraag(session, user, aanvraag_id)
    view = await my_cases.detail(session, aanvraag)
    return await _page(request, session, user, "zaak", {"zaak": view})


@router.get("/mijn/zaken/{aanvraag_id}/documenten/{document_id}")
async def download(request: Request, session: SessionDep, principal: PagePrincipal, aanvraag_id: uuid.UUID,
                   document_id: uuid.UUID) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal)
    aanvraag = await engine.own_aanvraag(session, user, aanvraag_id)
    return await downloads.applicant_document(request, session, aanvraag, document_id)


# --- my data and who used it ----------------------------------------------------------------------------------


@router.get("/mijn/gegevens")
async def my_data(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal, citizens_only=True)
    try:
        person = await own_data.read_own(session, user.id, new_trace_id())
    except (Forbidden, ServiceUnavailable):  # the grant was revoked, or the log could not be written
        await session.rollback()
        return await _page(request, session, user, "gegevens", {"rows": [], "unavailable": True}, status=503)
    rows = own_data.rows(person) if person is not None else []
    return await _page(request, session, user, "gegevens", {"rows": rows, "unavailable": False,
                                                            "unknown": person is None})


def _period(start: str, end: str) -> tuple[dt.date, dt.date, dict[str, Any]]:
    """The period asked for (default: the last 12 months up to today), and the insight page's context: what was
    given and what is wrong with it (`summary`)."""
    last = today()
    problems: list[tuple[str, str]] = []
    until = _day(end, "tot", "Kies bij ‘Tot en met’ een bestaande datum.", problems) or last
    since = _day(start, "van", "Kies bij ‘Van’ een bestaande datum.", problems) or usage.year_before(until)
    if not problems and since > until:
        problems.append(("#van", "De datum bij ‘Van’ ligt na de datum bij ‘Tot en met’."))
    if not problems and (until - since).days > insight.MAX_PERIOD_DAYS:
        problems.append(("#van", "Kies een periode van hoogstens 5 jaar."))
    return since, until, {"since": since, "until": until, "summary": problems, "error_count": len(problems),
                          "given": {"van": start, "tot": end}, "uses": []}


def _day(value: str, name: str, message: str, problems: list[tuple[str, str]]) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append((f"#{name}", message))
        return None


@router.get("/mijn/inzage")
async def who_used(request: Request, session: SessionDep, principal: PagePrincipal, start: From = "",
                   end: Until = "") -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal, citizens_only=True)
    since, until, context = _period(start, end)
    if context["summary"]:
        return await _page(request, session, user, "inzage", context, status=400)
    context["uses"] = await usage.uses(session, user.id, since, until, new_trace_id())
    return await _page(request, session, user, "inzage", context)


@router.get("/mijn/inzage/bewijs")
async def who_used_proof(request: Request, session: SessionDep, principal: PagePrincipal, start: From = "",
                         end: Until = "") -> Response:
    """The proof (JSON) that each record of the period about the citizen is in the log: docs/processing-log.md."""
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal, citizens_only=True)
    since, until, context = _period(start, end)
    if context["summary"]:
        return await _page(request, session, user, "inzage", context, status=400)
    document = await usage.proof(session, user.id, since, until, request.app.state.settings,
                                 new_trace_id())
    name = f"bewijs-verwerkingen-{since.isoformat()}-{until.isoformat()}.json"
    return Response(orjson.dumps(document, option=orjson.OPT_INDENT_2), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- consent --------------------------------------------------------------------------------------------------


@router.get("/mijn/toestemming")
async def consent_requests(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal, citizens_only=True)
    asked = await decisions.asked_of(session, user.id)
    requests = [await my_cases.consent_request(session, consent, aanvraag) for consent, aanvraag in asked]
    return await _page(request, session, user, "toestemming", {"requests": requests})


@router.post("/mijn/toestemming/{consent_id}")
async def answer_consent(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm,
                         consent_id: uuid.UUID) -> Response:
    if principal is None:
        return downloads.to_login(request)
    user = _check(principal, citizens_only=True)
    answer = form.get("antwoord")
    if answer not in ("geven", "weigeren"):
        flash(request, "Kies ‘Toestemming geven’ of ‘Weigeren’.", "warning")
        return redirect("/mijn/toestemming")
    given = answer == "geven"
    try:
        await decisions.answer_consent(session, user, consent_id, given)
    except Conflict:
        flash(request, "U heeft op dit verzoek al geantwoord.", "warning")
        return redirect("/mijn/toestemming")
    if given:
        tasks.nudge(request.app)  # the aanvraag may now be decided straight through
        flash(request, "U heeft toestemming gegeven. De gemeente kan de aanvraag nu verder behandelen.")
    else:
        flash(request, "U heeft de toestemming geweigerd. Een medewerker van de gemeente beoordeelt de aanvraag.")
    return redirect("/mijn/toestemming")


def include(app: FastAPI) -> None:
    app.include_router(router)
