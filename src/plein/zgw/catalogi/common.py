"""What every catalogi resource shares: URLs, list filters and pages, validity dates, the concept rules, references
by name between type versions, the tenant check and notifications.

The three published types (zaaktype, informatieobjecttype, besluittype) are described by a `Kind`: which table, which
attribute names a version-independent type (identificatie or omschrijving), and the kanaal it notifies on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.identifiers import oin_for_rsin, passes_elfproef
from plein.notifications import service as notifications
from plein.organisations.models import Organisation
from plein.zgw import spec
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi.models import BesluitType, Catalogus, InformatieObjectType, ZaakType
from plein.zgw.http import parse_resource_url

API = "catalogi"
STATUSES = ("alles", "concept", "definitief")
FORCED_WRITE = frozenset({"catalogi.geforceerd-schrijven"})
FORCED_DELETE = frozenset({"catalogi.geforceerd-verwijderen"})
Versioned = ZaakType | InformatieObjectType | BesluitType


@dataclass(frozen=True)
class Links:
    """Makes and reads the URLs of this Plein's catalogi resources (`{base}/catalogi/api/v1/{collection}/{uuid}`)."""

    base_url: str

    def url(self, collection: str, key: uuid.UUID) -> str:
        return f"{self.base_url}{spec.APIS[API].prefix}/{collection}/{key}"

    def key(self, value: str, collection: str, name: str) -> uuid.UUID:
        """The uuid in a URL of ours; 400 `bad-url` or `invalid-resource` naming the field otherwise."""
        return parse_resource_url(self.base_url, value, API, collection, name)

    def is_local(self, value: str) -> bool:
        return urlparse(value).netloc == urlparse(self.base_url).netloc


@dataclass(frozen=True)
class Kind:
    """One of the published types: its table, collection, the attribute that names it across versions, kanaal."""

    model: type[Versioned]
    collection: str
    name_attr: str
    resource: str

    def name_column(self) -> Any:
        return getattr(self.model, self.name_attr)


ZAAKTYPE = Kind(ZaakType, "zaaktypen", "identificatie", "zaaktype")
INFORMATIEOBJECTTYPE = Kind(InformatieObjectType, "informatieobjecttypen", "omschrijving", "informatieobjecttype")
BESLUITTYPE = Kind(BesluitType, "besluittypen", "omschrijving", "besluittype")


class NotAConcept(Conflict):
    """A published type, or a part of a published zaaktype, cannot be deleted (the document lists 409, not 400)."""

    code = "non-concept-object"


class StillInUse(Conflict):
    """A type that zaken, documents or besluiten still have cannot be deleted, not even with
    catalogi.geforceerd-verwijderen: they would point at nothing."""

    code = "pending-relations"


TypeUser = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]
"""`used(session, type id)`: whether any object of another API still has this type."""
TYPE_USERS: dict[str, list[TypeUser]] = {}


def register_type_user(collection: str, used: TypeUser) -> None:
    """The Zaken API registers its check for zaaktypen, Besluiten for besluittypen, Documenten for
    informatieobjecttypen."""
    TYPE_USERS.setdefault(collection, []).append(used)


async def refuse_if_in_use(session: AsyncSession, kind: Kind, key: uuid.UUID) -> None:
    for used in TYPE_USERS.get(kind.collection, []):
        if await used(session, key):
            raise StillInUse(f"this {kind.resource} is still used; delete what uses it first, or end its validity "
                             "with eindeGeldigheid")


def invalid(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


async def commit_unique(session: AsyncSession, name: str, reason: str) -> None:
    """Commit; when a concurrent write took the same unique value first, roll back and answer 400 `unique`."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise invalid(name, "unique", reason) from exc


def raise_if(problems: Sequence[InvalidParam]) -> None:
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems[:5]), list(problems))


# --- query parameters and pages --------------------------------------------------------------------------------


def status_param(query: dict[str, str], name: str = "status") -> str:
    """alles, concept or definitief (the default: only published types)."""
    value = query.get(name, "definitief")
    if value not in STATUSES:
        raise invalid(name, "invalid_choice", f"{value!r} is not one of {', '.join(STATUSES)}")
    return value


def date_param(query: dict[str, str], name: str) -> dt.date | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or len(raw) != 10:
        raise invalid(name, "invalid", f"{raw!r} is not a date (YYYY-MM-DD)")
    return day


def url_param(query: dict[str, str], name: str) -> str | None:
    value = query.get(name)
    if value is not None and not (urlparse(value).scheme in ("http", "https") and urlparse(value).netloc):
        raise invalid(name, "invalid", f"{value!r} is not a URL")
    return value


def local_key(links: Links, value: str | None, collection: str) -> uuid.UUID | None:
    """The uuid of a filter URL that names one of our resources of this collection; None when it names nothing here
    (the filter then matches nothing)."""
    if value is None:
        return None
    try:
        return links.key(value, collection, "filter")
    except InvalidInput:
        return uuid.UUID(int=0)


def concept_clause(status: str, concept: Any) -> ColumnElement[bool] | None:
    clause: ColumnElement[bool] | None = None
    if status == "concept":
        clause = concept.is_(True)
    elif status == "definitief":
        clause = concept.is_(False)
    return clause


def valid_on(begin: Any, einde: Any, day: dt.date) -> ColumnElement[bool]:
    """Valid from begin up to and including einde (no einde: for ever)."""
    return and_(begin <= day, or_(einde.is_(None), einde >= day))


def json_contains(session: AsyncSession, column: Any, value: str) -> ColumnElement[bool]:
    """A JSON array column holds this string (JSONB containment on PostgreSQL, json_each on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        found: ColumnElement[bool] = type_coerce(column, JSONB).contains([value])
        return found
    each = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == value))


