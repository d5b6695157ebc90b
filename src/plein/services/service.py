"""The service engine's entry points: which services a municipality offers, a concept aanvraag filled in step by
step (prefill read at the source, answers checked, the handling municipality found), and submission as a zaak in
one transaction. Decisions and consent are in services.decisions; the pages and the headless API call these.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein import logic
from plein.auth import assurance
from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.organisations import service as organisations
from plein.services import casefile, fees, prefill, questions, uploads
from plein.services.definition import Question, Step, of_release
from plein.services.models import CONCEPT, GEVRAAGD, INGEDIEND, Aanvraag, Bestand, Toestemming, claim
from plein.services.questions import Problem, nested
from plein.services.run import Offer, Run
from plein.storage import FileStorage
from plein.store import adoptions
from plein.store.models import Adoption

KINDS = {"inwoner": "citizen", "ondernemer": "business"}


class Incomplete(InvalidInput):
    """Answers are missing or wrong; invalidParams name each question (antwoorden.<id>) and say what to do."""

    def __init__(self, problems: Sequence[Problem], steps: Mapping[str, str] | None = None) -> None:
        detail = "; ".join(problem.message for problem in problems)
        super().__init__(detail, [InvalidParam(f"antwoorden.{problem.question}", "invalid", problem.message)
                                  for problem in problems])
        self.problems = list(problems)
        self.steps = dict(steps or {})  # question id → the step that asks it


# --- offers ---------------------------------------------------------------------------------------------------


def _offer(adoption: Adoption) -> Offer | None:
    raw = adoption.release.service
    files = adoption.release.service_files
    return Offer(adoption, of_release(adoption.release_id, raw, files)) if isinstance(raw, dict) else None


async def offers(session: AsyncSession, code: str) -> list[Offer]:
    """The services a municipality runs now: its active adoptions of service apps that carry a definition."""
    return [offer for adoption in await adoptions.active_service_adoptions(session, code)
            if (offer := _offer(adoption)) is not None]


async def offer_at(session: AsyncSession, code: str, app: str) -> Offer | None:
    """The service as the municipality runs it now, or None when it does not (no active adoption, no definition)."""
    adoption = await adoptions.active_adoption(session, code, app)
    return _offer(adoption) if adoption is not None else None


async def require_offer(session: AsyncSession, code: str, app: str) -> Offer:
    found = await offer_at(session, code, app)
    if found is None:
        name = await _municipality_name(session, code)
        raise NotFound(f"{name} biedt de dienst '{app}' niet aan via Plein")
    return found


async def _municipality_name(session: AsyncSession, code: str) -> str:
    try:
        return (await organisations.get_by_code(session, code)).name
    except organisations.UnknownOrganisation:
        return f"gemeente {code}"


def ways_in(offer: Offer) -> list[dict[str, Any]]:
    """Who may use the service at this municipality: the definition's audience, and each of `alsoFor` whose
    condition the municipality's options meet (e.g. relatives with DigiD where the municipality allows it)."""
    definition = offer.definition
    main = {"audience": definition.audience, "assurance": definition.assurance,
            "mandate": definition.raw.get("mandate")}
    data = {"opties": offer.options}
    return [main, *(way for way in definition.raw.get("alsoFor") or []
                    if way.get("when") is None or logic.holds(way["when"], data) is True)]


