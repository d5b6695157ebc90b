"""Server-side web logins for staff, citizens and businesses: the session cookie holds a random token, the
web_logins table who logged in, how and since when; idle and absolute limits end a login, and so does logging out."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import assurance
from plein.auth.models import WebLogin
from plein.auth.service import Principal, user_principal
from plein.identifiers import passes_elfproef
from plein.settings import APP_ID

if TYPE_CHECKING:
    from plein.settings import Settings

COOKIE_KEY = "login"  # the key of the token in the signed session cookie
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often per login
KINDS = ("staff", "citizen", "business")
PROVIDERS = ("password", "digid", "eherkenning", "simulator")
ENDED_REASONS = ("logout", "idle", "max-age", "replaced", "account")
MAX_MANDATES = 100


def now() -> dt.datetime:
    """The current time in UTC; every limit is measured with it (tests move time by replacing it)."""
    return dt.datetime.now(dt.UTC)


class LoginRefused(Exception):
    """A login cannot be made; the message is for the person logging in (in Dutch), status the page's HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class NewLogin:
    """What a successful login establishes, whatever the way in (password, broker or simulator)."""

    kind: str
    subject: str
    display_name: str
    provider: str
    loa: str | None = None
    branch: str | None = None
    acting_person: str | None = None
    mandates: frozenset[str] = frozenset()  # eHerkenning: the services (app ids) the acting person may use


@dataclass(frozen=True)
class Limits:
    """How long a login lasts: `idle` without a request, `absolute` after logging in."""

    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(dt.timedelta(minutes=settings.session_idle_minutes), dt.timedelta(hours=settings.session_max_hours))


@dataclass(frozen=True)
class ActiveLogin:
    """A login that is still valid, as read for this request."""

    id: str
    kind: str
    subject: str
    display_name: str
    provider: str
    loa: str | None
    branch: str | None
    acting_person: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    mandates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lookup:
    """What a token in a cookie amounts to now: an active login (with `touch` when its last_seen_at is due to be
    written), or none; `expired` is the reason ('idle' or 'max-age') when the login is valid no longer, `kind` the
    kind of login it was, so that the person can be sent to the right login page."""

    login: ActiveLogin | None
    login_id: str | None = None
    expired: str | None = None
    kind: str | None = None
    touch: bool = False


def token_id(token: str) -> str:
    """The id under which a token's login is stored: its sha256, so the table alone cannot be used as cookies."""
    return hashlib.sha256(token.encode()).hexdigest()


def citizen(bsn: str, loa: str | None, provider: str, display_name: str | None = None) -> NewLogin:
    """A citizen's login with DigiD (or its simulator): the BSN must pass the 11-check, the level be a DigiD one."""
    bsn = bsn.strip()
    if not passes_elfproef(bsn):
        raise LoginRefused("Het burgerservicenummer dat DigiD doorgaf is geen geldig BSN (9 cijfers die voldoen "
                           "aan de elfproef). U bent niet ingelogd.")
    if loa is not None and assurance.scheme_of(loa) != assurance.DIGID:
        raise LoginRefused(f"Het betrouwbaarheidsniveau '{loa}' is geen DigiD-niveau. U bent niet ingelogd.")
    return NewLogin("citizen", bsn, display_name or f"BSN {bsn}", provider, loa=loa)


def is_service_id(value: object) -> bool:
    """Whether a value has the shape of a service's app id (lower-case words joined by hyphens, at most 60)."""
    return isinstance(value, str) and len(value) <= 60 and APP_ID.fullmatch(value) is not None


def service_ids(values: Iterable[object]) -> frozenset[str]:
    """The values that are app ids (anything else is left out), at most MAX_MANDATES of them."""
    found = sorted({value for value in values if isinstance(value, str) and is_service_id(value)})
    return frozenset(found[:MAX_MANDATES])


def business(kvk: str, branch: str | None, acting_person: str | None, loa: str | None, provider: str,
             display_name: str | None = None, mandates: Iterable[str] = ()) -> NewLogin:
    """A business's login with eHerkenning (or its simulator): a KvK number of 8 digits, an optional
    vestigingsnummer of 12 digits, who acts for the company, an eHerkenning level, and the services (app ids) that
    person holds a machtiging for."""
    kvk, branch = kvk.strip(), (branch or "").strip() or None
    if len(kvk) != 8 or not kvk.isascii() or not kvk.isdigit():
        raise LoginRefused("Het KvK-nummer dat eHerkenning doorgaf bestaat niet uit 8 cijfers. U bent niet ingelogd.")
    if branch is not None and (len(branch) != 12 or not branch.isascii() or not branch.isdigit()):
        raise LoginRefused("Het vestigingsnummer dat eHerkenning doorgaf bestaat niet uit 12 cijfers. U bent niet "
                           "ingelogd.")
    if loa is not None and assurance.scheme_of(loa) != assurance.EHERKENNING:
        raise LoginRefused(f"Het betrouwbaarheidsniveau '{loa}' is geen eHerkenningsniveau. U bent niet ingelogd.")
    acting = (acting_person or "").strip()[:200] or None
    return NewLogin("business", kvk, display_name or f"KvK-nummer {kvk}", provider, loa=loa, branch=branch,
                    acting_person=acting, mandates=service_ids(mandates))


