"""Staff accounts and API clients: password hashing, log-in, JWT verification and the acting principal."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import ApiClient, User, UserRole
from plein.organisations import service as organisations
from plein.organisations.models import Organisation

ROLES = {
    "beheerder": "Functioneel beheerder: adopts and configures apps for the organisation",
    "publisher": "Publisher: publishes apps and releases for the organisation",
    "curator": "Curator: sets admission policy for the store",
    "behandelaar": "Behandelaar: case worker who handles and decides the municipality's cases on its werkvoorraad",
}
JWT_MAX_AGE = dt.timedelta(hours=1)
JWT_LEEWAY = dt.timedelta(minutes=5)  # clock skew: a token whose iat is up to this far in the future is accepted

_hasher = PasswordHasher()


class AuthError(Exception):
    """Authentication failed; the message says why without revealing secrets."""


@dataclass(frozen=True)
class Principal:
    """Who is acting, with roles as (organisation code, role) pairs.

    kind is "staff" (id: username), "client" (id: client_id), "citizen" (id: BSN, logged in with DigiD) or
    "business" (id: KvK number, logged in with eHerkenning). loa is the level of assurance of a citizen's or business's
    login (plein.auth.assurance); branch the vestigingsnummer and acting_person the employee acting for a business;
    mandates the services (app ids, e.g. "aangifte-overlijden") that employee holds a machtiging for with this login
    (eHerkenning)."""

    kind: str
    id: str
    display_name: str
    roles: frozenset[tuple[str, str]]
    all_rights: bool = False
    loa: str | None = None
    branch: str | None = None
    acting_person: str | None = None
    mandates: frozenset[str] = frozenset()

    def has_role(self, organisation_code: str, role: str) -> bool:
        return self.all_rights or (organisation_code, role) in self.roles

    def has_mandate(self, service: str) -> bool:
        """Whether this login carries a machtiging for the service (an app id); only businesses hold mandates."""
        return self.kind == "business" and service in self.mandates

    def organisations_with(self, role: str) -> list[str]:
        return sorted(code for code, held in self.roles if held == role)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_user(
    session: AsyncSession, username: str, password: str, display_name: str, roles: list[tuple[str, str]]
) -> User:
    """Create a staff user with roles given as (organisation code, role); the password is stored argon2-hashed."""
    if len(password) < 10:
        raise ValueError("password: must be at least 10 characters")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password))
    for code, role in roles:
        if role not in ROLES:
            raise ValueError(f"role: '{role}' is not one of {', '.join(ROLES)}")
        organisation = await organisations.get_by_code(session, code)
        user.roles.append(UserRole(organisation_id=organisation.id, role=role))
    session.add(user)
    await session.commit()
    return user


def principal_for_user(user: User) -> Principal:
    roles = frozenset((role.organisation.code, role.role) for role in user.roles)
    return Principal("staff", user.username, user.display_name, roles)


async def authenticate(session: AsyncSession, username: str, password: str) -> Principal:
    """Check a staff log-in; the same error for an unknown user and a wrong password."""
    user = await session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        raise AuthError("unknown username or wrong password")
    return principal_for_user(user)


async def user_id_for(session: AsyncSession, username: str) -> str:
    """The account id kept in the session cookie after log-in."""
    user_id = await session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise AuthError("unknown username")
    return str(user_id)


async def user_principal(session: AsyncSession, user_id: str) -> Principal | None:
    """The principal of a logged-in user (from the session cookie), or None if the account is gone."""
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    user = await session.get(User, key)
    if user is None or not user.active:
        return None
    return principal_for_user(user)


async def create_client(
    session: AsyncSession, client_id: str, organisation_code: str | None, roles: list[str],
    secret: str | None = None, all_rights: bool = False,
) -> tuple[ApiClient, str]:
    """Register an API client; returns it with its secret (shown once)."""
    organisation_id = None
    if organisation_code:
        organisation_id = (await organisations.get_by_code(session, organisation_code)).id
    secret = secret or secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=client_id, secret=secret, organisation_id=organisation_id, roles=roles, all_rights=all_rights
    )
    session.add(client)
    await session.commit()
    return client, secret


def make_jwt(client_id: str, secret: str, user_id: str = "", user_representation: str = "") -> str:
    """A ZGW-style HS256 token as a client makes it (used by tests, the demo and scripts)."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "iss": client_id, "client_id": client_id, "iat": now,
        "user_id": user_id, "user_representation": user_representation,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


_CLIENT_SECRET = (select(ApiClient.secret, ApiClient.roles, ApiClient.all_rights, Organisation.code)
                  .outerjoin(Organisation, Organisation.id == ApiClient.organisation_id)
                  .where(ApiClient.client_id == bindparam("client_id")))


