"""The service pages of a municipality: /diensten/{gemeente} lists its services, /diensten/{gemeente}/{app} runs one
(one step per page, a summary with links to change answers, a confirmation with the zaak's identificatie). They work
without JavaScript and in the municipality's own theme; the engine (services.service) does the work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from plein import logic
from plein.auth import assurance
from plein.auth.service import Principal
from plein.errors import Forbidden, NotFound, PleinError
from plein.exchange.service import new_trace_id
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.payments.service import PAID
from plein.services import decisions, fees, questions, tasks, uploads
from plein.services import service as engine
from plein.services.definition import Question, Step
from plein.services.models import INGEDIEND, Aanvraag
from plein.services.questions import Problem
from plein.services.run import Offer, Run
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, redirect, render

router = APIRouter(include_in_schema=False)
Back = Annotated[str, Query(alias="terug")]
SUMMARY = "controleren"


@dataclass
class Field:
    """One question as a page shows it: its current input, what it offers, and its error."""

    question: Question
    value: Any = None
    error: str | None = None
    error_part: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def part(self) -> dict[str, Any]:
        """The parts of a date or address input, as text."""
        return {key: "" if value is None else str(value) for key, value in (self.value or {}).items()} \
            if isinstance(self.value, dict) else {}

    @property
    def chosen(self) -> list[str]:
        value = self.value
        return [str(item) for item in value] if isinstance(value, list) else [] if value is None else [str(value)]


async def _municipality(session: SessionDep, slug: str) -> Organisation:
    try:
        return await organisations.get_by_slug(session, slug)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(f"er is geen gemeente '{slug}'") from exc


def _base(request: Request) -> str:
    base: str = request.app.state.settings.base_url
    return base


def _page(request: Request, organisation: Organisation, name: str, context: dict[str, Any],
          status: int = 200) -> Response:
    request.session["gemeente"] = organisation.slug  # /mijn shows this municipality's theme
    return render(request, f"services/{name}.html", {"organisation": organisation, **context}, status=status)


def _url(organisation: Organisation, offer: Offer | str, *parts: str) -> str:
    app = offer if isinstance(offer, str) else offer.app
    return "/".join([f"/diensten/{organisation.slug}/{app}", *parts])


def _login_links(request: Request, offer: Offer) -> list[tuple[str, str]]:
    """Where to log in for this service: DigiD or eHerkenning at its level, and the simulator in dev and demo."""
    links = []
    for way in engine.ways_in(offer):
        citizen = way["audience"] == "inwoner"
        path, label = ("/inloggen/digid", "Inloggen met DigiD") if citizen else (
            "/inloggen/eherkenning", "Inloggen met eHerkenning")
        query = {"next": request.url.path, "niveau": way["assurance"]}
        if not citizen:
            query["dienst"] = offer.app  # an eHerkenning login is for a service: its machtiging is asked for
        links.append((f"{path}?{urlencode(query)}", label))
        if request.app.state.settings.simulator_enabled:
            links.append((f"/inloggen/simulator?{urlencode(query)}",
                          f"{label} via de inlogsimulator (test)" if len(engine.ways_in(offer)) > 1
                          else "Inloggen met de inlogsimulator (test)"))
    return links


# --- the list and the start page ------------------------------------------------------------------------------


@router.get("/diensten/{slug}")
async def services_of(request: Request, session: SessionDep, principal: PagePrincipal, slug: str) -> Response:
    organisation = await _municipality(session, slug)
    offers = await engine.offers(session, organisation.code)
    return _page(request, organisation, "list", {"offers": offers})


@router.get("/diensten/{slug}/{app}")
async def start_page(request: Request, session: SessionDep, principal: PagePrincipal, slug: str,
                     app: str) -> Response:
    organisation = await _municipality(session, slug)
    offer = await engine.require_offer(session, organisation.code, app)
    refusal = _refusal(offer, principal)
    concept = await engine.concept_of(session, principal, app) if principal and not refusal else None
    context = {"offer": offer, "definition": offer.definition, "concept": concept, "refusal": refusal,
               "login_links": _login_links(request, offer) if refusal else [],
               "level": assurance.label(offer.definition.assurance),
               "keep_days": request.app.state.settings.services_concept_days}
    return _page(request, organisation, "start", context)


def _refusal(offer: Offer, principal: Principal | None) -> str | None:
    """Why this user cannot use the service as logged in now (None: they can)."""
    try:
        engine.check_principal(offer, principal)
    except Forbidden as exc:
        return exc.detail
    return None


@router.post("/diensten/{slug}/{app}/starten")
async def begin(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm, slug: str,
                app: str) -> Response:
    organisation = await _municipality(session, slug)
    offer = await engine.require_offer(session, organisation.code, app)
    if _refusal(offer, principal) is not None:
        return redirect(_url(organisation, offer))
    assert principal is not None
    run = await engine.start(session, offer, principal, new_trace_id())
    step = run.aanvraag.step if run.aanvraag.step else None
    target = engine.following(run, None) if step is None else engine.following(run, step)
    return redirect(_url(organisation, offer, "stap", target) if target else _url(organisation, offer, SUMMARY))


async def _concept_run(session: SessionDep, principal: Principal | None, organisation: Organisation,
                       app: str) -> tuple[Run | None, Offer]:
    """The user's concept under its handling municipality, or None (no login or no concept: back to the start)."""
    offer = await engine.require_offer(session, organisation.code, app)
    if _refusal(offer, principal) is not None:
        return None, offer
    assert principal is not None
    concept = await engine.concept_of(session, principal, app)
    if concept is None:
        return None, offer
    return await engine.run_of(session, concept), offer