def check_principal(offer: Offer, principal: Principal | None) -> Principal:
    """The user may use the service: the right kind of login (DigiD for inwoners, eHerkenning for ondernemers) at
    the level the service needs, and for eHerkenning the machtiging for the service. Raises with a Dutch message
    that says what to do."""
    title = offer.definition.title
    ways = ways_in(offer)
    mine = [way for way in ways if principal is not None and KINDS[way["audience"]] == principal.kind]
    if principal is None or not mine:
        methods = " of ".join(dict.fromkeys("DigiD" if way["audience"] == "inwoner" else "eHerkenning"
                                            for way in ways))
        raise Forbidden(f"Log in met {methods} om ‘{title}’ te gebruiken.")
    way = mine[0]
    if not assurance.meets(principal.loa, way["assurance"]):
        raise Forbidden(f"Voor ‘{title}’ is inloggen op niveau {way['assurance']} nodig; u bent "
                        f"ingelogd op niveau {principal.loa or 'onbekend'}. Log opnieuw in op een hoger niveau.")
    mandate = way.get("mandate")
    if mandate and mandate not in getattr(principal, "mandates", frozenset()):
        raise Forbidden(f"Uw eHerkenning-inlog heeft geen machtiging voor ‘{title}’. Vraag de beheerder van "
                        "eHerkenning in uw organisatie om die machtiging, en log opnieuw in.")
    return principal


# --- concepts -------------------------------------------------------------------------------------------------


async def concept_of(session: AsyncSession, principal: Principal, app: str) -> Aanvraag | None:
    """The user's half-finished aanvraag of this service, if there is one."""
    return await session.scalar(select(Aanvraag).where(
        Aanvraag.subject_kind == principal.kind, Aanvraag.subject == principal.id, Aanvraag.app == app,
        Aanvraag.status == CONCEPT).order_by(Aanvraag.created_at.desc()).limit(1))


def new_aanvraag(offer: Offer, principal: Principal) -> Aanvraag:
    return Aanvraag(id=uuid.uuid4(), app=offer.app, release_id=offer.adoption.release_id,
                    municipality=offer.code, entry_municipality=offer.code, subject_kind=principal.kind,
                    subject=principal.id, branch=principal.branch, acting_person=principal.acting_person,
                    display_name=principal.display_name[:200], status=CONCEPT, answers={}, prefill={}, checks=[],
                    effects=[], created_at=utcnow(), updated_at=utcnow())


async def start(session: AsyncSession, offer: Offer, principal: Principal, trace_id: str) -> Run:
    """Resume the user's concept of this service, or begin one and read its prefill at the source (logged)."""
    check_principal(offer, principal)
    aanvraag = await concept_of(session, principal, offer.app)
    if aanvraag is None:
        aanvraag = new_aanvraag(offer, principal)
        session.add(aanvraag)
        await session.commit()
    run = await run_of(session, aanvraag)
    await refresh_prefill(session, run, trace_id)
    await session.commit()
    return run


async def own_aanvraag(session: AsyncSession, principal: Principal, aanvraag_id: uuid.UUID) -> Aanvraag:
    """An aanvraag of this user (404 for anyone else's: whether it exists is not told)."""
    aanvraag = await session.get(Aanvraag, aanvraag_id)
    if aanvraag is None or (aanvraag.subject_kind, aanvraag.subject) != (principal.kind, principal.id):
        raise NotFound("deze aanvraag bestaat niet, of is niet van u")
    return aanvraag


async def run_of(session: AsyncSession, aanvraag: Aanvraag) -> Run:
    """The aanvraag under its handling municipality's active adoption (its release's definition and options)."""
    adoption = await adoptions.active_adoption(session, aanvraag.municipality, aanvraag.app)
    offer = _offer(adoption) if adoption is not None else None
    if offer is None:
        name = await _municipality_name(session, aanvraag.municipality)
        raise Conflict(f"{name} biedt deze dienst niet meer aan via Plein.")
    aanvraag.release_id = offer.adoption.release_id
    return Run(offer, aanvraag)


