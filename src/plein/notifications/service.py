"""Notifications domain logic: publish into the outbox, kanalen and abonnementen, parked deliveries and resending."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from plein import light
from plein.auth.service import Principal
from plein.db import new_uuid, utcnow
from plein.driver import Ready, ready_insert
from plein.errors import Conflict, InvalidInput, InvalidParam, NotFound
from plein.exchange import service as exchange_service
from plein.exchange.service import require_admin
from plein.identifiers import oin_for_rsin, passes_elfproef
from plein.notifications import filters as rules
from plein.notifications.models import (
    FORMATS,
    PARKED,
    PENDING,
    STATUSES,
    Abonnement,
    Attempt,
    Delivery,
    FilterGroup,
    Kanaal,
    Message,
)
from plein.settings import Networks

GEMMA = "https://vng-realisatie.github.io/gemma-zaken/standaard"
STANDARD_KANALEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "zaken": (f"{GEMMA}/zaken/", ("bronorganisatie", "zaaktype", "vertrouwelijkheidaanduiding")),
    "documenten": (f"{GEMMA}/documenten/", ("bronorganisatie", "informatieobjecttype", "vertrouwelijkheidaanduiding")),
    "besluiten": (f"{GEMMA}/besluiten/", ("verantwoordelijkeOrganisatie", "besluittype")),
    "autorisaties": (f"{GEMMA}/autorisaties/", ()),
    "zaaktypen": (f"{GEMMA}/catalogi/", ("catalogus",)),
    "informatieobjecttypen": (f"{GEMMA}/catalogi/", ("catalogus",)),
    "besluittypen": (f"{GEMMA}/catalogi/", ("catalogus",)),
    # Plein's own: changes at the source of the BRP, made by a decision of a municipality (a move, a death)
    "brp": ("https://brp-api.github.io/Haal-Centraal-BRP-bevragen/",
            ("gemeente", "vorigeGemeente", "soort", "burgerservicenummer")),
    # Plein's own: security advisories of store apps, one notification per municipality on an affected version, and
    # each step of a wish (joint demand), one per municipality that joined it
    "store": ("https://ossf.github.io/osv-schema/", ("app", "gemeente", "severity", "wens", "status")),
}
# Kanalen whose notifications name a person: delivered only to subscribers whose client may read that register's
# persons (a live read grant covering the field) in a municipality the notification concerns.
PERSONAL_KANALEN: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "brp": ("brp", "burgerservicenummer", ("gemeente", "vorigeGemeente")),
}
RSIN_KENMERKEN = ("bronorganisatie", "verantwoordelijkeOrganisatie")
MAX_PAGE = 200


@dataclass(frozen=True)
class KanaalFilter:
    """One kanaal of an abonnement and its filters on that kanaal's kenmerken."""

    naam: str
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated listing: the items and the cursor of the next page (None on the last)."""

    items: list[Any]
    next_after: int | None


# --- publishing -----------------------------------------------------------------------------------


ReaderCheck = Callable[[AsyncSession, set[str]], Awaitable[set[str]]]


async def publish(
    session: AsyncSession, *, kanaal: str, hoofd_object: str, resource: str, resource_url: str, actie: str,
    kenmerken: Mapping[str, str], aanmaakdatum: dt.datetime | None = None, source_oin: str | None = None,
    readers: ReaderCheck | None = None,
) -> Message:
    """Write a notification and its deliveries in the caller's transaction, without committing; returns the message
    as a light row (plein.light).

    The caller commits its change and the notification together: a change never happens without its notification,
    and a rolled-back change never notifies. One delivery is made per abonnement whose kanaal and filters match
    now. Standard ZGW kanalen (zaken, documenten, besluiten, …) are registered on first use. The source
    organisation (the CloudEvents `source`) defaults to the OIN of the `bronorganisatie` (or
    `verantwoordelijkeOrganisatie`) kenmerk. `readers`, given the client ids owning matching abonnementen, answers
    those that may read the resource: only their abonnementen (and those made by Plein's administrators, which have
    no owner) get a delivery, so that a notification never tells a client about a resource it may not read.
    Inside `batched` the message and its deliveries are kept and written with the others at its end (the message
    returned then has no id yet).
    """
    when = aanmaakdatum or utcnow()
    problems = message_problems(kanaal, hoofd_object, resource, resource_url, actie, kenmerken, when)
    if problems:
        raise InvalidInput("the notification is not valid", problems)
    batch: _Batch | None = session.info.get(_BATCH)
    if batch is None:
        channel, subscribed, owners = await _kanaal_and_subscriptions(session, kanaal)
    else:  # the kanaal and its abonnementen are read once per batch
        if kanaal not in batch.kanalen:
            batch.kanalen[kanaal] = await _kanaal_and_subscriptions(session, kanaal)
        channel, subscribed, owners = batch.kanalen[kanaal]
    matching = _matching(subscribed, kenmerken)
    if kanaal in PERSONAL_KANALEN and matching:
        matching = await _who_may_read(session, kanaal, kenmerken, matching, owners)
    if readers is not None and matching:
        allowed = await readers(session, {owner for key in matching if (owner := owners.get(key))})
        matching = [key for key in matching if owners.get(key) is None or owners.get(key) in allowed]
    now = utcnow()
    values = {"uuid": new_uuid(), "kanaal": channel, "hoofd_object": hoofd_object, "resource": resource,
              "resource_url": resource_url, "actie": actie, "aanmaakdatum": when, "kenmerken": dict(kenmerken),
              "source_oin": source_oin or _oin_from(kenmerken), "created_at": now}
    if batch is not None:
        batch.messages.append(values)
        if matching:
            batch.deliveries[cast(uuid.UUID, values["uuid"])] = matching
        return light.made(Message, id=None, **values)
    # Core inserts, not the ORM's unit of work: every write of the case APIs comes through here
    message_id = await _ADD_MESSAGE.scalar(session, values)
    deliveries = [{"message_id": message_id, "abonnement_id": abonnement_id, "status": PENDING,
                   "next_attempt_at": now, "created_at": now, "updated_at": now}
                  for abonnement_id in matching]
    if deliveries:
        await session.execute(insert(cast(Table, Delivery.__table__)), deliveries)
    return light.made(Message, id=message_id, **values)


async def publish_each(
    session: AsyncSession, *, kanaal: str, hoofd_object: str, resource: str, resource_url: str, actie: str,
    each: Sequence[tuple[Mapping[str, str], str | None]],
) -> int:
    """`publish` for many notifications about one object on one kanaal, each with its own kenmerken and source OIN
    (e.g. one per municipality concerned): the kanaal and its abonnementen are read once, and the messages and their
    deliveries are written in bulk, in the caller's transaction; returns how many messages were written."""
    if kanaal in PERSONAL_KANALEN:  # each needs its own check of who may read the person
        for kenmerken, oin in each:
            await publish(session, kanaal=kanaal, hoofd_object=hoofd_object, resource=resource,
                          resource_url=resource_url, actie=actie, kenmerken=kenmerken, source_oin=oin)
        return len(each)
    when = utcnow()
    for kenmerken, _ in each:
        problems = message_problems(kanaal, hoofd_object, resource, resource_url, actie, kenmerken, when)
        if problems:
            raise InvalidInput("the notification is not valid", problems)
    channel, subscribed, _ = await _kanaal_and_subscriptions(session, kanaal)
    messages = [{"uuid": new_uuid(), "kanaal": channel, "hoofd_object": hoofd_object, "resource": resource,
                 "resource_url": resource_url, "actie": actie, "aanmaakdatum": when, "kenmerken": dict(kenmerken),
                 "source_oin": oin or _oin_from(kenmerken), "created_at": when} for kenmerken, oin in each]
    if not messages:
        return 0
    wanted = {cast(uuid.UUID, row["uuid"]): matching for row, (kenmerken, _) in zip(messages, each, strict=True)
              if (matching := _matching(subscribed, kenmerken))}
    await _write(session, messages, wanted)
    return len(messages)


