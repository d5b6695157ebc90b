"""Exchange layer entry point: checking a register read against the client's live grants, and logging what it got.

Other domains call this module only; it re-exports the registries (exchange.registry: clients, processing
activities) and the grant records (exchange.grants) they use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from plein.auth import service as auth
from plein.auth.models import ApiClient
from plein.auth.service import Principal
from plein.db import UTCDateTime, time_ordered_uuid, utcnow
from plein.driver import Ready
from plein.errors import Forbidden, InvalidInput, InvalidParam, NotAuthenticated, ServiceUnavailable
from plein.exchange import log
from plein.exchange.grants import (
    GrantRequest,
    LiveGrant,
    covers,
    create_grant,
    get_grant,
    grant_for_adoption,
    list_grants,
    parse_field_path,
    parse_fields,
    platform_client_id,
    revoke_for_adoption,
    revoke_grant,
    scope,
    ungranted,
)
from plein.exchange.models import Grant, ProcessingActivity
from plein.exchange.registry import (
    create_activity,
    create_api_client,
    find_activity,
    find_client,
    is_activity_code,
    is_exchange_admin,
    list_activities,
    list_clients,
    require_admin,
)
from plein.organisations.models import Organisation

__all__ = [
    "ACTIVITY_HEADER", "TRANSACTION_HEADER", "ClientReader", "GrantRequest", "ReadPermit", "WritePermit",
    "authenticate_reader", "authorize_read", "authorize_write", "check_municipality", "check_write_municipality",
    "clients_reading", "covers", "create_activity", "create_api_client", "create_grant", "find_activity", "get_grant",
    "grant_for_adoption", "is_exchange_admin", "list_activities", "list_clients", "list_grants", "log_reads",
    "log_writes", "new_trace_id", "parse_field_path", "parse_fields", "platform_client_id", "require_admin",
    "revoke_for_adoption", "revoke_grant", "ungranted",
]

ACTIVITY_HEADER = "X-Verwerkingsactiviteit"
IN_ONDERZOEK = "inOnderzoek"  # Haal Centraal's "under investigation" marker that comes along with delivered fields
TRANSACTION_HEADER = "X-Transaction-Id"


def new_trace_id() -> str:
    """A transaction (trace) id for a request: 32 hex digits that start with the time, so that the processing log's
    trace_id index grows at its end (see db.time_ordered_uuid)."""
    return time_ordered_uuid().hex


@dataclass(frozen=True)
class ReadPermit:
    """A checked right to read: these fields of this register, for this activity, within this scope."""

    client_id: str
    organisation_code: str | None
    activity: str
    register: str
    fields: frozenset[str]
    municipalities: frozenset[str] | None
    trace_id: str

    def allows_municipality(self, code: str | None) -> bool:
        """Whether a person registered in this municipality (CBS code) may be returned."""
        return self.municipalities is None or code in self.municipalities


@dataclass(frozen=True)
class _Rights:
    """What the database says about one read: the client's organisation and its live grants for the activity."""

    organisation_code: str
    grants: list[LiveGrant]


@dataclass(frozen=True)
class ClientReader:
    """An API client authenticated by its JWT together with what the database says about its rights for one register
    and activity, both read in one statement (authenticate_reader); authorize_read decides on these rows."""

    principal: Principal
    register: str
    activity: str
    rows: Sequence[tuple[Any, ...]]


async def authenticate_reader(session: AsyncSession, token: str, register: str, activity: str | None) -> ClientReader:
    """Verify a client's JWT (as auth.client_principal does) and read its rights for this register and activity in
    the same statement. Raises NotAuthenticated; what the rights say is decided later, by authorize_read."""
    try:
        client_id = auth.token_client_id(token)
    except auth.AuthError as exc:
        raise NotAuthenticated(str(exc)) from exc
    code = (activity or "").strip()
    rows = await _rights_rows(session, client_id, register, code)
    if not rows:
        raise NotAuthenticated("unknown client_id")
    secret, roles, all_rights, _, organisation_code = rows[0][:5]
    try:
        key = auth.ClientKey(client_id, auth.open_secret(session, secret), roles, all_rights, organisation_code)
        principal = auth.verify_client_token(token, key)
    except auth.AuthError as exc:
        raise NotAuthenticated(str(exc)) from exc
    return ClientReader(principal, register, code, rows)