async def paged(session: AsyncSession, query: Select[Any], page: int, size: int,
                order: Sequence[Any]) -> tuple[int, list[Any]]:
    """One page of a query (exact count first), in a stable order."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = await session.scalars(query.order_by(*order).offset((page - 1) * size).limit(size))
    return total, list(rows)


# --- validity and the concept rules ----------------------------------------------------------------------------


def check_period(begin: dt.date | None, einde: dt.date | None, name: str = "eindeGeldigheid") -> list[InvalidParam]:
    if begin is not None and einde is not None and einde < begin:
        return [InvalidParam(name, "date-mismatch", "eindeGeldigheid may not come before beginGeldigheid")]
    return []


def forced_write(caller: ZgwCaller) -> bool:
    """A correctie (catalogi.geforceerd-schrijven) may change published types and the parts of published zaaktypen,
    only by extending them (`correctie`)."""
    return caller.may("ztc", FORCED_WRITE)


def forced_delete(caller: ZgwCaller) -> bool:
    return caller.may("ztc", FORCED_DELETE)


def guard_change(caller: ZgwCaller, row: Versioned, changed: Iterable[str], partial: bool) -> None:
    """ztc-009: a published type is changed only by a correctie, or by a PATCH of eindeGeldigheid alone."""
    if row.concept or forced_write(caller):
        return
    if partial and set(changed) <= {"eindeGeldigheid"}:
        return
    raise invalid("nonFieldErrors", "non-concept-object",
                  "a published type can only get an eindeGeldigheid; other changes need a new version (ztc-009) "
                  "or the scope catalogi.geforceerd-schrijven (correctie)")


def guard_delete(caller: ZgwCaller, row: Versioned) -> None:
    if not row.concept and not forced_delete(caller):
        raise NotAConcept("only concepts can be deleted (ztc-009); a published type needs the scope "
                          "catalogi.geforceerd-verwijderen")


async def hold_catalogus(session: AsyncSession, catalogus_id: uuid.UUID) -> None:
    """Lock the catalogus row until the transaction ends (PostgreSQL), so that what is published in one catalogus is
    checked against ztc-016 one change at a time: two versions published at once cannot both pass the overlap check.
    Take it before changing any type of the catalogus (rows are then always locked in the same order). SQLite has no
    row locks; there the second writer fails instead of writing beside the first."""
    await session.execute(select(Catalogus.id).where(Catalogus.id == catalogus_id).with_for_update())


async def overlapping(session: AsyncSession, kind: Kind, row: Versioned) -> bool:
    """ztc-016: another published version with the same name in the catalogus whose validity overlaps this one."""
    model = kind.model
    others = select(model.id).where(
        model.catalogus_id == row.catalogus_id, kind.name_column() == getattr(row, kind.name_attr),
        model.concept.is_(False), model.id != row.id,
        or_(model.einde_geldigheid.is_(None), model.einde_geldigheid >= row.begin_geldigheid),
    )
    if row.einde_geldigheid is not None:
        others = others.where(model.begin_geldigheid <= row.einde_geldigheid)
    return await session.scalar(others.limit(1)) is not None


async def check_no_overlap(session: AsyncSession, kind: Kind, row: Versioned) -> None:
    if not row.concept and await overlapping(session, kind, row):
        raise invalid("beginGeldigheid", "overlap",
                      f"a published {kind.resource} with this {kind.name_attr} is already valid in (part of) this "
                      "period; end the other version first (ztc-016)")


# --- catalogi and tenants --------------------------------------------------------------------------------------


async def get_catalogus(session: AsyncSession, key: uuid.UUID) -> Catalogus:
    found = await session.get(Catalogus, key)
    if found is None:
        raise NotFound(f"there is no catalogus {key}")
    return found


async def catalogus_at(session: AsyncSession, links: Links, value: str, name: str = "catalogus") -> Catalogus:
    """The catalogus a body's URL names; 400 naming the field when the URL points nowhere."""
    found = await session.get(Catalogus, links.key(value, "catalogussen", name))
    if found is None:
        raise invalid(name, "bad-url", "the URL does not resolve to a catalogus here")
    return found


