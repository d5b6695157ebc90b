"""Create, change, delete and publish the three published types (zaaktype, informatieobjecttype, besluittype) the
same way: checks first, then the write, the notification and one commit, so a refused change leaves nothing behind.

Each type supplies a `TypeSpec`: its plain fields, how its references are read from a body, its own rules, what
must hold before it is published, and the lists a correctie of a published version may only extend (`correctie`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidParam, NotFound
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import correctie, fields
from plein.zgw.catalogi.common import (
    Kind,
    Links,
    Versioned,
    catalogus_at,
    check_no_overlap,
    check_period,
    get_catalogus,
    guard_change,
    guard_delete,
    hold_catalogus,
    invalid,
    notify,
    raise_if,
    refuse_if_in_use,
    require_tenant,
)

References = Callable[[AsyncSession, Links, dict[str, Any], uuid.UUID], Awaitable[tuple[dict[str, Any],
                                                                                        list[InvalidParam]]]]
Rules = Callable[[dict[str, Any]], list[InvalidParam]]
PublishCheck = Callable[[AsyncSession, Any], Awaitable[list[InvalidParam]]]


async def no_references(session: AsyncSession, links: Links, data: dict[str, Any],
                        catalogus_id: uuid.UUID) -> tuple[dict[str, Any], list[InvalidParam]]:
    return {}, []


def no_rules(state: dict[str, Any]) -> list[InvalidParam]:
    return []


async def nothing_to_check(session: AsyncSession, row: Any) -> list[InvalidParam]:
    return []


@dataclass(frozen=True)
class TypeSpec:
    """How one published type is written: fields, references (API names listed in `reference_names`), rules, and
    the lists and relations a correctie may only extend (`growing`)."""

    kind: Kind
    fields: tuple[fields.Field, ...]
    reference_names: frozenset[str] = frozenset()
    references: References = no_references
    rules: Rules = no_rules
    publish_check: PublishCheck = nothing_to_check
    growing: tuple[correctie.Growing, ...] = ()

    def writable(self, data: dict[str, Any]) -> set[str]:
        names = {field.api for field in self.fields} | self.reference_names | {"catalogus"}
        return set(data) & names


async def get(session: AsyncSession, spec: TypeSpec, key: uuid.UUID) -> Any:
    row = await session.get(spec.kind.model, key)
    if row is None:
        raise NotFound(f"there is no {spec.kind.resource} {key}")
    return row


async def create(session: AsyncSession, links: Links, caller: ZgwCaller, spec: TypeSpec,
                 data: dict[str, Any]) -> Any:
    """A new concept version from a checked body; it notifies `create`."""
    catalogus = await catalogus_at(session, links, data["catalogus"])
    await require_tenant(session, caller, catalogus.rsin)
    found, problems = await spec.references(session, links, data, catalogus.id)
    values = fields.values(spec.fields, data, creating=True)
    problems += check_period(values.get("begin_geldigheid"), values.get("einde_geldigheid"))
    problems += spec.rules(values)
    raise_if(problems)
    row = spec.kind.model(id=uuid.uuid4(), catalogus_id=catalogus.id, concept=True, **(values | found))
    session.add(row)
    await session.flush()
    await notify(session, links, spec.kind, row, catalogus, "create")
    await session.commit()
    return row


async def update(session: AsyncSession, links: Links, caller: ZgwCaller, spec: TypeSpec, row: Versioned,
                 data: dict[str, Any], partial: bool) -> Any:
    """PUT or PATCH: ztc-009 for published versions (a correctie that only extends), the type's rules on the result,
    ztc-016 when published."""
    guard_change(caller, row, spec.writable(data), partial)
    catalogus = await get_catalogus(session, row.catalogus_id)
    await require_tenant(session, caller, catalogus.rsin)
    if "catalogus" in data and (await catalogus_at(session, links, data["catalogus"])).id != row.catalogus_id:
        raise invalid("catalogus", "invalid", f"a {spec.kind.resource} cannot move to another catalogus")
    found, problems = await spec.references(session, links, data, row.catalogus_id)
    values = fields.values(spec.fields, data, creating=False)
    state = {**{field.attr: getattr(row, field.attr) for field in spec.fields}, **values}
    problems += check_period(state.get("begin_geldigheid"), state.get("einde_geldigheid"))
    problems += spec.rules(state)
    if not row.concept:
        problems += correctie.removals(links, spec.growing, row, {**values, **found})
    raise_if(problems)
    if not row.concept:
        await hold_catalogus(session, row.catalogus_id)
    fields.assign(row, {**values, **found})
    await session.flush()
    await check_no_overlap(session, spec.kind, row)
    await notify(session, links, spec.kind, row, catalogus, "partial_update" if partial else "update")
    await session.commit()
    return row


async def delete(session: AsyncSession, links: Links, caller: ZgwCaller, spec: TypeSpec, row: Versioned) -> None:
    """Only concepts, unless the caller holds catalogi.geforceerd-verwijderen; a zaaktype takes its parts along."""
    guard_delete(caller, row)
    await refuse_if_in_use(session, spec.kind, row.id)
    catalogus = await get_catalogus(session, row.catalogus_id)
    await require_tenant(session, caller, catalogus.rsin)
    await notify(session, links, spec.kind, row, catalogus, "destroy")
    await session.delete(row)
    await session.commit()


async def publish(session: AsyncSession, links: Links, caller: ZgwCaller, spec: TypeSpec, row: Versioned) -> Any:
    """Make a concept definitive (concept=false) when its checks pass and no published version overlaps (ztc-016).

    Publishing a published version changes nothing and answers with it as it is."""
    catalogus = await get_catalogus(session, row.catalogus_id)
    await require_tenant(session, caller, catalogus.rsin)
    if not row.concept:
        return row
    raise_if(await spec.publish_check(session, row))
    await hold_catalogus(session, row.catalogus_id)
    row.concept = False
    await session.flush()
    await check_no_overlap(session, spec.kind, row)
    await notify(session, links, spec.kind, row, catalogus, "publish")
    await session.commit()
    return row

