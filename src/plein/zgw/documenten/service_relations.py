"""The resources that hang on a document: gebruiksrechten (drc-006 keeps the document's indicatie), the
objectinformatieobjecten a client asks for (drc-002, drc-003, drc-004) and verzendingen (one address each).

Each is authorized through its document: the caller needs the operation's scope for the document's
informatieobjecttype up to its vertrouwelijkheidaanduiding, and lists hold only what the caller may read. The document
lists no scopes for verzendingen; Plein asks the documenten scopes there too, as for the other resources of a
document (addresses of persons are not for every client). Writes are audited on the document's trail.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.errors import Conflict, InvalidInput, NotFound
from plein.zgw import validation
from plein.zgw.auth import ZgwCaller
from plein.zgw.documenten import represent
from plein.zgw.documenten.common import (
    AANMAKEN,
    API,
    BIJWERKEN,
    DOCUMENTEN,
    LEZEN,
    VERWIJDEREN,
    Current,
    Links,
    allowed_clause,
    current_at,
    get_current,
    invalid,
    notify,
    parse_datetime,
    record,
    require,
)
from plein.zgw.documenten.models import (
    Gebruiksrechten,
    Informatieobject,
    InformatieobjectVersie,
    ObjectInformatieobject,
    Verzending,
)
from plein.zgw.documenten.service import RELATION_SOURCES


class InconsistentRelation(Conflict):
    """The mirror of a relation its own API still holds cannot go on its own (the document lists 409 here)."""

    code = "inconsistent-relation"


Row = Gebruiksrechten | ObjectInformatieobject | Verzending
T = TypeVar("T", Gebruiksrechten, ObjectInformatieobject, Verzending)
SOURCE_APIS = {"zaak": ("zaken", "zaken"), "besluit": ("besluiten", "besluiten")}
ADDRESSES = ("binnenlandsCorrespondentieadres", "buitenlandsCorrespondentieadres", "correspondentiePostadres",
             "faxnummer", "emailadres", "mijnOverheid", "telefoonnummer")
DATE_FILTERS: dict[str, Callable[[Any, Any], Any]] = {  # the query suffix and its comparison
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def _visible(query: Select[Any], model: type[Row], caller: ZgwCaller, links: Links) -> Select[Any]:
    """Only the rows whose document (as it is now) the caller may read."""
    clause = allowed_clause(caller, links, LEZEN)
    if clause is None:
        return query
    return query.join(Informatieobject, Informatieobject.id == model.informatieobject_id).join(
        InformatieobjectVersie, (InformatieobjectVersie.informatieobject_id == Informatieobject.id)
        & (InformatieobjectVersie.versie == Informatieobject.versie)).where(clause)


def _document_filter(query: Select[Any], model: type[Row], links: Links, value: str | None) -> Select[Any]:
    if value is None:
        return query
    return query.where(model.informatieobject_id == links.key(value, API, DOCUMENTEN, "informatieobject"))


async def _get(session: AsyncSession, caller: ZgwCaller, links: Links, model: type[T], key: uuid.UUID,
               scopes: frozenset[str]) -> tuple[T, Current]:
    row = await session.get(model, key)
    if row is None:
        raise NotFound(f"there is no {model.__tablename__.removeprefix('zgw_')} {key}")
    found = await get_current(session, row.informatieobject_id)
    require(caller, links, scopes, found.versie)
    return row, found


async def _document_for(session: AsyncSession, caller: ZgwCaller, links: Links, data: dict[str, Any],
                        scopes: frozenset[str], row: Row | None = None) -> Current:
    """The document a body names; on a change it may not be another than the row's."""
    found = await current_at(session, links, data["informatieobject"])
    if row is not None and found.document.id != row.informatieobject_id:
        raise invalid("informatieobject", "wijzigen-niet-toegelaten", "the informatieobject cannot be changed")
    require(caller, links, scopes, found.versie)
    return found


# --- gebruiksrechten -------------------------------------------------------------------------------------------


