"""Catalogussen: create, read and list them, and the one catalogus each municipality gets on Plein."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import InvalidParam
from plein.organisations import service as organisations
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import fields
from plein.zgw.catalogi.common import (
    BESLUITTYPE,
    INFORMATIEOBJECTTYPE,
    ZAAKTYPE,
    Links,
    commit_unique,
    paged,
    raise_if,
    require_tenant,
)
from plein.zgw.catalogi.models import Catalogus
from plein.zgw.validation import rsin_problems

FIELDS = (
    fields.plain("domein", "domein"), fields.plain("rsin", "rsin"),
    fields.plain("contactpersoonBeheerNaam", "contactpersoon_beheer_naam"),
    fields.plain("contactpersoonBeheerTelefoonnummer", "contactpersoon_beheer_telefoonnummer"),
    fields.plain("contactpersoonBeheerEmailadres", "contactpersoon_beheer_emailadres"),
    fields.Field("naam", "naam"), fields.Field("versie", "versie"),
    fields.Field("begindatumVersie", "begindatum_versie", "date"),
)


async def represent_many(session: AsyncSession, links: Links, rows: list[Catalogus]) -> list[dict[str, Any]]:
    """Catalogussen in the standard's shape, with the URLs of every version of their types."""
    keys = [row.id for row in rows]
    members: dict[tuple[str, uuid.UUID], list[str]] = {}
    for kind in (ZAAKTYPE, BESLUITTYPE, INFORMATIEOBJECTTYPE):
        found = await session.execute(select(kind.model.catalogus_id, kind.model.id)
                                      .where(kind.model.catalogus_id.in_(keys))
                                      .order_by(kind.model.created_at, kind.model.id))
        for catalogus_id, key in found:
            members.setdefault((kind.collection, catalogus_id), []).append(links.url(kind.collection, key))
    return [{
        "url": links.url("catalogussen", row.id), **fields.represent(FIELDS, row),
        "zaaktypen": members.get(("zaaktypen", row.id), []),
        "besluittypen": members.get(("besluittypen", row.id), []),
        "informatieobjecttypen": members.get(("informatieobjecttypen", row.id), []),
    } for row in rows]


async def represent(session: AsyncSession, links: Links, row: Catalogus) -> dict[str, Any]:
    return (await represent_many(session, links, [row]))[0]


def _filtered(query: dict[str, str]) -> Select[Any]:
    found = select(Catalogus)
    for name, column in (("domein", Catalogus.domein), ("rsin", Catalogus.rsin)):
        if name in query:
            found = found.where(column == query[name])
        if f"{name}__in" in query:
            found = found.where(column.in_([v for v in query[f"{name}__in"].split(",") if v]))
    return found


async def list_catalogussen(session: AsyncSession, query: dict[str, str], page: int,
                            size: int) -> tuple[int, list[Catalogus]]:
    return await paged(session, _filtered(query), page, size, (Catalogus.created_at, Catalogus.id))


async def create_catalogus(session: AsyncSession, caller: ZgwCaller, data: dict[str, Any]) -> Catalogus:
    """A new catalogus from a checked body; the RSIN passes the 11-check and (rsin, domein) is not taken."""
    problems: list[InvalidParam] = []
    problems += rsin_problems(data, "rsin")
    taken = await session.scalar(select(Catalogus.id).where(Catalogus.rsin == data["rsin"],
                                                            Catalogus.domein == data["domein"]))
    if taken is not None:
        problems.append(InvalidParam("domein", "unique", "this organisation already has a catalogus for this domein"))
    raise_if(problems)
    await require_tenant(session, caller, data["rsin"])
    row = Catalogus()
    fields.assign(row, fields.values(FIELDS, data, creating=True))
    session.add(row)
    await commit_unique(session, "domein", "this organisation already has a catalogus for this domein")
    return row


def municipality_domein(slug: str) -> str:
    """The domein of a municipality's catalogus: the first five letters of its slug, upper case ('AMSTE')."""
    return re.sub(r"[^a-z0-9]", "", slug)[:5].upper()


async def ensure_municipality_catalogus(session: AsyncSession, organisation_code: str) -> Catalogus:
    """The catalogus of a municipality, created when it has none yet (safe when two callers race).

    It is flushed in the caller's transaction; the caller commits. Raises organisations.UnknownOrganisation for a
    code that is not registered."""
    organisation = await organisations.get_by_code(session, organisation_code)
    domein = municipality_domein(organisation.slug)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(insert(Catalogus).values(
        id=uuid.uuid4(), domein=domein, rsin=organisation.rsin, naam=f"Zaaktypecatalogus {organisation.name}"[:200],
        versie="1", begindatum_versie=clock.today(), contactpersoon_beheer_naam=organisation.name[:40],
        contactpersoon_beheer_telefoonnummer="", contactpersoon_beheer_emailadres="",
        created_at=dt.datetime.now(dt.UTC),
    ).on_conflict_do_nothing(index_elements=["rsin", "domein"]))
    found = await session.scalar(select(Catalogus).where(Catalogus.rsin == organisation.rsin,
                                                         Catalogus.domein == domein))
    assert found is not None
    return found
