"""The case worker's desk, /werkvoorraad/{gemeente-code}: a municipality's open cases by service and state, recent
decisions, and a case page (answers, register data then and now, documents) where a behandelaar approves or rejects."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Forbidden, InvalidInput, NotFound, PleinError, ServiceUnavailable
from plein.exchange.service import new_trace_id
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.services import decisions, fees, questions, worklist
from plein.services import run as running
from plein.services.models import INGEDIEND, Aanvraag, Toestemming
from plein.services.run import Run
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, login_url, redirect, render
from plein.zgw.zaken import cases

router = APIRouter(include_in_schema=False)
ROLE = "behandelaar"
PAGE_SIZE = 50
SAFE_MEDIA = ("application/pdf", "image/jpeg", "image/png")
CONSENT_WORDS = {"gevraagd": "Nog niet beantwoord", "gegeven": "Gegeven", "geweigerd": "Geweigerd"}
CHOICES = {"toekennen": True, "afwijzen": False}


# --- who may look ---------------------------------------------------------------------------------------------


def _base(code: str) -> str:
    return f"/werkvoorraad/{code}"


def _login(request: Request, principal: Principal | None, target: str | None = None) -> Response | None:
    """Not logged in: to the staff login, then back (to `target`, or to this page)."""
    if principal is not None:
        return None
    return redirect("/login?" + urlencode({"next": target})) if target else redirect(login_url(request))


async def _municipality(session: SessionDep, principal: Principal, code: str) -> Organisation:
    """The municipality whose werkvoorraad this is; only its behandelaars may see it (403 for anyone else)."""
    if not principal.has_role(code, ROLE):
        raise Forbidden("alleen een behandelaar van deze gemeente ziet haar werkvoorraad; vraag de functioneel "
                        "beheerder om de rol behandelaar als u zaken van deze gemeente behandelt")
    try:
        return await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(f"er is geen gemeente met code {code}") from exc


async def _aanvraag(session: SessionDep, principal: Principal, code: str, aanvraag_id: uuid.UUID) -> Aanvraag:
    """A submitted aanvraag that this municipality handles (404 for a concept, or another municipality's case, also
    when the case worker is a behandelaar there too: the page address names the municipality)."""
    aanvraag = await decisions.handled_aanvraag(session, principal, aanvraag_id)
    if aanvraag.municipality != code:
        raise NotFound("er is geen aanvraag met dit nummer in deze werkvoorraad")
    return aanvraag


def _page(request: Request, organisation: Organisation, name: str, context: dict[str, Any],
          status: int = 200) -> Response:
    full = {"organisation": organisation, "home_url": _base(organisation.code), "login_url": login_url(request),
            "desk": _base(organisation.code), **context}
    return render(request, f"services/{name}.html", full, status=status)


def _pages(count: int, link: Callable[[int], str]) -> list[tuple[int, str]]:
    """The pages of a long list, each with its link (none when it fits on one)."""
    return [(number, link(number)) for number in range(1, max(1, math.ceil(count / PAGE_SIZE)) + 1)] \
        if count > PAGE_SIZE else []


# --- the werkvoorraad -----------------------------------------------------------------------------------------


@router.get("/werkvoorraad")
async def choose(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """Where a case worker starts: their municipality's werkvoorraad, or a choice when they work for several."""
    refused = _login(request, principal)
    if refused is not None:
        return refused
    assert principal is not None
    codes = principal.organisations_with(ROLE)
    if not codes:
        raise Forbidden("u heeft de rol behandelaar bij geen enkele gemeente")
    if len(codes) == 1:
        return redirect(_base(codes[0]))
    found = []
    for code in codes:
        try:
            found.append(await organisations.get_by_code(session, code))
        except organisations.UnknownOrganisation:
            continue
    return render(request, "services/werkvoorraad_kiezen.html", {"municipalities": found})