async def list_gebruiksrechten(session: AsyncSession, caller: ZgwCaller, links: Links,
                               query: dict[str, str]) -> list[dict[str, Any]]:
    found = _document_filter(_visible(select(Gebruiksrechten), Gebruiksrechten, caller, links), Gebruiksrechten,
                             links, query.get("informatieobject"))
    for name in ("startdatum", "einddatum"):
        column = getattr(Gebruiksrechten, name)
        for suffix, compare in DATE_FILTERS.items():
            value = query.get(f"{name}__{suffix}")
            if value is not None:
                found = found.where(compare(column, parse_datetime(value, f"{name}__{suffix}")))
    rows = await session.scalars(found.order_by(Gebruiksrechten.created_at, Gebruiksrechten.id))
    return [represent.gebruiksrechten(links, row) for row in rows]


async def read_gebruiksrechten(session: AsyncSession, caller: ZgwCaller, links: Links,
                               key: uuid.UUID) -> Gebruiksrechten:
    return (await _get(session, caller, links, Gebruiksrechten, key, LEZEN))[0]


def _period(row: Gebruiksrechten, data: dict[str, Any]) -> None:
    if "startdatum" in data:
        row.startdatum = parse_datetime(data["startdatum"], "startdatum")
    if "einddatum" in data:
        row.einddatum = parse_datetime(data["einddatum"], "einddatum") if data["einddatum"] else None
    if "omschrijvingVoorwaarden" in data:
        row.omschrijving_voorwaarden = data["omschrijvingVoorwaarden"]
    if row.einddatum is not None and row.einddatum < row.startdatum:
        raise invalid("einddatum", "date-mismatch", "einddatum may not come before startdatum")


async def save_gebruiksrechten(session: AsyncSession, caller: ZgwCaller, links: Links, data: dict[str, Any],
                               key: uuid.UUID | None = None, partial: bool = False,
                               toelichting: str = "") -> Gebruiksrechten:
    """Create (key None) or change gebruiksrechten; creating sets the document's indicatieGebruiksrecht (drc-006)."""
    row, before = (await _get(session, caller, links, Gebruiksrechten, key, BIJWERKEN)) if key else (None, None)
    schema = "PatchedGebruiksrechtenRequest" if partial else "GebruiksrechtenRequest"
    data = validation.check_body(API, schema, data, partial=partial)
    if before is not None and "informatieobject" not in data:
        found = before
    else:
        found = await _document_for(session, caller, links, data, AANMAKEN if row is None else BIJWERKEN, row)
    old = represent.gebruiksrechten(links, row) if row is not None else None
    if row is None:
        row = Gebruiksrechten(id=uuid.uuid4(), informatieobject_id=found.document.id, created_at=utcnow())
        found.versie.indicatie_gebruiksrecht = True
    _period(row, data)
    session.add(row)
    await session.flush()
    await _written(session, caller, links, found, "gebruiksrechten", row, old, partial, toelichting)
    return row


async def _written(session: AsyncSession, caller: ZgwCaller, links: Links, found: Current, resource: str, row: Row,
                   old: dict[str, Any] | None, partial: bool = False, toelichting: str = "") -> None:
    shown = _REPRESENT[resource](links, row)
    actie = "create" if old is None else "partial_update" if partial else "update"
    await record(session, caller, links, found.document.id, actie=actie, resultaat=201 if actie == "create" else 200,
                 resource=resource, resource_url=shown["url"], weergave=represent.weergave(found.versie), oud=old,
                 nieuw=shown, toelichting=toelichting)
    if resource == "gebruiksrechten":
        await notify(session, links, found.versie, resource, shown["url"], actie)
    await session.commit()


async def delete_gebruiksrechten(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID,
                                 toelichting: str = "") -> None:
    """The last gebruiksrechten of a document gone, its indicatie is unknown again (drc-006)."""
    row, found = await _get(session, caller, links, Gebruiksrechten, key, VERWIJDEREN)
    old = represent.gebruiksrechten(links, row)
    await session.delete(row)
    await session.flush()
    document = row.informatieobject_id
    others = await session.scalar(select(exists().where(Gebruiksrechten.informatieobject_id == document)))
    if not others:
        found.versie.indicatie_gebruiksrecht = None
    await _removed(session, caller, links, found, "gebruiksrechten", old, toelichting)


