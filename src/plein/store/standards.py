"""The list of standards apps may require (requires.standards in plein.yaml): alias, title and URL, kept by a
curator; the admission pipeline reads it (plein.store.checks.standards)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.store import service
from plein.store.models import Standard

ALIAS = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")
ALIAS_MAX, TITLE_MAX, URL_MAX = 60, 200, 500


async def list_standards(session: AsyncSession) -> list[Standard]:
    return list((await session.scalars(select(Standard).order_by(Standard.alias))).all())


async def get_standard(session: AsyncSession, alias: str) -> Standard:
    found = await session.scalar(select(Standard).where(Standard.alias == alias))
    if found is None:
        raise NotFound(f"there is no standard '{alias}' on the list")
    return found


def problems(alias: str, title: str, url: str) -> list[InvalidParam]:
    """What is wrong with a standard's fields, each naming the field and the rule (empty when nothing is)."""
    found = []
    if not ALIAS.fullmatch(alias) or len(alias) > ALIAS_MAX:
        found.append(InvalidParam("alias", "pattern", f"lower-case letters and digits joined by single hyphens or "
                                     f"dots, such as zgw-zaken-1.5, at most {ALIAS_MAX} characters"))
    if not title or len(title) > TITLE_MAX:
        found.append(InvalidParam("title", "length", f"1 to {TITLE_MAX} characters"))
    if not _is_http_url(url) or len(url) > URL_MAX:
        found.append(InvalidParam("url", "http-url", f"an http:// or https:// address of at most {URL_MAX} "
                                     "characters"))
    return found


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def _may_edit(actor: Principal) -> None:
    if not service.is_curator(actor):
        raise Forbidden("only a curator of the store may change the list of standards")


async def save_standard(session: AsyncSession, alias: str, title: str, url: str, actor: Principal,
                        existing: str | None = None) -> Standard:
    """Add a standard, or change one (`existing` is its current alias; the alias itself may change too)."""
    _may_edit(actor)
    alias, title, url = alias.strip(), " ".join(title.split()), url.strip()
    refused = problems(alias, title, url)
    if refused:
        raise InvalidInput("the standard was not saved", refused)
    standard = await get_standard(session, existing) if existing is not None else Standard(id=uuid.uuid4())
    standard.alias, standard.title, standard.url = alias, title, url
    standard.changed_by, standard.changed_at = actor.id, utcnow()
    session.add(standard)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"the list already has a standard '{alias}'",
                       [InvalidParam("alias", "duplicate", "already on the list")]) from exc
    return standard


async def remove_standard(session: AsyncSession, alias: str, actor: Principal) -> None:
    """Take a standard off the list; releases already admitted keep their reports, new packages get a finding."""
    _may_edit(actor)
    await session.delete(await get_standard(session, alias))
    await session.commit()
