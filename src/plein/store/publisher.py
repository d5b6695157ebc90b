"""A publisher's own apps and releases, and withdrawing a release: it leaves the listing and cannot be adopted or
upgraded to, while municipalities that use it keep running it and see that it was withdrawn."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from plein.organisations.models import Organisation
from plein.store import service
from plein.store.models import Adoption, App, Release

REASON_MIN, REASON_MAX = 10, 2000


def publisher_codes(actor: Principal | None) -> list[str]:
    """The organisations the actor publishes for."""
    return actor.organisations_with("publisher") if actor is not None else []


async def own_releases(session: AsyncSession, actor: Principal) -> list[Release]:
    """Every release (accepted, rejected, withdrawn) of the apps of the organisations the actor publishes for,
    newest first; never another organisation's."""
    codes = publisher_codes(actor)
    if not codes:
        return []
    query = (select(Release).join(App, App.id == Release.app_id).join(Organisation, Organisation.id == App.publisher_id)
             .where(Organisation.code.in_(codes)).order_by(Release.created_at.desc()))
    return list((await session.scalars(query)).all())


async def users_of(session: AsyncSession, release: Release) -> list[Adoption]:
    """The open (planned or active) adoptions that run this release."""
    query = select(Adoption).where(Adoption.release_id == release.id, Adoption.status != "ended")
    return list((await session.scalars(query)).all())


def may_withdraw(release: Release, actor: Principal | None) -> bool:
    return actor is not None and actor.has_role(release.app.publisher.code, "publisher")


async def withdraw(session: AsyncSession, release: Release, reason: str, actor: Principal) -> Release:
    """The publisher withdraws an admitted release, with a reason; final. The version stays taken."""
    if not may_withdraw(release, actor):
        raise Forbidden(f"only the publisher of '{release.app.slug}' ({release.app.publisher.name}) may withdraw "
                        "its releases")
    if release.status != "accepted":
        raise Conflict(f"release {release.version} was not admitted, so there is nothing to withdraw")
    if release.withdrawn_at is not None:
        raise Conflict(f"release {release.version} was already withdrawn")
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput("the release was not withdrawn", [
            InvalidParam("reason", "length", f"give a reason of {REASON_MIN} to {REASON_MAX} characters")])
    release.withdrawn_at, release.withdrawn_by, release.withdrawn_reason = utcnow(), actor.id, reason
    app = release.app
    if app.latest_release_id == release.id:
        await _list_previous(session, app, release)
    await session.commit()
    return release


async def _list_previous(session: AsyncSession, app: App, withdrawn: Release) -> None:
    """The app's listing falls back to its newest admitted release that is not withdrawn; without one it leaves
    the listing (its terms and facets go, as for every unlisted app)."""
    previous = await service.newest_listable(session, app, besides=withdrawn)
    if previous is not None:
        await service.list_release(session, app, previous, app.publisher.code)
        return
    await service.unlist(session, app)