async def _removed(session: AsyncSession, caller: ZgwCaller, links: Links, found: Current, resource: str,
                   old: dict[str, Any], toelichting: str = "") -> None:
    await record(session, caller, links, found.document.id, actie="destroy", resultaat=204, resource=resource,
                 resource_url=old["url"], weergave=represent.weergave(found.versie), oud=old, toelichting=toelichting)
    if resource == "gebruiksrechten":
        await notify(session, links, found.versie, resource, old["url"], "destroy")
    await session.commit()


# --- objectinformatieobjecten -----------------------------------------------------------------------------------


async def list_objectinformatieobjecten(session: AsyncSession, caller: ZgwCaller, links: Links,
                                        query: dict[str, str]) -> list[dict[str, Any]]:
    model = ObjectInformatieobject
    found = _document_filter(_visible(select(model), model, caller, links), model, links,
                             query.get("informatieobject"))
    if "object" in query:
        found = found.where(model.object == query["object"])
    rows = await session.scalars(found.order_by(model.created_at, model.id))
    return [represent.objectinformatieobject(links, row) for row in rows]


async def read_objectinformatieobject(session: AsyncSession, caller: ZgwCaller, links: Links,
                                      key: uuid.UUID) -> ObjectInformatieobject:
    return (await _get(session, caller, links, ObjectInformatieobject, key, LEZEN))[0]


async def _relation_in_source(session: AsyncSession, links: Links, object_type: str, value: str,
                              document: uuid.UUID) -> bool:
    """drc-002 (the object exists) and drc-004 (its API holds the relation), asked of the Zaken or Besluiten API of
    this Plein; other objects (verzoeken, other systems) cannot be checked and are refused."""
    api = SOURCE_APIS.get(object_type)
    check = RELATION_SOURCES.get(object_type)
    if api is None or check is None:
        raise invalid("object", "bad-url", f"Plein cannot check objects of type {object_type} (drc-002)")
    found = await check(session, links.key(value, api[0], api[1], "object"), document)
    if found is None:
        raise invalid("object", "bad-url", f"there is no such {object_type} (drc-002)")
    return found


async def create_objectinformatieobject(session: AsyncSession, caller: ZgwCaller, links: Links,
                                        data: dict[str, Any]) -> ObjectInformatieobject:
    """Only for a relation that the zaak's or besluit's own API holds already (drc-004), once (drc-003)."""
    data = validation.check_body(API, "ObjectInformatieObjectRequest", data)
    found = await _document_for(session, caller, links, data, AANMAKEN)
    model = ObjectInformatieobject
    if await session.scalar(select(exists().where(model.informatieobject_id == found.document.id,
                                                  model.object == data["object"]))):
        raise invalid("nonFieldErrors", "unique", "this object and informatieobject are related already (drc-003)")
    if not await _relation_in_source(session, links, data["objectType"], data["object"], found.document.id):
        raise invalid("nonFieldErrors", "inconsistent-relation",
                      f"the {data['objectType']} is not related to this informatieobject in its own API (drc-004)")
    row = model(id=uuid.uuid4(), informatieobject_id=found.document.id, object=data["object"],
                object_type=data["objectType"], created_at=utcnow())
    session.add(row)
    await session.flush()
    await _written(session, caller, links, found, "objectinformatieobject", row, None)
    return row