async def client_principal(session: AsyncSession, token: str) -> Principal:
    """Verify a client's JWT (HS256 only, signed with the client's secret, recent `iat`)."""
    client_id = token_client_id(token)
    # read on every request, never cached: a removed client or a new secret counts at once
    row = (await session.execute(_CLIENT_SECRET, {"client_id": client_id})).first()
    if row is None:
        raise AuthError("unknown client_id")
    return verify_client_token(token, ClientKey(client_id, *row))


@dataclass(frozen=True)
class ClientKey:
    """What verifying a client's token needs from the client registry, as read for this request."""

    client_id: str
    secret: str
    roles: list[str] | None
    all_rights: bool | None
    organisation_code: str | None


def token_client_id(token: str) -> str:
    """The client a token names (client_id, else iss), before its signature is checked; AuthError if there is none."""
    return client_id_of(token_claims(token))


def client_id_of(claims: dict[str, Any]) -> str:
    """The client_id (else iss) claim; AuthError if there is none."""
    client_id = claims.get("client_id") or claims.get("iss")
    if not isinstance(client_id, str) or not client_id:
        raise AuthError("the token has no client_id claim")
    return client_id


def verify_client_token(token: str, client: ClientKey) -> Principal:
    """The client's principal if the token is signed with its secret and recent; AuthError otherwise."""
    try:
        iat = _signed_claims(token, client.secret)["iat"]
    except jwt.PyJWTError as exc:
        raise AuthError(f"the token is not valid: {exc}") from exc
    _check_iat(iat)  # every time: a token's age changes, its signature does not
    code = client.organisation_code
    roles = frozenset((code, role) for role in client.roles or ()) if code else frozenset()
    return Principal("client", client.client_id, client.client_id, roles, all_rights=bool(client.all_rights))


def _signed_claims(token: str, secret: str) -> dict[str, Any]:
    """The claims of a token whose signature with this secret holds (raises PyJWTError otherwise).

    Clients send one token many times, and a signature that held once with the same secret holds again: the check
    is remembered for the last SIGNED_CACHE tokens, keyed on the token and a digest of the secret (a new secret is
    checked anew; failures are not remembered). The expiry (exp) is checked on every call."""
    key = (token, hashlib.sha256(secret.encode()).digest())
    claims = _SIGNED.get(key)
    if claims is None:
        # PyJWT refuses an iat a second in the future; _check_iat applies Plein's leeway to it instead
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["iat"], "verify_iat": False})
        _SIGNED[key] = claims
        if len(_SIGNED) > SIGNED_CACHE:
            _SIGNED.popitem(last=False)
    else:
        _SIGNED.move_to_end(key)
        now = dt.datetime.now(dt.UTC).timestamp()
        if isinstance(claims.get("exp"), int | float) and now >= claims["exp"]:
            raise jwt.ExpiredSignatureError("Signature has expired")  # nbf, once passed, stays passed
    return claims


SIGNED_CACHE = 4096
_SIGNED: OrderedDict[tuple[str, bytes], dict[str, Any]] = OrderedDict()


def token_claims(token: str) -> dict[str, Any]:
    """The token's claims before its signature is checked (trust them only once verify_client_token passed);
    AuthError when it is not an HS256 JWT. Decoded once for the last SIGNED_CACHE tokens (clients send one token
    many times); a token that fails to decode is not remembered."""
    return _decoded_claims(token)


@functools.lru_cache(maxsize=SIGNED_CACHE)
def _decoded_claims(token: str) -> dict[str, Any]:
    try:
        decoded = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError(f"the token is not a JWT: {exc}") from exc
    if decoded["header"].get("alg") != "HS256":
        raise AuthError("the token must be signed with HS256")
    claims: dict[str, Any] = decoded["payload"]
    return claims


def _check_iat(iat: Any) -> None:
    """A token is accepted from JWT_LEEWAY before its iat (the client's clock may run ahead) until JWT_MAX_AGE after
    it. Compared as numbers, so an iat far outside the calendar is refused, not an error."""
    if isinstance(iat, bool) or not isinstance(iat, int | float) or not math.isfinite(iat):
        raise AuthError("the token's iat claim must be a number")
    now = dt.datetime.now(dt.UTC).timestamp()
    if iat > now + JWT_LEEWAY.total_seconds():
        raise AuthError("the token was issued in the future (more than the allowed clock skew of "
                        f"{int(JWT_LEEWAY.total_seconds())} seconds)")
    if iat < now - JWT_MAX_AGE.total_seconds():
        raise AuthError("the token has expired (iat is more than an hour ago)")