async def _write(session: AsyncSession, messages: list[dict[str, Any]], wanted: Mapping[uuid.UUID, list[uuid.UUID]]
                 ) -> None:
    """Messages in one INSERT, then the deliveries of those whose uuid `wanted` lists (to those abonnementen)."""
    await session.execute(insert(_MESSAGES), messages)
    keys = list(wanted)
    deliveries = []
    when = utcnow()
    for start in range(0, len(keys), MAX_PAGE):
        chunk = keys[start:start + MAX_PAGE]
        for message_id, key in await session.execute(select(_MESSAGES.c.id, _MESSAGES.c.uuid)
                                                      .where(_MESSAGES.c.uuid.in_(chunk))):
            deliveries += [{"message_id": message_id, "abonnement_id": abonnement_id, "status": PENDING,
                            "next_attempt_at": when, "created_at": when, "updated_at": when}
                           for abonnement_id in wanted[key]]
    if deliveries:
        await session.execute(insert(cast(Table, Delivery.__table__)), deliveries)


@dataclass
class _Batch:
    kanalen: dict[str, tuple[str, dict[uuid.UUID, list[Mapping[str, str]]], dict[uuid.UUID, str | None]]] = \
        field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)


_BATCH = "plein.notifications.batch"  # session.info: the messages kept by `batched`