# --- steps ----------------------------------------------------------------------------------------------------


def _fields(run: Run, step: Step, values: dict[str, Any], problems: list[Problem]) -> list[Field]:
    errors = {problem.question: problem for problem in problems}
    answers = {**run.aanvraag.answers, **{k: v for k, v in values.items() if k not in errors}}
    found = []
    for question in run.questions(step, answers):
        problem = errors.get(question.id)
        value = values.get(question.id, run.aanvraag.answers.get(question.id))
        if value is None and question.id not in values and question.id not in run.aanvraag.answers:
            value = run.initial(question, answers)  # what the register says, for the citizen to check
        item = Field(question, value, problem.message if problem else None, problem.part if problem else None)
        if question.type in ("choice", "persons", "gemeente"):
            item.choices = run.choices(question, answers)
        if question.type == "known":
            item.rows = run.known_rows(question)
        if question.type == "yesno":
            item.choices = [("ja", "Ja"), ("nee", "Nee")]
            item.value = {True: "ja", False: "nee"}.get(item.value, item.value) if isinstance(item.value, bool) \
                else item.value
        if question.type == "date" and isinstance(item.value, str):
            day = questions.long_date(item.value) and item.value.split("-")
            item.value = {"dag": str(int(day[2])), "maand": str(int(day[1])), "jaar": day[0]} if day else None
        found.append(item)
    return found


def _step_context(run: Run, organisation: Organisation, step: Step, fields: list[Field], back: str,
                  problems: list[Problem]) -> dict[str, Any]:
    steps = run.steps()
    ids = [item.id for item in steps]
    number = ids.index(step.id) + 1 if step.id in ids else 1
    previous = ids[number - 2] if number > 1 else None
    summary = [(f"#{p.field}" if p.question else "#formulier", p.message) for p in problems]
    return {"offer": run.offer, "definition": run.definition, "step": step, "fields": fields, "number": number,
            "total": len(ids) + 1, "back": back, "summary": summary, "error_count": len(problems),
            "handling": run.offer.organisation if run.offer.code != organisation.code else None,
            "previous": _url(organisation, run.offer.app, "stap", previous) if previous else
            _url(organisation, run.offer.app), "multipart": any(f.question.type == "document" for f in fields)}


