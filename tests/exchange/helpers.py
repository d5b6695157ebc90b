"""Exchange test helpers: clients with grants, valid BSNs, and a small register route guarded by the exchange layer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import FastAPI, Query
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal, make_jwt
from plein.exchange import log, service
from plein.exchange.api import ActivityHeader, TraceId
from plein.http import OptionalPrincipal, SessionDep
from plein.identifiers import stable_rsin

ADMIN = Principal("cli", "test-admin", "Test admin", frozenset(), all_rights=True)
ACTIVITY = "verhuizing-verwerken"
PERSONS_URL = "/api/test/v1/personen"
SECRET = "a-client-secret-of-32-characters"


def bsn(seed: str) -> str:
    """A BSN that passes the 11-check, the same for the same seed."""
    return stable_rsin(f"bsn:{seed}")


JAN, PIET, KLAAS = bsn("jan"), bsn("piet"), bsn("klaas")
PERSONS: dict[str, dict[str, Any]] = {
    JAN: {"burgerservicenummer": JAN, "gemeenteVanInschrijving": {"code": "0363", "omschrijving": "Amsterdam"},
          "naam": {"voornamen": "Jan", "geslachtsnaam": "Jansen"}, "geboorte": {"datum": {"datum": "1980-01-02"}},
          "geslacht": {"code": "M"}},
    PIET: {"burgerservicenummer": PIET, "gemeenteVanInschrijving": {"code": "0344", "omschrijving": "Utrecht"},
           "naam": {"voornamen": "Piet", "geslachtsnaam": "Pietersen"}, "geboorte": {"datum": {"datum": "1990-03-04"}},
           "geslacht": {"code": "M"}},
    KLAAS: {"burgerservicenummer": KLAAS, "gemeenteVanInschrijving": {"code": "0363", "omschrijving": "Amsterdam"},
            "naam": {"voornamen": "Klaas", "geslachtsnaam": "Klaassen"}, "geboorte": {"datum": {"datum": "2000-05-06"}},
            "geslacht": {"code": "M"}},
}


def project(person: dict[str, Any], paths: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    """The person with only these field paths, and the paths that were actually there."""
    result: dict[str, Any] = {}
    delivered = []
    for path in sorted(paths):
        value: Any = person
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        delivered.append(path)
        target = result
        *parents, last = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return result, delivered


def add_register_route(app: FastAPI) -> None:
    """A tiny BRP-like route that reads only through authorize_read and log_reads, as the registers do."""

    @app.get(PERSONS_URL)
    async def personen(
        session: SessionDep, principal: OptionalPrincipal, trace: TraceId, activity: ActivityHeader = None,
        fields: Annotated[str, Query()] = "", burgerservicenummer: Annotated[list[str] | None, Query()] = None,
    ) -> dict[str, Any]:
        permit = await service.authorize_read(session, principal, "brp", fields.split(","), activity, trace)
        wanted = burgerservicenummer or []
        if len(wanted) == 1:
            person = PERSONS.get(wanted[0])
            service.check_municipality(permit, person["gemeenteVanInschrijving"]["code"] if person else None)
        found = [PERSONS[number] for number in wanted if number in PERSONS]
        visible = [p for p in found if permit.allows_municipality(p["gemeenteVanInschrijving"]["code"])]
        projected = [project(person, permit.fields) for person in visible]
        subjects = [(person["burgerservicenummer"], delivered) for person, (_, delivered) in zip(visible, projected,
                                                                                                  strict=True)]
        await service.log_reads(session, permit, subjects)
        return {"personen": [data for data, _ in projected]}


async def client_with_grant(
    session: AsyncSession, client_id: str = "zaaksysteem", organisation: str = "0363",
    fields: list[str] | None = None, activity: str = ACTIVITY, municipality: str | None = None,
    valid_from: dt.datetime | None = None, valid_until: dt.datetime | None = None,
) -> tuple[dict[str, str], str]:
    """A client of organisation with a processing activity and one grant; returns its headers and the grant id."""
    _, secret = await service.create_api_client(session, ADMIN, client_id, organisation=organisation, secret=SECRET)
    if not any(a.code == activity for a in await service.list_activities(session, organisation)):
        await service.create_activity(session, ADMIN, organisation, activity, "Verhuizing verwerken",
                                      "Verwerken van een verhuizing", "Wet BRP artikel 2.38")
    grant = await service.create_grant(session, ADMIN, service.GrantRequest(
        client_id, "brp", fields or ["naam", "geboorte"], activity, municipality, valid_from, valid_until))
    headers = {"Authorization": f"Bearer {make_jwt(client_id, secret)}", service.ACTIVITY_HEADER: activity}
    return headers, str(grant.id)


def entry(subject: str, trace: str = "t" * 32) -> log.Entry:
    return log.Entry(trace, "zaaksysteem", "0363", "verhuizing-verwerken", "brp", subject, ("naam",))


async def append_many(session: AsyncSession, count: int) -> None:
    for number in range(count):
        await log.write(session, [entry(bsn(f"person-{number}"))])


async def tamper(session: AsyncSession, *statements: str) -> None:
    """Change the log behind the triggers' back, as someone who owns the database could (to test detection)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            await session.execute(text(statement))
    else:
        triggers = (await session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'exchange_log%'"))).all()
        for name, _ in triggers:
            await session.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            await session.execute(text(statement))
        for _, sql in triggers:
            await session.execute(text(sql))
    await session.commit()