async def delete_objectinformatieobject(session: AsyncSession, caller: ZgwCaller, links: Links,
                                        key: uuid.UUID) -> None:
    """Not while the zaak's or besluit's own API still holds the relation (it leads; it removes the mirror)."""
    row, found = await _get(session, caller, links, ObjectInformatieobject, key, VERWIJDEREN)
    api, check = SOURCE_APIS.get(row.object_type), RELATION_SOURCES.get(row.object_type)
    if api is not None and check is not None:
        try:
            object_key = links.key(row.object, api[0], api[1], "object")
        except InvalidInput:
            object_key = None
        if object_key is not None and await check(session, object_key, row.informatieobject_id):
            raise InconsistentRelation(f"the {row.object_type} still holds this relation; remove it there, which "
                                       "removes this mirror too")
    old = represent.objectinformatieobject(links, row)
    await session.delete(row)
    await _removed(session, caller, links, found, "objectinformatieobject", old)


# --- verzendingen -----------------------------------------------------------------------------------------------


def _verzending_filtered(caller: ZgwCaller, links: Links, query: dict[str, str]) -> Select[Any]:
    found = _document_filter(_visible(select(Verzending), Verzending, caller, links), Verzending, links,
                             query.get("informatieobject"))
    if "aardRelatie" in query:
        found = found.where(Verzending.aard_relatie == query["aardRelatie"])
    if "betrokkene" in query:
        found = found.where(Verzending.betrokkene == query["betrokkene"])
    return found


async def list_verzendingen(session: AsyncSession, caller: ZgwCaller, links: Links, query: dict[str, str],
                            page: int, size: int) -> tuple[int, list[dict[str, Any]]]:
    found = _verzending_filtered(caller, links, query)
    total = await session.scalar(select(func.count()).select_from(found.subquery())) or 0
    rows = await session.scalars(found.order_by(Verzending.created_at, Verzending.id)
                                 .offset((page - 1) * size).limit(size))
    return total, [represent.verzending(links, row) for row in rows]


async def read_verzending(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID) -> Verzending:
    return (await _get(session, caller, links, Verzending, key, LEZEN))[0]


async def _verzending_rules(session: AsyncSession, row: Verzending, document: uuid.UUID) -> None:
    values = represent.verzending(Links(""), row)
    given = [name for name in ADDRESSES if values.get(name)]
    if len(given) != 1:
        raise invalid("nonFieldErrors", "invalid-address",
                      "a verzending goes to or comes from exactly one address, one of: " + ", ".join(ADDRESSES))
    if row.aard_relatie == "afzender" and await session.scalar(select(exists().where(
            Verzending.informatieobject_id == document, Verzending.aard_relatie == "afzender",
            Verzending.id != row.id))):
        raise invalid("aardRelatie", "unique", "a received informatieobject has one afzender")


async def save_verzending(session: AsyncSession, caller: ZgwCaller, links: Links, data: dict[str, Any],
                          key: uuid.UUID | None = None, partial: bool = False) -> Verzending:
    """Create (key None) or change a verzending."""
    row, before = (await _get(session, caller, links, Verzending, key, BIJWERKEN)) if key else (None, None)
    data = validation.check_body(API, "PatchedVerzendingRequest" if partial else "VerzendingRequest", data,
                                 partial=partial)
    if before is not None and "informatieobject" not in data:
        found = before
    else:
        found = await _document_for(session, caller, links, data, AANMAKEN if row is None else BIJWERKEN, row)
    old = represent.verzending(links, row) if row is not None else None
    if row is None:
        row = Verzending(id=uuid.uuid4(), informatieobject_id=found.document.id, created_at=utcnow())
    represent.assign(row, represent.VERZENDING_FIELDS, data)
    await _verzending_rules(session, row, found.document.id)
    session.add(row)
    await session.flush()
    await _written(session, caller, links, found, "verzending", row, old, partial)
    return row


async def delete_verzending(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID) -> None:
    row, found = await _get(session, caller, links, Verzending, key, VERWIJDEREN)
    old = represent.verzending(links, row)
    await session.delete(row)
    await _removed(session, caller, links, found, "verzending", old)


_REPRESENT: dict[str, Callable[[Links, Any], dict[str, Any]]] = {
    "gebruiksrechten": represent.gebruiksrechten, "objectinformatieobject": represent.objectinformatieobject,
    "verzending": represent.verzending,
}