async def refresh_prefill(session: AsyncSession, run: Run, trace_id: str, fresh: bool = False,
                          only: set[str] | None = None) -> None:
    """Read the prefill entries that are due (all of them when `fresh`; these again when `only` names them): a
    person about an answer is read again when the answer names another BSN; an entry whose `when` does not hold is
    not read, and dropped. Each read is logged (and commits the session)."""
    aanvraag = run.aanvraag
    known: dict[str, Any] = {} if fresh else dict(aanvraag.prefill or {})
    for spec in run.definition.prefill:
        if spec.get("when") is not None and logic.holds(spec["when"], run.data()) is not True:
            known.pop(spec["id"], None)  # not needed (any more): not read, and not kept
            continue
        subject = _subject(spec["about"], aanvraag)
        again = only is not None and spec["id"] in only
        if not again and (only is not None or (spec["id"] in known and not _stale(spec, known[spec["id"]], subject))):
            continue
        known[spec["id"]] = await prefill.entry(session, run.offer.code, spec, subject, known, trace_id)
    aanvraag.prefill = known


def _stale(spec: dict[str, Any], current: Any, subject: str | None) -> bool:
    """A person read about an answer is stale once the answer names someone else; other entries are read once."""
    if not spec["about"].startswith("antwoord."):
        return False
    return not isinstance(current, dict) or current.get("burgerservicenummer") != subject


def _subject(about: str, aanvraag: Aanvraag) -> str | None:
    if about == prefill.AANVRAGER:
        return aanvraag.subject if aanvraag.subject_kind == "citizen" else None
    if about.startswith("antwoord."):
        value = aanvraag.answers.get(about.split(".", 1)[1])
        return value if isinstance(value, str) else None
    return None


# --- steps ----------------------------------------------------------------------------------------------------


@dataclass
class Saved:
    """What saving a step came to: the problems (empty: saved) and the next step (None: the summary)."""

    problems: list[Problem]
    next_step: str | None


async def save_step(session: AsyncSession, run: Run, step: Step, raw: Mapping[str, Any], trace_id: str) -> Saved:
    """Check and keep the answers to one step (documents are stored already: raw holds their answers), find the
    handling municipality when the answers say it, and read prefill that the answers make due."""
    aanvraag = run.aanvraag
    answers, problems = await run.check(session, list(step.questions), raw, trace_id, keep=aanvraag.answers)
    if problems:
        return Saved(problems, step.id)
    aanvraag.answers = answers
    routed = await route(session, run)
    if routed is not None:
        aanvraag.answers = {key: value for key, value in answers.items() if key != routed.question}
        return Saved([routed], step.id)
    aanvraag.step = step.id
    aanvraag.updated_at = utcnow()
    await refresh_prefill(session, run, trace_id)
    await session.commit()
    return Saved([], following(run, step.id))


def following(run: Run, step_id: str | None) -> str | None:
    """The step shown after this one (the first when None), or None for the summary."""
    steps = run.steps()
    ids = [step.id for step in steps]
    if step_id is None:
        return ids[0] if ids else None
    if step_id in ids:
        index = ids.index(step_id) + 1
        return ids[index] if index < len(ids) else None
    order = [step.id for step in run.definition.steps]
    later = [step for step in ids if order.index(step) > order.index(step_id)] if step_id in order else []
    return later[0] if later else None


async def route(session: AsyncSession, run: Run) -> Problem | None:
    """Find the municipality that handles the aanvraag (definition handledBy) and run the aanvraag under its offer.
    A Problem on the question that decides it, with the definition's message, when that municipality does not run
    the service on Plein."""
    block = run.definition.handled_by
    if block is None:
        return None
    code = logic.evaluate(block["gemeente"], run.data())
    if not isinstance(code, str) or len(code) != 4 or code == run.offer.code:
        return None
    question = _deciding_question(block["gemeente"]) or ""
    found = await offer_at(session, code, run.offer.app)
    if found is None:
        name = await _municipality_name(session, code)
        return Problem(question, str(block["elsewhere"]).replace("{gemeente}", name))
    run.offer = found
    run.aanvraag.municipality = code
    run.aanvraag.release_id = found.adoption.release_id
    return None


