"""Mijn zaken: a citizen's or company's aanvragen as their portal shows them: the status in words, the zaak's status
history and documents, the decision and what it changed, the answers as sent, and the consent asked of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import NotFound
from plein.organisations import service as organisations
from plein.services import questions
from plein.services.definition import Definition, of_release
from plein.services.models import AFGEWEZEN, CONCEPT, GEVRAAGD, TOEGEKEND, Aanvraag, Toestemming
from plein.store import service as store
from plein.zgw.zaken import cases

ONTVANGEN, IN_BEHANDELING, WACHT = "ontvangen", "in behandeling", "wacht op toestemming"
TONES = {ONTVANGEN: "planned", IN_BEHANDELING: "planned", WACHT: "warning", "toegekend": "active",
         "afgewezen": "rejected"}
# Documents the people involved in a zaak may see (ZGW vertrouwelijkheidaanduiding); `intern` and above stay with
# the municipality, even on the citizen's own zaak.
FOR_THE_APPLICANT = frozenset({"openbaar", "beperkt_openbaar", "zaakvertrouwelijk"})


@dataclass
class Listed:
    """One aanvraag in the list of Mijn zaken."""

    aanvraag: Aanvraag
    title: str
    status: str
    continue_url: str | None = None

    @property
    def tone(self) -> str:
        return TONES.get(self.status, "planned")


@dataclass
class Detail:
    """Everything the page of one aanvraag shows."""

    aanvraag: Aanvraag
    title: str
    status: str
    municipality: str  # the name of the municipality that handles it
    history: list[cases.StatusEntry] = field(default_factory=list)
    documents: list[tuple[cases.CaseFile, str]] = field(default_factory=list)  # with its size in words
    sections: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    outcome: str = ""
    changes: list[str] = field(default_factory=list)
    appointment: str = ""
    continue_url: str | None = None

    @property
    def tone(self) -> str:
        return TONES.get(self.status, "planned")


@dataclass
class ConsentRequest:
    """Consent asked of the citizen, with what it is about."""

    consent: Toestemming
    applicant: str
    title: str
    rows: list[tuple[str, str]]


async def definition_of(session: AsyncSession, release_id: uuid.UUID) -> Definition | None:
    """The service definition an aanvraag was made under (its release's; parsed once per process)."""
    try:
        release = await store.release_by_id(session, release_id)
    except NotFound:
        return None
    return of_release(release.id, release.service) if isinstance(release.service, dict) else None


def _title(definition: Definition | None, aanvraag: Aanvraag) -> str:
    return definition.title if definition is not None else aanvraag.app


async def aanvragen_of(session: AsyncSession, principal: Principal) -> list[Aanvraag]:
    """The user's aanvragen, newest first."""
    rows = await session.scalars(select(Aanvraag).where(Aanvraag.subject_kind == principal.kind,
                                                        Aanvraag.subject == principal.id)
                                 .order_by(Aanvraag.created_at.desc()))
    return list(rows)


async def latest_municipality(session: AsyncSession, principal: Principal) -> str | None:
    """The CBS code of the municipality that handles the user's latest aanvraag, if they have one."""
    return await session.scalar(select(Aanvraag.municipality).where(
        Aanvraag.subject_kind == principal.kind, Aanvraag.subject == principal.id)
        .order_by(Aanvraag.created_at.desc()).limit(1))


async def waiting_for_consent(session: AsyncSession, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these aanvragen wait for consent that was asked and not yet answered."""
    wanted = list(ids)
    if not wanted:
        return set()
    rows = await session.scalars(select(Toestemming.aanvraag_id).where(Toestemming.aanvraag_id.in_(wanted),
                                                                       Toestemming.status == GEVRAAGD))
    return set(rows)


def status_word(aanvraag: Aanvraag, waiting: bool, history: Sequence[cases.StatusEntry]) -> str:
    """The status in words: ontvangen, in behandeling (the zaak moved past its first status), wacht op toestemming,
    toegekend or afgewezen."""
    if aanvraag.status in (TOEGEKEND, AFGEWEZEN):
        return aanvraag.status
    if waiting:
        return WACHT
    return IN_BEHANDELING if len(history) > 1 else ONTVANGEN


async def _slug(session: AsyncSession, code: str) -> str | None:
    try:
        return (await organisations.get_by_code(session, code)).slug
    except organisations.UnknownOrganisation:
        return None


async def continue_url(session: AsyncSession, aanvraag: Aanvraag) -> str | None:
    """Where a half-finished aanvraag is continued: the service page it was started on."""
    slug = await _slug(session, aanvraag.entry_municipality)
    return f"/diensten/{slug}/{aanvraag.app}" if slug else None


async def listing(session: AsyncSession, principal: Principal) -> tuple[list[Listed], list[Listed]]:
    """(submitted aanvragen, half-finished concepts) of the user, newest first."""
    items = await listed(session, await aanvragen_of(session, principal))
    submitted = [item for item in items if item.aanvraag.status != CONCEPT]
    concepts = [item for item in items if item.aanvraag.status == CONCEPT]
    submitted.sort(key=lambda item: item.aanvraag.submitted_at or item.aanvraag.created_at, reverse=True)
    return submitted, concepts


async def listed(session: AsyncSession, found: Sequence[Aanvraag]) -> list[Listed]:
    """These aanvragen as a list shows them, in the same order: the service's title and the status in words (a
    concept: where to continue it). Shared by /mijn and the company's /zakelijk."""
    waiting = await waiting_for_consent(session, [item.id for item in found if item.status != CONCEPT])
    definitions: dict[uuid.UUID, Definition | None] = {}
    items = []
    for aanvraag in found:
        if aanvraag.release_id not in definitions:
            definitions[aanvraag.release_id] = await definition_of(session, aanvraag.release_id)
        title = _title(definitions[aanvraag.release_id], aanvraag)
        if aanvraag.status == CONCEPT:
            items.append(Listed(aanvraag, title, "nog niet verstuurd", await continue_url(session, aanvraag)))
            continue
        history = await cases.history(session, aanvraag.zaak_id) if aanvraag.zaak_id and \
            aanvraag.status not in (TOEGEKEND, AFGEWEZEN) else []
        items.append(Listed(aanvraag, title, status_word(aanvraag, aanvraag.id in waiting, history)))
    return items


async def visible_documents(session: AsyncSession, aanvraag: Aanvraag) -> list[cases.CaseFile]:
    """The documents of the aanvraag's zaak that its applicant may see and download."""
    if aanvraag.zaak_id is None:
        return []
    return [item for item in await cases.documents(session, aanvraag.zaak_id)
            if item.vertrouwelijkheidaanduiding in FOR_THE_APPLICANT]


async def detail(session: AsyncSession, aanvraag: Aanvraag) -> Detail:
    """The page of one of the user's aanvragen."""
    definition = await definition_of(session, aanvraag.release_id)
    name = await municipality_name(session, aanvraag.municipality)
    if aanvraag.status == CONCEPT:
        return Detail(aanvraag, _title(definition, aanvraag), "nog niet verstuurd", name,
                      continue_url=await continue_url(session, aanvraag))
    history = await cases.history(session, aanvraag.zaak_id) if aanvraag.zaak_id else []
    waiting = aanvraag.id in await waiting_for_consent(session, [aanvraag.id])
    documents = [(item, questions.kilobytes(item.bestandsomvang) if item.bestandsomvang is not None else "")
                 for item in await visible_documents(session, aanvraag)]
    found = Detail(aanvraag, _title(definition, aanvraag), status_word(aanvraag, waiting, history), name, history,
                   documents)
    if definition is not None:
        found.sections = answers_shown(definition, aanvraag)
        outcome = definition.decision.get(aanvraag.status) if aanvraag.status in (TOEGEKEND, AFGEWEZEN) else None
        found.outcome = str(outcome.get("statustekst") or "") if isinstance(outcome, dict) else ""
        block = definition.appointment
        found.appointment = str(block["message"]) if block and aanvraag.appointment else ""
    found.changes = await changes(session, aanvraag)
    return found


def answers_shown(definition: Definition, aanvraag: Aanvraag) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers as they were sent, per step: (step title, [(question, answer)])."""
    sections = []
    for step in definition.steps:
        rows = questions.rows(step.questions, aanvraag.answers, aanvraag.prefill, only_answered=True)
        if rows:
            sections.append((step.title, rows))
    return sections


async def municipality_name(session: AsyncSession, code: str) -> str:
    """A municipality's name ('Amsterdam'), or its code when it is not known."""
    try:
        return (await organisations.get_by_code(session, code)).name
    except organisations.UnknownOrganisation:
        return code


async def changes(session: AsyncSession, aanvraag: Aanvraag) -> list[str]:
    """What the decision changed, in words (the effects Plein ran, e.g. a new address that took effect)."""
    names = {bsn: label.split(" (geboren", 1)[0] for bsn, label in _all_people(aanvraag).items()}
    lines = []
    for effect in aanvraag.effects or []:
        if effect.get("type") == "brp.verhuizing":
            bsn = str(effect.get("burgerservicenummer") or "")
            who = "U staat" if bsn == aanvraag.subject else f"{names.get(bsn, 'Een meeverhuizer')} staat"
            day = questions.long_date(str(effect.get("datum") or ""))
            place = await municipality_name(session, str(effect.get("gemeente") or ""))
            lines.append(f"{who} vanaf {day} ingeschreven op het nieuwe adres, in gemeente {place}. Dit staat nu zo "
                         "in de Basisregistratie Personen.")
        else:
            lines.append("De gemeente heeft uw gegevens bijgewerkt.")
    return lines


def _all_people(aanvraag: Aanvraag) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in (aanvraag.prefill or {}).values():
        for person in value if isinstance(value, list) else [value]:
            if isinstance(person, dict) and person.get("burgerservicenummer"):
                found[str(person["burgerservicenummer"])] = questions.person_label(person)
    return found


async def consent_request(session: AsyncSession, consent: Toestemming, aanvraag: Aanvraag) -> ConsentRequest:
    """A consent request as the person asked reads it: who asks, for which service, address and date."""
    definition = await definition_of(session, aanvraag.release_id)
    rows = [("Wie vraagt het", aanvraag.display_name or "Een inwoner")]
    spec = next((item for item in definition.consent if item.get("id") == consent.consent), None) \
        if definition is not None else None
    address = aanvraag.answers.get(str(spec.get("address"))) if spec else None
    if isinstance(address, dict):
        rows.append(("Adres", str(address.get("weergave") or questions.address_line(address))))
    day = _first_date(definition, aanvraag) if definition is not None else None
    if day:
        rows.append(("Vanaf", day))
    return ConsentRequest(consent, aanvraag.display_name or "Een inwoner", _title(definition, aanvraag), rows)


def _first_date(definition: Definition, aanvraag: Aanvraag) -> str | None:
    """The first date the aanvraag answers (for a move: the moving date), in words."""
    for question in definition.questions.values():
        if question.type == "date" and isinstance(aanvraag.answers.get(question.id), str):
            return questions.long_date(aanvraag.answers[question.id]) or None
    return None

