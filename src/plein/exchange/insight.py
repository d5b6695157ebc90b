"""Citizen insight: a citizen sees who processed their personal data and why; looking is itself logged."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.exchange import log
from plein.exchange.models import LogRecord, ProcessingActivity
from plein.identifiers import passes_elfproef
from plein.organisations import service as organisations

INSIGHT_CLIENT = "plein-inzage"
INSIGHT_ORGANISATION = "plein"
INSIGHT_ACTIVITY = "inzage-verwerkingen"
INSIGHT_REGISTER = "log"
INSIGHT_FIELDS = ("verwerkingen",)
# Plein's own processing: the citizen's look at the log. It need not be in a register table to be explained.
BUILT_IN_ACTIVITIES = {
    (INSIGHT_ORGANISATION, INSIGHT_ACTIVITY): (
        "Inzage geven aan de inwoner in wie diens persoonsgegevens verwerkte en waarom",
        "AVG artikel 15 (recht van inzage)",
    ),
}
CITIZEN_TOKEN_MINUTES = 60
MAX_PERIOD_DAYS = 366 * 5


class CitizenTokenError(Exception):
    """The citizen token is missing, forged, expired or not a citizen token; the message says which."""


def make_citizen_token(bsn: str, secret: str, minutes: int = CITIZEN_TOKEN_MINUTES, loa: str | None = None) -> str:
    """An HS256 JWT for a citizen: sub=<BSN>, kind=citizen, iat, exp, and the DigiD level the citizen logged in with
    (loa) when known."""
    if not passes_elfproef(bsn):
        raise ValueError(f"'{bsn}' is not a BSN (9 digits passing the 11-check)")
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {"sub": bsn, "kind": "citizen", "iat": int(now.timestamp()),
                              "exp": int((now + dt.timedelta(minutes=minutes)).timestamp())}
    if loa:
        claims["loa"] = loa
    return jwt.encode(claims, secret, algorithm="HS256")


def citizen_from_token(token: str, secret: str) -> str:
    """The BSN of a valid citizen token: HS256 signed with Plein's secret key, not expired, kind=citizen."""
    return str(citizen_claims(token, secret)["sub"])


def citizen_claims(token: str, secret: str) -> dict[str, Any]:
    """The claims of a valid citizen token (sub is the BSN; loa the DigiD level, when the token names one)."""
    try:
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"],
                                            options={"require": ["sub", "kind", "iat", "exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise CitizenTokenError("the citizen token has expired") from exc
    except jwt.PyJWTError as exc:
        raise CitizenTokenError(f"the citizen token is not valid: {exc}") from exc
    if claims.get("kind") != "citizen":
        raise CitizenTokenError("the token is not a citizen token (kind must be 'citizen')")
    bsn = claims.get("sub")
    if not isinstance(bsn, str) or not passes_elfproef(bsn):
        raise CitizenTokenError("the token's sub claim is not a BSN")
    return claims


@dataclass
class Purpose:
    """The processing for one purpose of one organisation, with every record and the fields delivered."""

    activity: str
    purpose: str
    legal_basis: str
    records: list[LogRecord] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return sorted({path for record in self.records for path in record.fields})


@dataclass
class OrganisationProcessing:
    """Everything one organisation processed about the citizen in the period, grouped by purpose."""

    code: str
    name: str
    purposes: list[Purpose]


async def overview(session: AsyncSession, bsn: str, start: dt.date, end: dt.date,
                   trace_id: str) -> list[OrganisationProcessing]:
    """The citizen's own log records from start to end (Dutch days, inclusive), grouped; the look is logged."""
    low, high = clock.days(start, end)
    query = (select(LogRecord).where(LogRecord.subject == bsn, LogRecord.at >= low, LogRecord.at < high)
             .order_by(LogRecord.seq))
    records = list((await session.scalars(query)).all())
    grouped = await _group(session, records)
    await log_look(session, bsn, trace_id)
    return grouped


async def log_look(session: AsyncSession, bsn: str, trace_id: str) -> None:
    """Write the citizen's look at their own records (the overview, or the proofs of it) to the log, and commit."""
    await log.write(session, [log.Entry(trace_id, INSIGHT_CLIENT, INSIGHT_ORGANISATION, INSIGHT_ACTIVITY,
                                        INSIGHT_REGISTER, bsn, INSIGHT_FIELDS)])


async def _group(session: AsyncSession, records: list[LogRecord]) -> list[OrganisationProcessing]:
    explained = await _explanations(session, {record.activity for record in records})
    by_organisation: dict[str, dict[str, Purpose]] = defaultdict(dict)
    for record in records:
        organisation = record.organisation or ""
        purposes = by_organisation[organisation]
        if record.activity not in purposes:
            purpose, basis = explained.get((organisation, record.activity), (record.activity, ""))
            purposes[record.activity] = Purpose(record.activity, purpose, basis)
        purposes[record.activity].records.append(record)
    result = []
    for code in sorted(by_organisation):
        name = await _organisation_name(session, code)
        result.append(OrganisationProcessing(code, name, list(by_organisation[code].values())))
    return result


async def _explanations(session: AsyncSession, codes: set[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """(organisation code, activity id) → (purpose, legal basis), from the processing registers."""
    explained = dict(BUILT_IN_ACTIVITIES)
    if codes:
        activities = await session.scalars(select(ProcessingActivity).where(ProcessingActivity.code.in_(codes)))
        for activity in activities:
            explained[(activity.organisation.code, activity.code)] = (activity.purpose, activity.legal_basis)
    return explained


async def _organisation_name(session: AsyncSession, code: str) -> str:
    try:
        return (await organisations.get_by_code(session, code)).name
    except organisations.UnknownOrganisation:
        return "Plein" if code == INSIGHT_ORGANISATION else code