def _deciding_question(expression: Any) -> str | None:
    for path in sorted(logic.variables(expression)):
        root, _, rest = path.partition(".")
        if root == "antwoorden" and rest:
            return rest.split(".", 1)[0]
    return None


def incomplete(run: Run) -> list[tuple[Step, Problem]]:
    """What the summary must send the user back for: required questions shown but not answered (checked again in
    full at submission)."""
    found = []
    for step in run.steps():
        for question in run.questions(step):
            value = run.aanvraag.answers.get(question.id)
            if question.asks and question.required and value in (None, "", []):
                found.append((step, Problem(question.id, f"Beantwoord nog: ‘{question.label}’.")))
    return found


# --- submitting -----------------------------------------------------------------------------------------------


async def check_all(session: AsyncSession, run: Run, trace_id: str) -> tuple[dict[str, Any], list[Problem]]:
    """Every shown question checked again against the register data read just now (addresses at the BAG, persons
    against who lives with the applicant today); answers to questions no longer asked are dropped."""
    given = dict(run.aanvraag.answers)
    raw = {key: _as_input(run.definition.questions.get(key), value) for key, value in given.items()}
    checked: dict[str, Any] = {}
    problems: list[Problem] = []
    for step in run.steps(given):
        answers, found = await run.check(session, list(step.questions), raw, trace_id)
        problems += found
        checked.update({key: answers[key] for key in answers if run.definition.step_of(key) is step})
    return checked, problems


async def _resolve_addresses(session: AsyncSession, run: Run, trace_id: str) -> None:
    """Look the answers to address questions up in the BAG, so the handling municipality can be found from them
    (the headless API sends only postcode and number). An address that does not resolve is reported by
    check_all."""
    for question in run.definition.questions.values():
        value = run.aanvraag.answers.get(question.id)
        if question.type != "address" or not isinstance(value, dict):
            continue
        cleaned, problem = questions.clean(question, _as_input(question, value))
        if problem is None and cleaned:
            resolved, problem = await run.resolve_address(session, question, cleaned, trace_id)
            if problem is None:
                run.aanvraag.answers = {**run.aanvraag.answers, question.id: resolved}


