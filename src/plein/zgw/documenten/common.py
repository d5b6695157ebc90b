"""What the Documenten resources share: their URLs, the scopes, the caller's rights on a document (per
informatieobjecttype up to a maximum vertrouwelijkheidaanduiding, also as a filter at the source), a document with
its current version, the checked informatieobjecttype, and the audit record and notification of a change."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.notifications import service as notifications
from plein.zgw import audit, spec
from plein.zgw.auth import VERTROUWELIJKHEID, ZgwCaller, readers
from plein.zgw.catalogi.models import InformatieObjectType
from plein.zgw.documenten.models import Informatieobject, InformatieobjectVersie
from plein.zgw.http import parse_resource_url

API = "documenten"
COMPONENT = "drc"
KANAAL = "documenten"
DOCUMENTEN = "enkelvoudiginformatieobjecten"
LEZEN = frozenset({"documenten.lezen"})
AANMAKEN = frozenset({"documenten.aanmaken"})
BIJWERKEN = frozenset({"documenten.bijwerken", "documenten.geforceerd-bijwerken"})
VERWIJDEREN = frozenset({"documenten.verwijderen"})
LOCK = frozenset({"documenten.lock"})
FORCED_UNLOCK = frozenset({"documenten.geforceerd-unlock"})
AUDIT = frozenset({"audittrails.lezen"})


def invalid(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


def raise_if(problems: Sequence[InvalidParam]) -> None:
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems[:5]), list(problems))


@dataclass(frozen=True)
class Links:
    """Makes and reads the URLs of this Plein's documenten (and catalogi) resources."""

    base_url: str

    def url(self, collection: str, key: uuid.UUID) -> str:
        return f"{self.base_url}{spec.APIS[API].prefix}/{collection}/{key}"

    def document(self, key: uuid.UUID) -> str:
        return self.url(DOCUMENTEN, key)

    def informatieobjecttype(self, key: uuid.UUID) -> str:
        return f"{self.base_url}{spec.APIS['catalogi'].prefix}/informatieobjecttypen/{key}"

    def key(self, value: str, api: str, collection: str, name: str) -> uuid.UUID:
        """The uuid in a URL of ours; 400 `bad-url` or `invalid-resource` naming the field otherwise."""
        return parse_resource_url(self.base_url, value, api, collection, name)


@dataclass(frozen=True)
class Current:
    """A document with its current version."""

    document: Informatieobject
    versie: InformatieobjectVersie


def current_versions() -> Select[Any]:
    """The current version of every document (to filter and page on)."""
    return select(InformatieobjectVersie).join(Informatieobject, and_(
        Informatieobject.id == InformatieobjectVersie.informatieobject_id,
        Informatieobject.versie == InformatieobjectVersie.versie))


async def find_current(session: AsyncSession, key: uuid.UUID, for_update: bool = False) -> Current | None:
    query = select(Informatieobject).where(Informatieobject.id == key).execution_options(populate_existing=True)
    document = await session.scalar(query.with_for_update() if for_update else query)
    if document is None:
        return None
    versie = await session.scalar(select(InformatieobjectVersie).where(
        InformatieobjectVersie.informatieobject_id == key, InformatieobjectVersie.versie == document.versie))
    assert versie is not None
    return Current(document, versie)


async def get_current(session: AsyncSession, key: uuid.UUID, for_update: bool = False) -> Current:
    found = await find_current(session, key, for_update)
    if found is None:
        raise NotFound(f"there is no enkelvoudiginformatieobject {key}")
    return found


async def current_at(session: AsyncSession, links: Links, value: str, name: str = "informatieobject") -> Current:
    """The document a URL in a body names; 400 naming the field when it is no document of ours."""
    key = links.key(value, API, DOCUMENTEN, name)
    found = await find_current(session, key)
    if found is None:
        raise invalid(name, "does_not_exist", "there is no such enkelvoudiginformatieobject")
    return found