@router.get("/diensten/{slug}/{app}/stap/{step_id}")
async def step_page(request: Request, session: SessionDep, principal: PagePrincipal, slug: str, app: str,
                    step_id: str, back: Back = "") -> Response:
    organisation = await _municipality(session, slug)
    run, offer = await _concept_run(session, principal, organisation, app)
    if run is None:
        return redirect(_url(organisation, offer))
    step = run.definition.step(step_id)
    if step is None or step not in run.steps():
        target = engine.following(run, step_id if step is not None else None)
        return redirect(_url(organisation, offer, "stap", target) if target else _url(organisation, offer, SUMMARY))
    fields = _fields(run, step, {}, [])
    return _page(request, organisation, "step", _step_context(run, organisation, step, fields, back, []))


@router.post("/diensten/{slug}/{app}/stap/{step_id}")
async def save_step(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm,
                    slug: str, app: str, step_id: str) -> Response:
    organisation = await _municipality(session, slug)
    run, offer = await _concept_run(session, principal, organisation, app)
    step = run.definition.step(step_id) if run is not None else None
    if run is None or step is None:
        return redirect(_url(organisation, offer))
    raw, problems = await _read_form(session, request, run, step, form)
    saved = engine.Saved(problems, step.id) if problems else await engine.save_step(
        session, run, step, raw, new_trace_id())
    back = str(form.get("terug") or "")
    if saved.problems:
        uploaded = {key: value for key, value in raw.items() if _is_document(run, key) and value}
        if uploaded:  # a file that was taken is kept: the user fixes the other answers without uploading it again
            run.aanvraag.answers = {**run.aanvraag.answers, **uploaded}
            await session.commit()
        shown = {key: value for key, value in raw.items() if not _is_document(run, key)}
        fields = _fields(run, step, shown, saved.problems)
        context = _step_context(run, organisation, step, fields, back, saved.problems)
        return _page(request, organisation, "step", context, status=400)
    if back == SUMMARY or saved.next_step is None:
        return redirect(_url(organisation, run.offer.app, SUMMARY))
    return redirect(_url(organisation, run.offer.app, "stap", saved.next_step))


def _is_document(run: Run, key: str) -> bool:
    question = run.definition.questions.get(key)
    return question is not None and question.type == "document"


