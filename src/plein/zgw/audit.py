"""The ZGW audit trail: every write on a main object (zaak, document, besluit) and its related objects, kept with
the object and readable at `…/{uuid}/audittrail`; it goes when the main object is destroyed, as the standard says.

A record says which application and end user (the JWT's user_id and user_representation) did what, with which
result, and the resource before and after. `record` adds one in the caller's transaction, so a change and its
audit record are committed (or rolled back) together.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Index, Integer, String, Table, Text, delete, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, UTCDateTime, new_uuid, utcnow
from plein.driver import ready_insert
from plein.errors import NotFound
from plein.zgw.auth import ZgwCaller
from plein.zgw.http import ZgwContext, operation_route

ACTIONS = {
    "create": "Object aangemaakt", "list": "Lijst van objecten opgehaald", "retrieve": "Object opgehaald",
    "destroy": "Object verwijderd", "update": "Object bijgewerkt", "partial_update": "Object deels bijgewerkt",
}
WIJZIGINGEN = JSON().with_variant(JSONB(), "postgresql")
Authorize = Callable[[ZgwContext, uuid.UUID], Awaitable[None]]


class AuditRecord(Base):
    """One write on a main object or on an object that belongs to it."""

    __tablename__ = "zgw_audittrail"
    __table_args__ = (Index("ix_zgw_audittrail_hoofd_object", "hoofd_object", "aanmaakdatum"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    bron: Mapped[str] = mapped_column(String(10))
    hoofd_object: Mapped[uuid.UUID] = mapped_column()
    hoofd_object_url: Mapped[str] = mapped_column(String(1000))
    applicatie_id: Mapped[str] = mapped_column(String(100), default="")
    applicatie_weergave: Mapped[str] = mapped_column(String(200), default="")
    gebruikers_id: Mapped[str] = mapped_column(String(255), default="")
    gebruikers_weergave: Mapped[str] = mapped_column(String(255), default="")
    actie: Mapped[str] = mapped_column(String(50))
    resultaat: Mapped[int] = mapped_column(Integer)
    resource: Mapped[str] = mapped_column(String(50))
    resource_url: Mapped[str] = mapped_column(String(1000))
    resource_weergave: Mapped[str] = mapped_column(String(200), default="")
    toelichting: Mapped[str] = mapped_column(Text, default="")
    aanmaakdatum: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    wijzigingen: Mapped[dict[str, Any]] = mapped_column(WIJZIGINGEN, default=dict)


async def record(session: AsyncSession, caller: ZgwCaller, *, bron: str, hoofd_object: uuid.UUID,
                 hoofd_object_url: str, actie: str, resultaat: int, resource: str, resource_url: str,
                 resource_weergave: str = "", oud: dict[str, Any] | None = None, nieuw: dict[str, Any] | None = None,
                 toelichting: str = "") -> None:
    """Write one audit record in the caller's transaction (which commits it with the change); a plain INSERT, as
    every write of the case APIs makes one. Inside `batched` it is kept and written with the others at its end."""
    row = {
        "id": new_uuid(), "bron": bron, "hoofd_object": hoofd_object, "hoofd_object_url": hoofd_object_url,
        "applicatie_id": str(caller.applicatie_id or caller.client_id), "applicatie_weergave": caller.label,
        "gebruikers_id": caller.user_id, "gebruikers_weergave": caller.user_representation, "actie": actie,
        "resultaat": resultaat, "resource": resource, "resource_url": resource_url,
        "resource_weergave": resource_weergave[:200], "toelichting": toelichting, "aanmaakdatum": utcnow(),
        "wijzigingen": {key: value for key, value in (("oud", oud), ("nieuw", nieuw)) if value is not None},
    }
    pending: list[dict[str, Any]] | None = session.info.get(_PENDING)
    if pending is not None:
        pending.append(row)
        return
    await _ADD.rows(session, row)


_ADD = ready_insert(cast(Table, AuditRecord.__table__), (
    "id", "bron", "hoofd_object", "hoofd_object_url", "applicatie_id", "applicatie_weergave", "gebruikers_id",
    "gebruikers_weergave", "actie", "resultaat", "resource", "resource_url", "resource_weergave", "toelichting",
    "aanmaakdatum", "wijzigingen"))
_PENDING = "plein.audit.pending"  # session.info: the records kept by `batched`


@asynccontextmanager
async def batched(session: AsyncSession) -> AsyncIterator[None]:
    """Many writes of one transaction (a zaak with its parts): their audit records in one INSERT at the end, still
    in the caller's transaction. Nothing is written when the block raises (the caller rolls back); nested, the
    outermost block writes."""
    if _PENDING in session.info:
        yield
        return
    pending: list[dict[str, Any]] = []
    session.info[_PENDING] = pending
    try:
        yield
    finally:
        session.info.pop(_PENDING, None)
    if pending:
        await session.execute(insert(cast(Table, AuditRecord.__table__)), pending)


async def forget(session: AsyncSession, hoofd_object: uuid.UUID) -> None:
    """Remove the trail of a main object that is destroyed (in the caller's transaction)."""
    await session.execute(delete(AuditRecord).where(AuditRecord.hoofd_object == hoofd_object))


def represent(entry: AuditRecord) -> dict[str, Any]:
    """A record in the shape of the standard's AuditTrail schema."""
    return {
        "uuid": str(entry.id), "bron": entry.bron, "applicatieId": entry.applicatie_id,
        "applicatieWeergave": entry.applicatie_weergave, "gebruikersId": entry.gebruikers_id,
        "gebruikersWeergave": entry.gebruikers_weergave, "actie": entry.actie,
        "actieWeergave": ACTIONS.get(entry.actie, entry.actie), "resultaat": entry.resultaat,
        "hoofdObject": entry.hoofd_object_url, "resource": entry.resource, "resourceUrl": entry.resource_url,
        "toelichting": entry.toelichting, "resourceWeergave": entry.resource_weergave,
        "aanmaakdatum": entry.aanmaakdatum.isoformat().replace("+00:00", "Z"), "wijzigingen": entry.wijzigingen,
    }


async def trail(session: AsyncSession, hoofd_object: uuid.UUID) -> list[AuditRecord]:
    rows = await session.scalars(select(AuditRecord).where(AuditRecord.hoofd_object == hoofd_object)
                                 .order_by(AuditRecord.aanmaakdatum, AuditRecord.id))
    return list(rows)


def add_routes(router: APIRouter, api: str, parent_path: str, parent_param: str, authorize: Authorize) -> None:
    """The two audit trail operations under a main object, e.g. `/zaken/{zaak_uuid}/audittrail[/{uuid}]`.

    `authorize(ctx, parent uuid)` raises NotFound or Forbidden when the caller may not see that main object.
    """
    base = f"{parent_path}/{{{parent_param}}}/audittrail"

    @operation_route(router, api, "get", base)
    async def list_trail(ctx: ZgwContext, **keys: uuid.UUID) -> JSONResponse:
        await authorize(ctx, keys[parent_param])
        return JSONResponse([represent(entry) for entry in await trail(ctx.session, keys[parent_param])])

    @operation_route(router, api, "get", base + "/{uuid}")
    async def read_entry(ctx: ZgwContext, **keys: uuid.UUID) -> dict[str, Any]:
        await authorize(ctx, keys[parent_param])
        entry = await ctx.session.get(AuditRecord, keys["uuid"])
        if entry is None or entry.hoofd_object != keys[parent_param]:
            raise NotFound("there is no such audit trail record for this object")
        return represent(entry)
