"""Input and output shapes of the services API (/api/diensten/v1, camelCase JSON), and the JSON Schema of a
service's answers as one municipality's options shape them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plein import logic
from plein.services.definition import Question
from plein.services.models import Aanvraag
from plein.services.questions import BSN
from plein.services.run import Offer

ADDRESS = {
    "type": "object", "required": ["postcode", "huisnummer"], "additionalProperties": False,
    "properties": {
        "postcode": {"type": "string", "pattern": "^[1-9][0-9]{3} ?[A-Za-z]{2}$", "examples": ["1012JL"]},
        "huisnummer": {"type": "integer", "minimum": 1, "maximum": 99999},
        "huisletter": {"type": ["string", "null"], "pattern": "^[A-Za-z]$"},
        "huisnummertoevoeging": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9]{1,4}$"},
    },
    "description": "A Dutch address; Plein looks it up in the BAG.",
}
DOCUMENT = {
    "type": "object", "required": ["bestandsnaam", "inhoud"], "additionalProperties": False,
    "properties": {"bestandsnaam": {"type": "string", "maxLength": 255},
                   "inhoud": {"type": "string", "contentEncoding": "base64", "description": "The file, base64."}},
}


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Dienst(Schema):
    """A service as one municipality runs it."""

    dienst: str = Field(description="The app's id in the store, e.g. verhuizing-doorgeven.")
    gemeente: str = Field(description="CBS code of the municipality.")
    titel: str
    samenvatting: str
    doelgroep: Literal["inwoner", "ondernemer"]
    betrouwbaarheidsniveau: str = Field(description="The minimum DigiD or eHerkenning level of the login.")
    versie: str = Field(description="The version of the app the municipality runs.")
    antwoorden: dict[str, Any] = Field(description="JSON Schema 2020-12 of `antwoorden` for POST /aanvragen, with "
                                       "the municipality's options applied.")


class AanvraagIn(Schema):
    gemeente: str = Field(pattern=r"^[0-9]{4}$", description="CBS code of the municipality the user is at.")
    dienst: str = Field(max_length=100, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    antwoorden: dict[str, Any] = Field(description="The answers, shaped as the service's JSON Schema says.")


class Controle(Schema):
    id: str
    melding: str


class Besluit(Schema):
    uitkomst: Literal["toegekend", "afgewezen"]
    reden: str | None = None
    genomen_op: dt.datetime | None = None
    genomen_door: str | None = Field(None, description="Who decided: a case worker, or Plein (automatic).")


class Betaling(Schema):
    bedrag: str = Field(description="The fee in euros, as a decimal text (e.g. '16.45').")
    status: Literal["open", "paid", "canceled", "failed", "expired", "niet-gestart"] = Field(
        description="The payment's status; niet-gestart: none was started (start one with POST .../betaling).")
    betaal_url: str | None = Field(None, description="Where the applicant pays, while the payment is open.")


class AanvraagOut(Schema):
    id: str
    gemeente: str = Field(description="CBS code of the municipality that handles it.")
    dienst: str
    status: Literal["ingediend", "toegekend", "afgewezen", "concept"]
    zaak: str | None = Field(None, description="URL of the zaak in the Zaken API.")
    zaak_identificatie: str | None = None
    ingediend_op: dt.datetime | None = None
    uiterlijke_einddatum: dt.date | None = None
    afspraak: bool = Field(description="The aanvraag ends in an appointment at the desk.")
    controles: list[Controle] = Field(description="Signals for the case worker (e.g. a late report).")
    wacht_op_toestemming: bool = False
    besluit: Besluit | None = None
    effecten: list[dict[str, Any]] = Field(default_factory=list, description="What the decision changed.")
    antwoorden: dict[str, Any] | None = Field(None, description="The answers as kept (for the applicant).")
    betaling: Betaling | None = Field(None, description="The fee and its payment, for a service with a fee.")

    @classmethod
    def of(cls, aanvraag: Aanvraag, consent_pending: bool = False, with_answers: bool = False,
           betaling: Betaling | None = None) -> AanvraagOut:
        besluit = None
        if aanvraag.status in ("toegekend", "afgewezen"):
            besluit = Besluit(uitkomst=aanvraag.status, reden=aanvraag.reason,
                              genomen_op=aanvraag.decided_at, genomen_door=aanvraag.decided_by)
        return cls(id=str(aanvraag.id), gemeente=aanvraag.municipality, dienst=aanvraag.app,
                   status=aanvraag.status,
                   zaak=aanvraag.zaak_url, zaak_identificatie=aanvraag.zaak_identificatie,
                   ingediend_op=aanvraag.submitted_at, uiterlijke_einddatum=aanvraag.due_on,
                   afspraak=aanvraag.appointment,
                   controles=[Controle(id=c["id"], melding=c["message"]) for c in aanvraag.checks or []],
                   wacht_op_toestemming=consent_pending, besluit=besluit, effecten=list(aanvraag.effects or []),
                   antwoorden=_public_answers(aanvraag.answers) if with_answers else None, betaling=betaling)


def _public_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers without storage details of uploads."""
    return {key: ({k: v for k, v in value.items() if k != "bestand"} if isinstance(value, dict) else value)
            for key, value in answers.items()}


