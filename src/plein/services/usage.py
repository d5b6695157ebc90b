"""Wie gebruikte mijn gegevens: the processing-log records about a citizen (exchange.insight) told in plain Dutch:
who, for what and on which legal basis, which data in words, when in Dutch time, and whether it was looked at or
changed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.exchange import checkpoints, insight
from plein.exchange.log import WRITE
from plein.exchange.models import LogRecord
from plein.organisations import service as organisations
from plein.services import own_data
from plein.services.questions import MONTHS
from plein.settings import Settings

# A log record's field path (its first part) in words; the order is the order in which they are named.
FIELD_WORDS = {
    "naam": "naam", "burgerservicenummer": "burgerservicenummer", "geboorte": "geboortedatum en geboorteplaats",
    "leeftijd": "leeftijd", "geslacht": "geslacht", "nationaliteiten": "nationaliteit", "verblijfplaats": "adres",
    "adressering": "adres", "gemeenteVanInschrijving": "gemeente van inschrijving",
    "datumInschrijvingInGemeente": "datum van inschrijving in de gemeente", "partners": "partner",
    "kinderen": "kinderen", "ouders": "ouders", "overlijden": "overlijden", "aNummer": "A-nummer",
    "immigratie": "komst uit het buitenland", "verblijfstitel": "verblijfstitel", "kiesrecht": "kiesrecht",
    "gezag": "gezag over kinderen", "verwerkingen": "overzicht van wie uw gegevens gebruikte",
    "verblijfplaatshistorie": "eerdere adressen",
}
# Plein's own processing that the citizen does themself: told as "U bekeek zelf …".
SELF = {(own_data.ORGANISATION, own_data.ACTIVITY), (insight.INSIGHT_ORGANISATION, insight.INSIGHT_ACTIVITY)}


def words_for(paths: Iterable[str]) -> list[str]:
    """The data named by field paths, in words, each once, in a fixed order (unknown paths last, made readable)."""
    known = list(FIELD_WORDS)
    found: dict[str, int] = {}
    for path in paths:
        top = path.split(".", 1)[0]
        word = FIELD_WORDS.get(top) or readable(top)
        rank = known.index(top) if top in FIELD_WORDS else len(known)
        found[word] = min(found.get(word, rank), rank)
    return sorted(found, key=lambda word: (found[word], word))


def readable(name: str) -> str:
    """'datumEersteInschrijvingGBA' → 'datum eerste inschrijving GBA'."""
    parts = re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name) or [name]
    return " ".join(part if part.isupper() and len(part) > 1 else part.lower() for part in parts)


def joined(words: Sequence[str]) -> str:
    """'naam, adres en kinderen'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} en {words[-1]}"


@dataclass(frozen=True)
class Moment:
    """Records of one minute, action and data, counted."""

    when: str
    changed: bool
    data: str
    count: int


@dataclass
class Use:
    """What one organisation did with the citizen's data for one purpose, in words."""

    organisation: str
    sentence: str
    activity: str
    purpose: str
    legal_basis: str
    changed: bool
    latest: dt.datetime
    moments: list[Moment] = field(default_factory=list)


def local_time(moment: dt.datetime) -> str:
    """'3 mei 2026 om 14:05', in Dutch time."""
    here = moment.astimezone(clock.LOCAL_TIME)
    return f"{here.day} {MONTHS[here.month - 1]} {here.year} om {here:%H:%M}"


async def uses(session: AsyncSession, bsn: str, start: dt.date, end: dt.date, trace_id: str) -> list[Use]:
    """The citizen's records from start to end (Dutch days, inclusive), newest use first. The look is logged."""
    found = []
    for organisation in await insight.overview(session, bsn, start, end, trace_id):
        name = await _organisation_name(session, organisation.code, organisation.name)
        for purpose in organisation.purposes:
            found.append(_use(organisation.code, name, purpose, purpose.records))
    return sorted(found, key=lambda use: use.latest, reverse=True)


async def proof(session: AsyncSession, bsn: str, start: dt.date, end: dt.date, settings: Settings,
                trace_id: str) -> dict[str, object]:
    """The proofs that the citizen's records from start to end (Dutch days) are in the log, as one JSON document
    with the public key that checks the checkpoint they lead to (a key Plein signed with before, when the signing
    key was replaced after that checkpoint). The look is logged."""
    key = checkpoints.signing_key(settings)
    low, high = clock.days(start, end)
    found = await checkpoints.proofs_about(session, bsn, low, high, key)
    await insight.log_look(session, bsn, trace_id)
    return {
        "uitleg": "Elk record hieronder staat in het verwerkingenlogboek van Plein: het auditPath leidt van het "
                  "record naar de rootHash van het ondertekende checkpoint, te controleren met de publieke sleutel "
                  "(RFC 9162).",
        "publicKey": checkpoints.public_key_text(
            (checkpoints.key_for(found[0].checkpoint, checkpoints.verifying_keys(settings)) if found else None)
            or key),
        "checkpoint": found[0].checkpoint.as_json() if found else None,
        "records": [{"record": item.record, "leafIndex": item.leaf_index, "auditPath": item.audit_path}
                    for item in found],
    }


def _use(code: str, name: str, purpose: insight.Purpose, records: list[LogRecord]) -> Use:
    read = words_for(path for record in records if record.action != WRITE for path in record.fields)
    written = words_for(path for record in records if record.action == WRITE for path in record.fields)
    if (code, purpose.activity) in SELF:
        sentence = f"U bekeek zelf uw {joined(read)}."
    elif read and written:
        sentence = f"{name} bekeek uw {joined(read)} en wijzigde uw {joined(written)}."
    elif written:
        sentence = f"{name} wijzigde uw {joined(written)}."
    else:
        sentence = f"{name} bekeek uw {joined(read)}."
    return Use(name, sentence, purpose.activity.replace("-", " ").capitalize(), purpose.purpose,
               purpose.legal_basis, bool(written), max(record.at for record in records), _moments(records))


def _moments(records: list[LogRecord]) -> list[Moment]:
    """The records newest first, those of the same minute, action and data taken together."""
    counted: dict[tuple[str, bool, str], int] = {}
    order: list[tuple[str, bool, str]] = []
    for record in sorted(records, key=lambda item: item.at, reverse=True):
        key = (local_time(record.at), record.action == WRITE, joined(words_for(record.fields)))
        if key not in counted:
            order.append(key)
        counted[key] = counted.get(key, 0) + 1
    return [Moment(when, changed, data, counted[(when, changed, data)]) for when, changed, data in order]


async def _organisation_name(session: AsyncSession, code: str, name: str) -> str:
    """'Gemeente Amsterdam' for a municipality; other organisations by their name."""
    try:
        found = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation:
        return name
    return f"Gemeente {found.name}" if found.kind == "municipality" else found.name


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
