"""One aanvraag under one municipality's adoption: what its JSON Logic sees, which steps and questions are asked,
which options they offer, and checking answers (lookups at the source included) with clear Dutch messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock, logic
from plein.organisations.models import Organisation
from plein.services import prefill, questions
from plein.services.definition import Definition, Question, Step
from plein.services.models import Aanvraag, Toestemming
from plein.services.questions import Problem
from plein.store.models import Adoption


def now() -> dt.datetime:
    """The engine's moment, Dutch time (a function of its own, so tests can move the engine's clock)."""
    return clock.now()


def today() -> dt.date:
    """The engine's day in the Netherlands."""
    return now().date()


@dataclass(frozen=True)
class Offer:
    """A service as one municipality runs it: its active adoption (release and options) and the definition."""

    adoption: Adoption
    definition: Definition

    @property
    def organisation(self) -> Organisation:
        return self.adoption.organisation

    @property
    def code(self) -> str:
        return self.adoption.organisation.code

    @property
    def app(self) -> str:
        return self.adoption.app.slug

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.adoption.options or {})

    @property
    def manifest(self) -> dict[str, Any]:
        return dict(self.adoption.release.manifest or {})

    def activity(self, register: str) -> str | None:
        """The processing activity of the app's (first) grant on a register."""
        items = (self.manifest.get("requires") or {}).get("data") or []
        return next((str(item["activity"]) for item in items if item.get("register") == register), None)

    def zaaktype(self) -> dict[str, Any]:
        """The manifest's zaaktype that the definition's case names."""
        wanted = self.definition.case["zaaktype"]
        return next(item for item in self.manifest.get("zaaktypen") or [] if item.get("identificatie") == wanted)


def applicant(aanvraag: Aanvraag) -> dict[str, Any]:
    """Who asks, as the JSON Logic sees it (aanvrager.bsn, or aanvrager.kvk and vestiging)."""
    if aanvraag.subject_kind == "citizen":
        return {"bsn": aanvraag.subject, "naam": aanvraag.display_name}
    return {"kvk": aanvraag.subject, "vestiging": aanvraag.branch, "naam": aanvraag.display_name,
            "handelendePersoon": aanvraag.acting_person}


