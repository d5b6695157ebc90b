"""Exchange layer domain logic: who may read which register fields for which activity, and the processing log."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import service as auth
from plein.auth.models import ApiClient
from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidParam,
    NotAuthenticated,
    NotFound,
)
from plein.exchange import log
from plein.exchange.models import Grant, ProcessingActivity
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.registers.fields import REGISTERS, register_fields

ACTIVITY_HEADER = "X-Verwerkingsactiviteit"
TRANSACTION_HEADER = "X-Transaction-Id"
ADMIN_ORGANISATION = "plein"
ADMIN_ROLE = "curator"
DEFAULT_RETENTION = "P1Y"
SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
ACTIVITY_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,199}$")
DURATION = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
MIN_SECRET = 16


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


# --- field paths ----------------------------------------------------------------------------------


def parse_field_path(path: str) -> str:
    """A dotted field path such as `naam.voornamen`, stripped; ValueError says what is wrong with it."""
    text = path.strip()
    if not text:
        raise ValueError("a field path cannot be empty")
    bad = [segment for segment in text.split(".") if not SEGMENT.fullmatch(segment)]
    if bad:
        raise ValueError(f"'{text}' is not a field path: segments are letters and digits separated by dots")
    return text


def parse_fields(register: str, paths: Iterable[str], name: str = "fields") -> tuple[str, ...]:
    """The requested field paths, checked against the register's field list, without duplicates, in order."""
    known = register_fields(register)
    if known is None:
        raise InvalidInput(f"'{register}' is not a register", [
            InvalidParam("register", "enum", f"must be one of {', '.join(REGISTERS)}")])
    result: list[str] = []
    problems = []
    for raw in paths:
        try:
            path = parse_field_path(raw)
        except ValueError as exc:
            problems.append(InvalidParam(name, "pattern", str(exc)))
            continue
        if path not in known:
            problems.append(InvalidParam(name, "unknown-field", f"'{path}' is not a field of register {register}"))
        elif path not in result:
            result.append(path)
    if problems:
        raise InvalidInput("the fields are not valid", problems)
    if not result:
        raise InvalidInput("name at least one field", [InvalidParam(name, "required", "at least one field")])
    return tuple(result)


def covers(granted: str, requested: str) -> bool:
    """A grant for a path covers that path and its sub-paths (`naam` covers `naam.voornamen`, not `naamgebruik`)."""
    return requested == granted or requested.startswith(granted + ".")