async def _read_form(session: SessionDep, request: Request, run: Run, step: Step,
                     form: FormData) -> tuple[dict[str, Any], list[Problem]]:
    """The step's answers from the form; an uploaded file is stored at once (its answer names it)."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for question in step.questions:
        if question.type != "document":
            raw[question.id] = questions.from_form(question, form)
            continue
        upload = form.get(question.id)
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        content = await upload.read(uploads.limit(question) + 1)
        answer, problem = await uploads.store(session, run.aanvraag, question, upload.filename, content,
                                              request.app.state.storage)
        if problem is not None:
            problems.append(problem)
        else:
            raw[question.id] = answer
    return raw, problems


# --- the summary and the submission ---------------------------------------------------------------------------


def _summary(run: Run, organisation: Organisation) -> list[dict[str, Any]]:
    found = []
    for step, rows in run.summary():
        link = _url(organisation, run.offer.app, "stap", step.id) + f"?{urlencode({'terug': SUMMARY})}"
        found.append({"step": step, "rows": rows, "change": link})
    return found


def _summary_page(request: Request, run: Run, organisation: Organisation, problems: list[tuple[str, str]],
                  status: int = 200) -> Response:
    missing = [(_url(organisation, run.offer.app, "stap", step.id) + f"?{urlencode({'terug': SUMMARY})}#"
                f"{problem.field}", problem.message) for step, problem in engine.incomplete(run)]
    block = run.definition.appointment
    appointment = block is not None and logic.holds(block["when"], run.data()) is True
    context = {"offer": run.offer, "definition": run.definition, "sections": _summary(run, organisation),
               "summary": problems + missing, "error_count": len(problems) + len(missing),
               "appointment": appointment, "total": len(run.steps()) + 1,
               "handling": run.offer.organisation if run.offer.code != organisation.code else None}
    return _page(request, organisation, "summary", context, status=status)


@router.get("/diensten/{slug}/{app}/controleren")
async def summary_page(request: Request, session: SessionDep, principal: PagePrincipal, slug: str,
                       app: str) -> Response:
    organisation = await _municipality(session, slug)
    run, offer = await _concept_run(session, principal, organisation, app)
    if run is None:
        return redirect(_url(organisation, offer))
    return _summary_page(request, run, organisation, [])


@router.post("/diensten/{slug}/{app}/controleren")
async def submit(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm, slug: str,
                 app: str) -> Response:
    organisation = await _municipality(session, slug)
    run, offer = await _concept_run(session, principal, organisation, app)
    if run is None:
        done = await _latest_submitted(session, principal, app)
        if done is not None:  # a second click on "versturen": the first already made the zaak
            return redirect(_url(organisation, offer, "ontvangen", str(done.id)))
        return redirect(_url(organisation, offer))
    try:
        aanvraag = await engine.submit(session, run, _base(request), new_trace_id())
    except engine.Incomplete as exc:
        links = [(_url(organisation, run.offer.app, "stap", exc.steps.get(p.question, "")) +
                  f"?{urlencode({'terug': SUMMARY})}#{p.field}", p.message) for p in exc.problems]
        return _summary_page(request, run, organisation, links, status=400)
    tasks.nudge(request.app)
    return await _to_payment(request, session, aanvraag, organisation, run.offer.app)


async def _to_payment(request: Request, session: SessionDep, aanvraag: Aanvraag, organisation: Organisation,
                      app: str) -> Response:
    """On to the payment provider when the aanvraag has a fee to pay; otherwise (or when the provider cannot be
    reached: the confirmation offers to pay again) to the confirmation."""
    received = _url(organisation, app, "ontvangen", str(aanvraag.id))
    try:
        run = await decisions.decision_run(session, aanvraag)
        payment = await fees.start_payment(session, run, request.app.state.settings, received)
        await session.commit()
    except PleinError as exc:
        await session.rollback()
        flash(request, f"Het betalen kon niet worden gestart: {exc.detail} Probeer het hieronder opnieuw.", "error")
        return redirect(received)
    if payment is None or payment.status == PAID:
        return redirect(received)
    return redirect(payment.checkout_url)


async def _latest_submitted(session: SessionDep, principal: Principal | None, app: str) -> Aanvraag | None:
    if principal is None:
        return None
    return await engine.latest_submitted(session, principal, app)


@router.get("/diensten/{slug}/{app}/ontvangen/{aanvraag_id}")
async def received(request: Request, session: SessionDep, principal: PagePrincipal, slug: str, app: str,
                   aanvraag_id: uuid.UUID) -> Response:
    organisation = await _municipality(session, slug)
    if principal is None:
        return redirect(f"/inloggen?{urlencode({'next': request.url.path})}")
    aanvraag = await engine.own_aanvraag(session, principal, aanvraag_id)
    if aanvraag.status == "concept":
        flash(request, "Deze aanvraag is nog niet verstuurd.", "warning")
        return redirect(_url(organisation, app, SUMMARY))
    if aanvraag.automatic and aanvraag.decide_after is not None:  # paid just now: decided while the user waits
        await decisions.decide_automatically(session, aanvraag.id, _base(request), new_trace_id(),
                                             request.app.state.storage)
        aanvraag = await engine.own_aanvraag(session, principal, aanvraag_id)
    view = await engine.received(session, aanvraag)
    return _page(request, organisation, "received", {"aanvraag": aanvraag, **view})


@router.post("/diensten/{slug}/{app}/ontvangen/{aanvraag_id}/betalen")
async def pay_again(request: Request, session: SessionDep, principal: PagePrincipal, form: csrf.CheckedForm,
                    slug: str, app: str, aanvraag_id: uuid.UUID) -> Response:
    """Pay (again) for a submitted aanvraag whose payment was cancelled, failed or expired."""
    organisation = await _municipality(session, slug)
    if principal is None:
        return redirect(f"/inloggen?{urlencode({'next': _url(organisation, app, 'ontvangen', str(aanvraag_id))})}")
    aanvraag = await engine.own_aanvraag(session, principal, aanvraag_id)
    if aanvraag.status != INGEDIEND:
        return redirect(_url(organisation, app, "ontvangen", str(aanvraag.id)))
    return await _to_payment(request, session, aanvraag, organisation, app)


def include(app: FastAPI) -> None:
    app.include_router(router)
