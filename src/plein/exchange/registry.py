"""The exchange registries: API clients (one registry shared with auth) and the processing activities."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import service as auth
from plein.auth.models import ApiClient
from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from plein.exchange.models import ProcessingActivity
from plein.organisations import service as organisations
from plein.organisations.models import Organisation

ADMIN_ORGANISATION = "plein"
ADMIN_ROLE = "curator"
DEFAULT_RETENTION = "P1Y"
ACTIVITY_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,199}$")
DURATION = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
MIN_SECRET = 16
MAX_SECRET = 200  # sealed, it fits the column (plein.auth.sealing)


def is_exchange_admin(principal: Principal | None) -> bool:
    """Exchange administrators: principals with all rights, or the curator role of organisation `plein`."""
    return principal is not None and principal.has_role(ADMIN_ORGANISATION, ADMIN_ROLE)


def require_admin(principal: Principal) -> None:
    if not is_exchange_admin(principal):
        raise Forbidden("only exchange administrators (all rights, or curator of organisation 'plein') may do this")


# --- clients --------------------------------------------------------------------------------------


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
        await find_organisation(session, organisation, "organisation")
    if await find_client(session, client_id) is not None:
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
    if secret is not None and len(secret) > MAX_SECRET:
        problems.append(InvalidParam("secret", "maxLength", f"at most {MAX_SECRET} characters"))
    problems += [InvalidParam("roles", "enum", f"'{role}' is not one of {', '.join(auth.ROLES)}")
                 for role in roles if role not in auth.ROLES]
    return problems


async def list_clients(session: AsyncSession, actor: Principal) -> list[ApiClient]:
    require_admin(actor)
    return list((await session.scalars(select(ApiClient).order_by(ApiClient.client_id))).all())


async def find_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    return await session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


async def find_organisation(session: AsyncSession, code: str, name: str, municipality: bool = False) -> Organisation:
    """The organisation with this code; InvalidInput naming the parameter when there is none (or no municipality)."""
    try:
        found = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise InvalidInput(str(exc), [InvalidParam(name, "unknown", f"no organisation '{code}'")]) from exc
    if municipality and found.kind != "municipality":
        raise InvalidInput(f"'{code}' is not a municipality", [InvalidParam(name, "municipality", "a CBS code")])
    return found


# --- processing activities ------------------------------------------------------------------------


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
    owner = await find_organisation(session, organisation, "organisation")
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
    if not is_activity_code(code):
        problems.append(InvalidParam("id", "pattern", "lower-case words joined by '-', at most 100 characters"))
    for field, value in (("name", name), ("purpose", purpose), ("legalBasis", legal_basis)):
        if not value.strip():
            problems.append(InvalidParam(field, "required", "cannot be empty"))
    if not DURATION.fullmatch(retention):
        problems.append(InvalidParam("retentionPeriod", "pattern", "an ISO 8601 duration such as P1Y or P6M"))
    return problems


def is_activity_code(code: str) -> bool:
    """Lower-case words joined by '-', at most 100 characters."""
    return len(code) <= 100 and ACTIVITY_CODE.fullmatch(code) is not None


async def find_activity(session: AsyncSession, organisation_id: uuid.UUID, code: str) -> ProcessingActivity | None:
    query = select(ProcessingActivity).where(ProcessingActivity.organisation_id == organisation_id,
                                             ProcessingActivity.code == code)
    return await session.scalar(query)


async def list_activities(session: AsyncSession, organisation: str | None = None) -> list[ProcessingActivity]:
    """The processing register, of one organisation or of all (public: it says why data is processed)."""
    query = select(ProcessingActivity).order_by(ProcessingActivity.code)
    if organisation:
        query = query.where(ProcessingActivity.organisation_id == (await find_organisation(
            session, organisation, "organisation")).id)
    return list((await session.scalars(query)).all())
