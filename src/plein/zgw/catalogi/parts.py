"""The parts of a zaaktype (statustypen, roltypen, resultaattypen, eigenschappen, zaakobjecttypen,
zaaktype-informatieobjecttypen) are listed, created, changed and deleted the same way; this module does that once.

A part belongs to one zaaktype version and shares its catalogus and validity. While that zaaktype is a concept its
parts change freely; once it is published they are created and changed only by a correctie
(catalogi.geforceerd-schrijven), which may only extend (`correctie`: nothing is removed, a statustype is added only
at the end), and they are never deleted, not with catalogi.geforceerd-schrijven nor with
catalogi.geforceerd-verwijderen (ztc-010 lists DELETE without exception; see `correctie` for why). Each part type
supplies a `PartSpec` with what is its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import correctie, fields
from plein.zgw.catalogi.common import (
    Links,
    NotAConcept,
    commit_unique,
    concept_clause,
    date_param,
    forced_write,
    get_catalogus,
    invalid,
    local_key,
    paged,
    raise_if,
    require_tenant,
    status_param,
    url_param,
    valid_on,
)
from plein.zgw.catalogi.models import ZaakType

References = Callable[[AsyncSession, Links, dict[str, Any], ZaakType], Awaitable[tuple[dict[str, Any],
                                                                                      list[InvalidParam]]]]
Extra = Callable[[AsyncSession, Links, list[Any], dict[uuid.UUID, ZaakType]], Awaitable[list[dict[str, Any]]]]
Filters = Callable[[AsyncSession, Links, dict[str, str], Select[Any]], Awaitable[Select[Any]]]
Frozen = Callable[[AsyncSession, ZaakType, dict[str, Any]], Awaitable[str | None]]
Rules = Callable[[dict[str, Any]], list[InvalidParam]]
Correctie = Callable[[AsyncSession, ZaakType, Any, dict[str, Any]], Awaitable[list[InvalidParam]]]
VALIDITY = ("beginGeldigheid", "eindeGeldigheid", "beginObject", "eindeObject")


async def _no_references(session: AsyncSession, links: Links, data: dict[str, Any],
                         zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    return {}, []


async def _no_extra(session: AsyncSession, links: Links, rows: list[Any],
                    zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    return [{} for _ in rows]


async def _no_filters(session: AsyncSession, links: Links, query: dict[str, str], found: Select[Any]) -> Select[Any]:
    return found


async def zaaktype_published(session: AsyncSession, zaaktype: ZaakType, state: dict[str, Any]) -> str | None:
    """Why a part of this zaaktype is frozen (an error code), or None while the zaaktype is a concept."""
    return None if zaaktype.concept else "non-concept-zaaktype"


def _no_rules(state: dict[str, Any]) -> list[InvalidParam]:
    return []


async def _no_correctie(session: AsyncSession, zaaktype: ZaakType, row: Any,
                        values: dict[str, Any]) -> list[InvalidParam]:
    return []


@dataclass(frozen=True)
class PartSpec:
    """One kind of part: table, collection, plain fields, references, uniqueness within the zaaktype, extras, and
    for a correctie the lists that may only grow and its own check (`correctie`: the row, or None when added)."""

    collection: str
    model: Any
    resource: str
    fields: tuple[fields.Field, ...]
    references: References = _no_references
    extras_of: Extra = _no_extra
    filters: Filters = _no_filters
    frozen: Frozen = zaaktype_published
    rules: Rules = _no_rules
    growing: tuple[correctie.Growing, ...] = ()
    correctie: Correctie = _no_correctie
    unique: tuple[str, ...] = ()
    order: tuple[str, ...] = ("created_at", "id")
    validity: bool = True
    status_filter: bool = True
    names: frozenset[str] = field(default=frozenset())


# --- reading ---------------------------------------------------------------------------------------------------


async def get(session: AsyncSession, spec: PartSpec, key: uuid.UUID) -> Any:
    row = await session.get(spec.model, key)
    if row is None:
        raise NotFound(f"there is no {spec.resource} {key}")
    return row


async def list_parts(session: AsyncSession, links: Links, spec: PartSpec, query: dict[str, str], page: int,
                     size: int) -> tuple[int, list[Any]]:
    """One page of parts, filtered on their zaaktype (URL, identificatie, concept status, validity) and on their own
    filters; like Open Zaak, only parts of published zaaktypen unless `status` says otherwise."""
    model = spec.model
    found = select(model).join(ZaakType, ZaakType.id == model.zaaktype_id)
    zaaktype = local_key(links, url_param(query, "zaaktype"), "zaaktypen")
    if zaaktype is not None:
        found = found.where(model.zaaktype_id == zaaktype)
    identificatie = query.get("zaaktypeIdentificatie", query.get("zaaktype_identificatie"))
    if identificatie is not None:
        found = found.where(ZaakType.identificatie == identificatie)
    if spec.status_filter:
        clause = concept_clause(status_param(query), ZaakType.concept)
        found = found.where(clause) if clause is not None else found
    day = date_param(query, "datumGeldigheid") or date_param(query, "datum_geldigheid")
    if day is not None:
        found = found.where(valid_on(ZaakType.begin_geldigheid, ZaakType.einde_geldigheid, day))
    found = await spec.filters(session, links, query, found)
    return await paged(session, found, page, size, tuple(getattr(model, name) for name in spec.order))


async def represent_many(session: AsyncSession, links: Links, spec: PartSpec, rows: list[Any]) -> list[dict[str, Any]]:
    """Parts in the standard's shape: their fields, their zaaktype (URL, identificatie, catalogus, validity) and the
    extras of the kind."""
    keys = {row.zaaktype_id for row in rows}
    zaaktypen = {z.id: z for z in await session.scalars(select(ZaakType).where(ZaakType.id.in_(keys)))}
    extras = await spec.extras_of(session, links, rows, zaaktypen)
    shown = []
    for row, extra in zip(rows, extras, strict=True):
        zaaktype = zaaktypen[row.zaaktype_id]
        body: dict[str, Any] = {
            "url": links.url(spec.collection, row.id), "zaaktype": links.url("zaaktypen", zaaktype.id),
            "zaaktypeIdentificatie": zaaktype.identificatie,
            "catalogus": links.url("catalogussen", zaaktype.catalogus_id), **fields.represent(spec.fields, row),
        }
        if spec.validity:
            body |= {"beginGeldigheid": _iso(zaaktype.begin_geldigheid), "eindeGeldigheid":
                     _iso(zaaktype.einde_geldigheid), "beginObject": _iso(zaaktype.begin_object),
                     "eindeObject": _iso(zaaktype.einde_object)}
        shown.append(body | extra)
    return shown


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- writing ---------------------------------------------------------------------------------------------------


async def _zaaktype_at(session: AsyncSession, links: Links, value: str) -> ZaakType:
    found = await session.get(ZaakType, links.key(value, "zaaktypen", "zaaktype"))
    if found is None:
        raise invalid("zaaktype", "bad-url", "the URL does not resolve to a zaaktype here")
    return found


async def _guard(session: AsyncSession, caller: ZgwCaller, spec: PartSpec, zaaktype: ZaakType,
                 state: dict[str, Any]) -> bool:
    """ztc-010: the parts of a published zaaktype change only by a correctie; True when this write is one."""
    code = await spec.frozen(session, zaaktype, state)
    if code is None:
        return False
    if forced_write(caller):
        return True
    raise invalid("nonFieldErrors", code, f"the zaaktype of this {spec.resource} is published; a new version is "
                                          "needed (ztc-010), or the scope catalogi.geforceerd-schrijven")


async def _guard_delete(session: AsyncSession, spec: PartSpec, zaaktype: ZaakType, state: dict[str, Any]) -> None:
    """ztc-010 and the correctie rule: a part of a published zaaktype is never deleted, whatever the scopes."""
    code = await spec.frozen(session, zaaktype, state)
    if code is None:
        return
    conflict = NotAConcept(f"the zaaktype of this {spec.resource} is published; its parts are not deleted, not "
                           "even by a correctie or with catalogi.geforceerd-verwijderen (ztc-010: a correctie may "
                           "only extend); make a new version of the zaaktype")
    conflict.code = code
    raise conflict


async def _check_zaaktype(session: AsyncSession, links: Links, caller: ZgwCaller, spec: PartSpec,
                          zaaktype: ZaakType, data: dict[str, Any]) -> list[InvalidParam]:
    """The tenant may write here; a given catalogus is the zaaktype's; a given beginGeldigheid is the zaaktype's."""
    catalogus = await get_catalogus(session, zaaktype.catalogus_id)
    await require_tenant(session, caller, catalogus.rsin)
    problems: list[InvalidParam] = []
    if data.get("catalogus"):
        try:
            same = links.key(data["catalogus"], "catalogussen", "catalogus") == zaaktype.catalogus_id
        except InvalidInput as exc:
            return list(exc.invalid_params)
        if not same:
            problems.append(InvalidParam("catalogus", "relations-incorrect-catalogus",
                                         "the catalogus must be the catalogus of the zaaktype (ztc-013)"))
    begin = data.get("beginGeldigheid")
    if spec.validity and begin is not None and begin != zaaktype.begin_geldigheid.isoformat():
        problems.append(InvalidParam("beginGeldigheid", "invalid",
                                     "beginGeldigheid must be the beginGeldigheid of the zaaktype"))
    return problems


async def _check_unique(session: AsyncSession, spec: PartSpec, zaaktype_id: uuid.UUID, values: dict[str, Any],
                        own: uuid.UUID | None) -> list[InvalidParam]:
    problems = []
    api_names = {f.attr: f.api for f in spec.fields}
    for attr in spec.unique:
        if attr not in values:
            continue
        query = select(spec.model.id).where(spec.model.zaaktype_id == zaaktype_id,
                                            getattr(spec.model, attr) == values[attr])
        if own is not None:
            query = query.where(spec.model.id != own)
        if await session.scalar(query.limit(1)) is not None:
            problems.append(InvalidParam(api_names[attr], "unique",
                                         f"another {spec.resource} of this zaaktype has this {api_names[attr]}"))
    return problems


async def create(session: AsyncSession, links: Links, caller: ZgwCaller, spec: PartSpec,
                 data: dict[str, Any]) -> Any:
    zaaktype = await _zaaktype_at(session, links, data["zaaktype"])
    problems = await _check_zaaktype(session, links, caller, spec, zaaktype, data)
    found, more = await spec.references(session, links, data, zaaktype)
    values = fields.values(spec.fields, data, creating=True)
    if await _guard(session, caller, spec, zaaktype, {**values, **found}):
        problems += await spec.correctie(session, zaaktype, None, values)
    problems += more + spec.rules(values) + await _check_unique(session, spec, zaaktype.id, values, None)
    raise_if(problems)
    row = spec.model(id=uuid.uuid4(), zaaktype_id=zaaktype.id, **(values | found))
    session.add(row)
    await _commit(session, spec)
    return row


async def update(session: AsyncSession, links: Links, caller: ZgwCaller, spec: PartSpec, row: Any,
                 data: dict[str, Any]) -> Any:
    """PUT or PATCH (the body has what changes); a part of a published zaaktype changes only by a correctie that
    extends it and does not move it; a part that comes to a published zaaktype is checked as one added there."""
    current = await session.get(ZaakType, row.zaaktype_id)
    assert current is not None
    state = {f.attr: getattr(row, f.attr) for f in spec.fields} | {n: getattr(row, n) for n in spec.names}
    correcting = await _guard(session, caller, spec, current, state)
    zaaktype = await _zaaktype_at(session, links, data["zaaktype"]) if "zaaktype" in data else current
    problems = await _check_zaaktype(session, links, caller, spec, zaaktype, data)
    found, more = await spec.references(session, links, data, zaaktype)
    values = fields.values(spec.fields, data, creating=False)
    unique = {attr: state[attr] for attr in spec.unique} | values if zaaktype is not current else values
    problems += more + spec.rules(state | values) + await _check_unique(session, spec, zaaktype.id, unique, row.id)
    if correcting:
        problems += await _extends(session, links, spec, current, zaaktype, row, values | found)
    raise_if(problems)
    if await _guard(session, caller, spec, zaaktype, state | values | found) and not correcting:
        raise_if(await spec.correctie(session, zaaktype, None, state | values))
    fields.assign(row, {**values, **found, "zaaktype_id": zaaktype.id})
    await _commit(session, spec)
    return row


async def _extends(session: AsyncSession, links: Links, spec: PartSpec, current: ZaakType, zaaktype: ZaakType,
                   row: Any, after: dict[str, Any]) -> list[InvalidParam]:
    """A correctie of a part keeps it on its zaaktype and keeps what it relates to (`correctie`)."""
    problems = [correctie.moved(spec.resource)] if zaaktype.id != current.id else []
    problems += correctie.removals(links, spec.growing, row, after)
    return problems + await spec.correctie(session, current, row, after)


async def _commit(session: AsyncSession, spec: PartSpec) -> None:
    names = [f.api for f in spec.fields if f.attr in spec.unique] or ["nonFieldErrors"]
    await commit_unique(session, names[0], f"another {spec.resource} of this zaaktype has this {names[0]}")


async def delete(session: AsyncSession, caller: ZgwCaller, spec: PartSpec, row: Any) -> None:
    zaaktype = await session.get(ZaakType, row.zaaktype_id)
    assert zaaktype is not None
    catalogus = await get_catalogus(session, zaaktype.catalogus_id)
    await require_tenant(session, caller, catalogus.rsin)
    state = {f.attr: getattr(row, f.attr) for f in spec.fields} | {n: getattr(row, n) for n in spec.names}
    await _guard_delete(session, spec, zaaktype, state)
    await session.delete(row)
    await session.commit()


async def sibling_keys(session: AsyncSession, links: Links, spec_model: Any, collection: str, values: list[str | None],
                       name: str, zaaktype: ZaakType) -> tuple[list[str], list[InvalidParam]]:
    """uuids (as text) of other parts of the same zaaktype named by URL in a body; null entries are dropped."""
    keys: list[str] = []
    problems: list[InvalidParam] = []
    for index, value in enumerate(values):
        if not value:
            continue
        key, problem = await sibling_key(session, links, spec_model, collection, value, f"{name}.{index}", zaaktype)
        if problem is not None:
            problems.append(problem)
        elif key is not None and str(key) not in keys:
            keys.append(str(key))
    return keys, problems


async def sibling_key(session: AsyncSession, links: Links, spec_model: Any, collection: str, value: str | None,
                      name: str, zaaktype: ZaakType) -> tuple[uuid.UUID | None, InvalidParam | None]:
    """The uuid of another part of the same zaaktype, named by URL (empty: none); a problem when it points elsewhere."""
    if not value:
        return None, None
    try:
        key = links.key(value, collection, name)
    except InvalidInput as exc:
        return None, exc.invalid_params[0]
    target = await session.get(spec_model, key)
    if target is None:
        return None, InvalidParam(name, "bad-url", f"there is no {collection} resource at this URL")
    if target.zaaktype_id != zaaktype.id:
        return None, InvalidParam(name, "relations-incorrect-zaaktype", "it belongs to another zaaktype")
    return key, None
