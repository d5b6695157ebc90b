"""The case worker's werkvoorraad without HTTP: a municipality's open and decided aanvragen with their signals and how
urgent their due date is, and the persons of a case in words: as submitted, and as the BRP has them now."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound, PleinError
from plein.services import prefill, questions
from plein.services.decisions import AUTOMATIC
from plein.services.models import AFGEWEZEN, DECIDED, GEGEVEN, GEVRAAGD, INGEDIEND, TOEGEKEND, Aanvraag, Toestemming
from plein.services.run import Run
from plein.store import service as store

# The states a case worker filters on (the query value and its label); "nieuw" is a case without any other signal.
STATES = {
    "nieuw": "Nieuw",
    "toestemming": "Wacht op toestemming",
    "geweigerd": "Toestemming geweigerd",
    "afspraak": "Afspraak gevraagd",
    "mislukt": "Automatisch afhandelen lukte niet",
    "controle": "Controle gemeld",
    "automatisch": "Wordt automatisch afgehandeld",
}
SORTS = {
    "oudste": "Ingediend: oudste eerst",
    "einddatum": "Uiterlijke einddatum: eerst",
    "nieuwste": "Ingediend: nieuwste eerst",
}
SOON_WORKING_DAYS = 2
OUTCOMES = {TOEGEKEND: "Toegekend", AFGEWEZEN: "Afgewezen"}


# --- due dates ------------------------------------------------------------------------------------------------


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days (Monday to Friday) after `start` up to and including `end`; negative when `end` lies before
    `start`. Public holidays are not counted out."""
    if end < start:
        return -working_days_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    extra = sum(1 for offset in range(1, rest + 1) if (start + dt.timedelta(days=offset)).weekday() < 5)
    return weeks * 5 + extra


@dataclass(frozen=True)
class Urgency:
    """How close a due date is, in words (never by colour alone): kind is `verlopen`, `vandaag` or `binnenkort`."""

    kind: str
    text: str


def urgency(due_on: dt.date | None, today: dt.date) -> Urgency | None:
    """Overdue, due today, or due within two working days; None when there is time (or no due date)."""
    if due_on is None:
        return None
    if due_on < today:
        days = (today - due_on).days
        return Urgency("verlopen", f"Termijn verstreken ({days} {'dag' if days == 1 else 'dagen'} te laat)")
    if due_on == today:
        return Urgency("vandaag", "Vandaag uiterlijk afhandelen")
    left = working_days_between(today, due_on)
    if left <= SOON_WORKING_DAYS:
        return Urgency("binnenkort", f"Bijna verlopen (nog {left} {'werkdag' if left == 1 else 'werkdagen'})")
    return None


# --- open cases -----------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One open aanvraag as the werkvoorraad lists it (the columns it needs, not the answers and prefill)."""

    id: uuid.UUID
    app: str
    release_id: uuid.UUID
    zaak: str | None
    applicant: str
    submitted_at: dt.datetime | None
    due_on: dt.date | None
    checks: list[str]
    states: list[str]
    urgency: Urgency | None
    service: str = ""


@dataclass
class Worklist:
    """The cases shown (filtered and sorted) and the counts a case worker steers by."""

    cases: list[Case]
    services: list[tuple[str, str, int]]  # (app, title, open cases) over all open cases
    states: list[tuple[str, str, int]]  # (state, label, open cases) within the chosen service
    total: int  # all open cases of the municipality
    overdue: int  # of the cases shown
    soon: int


OPEN_COLUMNS = (Aanvraag.id, Aanvraag.app, Aanvraag.release_id, Aanvraag.zaak_identificatie, Aanvraag.display_name,
                Aanvraag.subject, Aanvraag.submitted_at, Aanvraag.due_on, Aanvraag.checks, Aanvraag.appointment,
                Aanvraag.automatic, Aanvraag.automatic_note)


async def open_cases(session: AsyncSession, code: str, today: dt.date) -> list[Case]:
    """Every submitted, undecided aanvraag that this municipality handles, oldest first, with its signals."""
    rows = await session.execute(select(*OPEN_COLUMNS).where(Aanvraag.municipality == code,
                                                             Aanvraag.status == INGEDIEND)
                                 .order_by(Aanvraag.submitted_at, Aanvraag.id))
    consent = await _consent_states(session, code)
    found = []
    for (key, app, release_id, zaak, name, subject, submitted_at, due_on, checks, appointment, automatic,
         note) in rows:
        states = sorted(consent.get(key, set()), key=list(STATES).index)
        if appointment:
            states.append("afspraak")
        if note:
            states.append("mislukt")
        if checks:
            states.append("controle")
        if automatic and not note:
            states.append("automatisch")
        found.append(Case(key, app, release_id, zaak, name or subject, submitted_at, due_on,
                          [str(item.get("message") or item.get("id")) for item in checks or []],
                          states or ["nieuw"], urgency(due_on, today)))
    titles = await _titles(session, {case.release_id for case in found})
    for case in found:
        case.service = titles.get(case.release_id) or case.app
    return found