@asynccontextmanager
async def batched(session: AsyncSession) -> AsyncIterator[None]:
    """Many writes of one transaction (a zaak with its parts): each kanaal's abonnementen read once, and the
    messages and their deliveries written together at the end, in order, still in the caller's transaction.
    Nothing is written when the block raises (the caller rolls back); nested, the outermost block writes."""
    if _BATCH in session.info:
        yield
        return
    batch = session.info[_BATCH] = _Batch()
    try:
        yield
    finally:
        session.info.pop(_BATCH, None)
    if batch.messages:
        await _write(session, batch.messages, batch.deliveries)


_MESSAGES = cast(Table, Message.__table__)
_ADD_MESSAGE = ready_insert(_MESSAGES, ("uuid", "kanaal", "hoofd_object", "resource", "resource_url", "actie",
                                        "aanmaakdatum", "kenmerken", "source_oin", "created_at"), _MESSAGES.c.id)


def message_problems(
    kanaal: object, hoofd_object: object, resource: object, resource_url: object, actie: object,
    kenmerken: object, aanmaakdatum: object,
) -> list[InvalidParam]:
    """What is wrong with a notification, field by field (named as in the ZGW Message)."""
    problems = [
        rules.text_problem(kanaal, "kanaal", 50), rules.url_problem(hoofd_object, "hoofdObject", 1000),
        rules.text_problem(resource, "resource", 100), rules.url_problem(resource_url, "resourceUrl", 1000),
        rules.text_problem(actie, "actie", 100),
    ]
    if not isinstance(aanmaakdatum, dt.datetime) or aanmaakdatum.tzinfo is None:
        problems.append(InvalidParam("aanmaakdatum", "invalid", "must be a date and time with a time zone"))
    found = [problem for problem in problems if problem is not None]
    return found + rules.kenmerken_problems(kenmerken)


def _oin_from(kenmerken: Mapping[str, str]) -> str | None:
    for name in RSIN_KENMERKEN:
        value = kenmerken.get(name)
        if isinstance(value, str) and passes_elfproef(value):
            return oin_for_rsin(value)
    return None


def _matching(groups: Mapping[uuid.UUID, list[Mapping[str, str]]], kenmerken: Mapping[str, Any]) -> list[uuid.UUID]:
    """The abonnementen with a filter group that matches these kenmerken."""
    return sorted(key for key, found in groups.items() if rules.any_group_matches(found, kenmerken))


async def _who_may_read(session: AsyncSession, kanaal: str, kenmerken: Mapping[str, Any], matching: list[uuid.UUID],
                        owners: Mapping[uuid.UUID, str | None]) -> list[uuid.UUID]:
    """The matching abonnementen whose owner may read the person the notification names."""
    register, path, places = PERSONAL_KANALEN[kanaal]
    municipalities = {str(kenmerken[name]) for name in places if kenmerken.get(name)}
    clients = {owner for key in matching if (owner := owners.get(key))}
    readers = await exchange_service.clients_reading(session, clients, register, path, municipalities)
    return [key for key in matching if owners.get(key) in readers]


_KANAAL_AND_SUBSCRIPTIONS = Ready(  # built once: every write of the case APIs runs it
    select(Kanaal.naam, FilterGroup.abonnement_id, FilterGroup.filters, Abonnement.owner)
    .select_from(Kanaal.__table__.outerjoin(
        FilterGroup.__table__.join(Abonnement.__table__, and_(Abonnement.id == FilterGroup.abonnement_id,
                                                              Abonnement.deleted_at.is_(None))),
        FilterGroup.kanaal_id == Kanaal.id))
    .where(Kanaal.naam == bindparam("naam"))
)


