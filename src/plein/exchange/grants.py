"""Grants: field paths, the grant records (issue, revoke, list, those of an adoption) and what live grants cover."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import ApiClient
from plein.auth.sealing import sealer
from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Forbidden, InvalidInput, InvalidParam, NotFound
from plein.exchange.models import Grant, ProcessingActivity
from plein.exchange.registry import DEFAULT_RETENTION, find_activity, find_client, find_organisation, require_admin
from plein.organisations.models import Organisation
from plein.registers.fields import REGISTERS, register_fields

SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


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


# --- what live grants cover -----------------------------------------------------------------------


class GrantScope(Protocol):
    """What a read check needs of a grant: its fields and its municipality (None: everywhere)."""

    @property
    def fields(self) -> Sequence[str]: ...

    @property
    def municipality(self) -> str | None: ...


@dataclass(frozen=True)
class LiveGrant:
    """The part of a live grant that a read check needs."""

    fields: tuple[str, ...]
    municipality: str | None


def scope(requested: Sequence[str], grants: Sequence[GrantScope]) -> frozenset[str] | None:
    """The municipalities in which every requested field is granted (None: no restriction).

    Raises Forbidden when the requested fields are granted only in municipalities that do not overlap.
    """
    allowed_in: set[str] | None = None
    for path in requested:
        covering = [grant for grant in grants if any(covers(held, path) for held in grant.fields)]
        if any(grant.municipality is None for grant in covering):
            continue
        allowed = {grant.municipality for grant in covering if grant.municipality}
        allowed_in = allowed if allowed_in is None else allowed_in & allowed
    if allowed_in is not None and not allowed_in:
        raise Forbidden("the requested fields are granted in different municipalities; ask for fewer fields")
    return frozenset(allowed_in) if allowed_in is not None else None


# --- grant records --------------------------------------------------------------------------------


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
    client = await find_client(session, request.client)
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
        await find_organisation(session, request.municipality, "municipality", municipality=True)
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


# --- the grants of an adoption --------------------------------------------------------------------


def platform_client_id(municipality: str) -> str:
    return f"plein-{municipality}"


async def grant_for_adoption(session: AsyncSession, adoption_id: uuid.UUID, municipality: str,
                             manifest: dict[str, Any] | None) -> list[Grant]:
    """Issue a service app's grants to the municipality's client: its data grants (manifest requires.data), scoped to
    the municipality unless the item says `scope: landelijk`, and its write grants (requires.writes), always scoped
    to the municipality.

    Creates the client `plein-<CBS code>` and the processing activities when missing; does not commit.
    """
    reads, writes = _manifest_requests(manifest, "data"), _manifest_requests(manifest, "writes")
    if not reads and not writes:
        return []
    organisation = await find_organisation(session, municipality, "municipality", municipality=True)
    client = await _platform_client(session, organisation)
    made_by = f"adoption:{adoption_id}"
    grants = []
    for item in reads:
        fields = parse_fields(str(item.get("register")), [str(path) for path in item.get("fields") or []])
        activity = await _manifest_activity(session, organisation, item)
        scoped = None if item.get("scope") == "landelijk" else municipality
        grants.append(Grant(client_id=client.id, register=item["register"], fields=list(fields),
                            activity_id=activity.id, municipality=scoped, adoption_id=adoption_id, created_by=made_by))
    for item in writes:
        activity = await _manifest_activity(session, organisation, item)
        grants.append(Grant(client_id=client.id, register=str(item.get("register")), fields=[], access="write",
                            mutation=str(item.get("mutation")), activity_id=activity.id, municipality=municipality,
                            adoption_id=adoption_id, created_by=made_by))
    session.add_all(grants)
    await session.flush()
    return grants


async def revoke_for_adoption(session: AsyncSession, adoption_id: uuid.UUID) -> int:
    """Revoke every live grant issued for this adoption; does not commit. Returns how many were revoked."""
    statement = (update(Grant).where(Grant.adoption_id == adoption_id, Grant.revoked_at.is_(None))
                 .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _manifest_requests(manifest: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """The items of a service app's requires.data or requires.writes."""
    if not manifest or manifest.get("kind") != "service":
        return []
    items = (manifest.get("requires") or {}).get(key) or []
    return [item for item in items if isinstance(item, dict)]


async def _platform_client(session: AsyncSession, organisation: Organisation) -> ApiClient:
    client_id = platform_client_id(organisation.code)
    client = await find_client(session, client_id)
    if client is None:
        client = ApiClient(client_id=client_id, secret=sealer(session).seal(secrets.token_urlsafe(32)),
                           organisation_id=organisation.id, roles=[], all_rights=False)
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