def ungranted(requested: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The requested paths that no granted path covers, in the order asked."""
    held = list(granted)
    return [path for path in requested if not any(covers(grant, path) for grant in held)]


# --- clients and processing activities ------------------------------------------------------------


def is_exchange_admin(principal: Principal | None) -> bool:
    """Exchange administrators: principals with all rights, or the curator role of organisation `plein`."""
    return principal is not None and principal.has_role(ADMIN_ORGANISATION, ADMIN_ROLE)


def require_admin(principal: Principal) -> None:
    if not is_exchange_admin(principal):
        raise Forbidden("only exchange administrators (all rights, or curator of organisation 'plein') may do this")


async def create_api_client(
    session: AsyncSession, actor: Principal, client_id: str, *, secret: str | None = None,
    organisation: str | None = None, roles: Sequence[str] = (), all_rights: bool = False,
) -> tuple[ApiClient, str]:
    """Register an API client in the one client registry; returns it with its secret (shown once)."""
    require_admin(actor)
    if all_rights and not actor.all_rights:
        raise Forbidden("only a principal with all rights may create a client with all rights")
    problems = _client_problems(client_id, secret, roles)
    if problems:
        raise InvalidInput("the client is not valid", problems)
    if organisation:
        await _organisation(session, organisation, "organisation")
    if await _client(session, client_id) is not None:
        raise Conflict(f"a client '{client_id}' exists already", [InvalidParam("clientId", "unique", "taken")])
    try:
        client, made = await auth.create_client(session, client_id, organisation, list(roles), secret, all_rights)
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"a client '{client_id}' exists already") from exc
    await session.refresh(client, ["organisation"])
    return client, made


def _client_problems(client_id: str, secret: str | None, roles: Sequence[str]) -> list[InvalidParam]:
    problems = []
    if not CLIENT_ID.fullmatch(client_id):
        problems.append(InvalidParam("clientId", "pattern", "2-200 letters, digits, '.', '_', ':' or '-'"))
    if secret is not None and len(secret) < MIN_SECRET:
        problems.append(InvalidParam("secret", "minLength", f"at least {MIN_SECRET} characters"))
    problems += [InvalidParam("roles", "enum", f"'{role}' is not one of {', '.join(auth.ROLES)}")
                 for role in roles if role not in auth.ROLES]
    return problems


async def list_clients(session: AsyncSession, actor: Principal) -> list[ApiClient]:
    require_admin(actor)
    return list((await session.scalars(select(ApiClient).order_by(ApiClient.client_id))).all())


async def _client(session: AsyncSession, client_id: str) -> ApiClient | None:
    return await session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


async def _organisation(session: AsyncSession, code: str, name: str, municipality: bool = False) -> Organisation:
    try:
        found = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise InvalidInput(str(exc), [InvalidParam(name, "unknown", f"no organisation '{code}'")]) from exc
    if municipality and found.kind != "municipality":
        raise InvalidInput(f"'{code}' is not a municipality", [InvalidParam(name, "municipality", "a CBS code")])
    return found


async def create_activity(
    session: AsyncSession, actor: Principal, organisation: str, code: str, name: str, purpose: str,
    legal_basis: str, retention_period: str = DEFAULT_RETENTION,
) -> ProcessingActivity:
    """Add a processing activity to an organisation's register (its administrators or its beheerder may)."""
    if not (is_exchange_admin(actor) or actor.has_role(organisation, "beheerder")):
        raise Forbidden(f"only exchange administrators or the beheerder of {organisation} may do this")
    problems = _activity_problems(code, name, purpose, legal_basis, retention_period)
    if problems:
        raise InvalidInput("the processing activity is not valid", problems)
    owner = await _organisation(session, organisation, "organisation")
    if await find_activity(session, owner.id, code) is not None:
        raise Conflict(f"{owner.name} has a processing activity '{code}' already",
                       [InvalidParam("id", "unique", "taken in this organisation's register")])
    activity = ProcessingActivity(organisation_id=owner.id, code=code, name=name.strip(), purpose=purpose.strip(),
                                  legal_basis=legal_basis.strip(), retention_period=retention_period)
    activity.organisation = owner
    session.add(activity)
    await session.commit()
    return activity


def _activity_problems(code: str, name: str, purpose: str, legal_basis: str, retention: str) -> list[InvalidParam]:
    problems = []
    if not ACTIVITY_CODE.fullmatch(code) or len(code) > 100:
        problems.append(InvalidParam("id", "pattern", "lower-case words joined by '-', at most 100 characters"))
    for field, value in (("name", name), ("purpose", purpose), ("legalBasis", legal_basis)):
        if not value.strip():
            problems.append(InvalidParam(field, "required", "cannot be empty"))
    if not DURATION.fullmatch(retention):
        problems.append(InvalidParam("retentionPeriod", "pattern", "an ISO 8601 duration such as P1Y or P6M"))
    return problems


async def find_activity(session: AsyncSession, organisation_id: uuid.UUID, code: str) -> ProcessingActivity | None:
    query = select(ProcessingActivity).where(ProcessingActivity.organisation_id == organisation_id,
                                             ProcessingActivity.code == code)
    return await session.scalar(query)


async def list_activities(session: AsyncSession, organisation: str | None = None) -> list[ProcessingActivity]:
    """The processing register, of one organisation or of all (public: it says why data is processed)."""
    query = select(ProcessingActivity).order_by(ProcessingActivity.code)
    if organisation:
        query = query.where(ProcessingActivity.organisation_id == (await _organisation(
            session, organisation, "organisation")).id)
    return list((await session.scalars(query)).all())


# --- grants ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRequest:
    """What an administrator asks to grant."""

    client: str
    register: str
    fields: Sequence[str]
    activity: str
    municipality: str | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


async def create_grant(session: AsyncSession, actor: Principal, request: GrantRequest) -> Grant:
    """Grant a client fields of a register for one of its organisation's processing activities."""
    require_admin(actor)
    client = await _client(session, request.client)
    if client is None:
        raise InvalidInput(f"no client '{request.client}'", [InvalidParam("client", "unknown", "no such client")])
    if client.organisation_id is None:
        raise InvalidInput("a client without an organisation cannot hold grants: the log names the organisation",
                           [InvalidParam("client", "organisation", "give the client an organisation")])
    fields = parse_fields(request.register, request.fields)
    activity = await find_activity(session, client.organisation_id, request.activity)
    if activity is None:
        raise InvalidInput(f"'{request.activity}' is not in the processing register of the client's organisation",
                           [InvalidParam("activity", "unknown", "register the processing activity first")])
    if request.municipality:
        await _organisation(session, request.municipality, "municipality", municipality=True)
    valid_from = request.valid_from or utcnow()
    if request.valid_until is not None and request.valid_until <= valid_from:
        raise InvalidInput("validUntil must be after validFrom", [InvalidParam("validUntil", "after", "too early")])
    grant = Grant(client_id=client.id, register=request.register, fields=list(fields), activity_id=activity.id,
                  municipality=request.municipality, valid_from=valid_from, valid_until=request.valid_until,
                  created_by=actor.id)
    grant.client, grant.activity = client, activity
    session.add(grant)
    await session.commit()
    return grant


async def get_grant(session: AsyncSession, grant_id: str) -> Grant:
    try:
        grant = await session.get(Grant, uuid.UUID(grant_id))
    except ValueError:
        grant = None
    if grant is None:
        raise NotFound(f"no grant '{grant_id}'")
    return grant


async def revoke_grant(session: AsyncSession, actor: Principal, grant_id: str) -> Grant:
    """Revoke a grant; the next request that relies on it is refused. The grant stays in the history."""
    require_admin(actor)
    grant = await get_grant(session, grant_id)
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        await session.commit()
    return grant


async def list_grants(session: AsyncSession, actor: Principal, client: str | None = None,
                      live: bool = False) -> list[Grant]:
    require_admin(actor)
    query = select(Grant).order_by(Grant.created_at)
    if client:
        query = query.join(Grant.client).where(ApiClient.client_id == client)
    grants = list((await session.scalars(query)).all())
    now = utcnow()
    return [grant for grant in grants if grant.is_live(now)] if live else grants


async def live_grants(session: AsyncSession, client: ApiClient, register: str, activity: ProcessingActivity,
                      ) -> list[Grant]:
    now = utcnow()
    query = select(Grant).where(
        Grant.client_id == client.id, Grant.register == register, Grant.activity_id == activity.id,
        Grant.revoked_at.is_(None), Grant.valid_from <= now, or_(Grant.valid_until.is_(None), Grant.valid_until > now),
    ).execution_options(populate_existing=True)
    return list((await session.scalars(query)).all())


# --- checking reads and logging them --------------------------------------------------------------


async def authorize_read(
    session: AsyncSession, principal: Principal | None, register: str, fields: Iterable[str],
    activity: str | None, trace_id: str,
) -> ReadPermit:
    """Check that the client holds live grants covering every requested field for the named activity.

    Raises NotAuthenticated (no client), InvalidInput (no or unknown activity, naming the header) or Forbidden
    (problem+json whose invalidParams list every ungranted field). A revoked or expired grant counts as absent.
    """
    client = await _reading_client(session, principal)
    code = _activity_code(activity)
    requested = parse_fields(register, fields)
    registered = await _client_activity(session, client, code)
    grants = await live_grants(session, client, register, registered)
    missing = ungranted(requested, [path for grant in grants for path in grant.fields])
    if missing:
        raise Forbidden(
            f"client '{client.client_id}' holds no live grant for {', '.join(missing)} of register {register} "
            f"for processing activity '{code}'",
            [InvalidParam(path, "not-granted", f"not granted for activity '{code}'") for path in missing],
            extra={"ungrantedFields": missing},
        )
    scope = _scope(requested, grants)
    organisation = client.organisation.code if client.organisation else None
    return ReadPermit(client.client_id, organisation, code, register, frozenset(requested), scope, trace_id)


async def _reading_client(session: AsyncSession, principal: Principal | None) -> ApiClient:
    if principal is None:
        raise NotAuthenticated("register reads need an API client JWT (Authorization: Bearer …)")
    if principal.kind != "client":
        raise Forbidden("register reads are for API clients with grants")
    client = await _client(session, principal.id)
    if client is None:
        raise NotAuthenticated("unknown client_id")
    return client


def _activity_code(activity: str | None) -> str:
    code = (activity or "").strip()
    if not code:
        raise InvalidInput(f"name the processing activity of this read in the {ACTIVITY_HEADER} header",
                           [InvalidParam(ACTIVITY_HEADER, "required", "the id of a registered processing activity")])
    if not ACTIVITY_CODE.fullmatch(code) or len(code) > 100:
        raise InvalidInput(f"the {ACTIVITY_HEADER} header is not an activity id",
                           [InvalidParam(ACTIVITY_HEADER, "pattern", "lower-case words joined by '-'")])
    return code


async def _client_activity(session: AsyncSession, client: ApiClient, code: str) -> ProcessingActivity:
    if client.organisation_id is None:
        raise Forbidden(f"client '{client.client_id}' has no organisation, so no processing register and no grants")
    activity = await find_activity(session, client.organisation_id, code)
    if activity is None:
        owner = client.organisation.code if client.organisation else "?"
        raise InvalidInput(f"'{code}' (header {ACTIVITY_HEADER}) is not in the processing register of {owner}",
                           [InvalidParam(ACTIVITY_HEADER, "unknown", f"no processing activity '{code}' of {owner}")])
    return activity


def _scope(requested: Sequence[str], grants: Sequence[Grant]) -> frozenset[str] | None:
    """The municipalities in which every requested field is granted (None: no restriction)."""
    scope: set[str] | None = None
    for path in requested:
        covering = [grant for grant in grants if any(covers(held, path) for held in grant.fields)]
        if any(grant.municipality is None for grant in covering):
            continue
        allowed = {grant.municipality for grant in covering if grant.municipality}
        scope = allowed if scope is None else scope & allowed
    if scope is not None and not scope:
        raise Forbidden("the requested fields are granted in different municipalities; ask for fewer fields")
    return frozenset(scope) if scope is not None else None


def check_municipality(permit: ReadPermit, code: str | None) -> None:
    """Refuse a person registered outside the permit's municipalities (a clear 403, never data)."""
    if not permit.allows_municipality(code):
        raise Forbidden(f"this person is not registered in a municipality of the grant "
                        f"({', '.join(sorted(permit.municipalities or ()))})")


async def log_reads(session: AsyncSession, permit: ReadPermit, subjects: list[tuple[str, list[str]]]) -> None:
    """Append one hash-chained processing-log record per person returned (BSN, fields delivered) and commit.

    Called before the response is sent; if it raises, the caller returns an error and no data leaves.
    """
    if not subjects:
        return
    entries = []
    for subject, delivered in subjects:
        extra = ungranted(delivered, permit.fields)
        if extra:
            raise RuntimeError(f"refusing to deliver fields that were not both asked for and granted: {extra}")
        entries.append(log.Entry(permit.trace_id, permit.client_id, permit.organisation_code, permit.activity,
                                 permit.register, subject, tuple(sorted(set(delivered)))))
    await log.write(session, entries)


# --- adoptions ------------------------------------------------------------------------------------


def platform_client_id(municipality: str) -> str:
    return f"plein-{municipality}"


async def grant_for_adoption(session: AsyncSession, adoption_id: uuid.UUID, municipality: str,
                             manifest: dict[str, Any] | None) -> list[Grant]:
    """Issue a service app's data grants (manifest requires.data) to the municipality's client, scoped to it.

    Creates the client `plein-<CBS code>` and the processing activities when missing; does not commit.
    """
    requests = _data_requests(manifest)
    if not requests:
        return []
    organisation = await _organisation(session, municipality, "municipality", municipality=True)
    client = await _platform_client(session, organisation)
    grants = []
    for item in requests:
        fields = parse_fields(str(item.get("register")), [str(path) for path in item.get("fields") or []])
        activity = await _manifest_activity(session, organisation, item)
        grant = Grant(client_id=client.id, register=item["register"], fields=list(fields), activity_id=activity.id,
                      municipality=municipality, adoption_id=adoption_id, created_by=f"adoption:{adoption_id}")
        session.add(grant)
        grants.append(grant)
    await session.flush()
    return grants


async def revoke_for_adoption(session: AsyncSession, adoption_id: uuid.UUID) -> int:
    """Revoke every live grant issued for this adoption; does not commit. Returns how many were revoked."""
    statement = (update(Grant).where(Grant.adoption_id == adoption_id, Grant.revoked_at.is_(None))
                 .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _data_requests(manifest: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not manifest or manifest.get("kind") != "service":
        return []
    data = (manifest.get("requires") or {}).get("data") or []
    return [item for item in data if isinstance(item, dict)]


async def _platform_client(session: AsyncSession, organisation: Organisation) -> ApiClient:
    client_id = platform_client_id(organisation.code)
    client = await _client(session, client_id)
    if client is None:
        client = ApiClient(client_id=client_id, secret=secrets.token_urlsafe(32), organisation_id=organisation.id,
                           roles=[], all_rights=False)
        client.organisation = organisation
        session.add(client)
        await session.flush()
    return client


async def _manifest_activity(session: AsyncSession, organisation: Organisation,
                             item: dict[str, Any]) -> ProcessingActivity:
    code = str(item.get("activity") or "")
    activity = await find_activity(session, organisation.id, code)
    if activity is None:
        activity = ProcessingActivity(
            organisation_id=organisation.id, code=code, name=code.replace("-", " ").capitalize(),
            purpose=str(item.get("purpose") or code), legal_basis=str(item.get("legalBasis") or ""),
            retention_period=DEFAULT_RETENTION,
        )
        activity.organisation = organisation
        session.add(activity)
        await session.flush()
    return activity