async def authorize_read(
    session: AsyncSession, principal: Principal | None, register: str, fields: Iterable[str],
    activity: str | None, trace_id: str, automatic: Sequence[str] = (), reader: ClientReader | None = None,
) -> ReadPermit:
    """Check that the client holds live grants covering every requested field for the named activity.

    Raises NotAuthenticated (no client), InvalidInput (no or unknown activity, naming the header) or Forbidden
    (problem+json whose invalidParams list every ungranted field). A revoked or expired grant counts as absent.
    `automatic` names fields delivered without being asked: the permit includes them when the same grants cover
    them within the same municipalities. The grants are read once per request, fresh from the database: here, or
    with the client's token by authenticate_reader (`reader`, for this principal, register and activity).
    """
    client_id = _reading_client(principal)
    try:
        code = _activity_code(activity)
        requested = _parsed_fields(register, tuple(fields))
    except InvalidInput:
        if reader is None and await find_client(session, client_id) is None:
            raise NotAuthenticated("unknown client_id") from None
        raise
    if reader is not None and (reader.principal, reader.register, reader.activity) == (principal, register, code):
        rows = reader.rows
    else:
        rows = await _rights_rows(session, client_id, register, code)
    rights = _rights(rows, client_id, code)
    missing, municipalities, permitted = _decide(register, requested, tuple(automatic), tuple(rights.grants))
    if missing:
        raise Forbidden(
            f"client '{client_id}' holds no live grant for {', '.join(missing)} of register {register} "
            f"for processing activity '{code}'",
            [InvalidParam(path, "not-granted", f"not granted for activity '{code}'") for path in missing],
            extra={"ungrantedFields": list(missing)},
        )
    return ReadPermit(client_id, rights.organisation_code, code, register, permitted, municipalities, trace_id)