async def _kanaal_and_subscriptions(session: AsyncSession, naam: str) -> tuple[
        str, dict[uuid.UUID, list[Mapping[str, str]]], dict[uuid.UUID, str | None]]:
    """The kanaal's name, the filter groups of its live abonnementen and their owners (client ids), in one query; a
    standard kanaal is registered on first use (it has no abonnementen yet)."""
    rows = await _KANAAL_AND_SUBSCRIPTIONS.rows(session, {"naam": naam})
    if not rows:
        if naam not in STANDARD_KANALEN:
            raise InvalidInput(f"there is no kanaal '{naam}'",
                               [InvalidParam("kanaal", "unknown-kanaal", f"register kanaal '{naam}' first")])
        await ensure_standard_kanalen(session, [naam])
        return naam, {}, {}
    groups: dict[uuid.UUID, list[Mapping[str, str]]] = {}
    owners: dict[uuid.UUID, str | None] = {}
    for _, abonnement_id, group, owner in rows:
        if abonnement_id is not None:
            groups.setdefault(abonnement_id, []).append(group or {})
            owners[abonnement_id] = owner
    return naam, groups, owners


# --- kanalen --------------------------------------------------------------------------------------


async def ensure_standard_kanalen(session: AsyncSession, names: Sequence[str] | None = None) -> bool:
    """Register the standard ZGW kanalen that are missing, without committing (safe when several processes do it
    at once); True when there were missing ones."""
    wanted = [name for name in (names or STANDARD_KANALEN) if name in STANDARD_KANALEN]
    existing = set((await session.scalars(select(Kanaal.naam).where(Kanaal.naam.in_(wanted)))).all())
    missing = [name for name in wanted if name not in existing]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for name in missing:
        link, kenmerken = STANDARD_KANALEN[name]
        await session.execute(insert(Kanaal).values(
            id=new_uuid(), naam=name, documentatie_link=link, filters=list(kenmerken), created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["naam"]))
    await session.flush()
    return bool(missing)


async def find_kanaal(session: AsyncSession, naam: str) -> Kanaal | None:
    return await session.scalar(select(Kanaal).where(Kanaal.naam == naam))


async def list_kanalen(session: AsyncSession, naam: str | None = None) -> list[Kanaal]:
    """Every kanaal (the standard ones included), or the one with this name; registering missing standard ones
    commits the session."""
    if await ensure_standard_kanalen(session):
        await session.commit()
    query = select(Kanaal).order_by(Kanaal.naam)
    if naam is not None:
        query = query.where(Kanaal.naam == naam)
    return list((await session.scalars(query)).all())


async def get_kanaal(session: AsyncSession, key: uuid.UUID) -> Kanaal:
    kanaal = await session.get(Kanaal, key)
    if kanaal is None:
        raise NotFound(f"there is no kanaal {key}")
    return kanaal


async def create_kanaal(session: AsyncSession, naam: str, documentatie_link: str = "",
                        filters: Sequence[str] = ()) -> Kanaal:
    """Register a kanaal; its name is unique, its filters are the kenmerken its notifications carry."""
    problems = [rules.text_problem(naam, "naam", 50),
                rules.url_problem(documentatie_link, "documentatieLink", 200, required=False)]
    found = [problem for problem in problems if problem is not None]
    for index, name in enumerate(filters):
        problem = rules.text_problem(name, f"filters.{index}", 100)
        found += [problem] if problem else []
    if len(set(filters)) != len(filters):
        found.append(InvalidParam("filters", "unique", "each kenmerk may be named once"))
    if not found and await find_kanaal(session, naam) is not None:
        found.append(InvalidParam("naam", "unique", f"there is a kanaal '{naam}' already"))
    if found:
        raise InvalidInput("the kanaal is not valid", found)
    kanaal = Kanaal(naam=naam, documentatie_link=documentatie_link or "", filters=list(filters))
    session.add(kanaal)
    await session.commit()
    return kanaal


# --- abonnementen ---------------------------------------------------------------------------------