def check_level(login: NewLogin, required: str | None) -> None:
    """Refuse a login whose level is below the level the person came to log in for."""
    if assurance.principal_meets(login.kind, login.loa, required):
        return
    if login.loa is None:
        got = "Er is geen betrouwbaarheidsniveau doorgegeven."
    else:
        got = f"U logde in met {assurance.label(login.loa)}."
    raise LoginRefused(f"Hiervoor is {assurance.label(required)} of hoger nodig. {got} U bent niet ingelogd. Log "
                       "opnieuw in met een hoger niveau.", status=403)


async def start(session: AsyncSession, new: NewLogin) -> str:
    """Store a new login and return its token (for the session cookie; only its sha256 is stored)."""
    if new.kind not in KINDS:
        raise ValueError(f"kind: {new.kind!r} is not one of {', '.join(KINDS)}")
    if new.provider not in PROVIDERS:
        raise ValueError(f"provider: {new.provider!r} is not one of {', '.join(PROVIDERS)}")
    token = secrets.token_urlsafe(32)
    moment = now()
    session.add(WebLogin(
        id=token_id(token), kind=new.kind, subject=new.subject, display_name=new.display_name[:200],
        loa=new.loa, branch=new.branch, acting_person=new.acting_person, mandates=sorted(new.mandates),
        provider=new.provider, created_at=moment, last_seen_at=moment))
    await session.commit()
    return token


_READ = select(
    WebLogin.id, WebLogin.kind, WebLogin.subject, WebLogin.display_name, WebLogin.provider, WebLogin.loa,
    WebLogin.branch, WebLogin.acting_person, WebLogin.created_at, WebLogin.last_seen_at, WebLogin.ended_at,
    WebLogin.mandates,
).where(WebLogin.id == bindparam("id"))


async def look_up(session: AsyncSession, token: str, limits: Limits) -> Lookup:
    """What the token stands for now (reads only; the caller writes `touch` and `expired` with touch() and end())."""
    row = (await session.execute(_READ, {"id": token_id(token)})).first()
    if row is None or row.ended_at is not None:
        return Lookup(None)
    moment = now()
    if moment - row.created_at > limits.absolute:
        return Lookup(None, row.id, "max-age", row.kind)
    if moment - row.last_seen_at > limits.idle:
        return Lookup(None, row.id, "idle", row.kind)
    login = ActiveLogin(row.id, row.kind, row.subject, row.display_name, row.provider, row.loa, row.branch,
                        row.acting_person, row.created_at, row.last_seen_at, service_ids(row.mandates or ()))
    return Lookup(login, row.id, touch=moment - row.last_seen_at >= TOUCH_EVERY)


async def principal(session: AsyncSession, login: ActiveLogin) -> Principal | None:
    """Who the login is: a staff user as the users table says now (roles read fresh; None when the account is gone
    or inactive), a citizen by BSN or a business by KvK number, with the login's level of assurance (and, for a
    business, its branch, acting person and machtigingen)."""
    if login.kind == "staff":
        return await user_principal(session, login.subject)
    return Principal(login.kind, login.subject, login.display_name, frozenset(), loa=login.loa, branch=login.branch,
                     acting_person=login.acting_person,
                     mandates=login.mandates if login.kind == "business" else frozenset())


async def touch(session: AsyncSession, login_id: str) -> None:
    """Record activity on a login (call at most once a minute per login: see Lookup.touch)."""
    await session.execute(update(WebLogin).where(WebLogin.id == login_id, WebLogin.ended_at.is_(None))
                          .values(last_seen_at=now()))
    await session.commit()


async def end(session: AsyncSession, login_id: str, reason: str) -> str | None:
    """End a login for good (every copy of its cookie); returns its kind, or None when it had ended already."""
    if reason not in ENDED_REASONS:
        raise ValueError(f"reason: {reason!r} is not one of {', '.join(ENDED_REASONS)}")
    kind = await session.scalar(select(WebLogin.kind).where(WebLogin.id == login_id, WebLogin.ended_at.is_(None)))
    if kind is not None:
        await session.execute(update(WebLogin).where(WebLogin.id == login_id, WebLogin.ended_at.is_(None))
                              .values(ended_at=now(), ended_reason=reason))
    await session.commit()
    return kind


async def end_token(session: AsyncSession, token: str, reason: str) -> str | None:
    """End the login a cookie's token stands for (logging out); its kind, or None."""
    return await end(session, token_id(token), reason)


KEEP_ENDED = dt.timedelta(days=1)


async def remove_old(session: AsyncSession, limits: Limits) -> int:
    """Delete the logins that can no longer be used and have been over for a day: ended ones, and those past their
    absolute limit (they name a BSN or KvK number: kept no longer than needed). Returns how many."""
    cutoff = now() - KEEP_ENDED
    result = await session.execute(delete(WebLogin).where(or_(
        WebLogin.ended_at < cutoff, WebLogin.created_at < cutoff - limits.absolute)))
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