@functools.lru_cache(maxsize=1024)
def _parsed_fields(register: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """parse_fields, worked out once per field list (clients ask for the same fields again and again)."""
    return parse_fields(register, fields)


@functools.lru_cache(maxsize=1024)
def _decide(register: str, requested: tuple[str, ...], automatic: tuple[str, ...], grants: tuple[LiveGrant, ...]
            ) -> tuple[tuple[str, ...], frozenset[str] | None, frozenset[str]]:
    """What live grants allow for the requested fields: the ungranted ones (when any, nothing else is worked out),
    the municipalities and the fields a permit holds. A pure function of its arguments, so it is worked out once per
    combination; the grants themselves are read fresh for every request."""
    missing = ungranted(requested, [path for grant in grants for path in grant.fields])
    if missing:
        return tuple(missing), None, frozenset()
    municipalities = scope(requested, grants)
    return (), municipalities, frozenset(_with_automatic(register, requested, automatic, grants, municipalities))


def _with_automatic(register: str, requested: tuple[str, ...], automatic: Sequence[str], grants: Sequence[LiveGrant],
                    municipalities: frozenset[str] | None) -> tuple[str, ...]:
    """The requested fields plus the automatic ones, when the grants cover those too in the same municipalities."""
    if not automatic:
        return requested
    wider = parse_fields(register, [*requested, *automatic])
    if ungranted(wider, [path for grant in grants for path in grant.fields]):
        return requested
    try:
        same = scope(wider, grants) == municipalities
    except Forbidden:
        return requested
    return wider if same else requested


def _reading_client(principal: Principal | None) -> str:
    if principal is None:
        raise NotAuthenticated("register reads need an API client JWT (Authorization: Bearer …)")
    if principal.kind != "client":
        raise Forbidden("register reads are for API clients with grants")
    return principal.id


def _activity_code(activity: str | None) -> str:
    code = (activity or "").strip()
    if not code:
        raise InvalidInput(f"name the processing activity of this read in the {ACTIVITY_HEADER} header",
                           [InvalidParam(ACTIVITY_HEADER, "required", "the id of a registered processing activity")])
    if not is_activity_code(code):
        raise InvalidInput(f"the {ACTIVITY_HEADER} header is not an activity id",
                           [InvalidParam(ACTIVITY_HEADER, "pattern", "lower-case words joined by '-'")])
    return code


_READ_RIGHTS = Ready(  # built once: only the parameters change from read to read
    select(ApiClient.secret, ApiClient.roles, ApiClient.all_rights, ApiClient.organisation_id, Organisation.code,
           ProcessingActivity.id, Grant.id, Grant.fields, Grant.municipality)
    .select_from(ApiClient)
    .outerjoin(Organisation, Organisation.id == ApiClient.organisation_id)
    .outerjoin(ProcessingActivity, and_(ProcessingActivity.organisation_id == ApiClient.organisation_id,
                                        ProcessingActivity.code == bindparam("code")))
    .outerjoin(Grant, and_(Grant.client_id == ApiClient.id, Grant.register == bindparam("register"),
                           Grant.access == "read", Grant.activity_id == ProcessingActivity.id,
                           Grant.revoked_at.is_(None),
                           Grant.valid_from <= bindparam("now", type_=UTCDateTime()),
                           or_(Grant.valid_until.is_(None), Grant.valid_until > bindparam("now", type_=UTCDateTime()))))
    .where(ApiClient.client_id == bindparam("client_id"))
)


async def _rights_rows(session: AsyncSession, client_id: str, register: str, code: str) -> Sequence[tuple[Any, ...]]:
    """The client, its organisation, the activity and the client's live grants for it, in one statement: one row
    per live grant, or one row with the grant columns empty (none when the client does not exist)."""
    parameters = {"client_id": client_id, "code": code, "register": register, "now": utcnow()}
    return [tuple(row) for row in await _READ_RIGHTS.rows(session, parameters)]


def _rights(rows: Sequence[tuple[Any, ...]], client_id: str, code: str) -> _Rights:
    """The rights the rows give. Raises NotAuthenticated (unknown client), Forbidden (client without organisation)
    or InvalidInput (the activity is not in the organisation's processing register)."""
    if not rows:
        raise NotAuthenticated("unknown client_id")
    organisation_id, organisation_code, activity_id = rows[0][3], rows[0][4], rows[0][5]
    if organisation_id is None:
        raise Forbidden(f"client '{client_id}' has no organisation, so no processing register and no grants")
    if activity_id is None:
        owner = organisation_code or "?"
        raise InvalidInput(f"'{code}' (header {ACTIVITY_HEADER}) is not in the processing register of {owner}",
                           [InvalidParam(ACTIVITY_HEADER, "unknown", f"no processing activity '{code}' of {owner}")])
    grants = [LiveGrant(tuple(row[7] or ()), row[8]) for row in rows if row[6] is not None]
    return _Rights(organisation_code, grants)


def check_municipality(permit: ReadPermit, code: str | None) -> None:
    """Refuse a person registered outside the permit's municipalities (a clear 403, never data)."""
    if not permit.allows_municipality(code):
        raise Forbidden(f"this person is not registered in a municipality of the grant "
                        f"({', '.join(sorted(permit.municipalities or ()))})")


async def clients_reading(session: AsyncSession, client_ids: Iterable[str], register: str, path: str,
                          municipalities: Iterable[str]) -> set[str]:
    """Which of these clients hold a live read grant on the register covering the path, everywhere or in one of the
    municipalities (e.g. to whom a notification naming a person may go)."""
    wanted = sorted(set(client_ids))
    if not wanted:
        return set()
    places = set(municipalities)
    now = utcnow()
    statement = (select(ApiClient.client_id, Grant.fields, Grant.municipality)
                 .join(Grant, Grant.client_id == ApiClient.id)
                 .where(ApiClient.client_id.in_(wanted), Grant.register == register, Grant.access == "read",
                        Grant.revoked_at.is_(None), Grant.valid_from <= now,
                        or_(Grant.valid_until.is_(None), Grant.valid_until > now)))
    return {client_id for client_id, fields, municipality in await session.execute(statement)
            if not ungranted([path], fields or []) and (municipality is None or municipality in places)}


# --- writes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WritePermit:
    """A checked right to make one kind of change to a register, for this activity, within these municipalities."""

    client_id: str
    organisation_code: str | None
    activity: str
    register: str
    mutation: str
    municipalities: frozenset[str] | None
    trace_id: str

    def allows_municipality(self, code: str | None) -> bool:
        """Whether the change may concern this municipality (the one the person comes to live in, dies in, …)."""
        return self.municipalities is None or code in self.municipalities


_WRITE_RIGHTS = (
    select(Grant.municipality, Organisation.code)
    .join(ApiClient, ApiClient.id == Grant.client_id)
    .join(ProcessingActivity, ProcessingActivity.id == Grant.activity_id)
    .outerjoin(Organisation, Organisation.id == ApiClient.organisation_id)
    .where(ApiClient.client_id == bindparam("client_id"), Grant.register == bindparam("register"),
           Grant.access == "write", Grant.mutation == bindparam("mutation"),
           ProcessingActivity.code == bindparam("code"), Grant.revoked_at.is_(None),
           Grant.valid_from <= bindparam("now", type_=UTCDateTime()),
           or_(Grant.valid_until.is_(None), Grant.valid_until > bindparam("now", type_=UTCDateTime())))
)


async def authorize_write(session: AsyncSession, client_id: str, register: str, mutation: str, activity: str,
                          trace_id: str) -> WritePermit:
    """Check that the client holds a live write grant for this kind of change to the register, for the activity.

    Raises Forbidden naming the mutation when it holds none (a revoked or expired grant counts as absent)."""
    parameters = {"client_id": client_id, "register": register, "mutation": mutation, "code": activity,
                  "now": utcnow()}
    rows = (await session.execute(_WRITE_RIGHTS, parameters)).all()
    if not rows:
        raise Forbidden(f"client '{client_id}' holds no live write grant for '{mutation}' in register {register} "
                        f"for processing activity '{activity}'",
                        [InvalidParam(mutation, "not-granted", f"no write grant for activity '{activity}'")])
    scoped = [municipality for municipality, _ in rows]
    municipalities = None if any(code is None for code in scoped) else frozenset(str(code) for code in scoped)
    return WritePermit(client_id, rows[0][1], activity, register, mutation, municipalities, trace_id)


def check_write_municipality(permit: WritePermit, code: str | None) -> None:
    """Refuse a change that concerns a municipality outside the write grant (a clear 403, nothing written)."""
    if not permit.allows_municipality(code):
        raise Forbidden(f"this change ({permit.mutation}) concerns municipality {code or 'unknown'}, outside the "
                        f"write grant ({', '.join(sorted(permit.municipalities or ()))})",
                        [InvalidParam(permit.mutation, "municipality", "outside the municipalities of the grant")])


async def log_writes(session: AsyncSession, permit: WritePermit, subjects: Sequence[tuple[str, Sequence[str]]]
                     ) -> None:
    """Append one hash-chained record per person whose data the change touched (BSN, fields changed), in the
    caller's transaction: the change and its records are committed together or not at all. Call it as late as
    possible before the commit: the log's head stays locked until then."""
    entries = [log.Entry(permit.trace_id, permit.client_id, permit.organisation_code, permit.activity,
                         permit.register, subject, tuple(sorted(set(fields))), log.WRITE)
               for subject, fields in subjects]
    try:
        await log.append(session, entries)
    except SQLAlchemyError as exc:
        raise ServiceUnavailable("the processing log could not be written, so nothing is changed") from exc


# --- logging reads --------------------------------------------------------------------------------


def _undue(delivered: Sequence[str], granted: Iterable[str]) -> list[str]:
    """The delivered paths that no grant covers. An `inOnderzoek` part only says which delivered fields are under
    investigation (the register cuts it to the fields asked): it is due when it comes along with a delivered field
    of the same object (or at a person's top level)."""
    fields = [path for path in delivered if path.rpartition(".")[2] != IN_ONDERZOEK]
    alone = [path for path in delivered if path not in fields and (parent := path.rpartition(".")[0])
             and not any(_overlap(parent, field) for field in fields)]
    return ungranted(fields, granted) + alone


def _overlap(first: str, second: str) -> bool:
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


async def log_reads(session: AsyncSession, permit: ReadPermit, subjects: list[tuple[str, list[str]]]) -> None:
    """Append one hash-chained processing-log record per person returned (BSN, fields delivered) and commit.

    Called before the response is sent; if it raises, the caller returns an error and no data leaves. The session's
    transaction is committed first (it read the data; its connection goes back to the pool), then the records are
    appended together with those of concurrent reads in this process (log.Appender).
    """
    if not subjects:
        return
    entries = []
    for subject, delivered in subjects:
        extra = _undue(delivered, permit.fields)
        if extra:
            raise RuntimeError(f"refusing to deliver fields that were not both asked for and granted: {extra}")
        entries.append(log.Entry(permit.trace_id, permit.client_id, permit.organisation_code, permit.activity,
                                 permit.register, subject, tuple(sorted(set(delivered)))))
    if not isinstance(session.bind, AsyncEngine):  # a session on one connection: append in its transaction
        await log.write(session, entries)
        return
    try:
        await session.commit()
    except SQLAlchemyError as exc:
        await session.rollback()
        raise ServiceUnavailable(log.NOT_WRITTEN) from exc
    await log.write_shared(session.bind, entries)