async def _filter_groups(session: AsyncSession, kanalen: Sequence[KanaalFilter]) -> list[FilterGroup]:
    """The abonnement's kanalen as filter groups; each kanaal must exist and filter only on its kenmerken."""
    await ensure_standard_kanalen(session, [item.naam for item in kanalen])
    names = {item.naam for item in kanalen}
    known = {k.naam: k for k in (await session.scalars(select(Kanaal).where(Kanaal.naam.in_(names)))).all()}
    problems: list[InvalidParam] = []
    groups = []
    for index, item in enumerate(kanalen):
        kanaal = known.get(item.naam)
        if kanaal is None:
            problems.append(InvalidParam(f"kanalen.{index}.naam", "unknown-kanaal", f"there is no kanaal "
                                         f"'{item.naam}'"))
            continue
        problems += rules.filter_problems(item.filters, kanaal.filters, kanaal.naam, f"kanalen.{index}.filters")
        groups.append(FilterGroup(kanaal_id=kanaal.id, kanaal=kanaal, position=index, filters=dict(item.filters)))
    if problems:
        raise InvalidInput("the abonnement is not valid", problems)
    return groups


def _abonnement_problems(callback_url: str | None, auth: str | None, format_: str | None,
                         allow_private: bool = True, allowed: Networks = ()) -> list[InvalidParam]:
    problems = []
    if callback_url is not None:
        problems.append(rules.url_problem(callback_url, "callbackUrl", 200))
        if not allow_private:
            problems.append(rules.private_host_problem(callback_url, "callbackUrl", allowed))
    if auth is not None:
        problems.append(rules.text_problem(auth, "auth", 1000))
    if format_ is not None and format_ not in FORMATS:
        problems.append(InvalidParam("format", "enum", f"one of {', '.join(FORMATS)}"))
    return [problem for problem in problems if problem is not None]


async def create_abonnement(session: AsyncSession, *, callback_url: str, auth: str, kanalen: Sequence[KanaalFilter],
                            format: str = "zgw", owner: str | None = None, allow_private: bool = True,
                            allowed: Networks = ()) -> Abonnement:
    """Subscribe a callback URL (with the Authorization header to send) to kanalen, with filters per kanaal.

    `allow_private` False refuses callback URLs on localhost or internal IP addresses (see the setting
    PLEIN_NOTIFICATIONS_PRIVATE_CALLBACKS)."""
    problems = _abonnement_problems(callback_url, auth, format, allow_private, allowed)
    if problems:
        raise InvalidInput("the abonnement is not valid", problems)
    groups = await _filter_groups(session, kanalen)
    now = utcnow()
    abonnement = Abonnement(callback_url=callback_url, auth=auth, format=format, owner=owner, created_at=now,
                            updated_at=now, kanalen=groups)
    session.add(abonnement)
    await session.commit()
    return abonnement


async def update_abonnement(
    session: AsyncSession, abonnement: Abonnement, *, callback_url: str | None = None, auth: str | None = None,
    kanalen: Sequence[KanaalFilter] | None = None, format: str | None = None, allow_private: bool = True,
    allowed: Networks = (),
) -> Abonnement:
    """Change what is given (None keeps a value); deliveries not yet made use the new URL, header and format."""
    problems = _abonnement_problems(callback_url, auth, format, allow_private, allowed)
    if problems:
        raise InvalidInput("the abonnement is not valid", problems)
    if kanalen is not None:
        abonnement.kanalen = await _filter_groups(session, kanalen)
    abonnement.callback_url = callback_url if callback_url is not None else abonnement.callback_url
    abonnement.auth = auth if auth is not None else abonnement.auth
    abonnement.format = format if format is not None else abonnement.format
    abonnement.updated_at = utcnow()
    await session.commit()
    return abonnement


async def delete_abonnement(session: AsyncSession, abonnement: Abonnement) -> None:
    """End an abonnement: it gets no new notifications; those already queued for it are still delivered."""
    abonnement.deleted_at = utcnow()
    await session.commit()


async def get_abonnement(session: AsyncSession, key: uuid.UUID, owner: str | None = None) -> Abonnement:
    """A live abonnement; with an owner, only one of that owner's (others are 'not found', not 'forbidden')."""
    abonnement = await session.get(Abonnement, key)
    if abonnement is None or abonnement.deleted_at is not None or (owner is not None and abonnement.owner != owner):
        raise NotFound(f"there is no abonnement {key}")
    return abonnement


async def list_abonnementen(session: AsyncSession, owner: str | None = None) -> list[Abonnement]:
    """Live abonnementen, oldest first; with an owner, only that owner's."""
    query = select(Abonnement).where(Abonnement.deleted_at.is_(None)).order_by(Abonnement.created_at, Abonnement.id)
    if owner is not None:
        query = query.where(Abonnement.owner == owner)
    return list((await session.scalars(query)).all())


