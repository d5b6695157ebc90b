"""Staff accounts and API clients: password hashing, log-in, JWT verification and the acting principal."""

from __future__ import annotations

import asyncio
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
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import ApiClient, User, UserRole
from plein.auth.sealing import SecretUnreadable, sealer
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
    password_hash = await asyncio.to_thread(hash_password, password)
    user = User(username=username, display_name=display_name, password_hash=password_hash)
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
    """Check a staff log-in; the same error for an unknown user and a wrong password, in the same time: an unknown
    user's password is checked against a stand-in hash. The hash runs in a thread, off the event loop (argon2 takes
    tens of milliseconds of CPU and releases the GIL)."""
    user = await session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    stored = user.password_hash if user is not None else _stand_in_hash()
    matches = await asyncio.to_thread(verify_password, stored, password)
    if user is None or not matches:
        raise AuthError("unknown username or wrong password")
    return principal_for_user(user)


@functools.cache
def _stand_in_hash() -> str:
    """A hash with the hasher's parameters that no password matches (made once per process)."""
    return hash_password(secrets.token_urlsafe(32))


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
    """Register an API client; returns it with its secret (shown once: only its sealed form is stored)."""
    organisation_id = None
    if organisation_code:
        organisation_id = (await organisations.get_by_code(session, organisation_code)).id
    secret = secret or secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=client_id, secret=sealer(session).seal(secret), organisation_id=organisation_id, roles=roles,
        all_rights=all_rights,
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
    secret, roles, all_rights, code = row
    return verify_client_token(token, ClientKey(client_id, open_secret(session, secret), roles, all_rights, code))


async def reseal_secrets(session: AsyncSession) -> int:
    """Seal every client's secret again with the first configured key (key rotation); returns how many."""
    current = sealer(session)
    rows = (await session.execute(select(ApiClient.id, ApiClient.secret).with_for_update())).all()
    for key, sealed in rows:
        await session.execute(update(ApiClient).where(ApiClient.id == key).values(secret=current.reseal(sealed)))
    await session.commit()
    return len(rows)


def open_secret(session: AsyncSession, sealed: str) -> str:
    """A client's secret as stored (sealed: plein.auth.sealing) opened; AuthError when no configured key opens it."""
    try:
        return sealer(session).open(sealed)
    except SecretUnreadable as exc:
        raise AuthError("the client's secret cannot be read with this Plein's keys; ask its administrator") from exc


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
    is remembered for verified tokens only (keyed on the token, with a digest of the secret: a new secret is checked
    anew; failures and unverified tokens are never stored), bounded by entries and bytes (VerifiedTokens). The
    expiry (exp) is checked on every call."""
    digest = hashlib.sha256(secret.encode()).digest()
    found = _VERIFIED.get(token)
    if found is None or found[0] != digest:
        # PyJWT refuses an iat a second in the future; _check_iat applies Plein's leeway to it instead
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"],
                                            options={"require": ["iat"], "verify_iat": False})
        _VERIFIED.put(token, digest, claims)
        return claims
    claims = found[1]
    now = dt.datetime.now(dt.UTC).timestamp()
    if isinstance(claims.get("exp"), int | float) and now >= claims["exp"]:
        raise jwt.ExpiredSignatureError("Signature has expired")  # nbf, once passed, stays passed
    return claims


MAX_TOKEN_LENGTH = 4096  # characters; a ZGW token is a few hundred


class VerifiedTokens:
    """The claims of tokens whose signature held, least recently used first, bounded by entries and by bytes."""

    ENTRY_OVERHEAD = 512  # a rough price of one entry beyond its token: the claims dict, the digest, the links

    def __init__(self, max_entries: int = 4096, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, tuple[bytes, dict[str, Any]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def cost(self, token: str) -> int:
        return 2 * len(token) + self.ENTRY_OVERHEAD  # the token, and its claims (no longer than the token)

    def get(self, token: str) -> tuple[bytes, dict[str, Any]] | None:
        found = self._entries.get(token)
        if found is not None:
            self._entries.move_to_end(token)
        return found

    def put(self, token: str, digest: bytes, claims: dict[str, Any]) -> None:
        if self._entries.pop(token, None) is not None:
            self.bytes -= self.cost(token)
        self._entries[token] = (digest, claims)
        self.bytes += self.cost(token)
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            old, _ = self._entries.popitem(last=False)
            self.bytes -= self.cost(old)


_VERIFIED = VerifiedTokens()


def token_claims(token: str) -> dict[str, Any]:
    """The token's claims before its signature is checked (trust them only once verify_client_token passed);
    AuthError when it is too long or not an HS256 JWT. A token verified before is not decoded again; anything else
    is decoded for this call only and never remembered (an unauthenticated caller must not fill memory)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthError(f"the token is longer than {MAX_TOKEN_LENGTH} characters")
    found = _VERIFIED.get(token)
    if found is not None:
        return found[1]
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