async def require_tenant(session: AsyncSession, caller: ZgwCaller, rsin: str) -> None:
    """A client registered for an organisation writes only in that organisation's catalogi (Plein: one per
    municipality); all-rights clients and clients without an organisation are not limited."""
    if caller.all_rights or caller.organisation is None:
        return
    own = await session.scalar(select(Organisation.rsin).where(Organisation.code == caller.organisation))
    if own != rsin:
        raise Forbidden("this client may only change the catalogi of its own organisation")


# --- references by name ----------------------------------------------------------------------------------------


async def names_from_refs(session: AsyncSession, links: Links, kind: Kind, values: Sequence[str], field: str,
                          catalogus_id: uuid.UUID) -> tuple[list[str], list[InvalidParam]]:
    """Names of types from a body: each value is a name or the URL of one of our versions (its name is taken).

    A name must name a version in the same catalogus (ztc-013); a URL must point to one."""
    names: list[str] = []
    problems: list[InvalidParam] = []
    for index, value in enumerate(values):
        where = f"{field}.{index}"
        if urlparse(value).scheme in ("http", "https"):
            try:
                row: Any = await session.get(kind.model, links.key(value, kind.collection, where))
            except InvalidInput as exc:
                problems.extend(exc.invalid_params)
                continue
            if row is None:
                problems.append(InvalidParam(where, "bad-url", f"there is no {kind.resource} at this URL"))
                continue
            if row.catalogus_id != catalogus_id:
                problems.append(InvalidParam(where, "relations-incorrect-catalogus",
                                             f"the {kind.resource} belongs to another catalogus (ztc-013)"))
                continue
            names.append(getattr(row, kind.name_attr))
        else:
            names.append(value)
    missing = set(names) - await existing_names(session, kind, catalogus_id, names)
    problems += [InvalidParam(field, "does_not_exist", f"there is no {kind.resource} {name!r} in this catalogus")
                 for name in sorted(missing)]
    return list(dict.fromkeys(names)), problems


async def existing_names(session: AsyncSession, kind: Kind, catalogus_id: uuid.UUID,
                         names: Iterable[str], published: bool = False) -> set[str]:
    wanted = set(names)
    if not wanted:
        return set()
    query = select(kind.name_column()).where(kind.model.catalogus_id == catalogus_id,
                                             kind.name_column().in_(wanted))
    if published:
        query = query.where(kind.model.concept.is_(False))
    return set(await session.scalars(query))


async def valid_versions(session: AsyncSession, kind: Kind, catalogus_ids: Iterable[uuid.UUID],
                         names: Iterable[str], day: dt.date) -> dict[tuple[uuid.UUID, str], list[uuid.UUID]]:
    """The published versions valid on a day, per (catalogus, name): how name references are shown as URLs."""
    wanted, catalogi = set(names), set(catalogus_ids)
    if not wanted or not catalogi:
        return {}
    model = kind.model
    rows = await session.execute(
        select(model.catalogus_id, kind.name_column(), model.id)
        .where(model.catalogus_id.in_(catalogi), kind.name_column().in_(wanted), model.concept.is_(False),
               valid_on(model.begin_geldigheid, model.einde_geldigheid, day))
        .order_by(model.begin_geldigheid, model.created_at))
    found: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = {}
    for catalogus_id, name, key in rows:
        found.setdefault((catalogus_id, name), []).append(key)
    return found


def urls_for(links: Links, kind: Kind, versions: dict[tuple[uuid.UUID, str], list[uuid.UUID]],
             catalogus_id: uuid.UUID, names: Iterable[str]) -> list[str]:
    return [links.url(kind.collection, key) for name in names for key in versions.get((catalogus_id, name), [])]


# --- notifications ---------------------------------------------------------------------------------------------


async def notify(session: AsyncSession, links: Links, kind: Kind, row: Versioned, catalogus: Catalogus,
                 actie: str) -> None:
    """A notification on the type's kanaal (zaaktypen, informatieobjecttypen, besluittypen), in the caller's
    transaction, with the kenmerk the standard lists: the catalogus."""
    url = links.url(kind.collection, row.id)
    await notifications.publish(
        session, kanaal=kind.collection, hoofd_object=url, resource=kind.resource, resource_url=url, actie=actie,
        kenmerken={"catalogus": links.url("catalogussen", catalogus.id)},
        source_oin=oin_for_rsin(catalogus.rsin) if passes_elfproef(catalogus.rsin) else None,
    )