def masked(secret: str, characters: str = "characters") -> str:
    """An Authorization header value as Plein's own pages and admin API show it: the scheme and a hint only (the
    pages say `characters` in Dutch)."""
    scheme, _, rest = secret.partition(" ")
    if not rest:
        scheme, rest = "", secret
    hint = rest[:4] if len(rest) >= 16 else ""
    return f"{scheme + ' ' if scheme else ''}{hint}…({len(secret)} {characters})"


# --- deliveries (administrators) ------------------------------------------------------------------


def _page_size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput("pageSize is out of range", [InvalidParam("pageSize", "range", f"from 1 to {MAX_PAGE}")])
    return limit


async def list_deliveries(session: AsyncSession, actor: Principal, *, status: str | None = None,
                          after: int | None = None, limit: int = 50) -> Page:
    """Deliveries, newest first, optionally with one status; keyset pages (`after` is the last id seen)."""
    require_admin(actor)
    if status is not None and status not in STATUSES:
        raise InvalidInput("unknown status", [InvalidParam("status", "enum", f"one of {', '.join(STATUSES)}")])
    query = select(Delivery).order_by(Delivery.id.desc()).limit(_page_size(limit) + 1)
    if status is not None:
        query = query.where(Delivery.status == status)
    if after is not None:
        query = query.where(Delivery.id < after)
    items = list((await session.scalars(query)).unique().all())
    return Page(items[:limit], items[limit - 1].id if len(items) > limit else None)


async def list_messages(session: AsyncSession, actor: Principal, *, kanaal: str | None = None,
                        after: int | None = None, limit: int = 50) -> tuple[Page, dict[int, dict[str, int]]]:
    """Messages, newest first, with how many of their deliveries have each status."""
    require_admin(actor)
    query = select(Message).order_by(Message.id.desc()).limit(_page_size(limit) + 1)
    if kanaal is not None:
        query = query.where(Message.kanaal == kanaal)
    if after is not None:
        query = query.where(Message.id < after)
    items = list((await session.scalars(query)).all())
    page = Page(items[:limit], items[limit - 1].id if len(items) > limit else None)
    return page, await delivery_counts(session, [message.id for message in page.items])


async def delivery_counts(session: AsyncSession, message_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {key: {} for key in message_ids}
    if not message_ids:
        return counts
    rows = await session.execute(
        select(Delivery.message_id, Delivery.status, func.count()).where(Delivery.message_id.in_(message_ids))
        .group_by(Delivery.message_id, Delivery.status))
    for message_id, status, count in rows:
        counts[message_id][status] = count
    return counts


async def get_message(session: AsyncSession, actor: Principal, key: int) -> tuple[Message, list[Delivery]]:
    require_admin(actor)
    message = await session.get(Message, key)
    if message is None:
        raise NotFound(f"there is no message {key}")
    deliveries = await session.scalars(select(Delivery).where(Delivery.message_id == key).order_by(Delivery.id))
    return message, list(deliveries.unique().all())


async def get_delivery(session: AsyncSession, actor: Principal, key: int) -> tuple[Delivery, list[Attempt]]:
    """One delivery with every attempt (time, worker, HTTP status or error), oldest first."""
    require_admin(actor)
    delivery = await session.get(Delivery, key)
    if delivery is None:
        raise NotFound(f"there is no delivery {key}")
    attempts = await session.scalars(select(Attempt).where(Attempt.delivery_id == key).order_by(Attempt.id))
    return delivery, list(attempts.all())


async def resend(session: AsyncSession, actor: Principal, key: int) -> Delivery:
    """Give a parked delivery a new round of attempts, starting now; its earlier attempts stay in the history."""
    require_admin(actor)
    now = utcnow()
    changed = await session.execute(
        update(Delivery).where(Delivery.id == key, Delivery.status == PARKED)
        .values(status=PENDING, round_start=Delivery.attempts, next_attempt_at=now, parked_at=None, updated_at=now)
        .execution_options(synchronize_session=False))
    await session.commit()
    delivery = await session.get(Delivery, key, populate_existing=True)
    if delivery is None:
        raise NotFound(f"there is no delivery {key}")
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict(f"only a parked delivery can be resent; this one is {delivery.status}",
                       [InvalidParam("status", "parked", f"is {delivery.status}")])
    return delivery