@router.get("/werkvoorraad/{code}")
async def open_cases(request: Request, session: SessionDep, principal: PagePrincipal, code: str,
                     dienst: str = "", stand: str = "", sorteer: str = "oudste",
                     pagina: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    refused = _login(request, principal)
    if refused is not None:
        return refused
    assert principal is not None
    organisation = await _municipality(session, principal, code)
    today = running.today()
    every = await worklist.open_cases(session, code, today)
    stand = stand if stand in worklist.STATES else ""
    sorteer = sorteer if sorteer in worklist.SORTS else "oudste"
    shown = worklist.worklist(every, dienst, stand, sorteer)
    chosen = {"dienst": dienst, "stand": stand, "sorteer": sorteer}

    def link(number: int) -> str:
        return f"{_base(code)}?{urlencode({**{k: v for k, v in chosen.items() if v}, 'pagina': number})}"

    start = (pagina - 1) * PAGE_SIZE
    return _page(request, organisation, "werkvoorraad", {
        "worklist": shown, "cases": shown.cases[start:start + PAGE_SIZE], "chosen": chosen,
        "sorts": worklist.SORTS, "page": pagina, "pages": _pages(len(shown.cases), link),
        "filtered": bool(dienst or stand), "worklist_states": worklist.STATES,
    })


@router.get("/werkvoorraad/{code}/afgehandeld")
async def decided(request: Request, session: SessionDep, principal: PagePrincipal, code: str,
                  pagina: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    refused = _login(request, principal)
    if refused is not None:
        return refused
    assert principal is not None
    organisation = await _municipality(session, principal, code)
    rows, total = await worklist.decided_cases(session, code, PAGE_SIZE, (pagina - 1) * PAGE_SIZE)
    return _page(request, organisation, "werkvoorraad_afgehandeld", {
        "rows": rows, "total": total, "page": pagina,
        "pages": _pages(total, lambda number: f"{_base(code)}/afgehandeld?pagina={number}")})


# --- one case -------------------------------------------------------------------------------------------------


def _answers(run: Run) -> list[dict[str, Any]]:
    """The answers per step, as the citizen's summary showed them."""
    return [{"title": step.title, "rows": rows} for step, rows in run.summary()]


def _effects(aanvraag: Aanvraag) -> list[str]:
    """What a positive decision changed, in words."""
    found = []
    for effect in aanvraag.effects or []:
        day = questions.long_date(effect.get("datum")) or str(effect.get("datum") or "")
        if effect.get("type") == "brp.verhuizing":
            found.append(f"Verhuizing ingeschreven in de BRP voor BSN {effect.get('burgerservicenummer')} per {day} "
                         f"(gemeente {effect.get('gemeente')}).")
        elif effect.get("type") == "brp.overlijden":
            found.append(f"Overlijden ingeschreven in de BRP voor BSN {effect.get('burgerservicenummer')} op {day}; "
                         "de persoonslijst is opgeschort.")
        elif effect.get("type") == "document":
            code = f" (verificatiecode {effect['verificatiecode']})" if effect.get("verificatiecode") else ""
            found.append(f"Document gemaakt: {effect.get('titel')}{code}"
                         f"{'' if effect.get('voorAanvrager', True) else '; niet voor de aanvrager'}.")
        else:
            found.append(str(effect.get("type") or effect))
    return found


async def _consents(session: SessionDep, aanvraag: Aanvraag) -> list[Toestemming]:
    rows = await session.scalars(select(Toestemming).where(Toestemming.aanvraag_id == aanvraag.id)
                                 .order_by(Toestemming.asked_at))
    return list(rows)


async def _case_page(request: Request, session: SessionDep, organisation: Organisation, aanvraag: Aanvraag,
                     decision: dict[str, Any] | None = None, status: int = 200) -> Response:
    """The case page: facts, signals, answers, snapshot, the check at the source (open cases only), consent,
    documents, and the decision (its form, or what was decided)."""
    run = await decisions.decision_run(session, aanvraag)
    consents = await _consents(session, aanvraag)
    files = await cases.documents(session, aanvraag.zaak_id) if aanvraag.zaak_id else []
    source = await worklist.check_at_source(session, run, new_trace_id(), utcnow()) \
        if aanvraag.status == INGEDIEND else None
    today = running.today()
    decision = decision or {}
    summary = [(f"#{decision.get('field') or 'besluit'}", decision["error"])] if decision.get("error") else []
    return _page(request, organisation, "werkvoorraad_zaak", {
        "aanvraag": aanvraag, "run": run, "title": run.definition.title, "answers": _answers(run),
        "snapshot": worklist.snapshot(run), "source": source, "consents": consents,
        "consent_words": CONSENT_WORDS, "waiting": any(item.status != "gegeven" for item in consents),
        "files": files, "size": questions.kilobytes, "urgency": worklist.urgency(aanvraag.due_on, today),
        "outcome": worklist.OUTCOMES.get(aanvraag.status), "decided_by": worklist.decider(aanvraag.decided_by),
        "effects": _effects(aanvraag), "decision": decision, "summary": summary, "error_count": len(summary),
        "entry": await _entry_name(session, aanvraag), "open": aanvraag.status == INGEDIEND,
        **await _fee(session, run),
    }, status=status)


PAYMENT_WORDS = {"open": "betaling loopt", "paid": "betaald", "canceled": "betaling afgebroken",
                 "failed": "betaling mislukt", "expired": "betaling verlopen"}


async def _fee(session: SessionDep, run: Run) -> dict[str, Any]:
    """The fee of the aanvraag and how far its payment is, for the facts."""
    cents = fees.amount_cents(run)
    payment = await fees.payment_of(session, run.aanvraag) if cents else None
    words = PAYMENT_WORDS.get(payment.status, payment.status) if payment is not None else "niet betaald"
    return {"fee_cents": cents, "payment_words": words}


async def _entry_name(session: SessionDep, aanvraag: Aanvraag) -> str | None:
    """The municipality whose page the aanvraag was started on, when that is not the one handling it."""
    if aanvraag.entry_municipality == aanvraag.municipality:
        return None
    try:
        return (await organisations.get_by_code(session, aanvraag.entry_municipality)).name
    except organisations.UnknownOrganisation:
        return aanvraag.entry_municipality


@router.get("/werkvoorraad/{code}/{aanvraag_id}")
async def case_page(request: Request, session: SessionDep, principal: PagePrincipal, code: str,
                    aanvraag_id: uuid.UUID) -> Response:
    refused = _login(request, principal)
    if refused is not None:
        return refused
    assert principal is not None
    organisation = await _municipality(session, principal, code)
    aanvraag = await _aanvraag(session, principal, code, aanvraag_id)
    return await _case_page(request, session, organisation, aanvraag)


@router.post("/werkvoorraad/{code}/{aanvraag_id}/besluit")
async def decide(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm,
                 code: str, aanvraag_id: uuid.UUID) -> Response:
    """Approve or reject. A problem (no choice, no reason for a rejection, consent still pending, decided
    meanwhile, the register refusing the change) is shown on the case page; nothing of the decision is kept."""
    refused = _login(request, principal, f"{_base(code)}/{aanvraag_id}")
    if refused is not None:
        return refused
    assert principal is not None
    organisation = await _municipality(session, principal, code)
    aanvraag = await _aanvraag(session, principal, code, aanvraag_id)
    fields = csrf.text_fields(form)
    choice, reason = fields.get("besluit", ""), fields.get("reden", "")
    state: dict[str, Any] = {"besluit": choice, "reden": reason}
    if choice not in CHOICES:
        state.update(error="Kies of u de aanvraag toekent of afwijst.", field="besluit")
        return await _case_page(request, session, organisation, aanvraag, state, status=400)
    try:
        await decisions.decide(session, aanvraag, CHOICES[choice], reason, principal,
                               request.app.state.settings.base_url, new_trace_id(), request.app.state.storage)
    except PleinError as error:
        await session.rollback()  # decide kept nothing; everything loaded is read again for the page
        await session.refresh(organisation)
        await session.refresh(aanvraag)
        state.update(_problem(error))
        return await _case_page(request, session, organisation, aanvraag, state, status=_status(error))
    word = "toegekend" if CHOICES[choice] else "afgewezen"
    flash(request, f"Zaak {aanvraag.zaak_identificatie or aanvraag.id} is {word}. De aanvrager ziet het besluit bij "
                   "de zaak in Mijn zaken.")
    return redirect(_base(code))


def _reason_missing(error: PleinError) -> bool:
    return isinstance(error, InvalidInput) and any(item.name == "reden" for item in error.invalid_params)


def _problem(error: PleinError) -> dict[str, str]:
    """The message on the case page: a missing reason at its field; anything else as why nothing was decided."""
    if _reason_missing(error):
        return {"error": "Schrijf op waarom u de aanvraag afwijst. De aanvrager leest deze reden.", "field": "reden"}
    detail = error.detail[:1].upper() + error.detail[1:].rstrip(".")
    return {"error": f"Het besluit is niet vastgelegd; er is niets veranderd. {detail}.", "field": "besluit"}


def _status(error: PleinError) -> int:
    if _reason_missing(error):
        return 400
    return 503 if isinstance(error, ServiceUnavailable) else 409


# --- documents ------------------------------------------------------------------------------------------------


def _disposition(filename: str) -> str:
    """An attachment header that keeps the file's name (ASCII fallback, the full name UTF-8 encoded)."""
    plain = "".join(char if char.isascii() and char.isprintable() and char not in '"\\;' else "_" for char in filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/werkvoorraad/{code}/{aanvraag_id}/documenten/{document_id}")
async def download(request: Request, session: SessionDep, principal: PagePrincipal, code: str,
                   aanvraag_id: uuid.UUID, document_id: uuid.UUID) -> Response:
    """A document of the case's zaak, for this municipality's behandelaars only; never kept in a cache."""
    refused = _login(request, principal)
    if refused is not None:
        return refused
    assert principal is not None
    await _municipality(session, principal, code)
    aanvraag = await _aanvraag(session, principal, code, aanvraag_id)
    files = await cases.documents(session, aanvraag.zaak_id) if aanvraag.zaak_id else []
    found = next((item for item in files if item.id == document_id), None)
    storage = request.app.state.storage
    if found is None or not found.storage_key or not await storage.exists(found.storage_key):
        raise NotFound("deze zaak heeft geen document met dit nummer (of de inhoud ontbreekt)")
    headers = {"Content-Disposition": _disposition(found.bestandsnaam or f"{found.titel}"),
               "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if found.bestandsomvang is not None:
        headers["Content-Length"] = str(found.bestandsomvang)
    media = found.formaat if found.formaat in SAFE_MEDIA else "application/octet-stream"
    return StreamingResponse(storage.read(found.storage_key), media_type=media, headers=headers)


def include(app: FastAPI) -> None:
    app.include_router(router)