def may(caller: ZgwCaller, links: Links, scopes: frozenset[str], versie: InformatieobjectVersie) -> bool:
    return caller.may_on(COMPONENT, scopes, links.informatieobjecttype(versie.informatieobjecttype_id),
                         versie.vertrouwelijkheidaanduiding)


def require(caller: ZgwCaller, links: Links, scopes: frozenset[str], versie: InformatieobjectVersie) -> None:
    """403 unless the caller holds the scopes for this document's type up to its vertrouwelijkheidaanduiding."""
    caller.require_on(COMPONENT, scopes, links.informatieobjecttype(versie.informatieobjecttype_id),
                      versie.vertrouwelijkheidaanduiding)


def allowed_clause(caller: ZgwCaller, links: Links, scopes: frozenset[str]) -> ColumnElement[bool] | None:
    """The documents (current versions) the caller may see, as a filter; None when the caller may see all."""
    allowed = caller.types(COMPONENT, scopes)
    if allowed is None:
        return None
    clauses: list[ColumnElement[bool]] = []
    for url, rank in allowed.items():
        try:
            key = links.key(url, "catalogi", "informatieobjecttypen", "informatieobjecttype")
        except InvalidInput:
            continue
        clauses.append(and_(InformatieobjectVersie.informatieobjecttype_id == key,
                            InformatieobjectVersie.vertrouwelijkheidaanduiding.in_(VERTROUWELIJKHEID[:rank + 1])))
    return or_(*clauses) if clauses else false()


async def informatieobjecttype_at(session: AsyncSession, links: Links, value: str) -> InformatieObjectType:
    """drc-001: the informatieobjecttype must be a published one of this Plein's Catalogi API."""
    key = links.key(value, "catalogi", "informatieobjecttypen", "informatieobjecttype")
    found = await session.get(InformatieObjectType, key)
    if found is None:
        raise invalid("informatieobjecttype", "bad-url", "there is no such informatieobjecttype")
    if found.concept:
        raise invalid("informatieobjecttype", "not-published", "the informatieobjecttype is a concept; publish it")
    return found


def kenmerken(links: Links, versie: InformatieobjectVersie) -> dict[str, str]:
    return {"bronorganisatie": versie.bronorganisatie,
            "informatieobjecttype": links.informatieobjecttype(versie.informatieobjecttype_id),
            "vertrouwelijkheidaanduiding": versie.vertrouwelijkheidaanduiding}


async def notify(session: AsyncSession, links: Links, versie: InformatieobjectVersie, resource: str,
                 resource_url: str, actie: str) -> None:
    """A notification on kanaal documenten, in the caller's transaction, with the document's kenmerken."""
    await notifications.publish(
        session, kanaal=KANAAL, hoofd_object=links.document(versie.informatieobject_id), resource=resource,
        resource_url=resource_url, actie=actie, kenmerken=kenmerken(links, versie),
        readers=readers(COMPONENT, "documenten.lezen", links.informatieobjecttype(versie.informatieobjecttype_id),
                        versie.vertrouwelijkheidaanduiding))


async def record(session: AsyncSession, caller: ZgwCaller, links: Links, document: uuid.UUID, *, actie: str,
                 resultaat: int, resource: str, resource_url: str, weergave: str, oud: dict[str, Any] | None = None,
                 nieuw: dict[str, Any] | None = None, toelichting: str = "") -> None:
    """An audit record on the document's trail (in the caller's transaction)."""
    await audit.record(session, caller, bron=COMPONENT, hoofd_object=document,
                       hoofd_object_url=links.document(document), actie=actie, resultaat=resultaat, resource=resource,
                       resource_url=resource_url, resource_weergave=weergave, oud=oud, nieuw=nieuw,
                       toelichting=toelichting)


def iso_datetime(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def parse_datetime(value: str, name: str) -> dt.datetime:
    """An ISO 8601 date-time (without an offset: Dutch time), in UTC."""
    try:
        return clock.parse(value)
    except ValueError as exc:
        raise invalid(name, "invalid", f"{value!r} is not a date-time (ISO 8601)") from exc


def parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