def _as_input(question: Question | None, value: Any) -> Any:
    """A stored answer as input to check again (an address is looked up again from its postcode and number)."""
    if question is not None and question.type == "address" and isinstance(value, dict):
        return {part: value.get(part) for part in ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")}
    return value


async def submit(session: AsyncSession, run: Run, base_url: str, trace_id: str) -> Aanvraag:
    """Submit a concept: answers checked again at the source, then the zaak (rollen, status, eigenschappen,
    documents), the consent requests, the notifications and the aanvraag in one transaction. A second submit of the
    same concept (a double click, a reload) returns the aanvraag the first one made."""
    aanvraag = run.aanvraag
    if aanvraag.status != CONCEPT:
        return aanvraag
    await prepare(session, run, trace_id)
    if not await claim(session, aanvraag, CONCEPT, INGEDIEND):
        await session.rollback()
        await session.refresh(aanvraag)
        return aanvraag
    await _record(session, run, base_url)
    return aanvraag


async def submit_new(session: AsyncSession, offer: Offer, principal: Principal, answers: Mapping[str, Any],
                     base_url: str, trace_id: str, storage: FileStorage,
                     idempotency_key: str | None = None) -> tuple[Aanvraag, Run | None]:
    """Submit all answers at once (the headless API): the same checks and the same transaction as a concept that is
    submitted. With an Idempotency-Key a retried call returns the aanvraag the first made; (aanvraag, its run when
    made now, else None)."""
    check_principal(offer, principal)
    if idempotency_key:
        earlier = await _by_key(session, principal, idempotency_key)
        if earlier is not None:
            return earlier, None
    aanvraag = new_aanvraag(offer, principal)
    aanvraag.idempotency_key = idempotency_key
    run = Run(offer, aanvraag)
    files, problems = await _documents(run, answers, storage)
    if problems:
        raise Incomplete(problems)
    try:
        await prepare(session, run, trace_id)
    except BaseException:
        await _forget(storage, files)
        raise
    aanvraag.status = INGEDIEND
    session.add(aanvraag)
    try:
        await _record(session, run, base_url, files)
    except IntegrityError:
        await _forget(storage, files)
        await session.rollback()
        earlier = await _by_key(session, principal, idempotency_key or "")
        if earlier is None:
            raise
        return earlier, None
    return aanvraag, run


async def _documents(run: Run, answers: Mapping[str, Any], storage: FileStorage
                     ) -> tuple[list[Bestand], list[Problem]]:
    """The answers of an API call, with the documents in them ({bestandsnaam, inhoud}) stored; a document question
    whose answer is no such object is checked like any missing or wrong answer."""
    given = dict(answers)
    files, problems = [], []
    for question in run.definition.questions.values():
        if question.type != "document" or question.id not in given:
            continue
        decoded = uploads.decode(given[question.id])
        if decoded is None:
            given.pop(question.id)
            continue
        bestand, answer, problem = await uploads.keep(run.aanvraag, question, *decoded, storage)
        if problem is not None:
            problems.append(problem)
        elif bestand is not None:
            files.append(bestand)
            given[question.id] = answer
    run.aanvraag.answers = given
    if problems:
        await _forget(storage, files)
    return files, problems


async def _forget(storage: FileStorage, files: Sequence[Bestand]) -> None:
    for bestand in files:
        await storage.delete(bestand.storage_key)


async def _by_key(session: AsyncSession, principal: Principal, key: str) -> Aanvraag | None:
    return await session.scalar(select(Aanvraag).where(
        Aanvraag.subject_kind == principal.kind, Aanvraag.subject == principal.id, Aanvraag.idempotency_key == key))


async def prepare(session: AsyncSession, run: Run, trace_id: str) -> None:
    """Everything a submission decides before it writes: fresh prefill (logged), every answer checked again, the
    checks for the case worker, whether it ends in an appointment, the consent it needs and whether Plein may
    decide it on its own. Raises Incomplete with the problems."""
    aanvraag = run.aanvraag
    await _resolve_addresses(session, run, trace_id)
    problem = await route(session, run)
    if problem is not None:
        raise Incomplete([problem])
    await refresh_prefill(session, run, trace_id, fresh=True)
    answers, problems = await check_all(session, run, trace_id)
    if problems:
        steps = {p.question: step.id for p in problems if (step := run.definition.step_of(p.question))}
        raise Incomplete(problems, steps)
    aanvraag.answers = answers
    data = run.data()
    aanvraag.checks = [{"id": check["id"], "message": check["message"]} for check in run.definition.checks
                       if logic.holds(check["when"], data) is True]
    block = run.definition.appointment
    aanvraag.appointment = bool(block and logic.holds(block["when"], run.data()) is True)
    consents = await consent_requests(session, run, trace_id)
    rule = run.definition.decision.get("automatic")
    aanvraag.automatic = bool(rule is not None and not aanvraag.appointment
                              and logic.holds(rule, run.data()) is True)
    unpaid = fees.amount_cents(run) > 0  # decided once paid (services.fees)
    aanvraag.decide_after = utcnow() if aanvraag.automatic and not consents and not unpaid else None
    run.consents = consents


async def _record(session: AsyncSession, run: Run, base_url: str, files: Sequence[Bestand] | None = None) -> None:
    """The transaction of a submission: the zaak with everything that belongs to it, consent, the aanvraag. `files`
    are the uploads of an aanvraag that is not stored yet (otherwise they are read from the database)."""
    aanvraag = run.aanvraag
    try:
        if files is None:
            files = await casefile.files_of(session, aanvraag)
        else:
            session.add_all(files)
        await casefile.open_case(session, run, base_url, files)
        session.add_all(run.consents)
        aanvraag.submitted_at = aanvraag.updated_at = utcnow()
        aanvraag.step = None
        aanvraag.version += 1
        await session.commit()
    except BaseException:
        await session.rollback()
        raise


async def consent_requests(session: AsyncSession, run: Run, trace_id: str) -> list[Toestemming]:
    """The consent the aanvraag needs (definition consent whose `when` holds): from the main occupant of the
    address, when people other than the movers live there. Who lives there is read at the source (logged)."""
    requests = []
    for spec in run.definition.consent:
        if logic.holds(spec.get("when"), run.data()) is False:
            continue
        asked = await _main_occupant(session, run, spec, trace_id)
        if asked is not None:
            text = str(spec["text"]).replace("{naam}", run.aanvraag.display_name or "Een inwoner")
            requests.append(Toestemming(aanvraag_id=run.aanvraag.id, consent=spec["id"], asked_bsn=asked, text=text,
                                        status=GEVRAAGD, asked_at=utcnow()))
    return requests


async def _main_occupant(session: AsyncSession, run: Run, spec: dict[str, Any], trace_id: str) -> str | None:
    """The BSN of the adult registered longest at the address (the main occupant), among those who do not move
    along; None when nobody else lives there."""
    address = run.aanvraag.answers.get(spec["address"])
    target = address.get("adresseerbaarObjectIdentificatie") if isinstance(address, dict) else None
    activity = run.offer.activity("brp")
    if not target or activity is None:
        return None
    movers = {str(bsn) for bsn in logic.evaluate(spec.get("movers"), run.data()) or []}
    movers.add(run.aanvraag.subject)
    others = [person for person in await prefill.occupants(session, run.offer.code, activity, str(target), trace_id)
              if str(person.get("burgerservicenummer")) not in movers]
    if not others:
        return None
    adults = [person for person in others if int(person.get("leeftijd") or 0) >= 18] or others
    adults.sort(key=lambda person: (_since(person), str(person.get("burgerservicenummer"))))
    return str(adults[0]["burgerservicenummer"])


def _since(person: dict[str, Any]) -> str:
    return str(nested(person, "verblijfplaats", "datumVan", "datum") or "9999")


# --- after submission -----------------------------------------------------------------------------------------


async def latest_submitted(session: AsyncSession, principal: Principal, app: str) -> Aanvraag | None:
    """The user's most recently submitted aanvraag of this service."""
    return await session.scalar(select(Aanvraag).where(
        Aanvraag.subject_kind == principal.kind, Aanvraag.subject == principal.id, Aanvraag.app == app,
        Aanvraag.status != CONCEPT).order_by(Aanvraag.submitted_at.desc()).limit(1))


async def submitted_by(session: AsyncSession, principal: Principal) -> list[Aanvraag]:
    """The user's submitted aanvragen, newest first."""
    return list(await session.scalars(select(Aanvraag).where(
        Aanvraag.subject_kind == principal.kind, Aanvraag.subject == principal.id, Aanvraag.status != CONCEPT)
        .order_by(Aanvraag.submitted_at.desc())))


async def received(session: AsyncSession, aanvraag: Aanvraag) -> dict[str, Any]:
    """What the confirmation page tells: the service, who handles it, what happens next."""
    from plein.services import decisions

    run = await decisions.decision_run(session, aanvraag)
    block = run.definition.appointment
    return {"definition": run.definition, "municipality": run.offer.organisation,
            "appointment_message": block["message"] if block and aanvraag.appointment else None,
            "consent_pending": bool(await decisions.pending_consent(session, aanvraag)),
            "contact": run.offer.options.get("contactEmail"), "phone": run.offer.options.get("contactTelefoon"),
            "fee_cents": fees.amount_cents(run), "payment": await fees.payment_of(session, aanvraag),
            "documents": [item for item in aanvraag.effects or []
                          if item.get("type") == "document" and item.get("voorAanvrager", True)]}