class BesluitIn(Schema):
    besluit: Literal["toegekend", "afgewezen"]
    reden: str = Field("", max_length=2000, description="Required for afgewezen: the applicant reads it.")


# --- the JSON Schema of a service's answers -------------------------------------------------------------------


def _question_schema(question: Question, choices: list[str]) -> dict[str, Any]:
    spec = question.spec
    shapes: dict[str, dict[str, Any]] = {
        "text": {"type": "string", "maxLength": spec.get("maxLength", 1000)},
        "textarea": {"type": "string", "maxLength": spec.get("maxLength", 10000)},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": "string", "pattern": r"^\+?[0-9 ()-]{10,20}$"},
        "number": {"type": "integer" if spec.get("integer") else "number",
                   **{key: spec[key] for key in ("minimum", "maximum") if key in spec}},
        "date": {"type": "string", "format": "date"},
        "yesno": {"type": "boolean"},
        "address": ADDRESS,
        "document": DOCUMENT,
        "persons": {"type": "array", "uniqueItems": True,
                    "items": {"type": "string", "pattern": BSN.pattern},
                    "description": "BSNs of persons the BRP shows with the applicant (never typed in)."},
    }
    if question.type == "choice":
        one = {"type": "string", "enum": choices}
        schema = {"type": "array", "uniqueItems": True, "items": one} if question.many else one
    else:
        schema = dict(shapes.get(question.type, {"type": "string"}))
    return {**schema, "title": question.label, **({"description": question.help} if question.help else {})}


def answers_schema(offer: Offer) -> dict[str, Any]:
    """The answers the service takes at this municipality: questions its options leave out are not there; questions
    asked only in some cases (their condition reads other answers or register data) are optional."""
    data = {"antwoorden": {}, "prefill": {}, "opties": offer.options, "controles": {}}
    left_out = _left_out(offer, data)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for step in offer.definition.steps:
        for question in step.questions:
            if not question.asks or question.id in left_out:
                continue
            conditions = [c for c in (step.when, question.when) if c is not None]
            choices = [option["value"] for option in question.spec.get("options") or []
                       if option.get("when") is None or not _settled(option["when"], left_out)
                       or logic.holds(option["when"], data) is True]
            properties[question.id] = _question_schema(question, choices)
            if question.required and all(_settled(c, left_out) for c in conditions):
                required.append(question.id)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "title": offer.definition.title, "properties": properties, "required": required,
            "additionalProperties": False}


def _left_out(offer: Offer, data: dict[str, Any]) -> set[str]:
    """The questions this municipality never asks: a condition on its step or itself is settled (it reads only
    options and answers to questions never asked, which stay empty) and does not hold. Worked out until nothing
    changes, since leaving one question out can settle the condition of another."""
    left_out: set[str] = set()
    while True:
        more = {question.id for step in offer.definition.steps for question in step.questions
                if question.id not in left_out and any(
                    _settled(c, left_out) and logic.holds(c, data) is not True
                    for c in (step.when, question.when) if c is not None)}
        if not more:
            return left_out
        left_out |= more


def _settled(condition: Any, left_out: set[str]) -> bool:
    """Whether a condition's value is known without the user: it reads only options, and answers to questions that
    are never asked."""
    if condition is None:
        return True
    for path in logic.variables(condition):
        root, _, rest = path.partition(".")
        if root == "opties" or (root == "antwoorden" and rest.split(".", 1)[0] in left_out):
            continue
        return False
    return True