async def _consent_states(session: AsyncSession, code: str) -> dict[uuid.UUID, set[str]]:
    """Per open aanvraag of the municipality: whether consent is still asked, or was refused."""
    rows = await session.execute(
        select(Toestemming.aanvraag_id, Toestemming.status).join(Aanvraag, Aanvraag.id == Toestemming.aanvraag_id)
        .where(Aanvraag.municipality == code, Aanvraag.status == INGEDIEND, Toestemming.status != GEGEVEN))
    found: dict[uuid.UUID, set[str]] = {}
    for key, status in rows:
        found.setdefault(key, set()).add("toestemming" if status == GEVRAAGD else "geweigerd")
    return found


async def _titles(session: AsyncSession, release_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The service title of each release (from its definition), for the releases the cases were submitted under."""
    found = {}
    for release_id in release_ids:
        try:
            release = await store.release_by_id(session, release_id)
        except NotFound:
            continue
        service = release.service if isinstance(release.service, dict) else {}
        if service.get("title"):
            found[release_id] = str(service["title"])
    return found


def worklist(cases: Sequence[Case], app: str, state: str, sort: str) -> Worklist:
    """Filter on service and state and sort: oldest first by default, or by due date (overdue first; cases without
    a due date last), or newest first."""
    services = Counter(case.app for case in cases)
    titles = {case.app: case.service for case in cases}
    of_service = [case for case in cases if not app or case.app == app]
    states = Counter(state for case in of_service for state in case.states)
    shown = [case for case in of_service if not state or state in case.states]
    if sort == "einddatum":
        shown.sort(key=lambda case: (case.due_on is None, case.due_on or dt.date.max, _submitted(case)))
    elif sort == "nieuwste":
        shown.sort(key=_submitted, reverse=True)
    return Worklist(
        shown, sorted(((key, titles[key], count) for key, count in services.items()), key=lambda item: item[1]),
        [(key, label, states[key]) for key, label in STATES.items()], len(cases),
        sum(1 for case in shown if case.urgency and case.urgency.kind == "verlopen"),
        sum(1 for case in shown if case.urgency and case.urgency.kind != "verlopen"))


def _submitted(case: Case) -> dt.datetime:
    return case.submitted_at or dt.datetime.min.replace(tzinfo=dt.UTC)


# --- decided cases --------------------------------------------------------------------------------------------


@dataclass
class Decided:
    """One decided aanvraag as the list of recent decisions shows it."""

    id: uuid.UUID
    app: str
    zaak: str | None
    applicant: str
    outcome: str
    decided_by: str
    decided_at: dt.datetime | None
    service: str = ""


async def decided_cases(session: AsyncSession, code: str, limit: int, offset: int) -> tuple[list[Decided], int]:
    """The municipality's decided aanvragen, the most recent decision first; and how many there are."""
    where = (Aanvraag.municipality == code, Aanvraag.status.in_(DECIDED))
    total = int(await session.scalar(select(func.count()).select_from(Aanvraag).where(*where)) or 0)
    rows = await session.execute(
        select(Aanvraag.id, Aanvraag.app, Aanvraag.release_id, Aanvraag.zaak_identificatie, Aanvraag.display_name,
               Aanvraag.subject, Aanvraag.status, Aanvraag.decided_by, Aanvraag.decided_at)
        .where(*where).order_by(Aanvraag.decided_at.desc(), Aanvraag.id).limit(limit).offset(offset))
    items = rows.all()
    titles = await _titles(session, {row[2] for row in items})
    return [Decided(key, app, zaak, name or subject, OUTCOMES.get(status, status), decider(by), at,
                    titles.get(release_id) or app)
            for key, app, release_id, zaak, name, subject, status, by, at in items], total


def decider(decided_by: str | None) -> str:
    """Who decided, as a case worker reads it."""
    if decided_by == AUTOMATIC:
        return "Automatisch (Plein)"
    return decided_by or "Onbekend"


# --- persons in words -----------------------------------------------------------------------------------------


@dataclass
class Person:
    """A Haal Centraal person as a case worker reads it."""

    bsn: str
    name: str
    born: str = ""
    address: str = ""
    since: str = ""
    municipality: str = ""
    partners: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def full_name(record: Mapping[str, Any]) -> str:
    naam = _dict(record.get("naam"))
    return str(naam.get("volledigeNaam") or " ".join(
        str(part) for part in (naam.get("voornamen"), naam.get("voorvoegsel"), naam.get("geslachtsnaam")) if part)
        or "Naam onbekend")


def _long_date(value: Any) -> str:
    datum = _dict(value)
    return questions.long_date(datum.get("datum")) or str(datum.get("langFormaat") or "")


def address_text(record: Mapping[str, Any]) -> str:
    """Where the person lives, in one line: a Dutch address, a location, an address abroad, or unknown."""
    place = _dict(record.get("verblijfplaats"))
    if not place:
        return ""
    adres = _dict(place.get("verblijfadres"))
    if place.get("type") == "VerblijfplaatsBuitenland":
        lines = [str(adres[key]) for key in ("regel1", "regel2", "regel3") if adres.get(key)]
        return ", ".join([*lines, str(_dict(adres.get("land")).get("omschrijving") or "")]).strip(", ") or "Buitenland"
    if place.get("type") == "VerblijfplaatsOnbekend":
        return "Verblijfplaats onbekend"
    if adres.get("locatiebeschrijving"):
        return str(adres["locatiebeschrijving"])
    return questions.address_line({"straat": adres.get("officieleStraatnaam") or adres.get("korteStraatnaam"),
                                   "huisnummer": adres.get("huisnummer"), "huisletter": adres.get("huisletter"),
                                   "huisnummertoevoeging": adres.get("huisnummertoevoeging"),
                                   "postcode": adres.get("postcode"), "woonplaats": adres.get("woonplaats")})


def _relatives(record: Mapping[str, Any], relation: str) -> list[str]:
    found = []
    for item in record.get(relation) or []:
        if isinstance(item, dict):
            born = _long_date(_dict(item.get("geboorte")).get("datum"))
            text = full_name(item) + (f", geboren {born}" if born else "")
            found.append(f"{text} (BSN {item['burgerservicenummer']})" if item.get("burgerservicenummer") else text)
    return found


def person(record: Mapping[str, Any]) -> Person:
    place = _dict(record.get("verblijfplaats"))
    return Person(str(record.get("burgerservicenummer") or ""), full_name(record),
                  _long_date(_dict(record.get("geboorte")).get("datum")), address_text(record),
                  _long_date(place.get("datumVan")),
                  str(_dict(record.get("gemeenteVanInschrijving")).get("omschrijving") or ""),
                  _relatives(record, "partners"), _relatives(record, "kinderen"))


@dataclass
class Snapshot:
    """The register data the submission was checked against: the applicant, who moves along, and who else the
    service read (e.g. housemates who stay)."""

    applicant: Person | None
    along: list[Person]
    others: list[Person]
    asked: list[str]  # the labels of the persons questions that chose `along`


def chosen_persons(run: Run) -> list[str]:
    """The BSNs picked or given in the answers: persons questions (e.g. the co-movers) and BSN questions (e.g. the
    deceased)."""
    found: list[str] = []
    for question in run.definition.questions.values():
        value = run.aanvraag.answers.get(question.id)
        if question.type == "persons" and isinstance(value, list):
            found += [str(bsn) for bsn in value if bsn]
        elif question.type == "bsn" and isinstance(value, str) and value:
            found.append(value)
    return list(dict.fromkeys(found))


def snapshot_records(prefill_data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """BSN → record of every person in the prefill snapshot except the applicant's own entry."""
    found: dict[str, dict[str, Any]] = {}
    for key, value in prefill_data.items():
        if key == prefill.AANVRAGER:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("burgerservicenummer"):
                found.setdefault(str(item["burgerservicenummer"]), item)
    return found


def snapshot(run: Run) -> Snapshot:
    data = run.aanvraag.prefill or {}
    applicant = data.get(prefill.AANVRAGER)
    records = snapshot_records(data)
    along = chosen_persons(run)
    return Snapshot(person(applicant) if isinstance(applicant, dict) else None,
                    [person(records[bsn]) if bsn in records else Person(bsn, "Niet in de gegevens bij de aanvraag")
                     for bsn in along],
                    [person(record) for bsn, record in records.items() if bsn not in along],
                    [question.label for question in run.definition.questions.values()
                     if question.type in ("persons", "bsn")])


# --- controle bij de bron -------------------------------------------------------------------------------------


@dataclass
class Checked:
    """One person as the BRP has them now, and what changed since the submission (empty: nothing)."""

    role: str
    bsn: str
    now: Person | None
    changes: list[str]


@dataclass
class SourceCheck:
    """The persons of a case read again at the source now (each read is in the processing log)."""

    persons: list[Checked]
    activity: str | None
    read_at: dt.datetime
    trace_id: str
    error: str | None = None


def source_reads(run: Run) -> dict[tuple[str, ...], list[str]]:
    """Which persons to read again, with which fields (fields → BSNs): the applicant with the fields of the prefill
    that read them, each chosen person with those of the prefill entry that offered them; no more than before."""
    aanvraag = run.aanvraag
    chosen = set(chosen_persons(run))
    plan: dict[str, list[str]] = {}
    for spec in run.definition.prefill:
        if spec.get("register") != "brp":
            continue
        fields = [str(name) for name in spec.get("fields") or [] if name != prefill.HISTORIE]
        if not fields:
            continue
        if spec.get("about") == prefill.AANVRAGER and aanvraag.subject_kind == "citizen":
            plan.setdefault(aanvraag.subject, []).extend(fields)
        value = (aanvraag.prefill or {}).get(spec["id"])
        for item in value if isinstance(value, list) else [value]:
            bsn = str(item.get("burgerservicenummer")) if isinstance(item, dict) else ""
            if bsn in chosen:
                plan.setdefault(bsn, []).extend(fields)
    groups: dict[tuple[str, ...], list[str]] = {}
    for bsn, fields in plan.items():
        groups.setdefault(tuple(dict.fromkeys(fields)), []).append(bsn)
    return groups


async def check_at_source(session: AsyncSession, run: Run, trace_id: str, now: dt.datetime) -> SourceCheck:
    """Read the applicant and the persons chosen in the answers (e.g. who move along) again under the municipality's
    own grant and activity, and compare each with the snapshot the submission was checked against."""
    aanvraag = run.aanvraag
    activity = run.offer.activity("brp")
    groups = source_reads(run)
    result = SourceCheck([], activity, now, trace_id)
    if activity is None or not groups:
        result.error = "Deze aanvraag heeft geen personen uit de Basisregistratie Personen om te controleren."
        return result
    current: dict[str, dict[str, Any]] = {}
    try:
        for fields, bsns in groups.items():
            for record in await prefill.persons(session, run.offer.code, activity, bsns, fields, trace_id):
                current[str(record.get("burgerservicenummer"))] = record
    except PleinError as error:
        result.error = f"De gegevens konden nu niet bij de bron worden opgevraagd: {error.detail}"
        return result
    then_records = snapshot_records(aanvraag.prefill or {})
    is_citizen = aanvraag.subject_kind == "citizen"
    applicant_now = current.get(aanvraag.subject) if is_citizen else None
    read = {bsn for bsns in groups.values() for bsn in bsns}
    for bsn in dict.fromkeys(([aanvraag.subject] if is_citizen else []) + chosen_persons(run)):
        is_applicant = is_citizen and bsn == aanvraag.subject
        then = _dict((aanvraag.prefill or {}).get(prefill.AANVRAGER)) if is_applicant else then_records.get(bsn, {})
        now_record = current.get(bsn)
        changes = differences(then, now_record) if bsn in read else [
            "Niet opnieuw opgevraagd: deze persoon staat niet in de gegevens bij het indienen."]
        if not is_applicant and now_record is not None and applicant_now is not None and \
                prefill.address_object(now_record) != prefill.address_object(applicant_now):
            changes.append("Woont nu niet op hetzelfde adres als de aanvrager.")
        result.persons.append(Checked("Aanvrager" if is_applicant else "Gekozen in de aanvraag", bsn,
                                      person(now_record) if now_record is not None else None, changes))
    return result


def differences(then: Mapping[str, Any], now: Mapping[str, Any] | None) -> list[str]:
    """What changed in a person's record since the snapshot, in words (only what the snapshot holds)."""
    if now is None:
        return ["Niet (meer) gevonden in de Basisregistratie Personen."]
    changes = []
    if then.get("naam") and full_name(then) != full_name(now):
        changes.append(f"Naam is nu {full_name(now)} (bij de aanvraag: {full_name(then)}).")
    if then.get("verblijfplaats") and _residence(then) != _residence(now):
        since = _long_date(_dict(now.get("verblijfplaats")).get("datumVan"))
        changes.append(f"Is verhuisd: woont nu op {address_text(now) or 'een onbekend adres'}"
                       f"{f' (sinds {since})' if since else ''}; bij de aanvraag op {address_text(then)}.")
    for relation, word in (("partners", "Partner"), ("kinderen", "Kinderen")):
        if relation in then and _relation_bsns(then, relation) != _relation_bsns(now, relation):
            listed = "; ".join(_relatives(now, relation)) or "geen"
            changes.append(f"{word} gewijzigd sinds de aanvraag; nu: {listed}.")
    return changes


def _residence(record: Mapping[str, Any]) -> tuple[Any, ...]:
    place = _dict(record.get("verblijfplaats"))
    return (place.get("type"), place.get("adresseerbaarObjectIdentificatie"), address_text(record),
            _dict(place.get("datumVan")).get("datum"))


def _relation_bsns(record: Mapping[str, Any], relation: str) -> set[str]:
    return {str(item.get("burgerservicenummer")) for item in record.get(relation) or [] if isinstance(item, dict)}