class Run:
    """An aanvraag as the handling municipality's offer runs it."""

    def __init__(self, offer: Offer, aanvraag: Aanvraag, day: dt.date | None = None) -> None:
        self.offer = offer
        self.aanvraag = aanvraag
        self.day = day or today()
        self.consents: list[Toestemming] = []  # what a submission will ask (services.service.prepare)
        self._addresses: dict[tuple[Any, ...], tuple[Any, Problem | None]] = {}

    @property
    def definition(self) -> Definition:
        return self.offer.definition

    def data(self, answers: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """What expressions see: antwoorden (every question, empty when unanswered), prefill, opties, vandaag,
        aanvrager, gemeente, controles and afspraak."""
        given = self.aanvraag.answers if answers is None else answers
        antwoorden = {question.id: given.get(question.id, [] if question.many else None)
                      for question in self.definition.questions.values() if question.asks}
        found = {
            "antwoorden": antwoorden, "prefill": self.aanvraag.prefill or {}, "opties": self.offer.options,
            "vandaag": self.day.isoformat(), "nu": now().replace(tzinfo=None).isoformat(timespec="minutes"),
            "aanvrager": applicant(self.aanvraag),
            "gemeente": {"code": self.offer.code, "naam": self.offer.organisation.name},
            "controles": {check["id"]: True for check in self.aanvraag.checks or []},
            "afspraak": bool(self.aanvraag.appointment),
        }
        found.update(extra)
        return found

    # --- what is asked ------------------------------------------------------------------------------------

    def steps(self, answers: Mapping[str, Any] | None = None) -> list[Step]:
        """The steps shown, in order."""
        data = self.data(answers)
        return [step for step in self.definition.steps if shown(step.when, data)]

    def questions(self, step: Step, answers: Mapping[str, Any] | None = None) -> list[Question]:
        data = self.data(answers)
        return [question for question in step.questions if shown(question.when, data)]

    def choices(self, question: Question, answers: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
        """(value, label) of what a choice, persons or gemeente question offers now."""
        if question.type in ("persons", "gemeente"):
            return list(questions.labels(question, self.aanvraag.prefill).items())
        data = self.data(answers)
        return [(option["value"], option["label"]) for option in question.spec.get("options") or []
                if shown(option.get("when"), data)]

    def summary(self) -> list[tuple[Step, list[tuple[str, str]]]]:
        """The steps shown with their answers as a summary page shows them."""
        found = []
        for step in self.steps():
            shown = questions.rows(self.questions(step), self.aanvraag.answers, self.aanvraag.prefill)
            if shown:
                found.append((step, shown))
        return found

    def initial(self, question: Question, answers: Mapping[str, Any] | None = None) -> Any:
        """The answer a question starts with: its `prefill` expression over the register data (None without one)."""
        expression = question.spec.get("prefill")
        return None if expression is None else logic.evaluate(expression, self.data(answers))

    def known_rows(self, question: Question) -> list[tuple[str, str]]:
        data = self.data()
        rows = [(row["label"], logic.evaluate(row["value"], data)) for row in question.spec.get("rows") or []]
        return [(label, str(value)) for label, value in rows if value not in (None, "", [])]

    # --- checking answers ---------------------------------------------------------------------------------

    async def check(self, session: AsyncSession, step_questions: list[Question], raw: Mapping[str, Any],
                    trace_id: str, keep: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[Problem]]:
        """Check the answers to these questions (in order; a question's `when` sees the answers before it), look
        addresses up in the BAG, and run each question's validations. Returns the answers as they are stored and
        the problems; an answer with a problem is left out. `keep` holds stored answers a form may leave out
        (an uploaded document)."""
        answers = dict(self.aanvraag.answers)
        problems: list[Problem] = []
        for question in step_questions:
            answers.pop(question.id, None)
            if not shown(question.when, self.data(answers)) or not question.asks:
                continue
            value = raw.get(question.id)
            if value is None and keep and question.id in keep:
                value = keep[question.id]
            if question.id not in raw and value is None:
                value = self.initial(question, answers)  # not sent at all: what the register says
            allowed = [value for value, _ in self.choices(question, answers)] if question.type in (
                "choice", "persons", "gemeente") else None
            cleaned, problem = questions.clean(question, value, allowed)
            if problem is None and question.type == "address" and cleaned:
                cleaned, problem = await self.resolve_address(session, question, cleaned, trace_id)
            if problem is None and cleaned:
                await self._read_about(session, question, cleaned, trace_id)
            if problem is None:
                problem = self.validate(question, cleaned, answers)
            if problem is not None:
                problems.append(problem)
                continue
            answers[question.id] = cleaned
        return answers, problems

    async def _read_about(self, session: AsyncSession, question: Question, value: Any, trace_id: str) -> None:
        """Read the prefill entries about this answer (a BSN) before its validations run, so they can check the
        person it names (e.g. known in the BRP, not deceased). Read again only when the answer names someone else."""
        known = dict(self.aanvraag.prefill or {})
        for spec in self.definition.prefill:
            current = known.get(spec["id"])
            if spec["about"] != f"antwoord.{question.id}" or (
                    isinstance(current, dict) and current.get("burgerservicenummer") == value):
                continue
            known[spec["id"]] = await prefill.entry(session, self.offer.code, spec, str(value), known, trace_id)
            self.aanvraag.prefill = known

    def validate(self, question: Question, value: Any, answers: Mapping[str, Any]) -> Problem | None:
        """The first of the question's validations that does not hold (checked only when there is an answer)."""
        if value in (None, "", []):
            return None
        data = self.data({**answers, question.id: value})
        for rule in question.spec.get("validations") or []:
            if logic.holds(rule["rule"], data) is False:
                return Problem(question.id, rule["message"])
        return None

    async def resolve_address(self, session: AsyncSession, question: Question, value: dict[str, Any],
                              trace_id: str) -> tuple[Any, Problem | None]:
        """The address as the BAG knows it, or why it cannot be used (not found, or more than one: name the
        letter or addition)."""
        key = (self.offer.code, *(value.get(part) for part in questions.ADDRESS_PARTS))
        if key not in self._addresses:  # a submission looks each address up once
            self._addresses[key] = await self._look_up(session, question, value, trace_id)
        return self._addresses[key]

    async def _look_up(self, session: AsyncSession, question: Question, value: dict[str, Any],
                       trace_id: str) -> tuple[Any, Problem | None]:
        activity = self.offer.activity("bag")
        if activity is None:
            return None, Problem(question.id, "Adressen kunnen nu niet worden opgezocht. Probeer het later opnieuw.")
        found = await prefill.addresses(session, self.offer.code, activity, trace_id, value["postcode"],
                                        value["huisnummer"], value["huisletter"], value["huisnummertoevoeging"])
        if not found:
            return None, Problem(question.id, "We vinden dit adres niet in de Basisregistratie Adressen en Gebouwen. "
                                              "Controleer de postcode en het huisnummer.", "postcode")
        if len(found) > 1:
            options = "; ".join(questions.address_line(_address_answer(item)) for item in found[:6])
            return None, Problem(question.id, f"Op dit huisnummer zijn meer adressen. Vul ook de huisletter of "
                                              f"toevoeging in. Gevonden: {options}.", "huisletter")
        return _address_answer(found[0]), None


def _address_answer(found: dict[str, Any]) -> dict[str, Any]:
    answer = {"postcode": found.get("postcode"), "huisnummer": found.get("huisnummer"),
              "huisletter": found.get("huisletter"), "huisnummertoevoeging": found.get("huisnummertoevoeging"),
              "straat": found.get("openbareRuimte"), "woonplaats": found.get("woonplaats"),
              "gemeentecode": found.get("gemeentecode"),
              "nummeraanduidingIdentificatie": found.get("nummeraanduidingIdentificatie"),
              "adresseerbaarObjectIdentificatie": found.get("adresseerbaarObjectIdentificatie")}
    answer["weergave"] = questions.address_line(answer)
    return answer


def shown(condition: Any, data: dict[str, Any]) -> bool:
    """A step, question or option without a condition is shown; with one, only when it holds (unknown: not)."""
    return condition is None or logic.holds(condition, data) is True
