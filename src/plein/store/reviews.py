"""Reviews by verified adopters: a municipality that has used an app for long enough rates it (1-5) and says why,
once per app and editable; the publisher replies once; a curator hides a review with a reason its author sees."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.organisations.models import Organisation
from plein.store import adoptions
from plein.store.models import App, Review
from plein.store.service import get_app, is_curator

MAX_TEXT = 5000
MAX_REPLY = 5000


def _text(value: object, name: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"{name} is required", [InvalidParam(name, "required", "write a text")])
    if len(text) > limit:
        raise InvalidInput(f"{name} is too long", [InvalidParam(name, "maxLength", f"at most {limit} characters")])
    return text


def _rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput("the rating is not valid", [InvalidParam("rating", "range", "a whole number from 1 to 5")])
    return value


def may_review_from(activated_at: dt.datetime, min_days: int) -> dt.datetime:
    return activated_at + dt.timedelta(days=min_days)


async def allowed_from(session: AsyncSession, code: str, app: App, min_days: int) -> dt.datetime | None:
    """From when the municipality may review the app; None when it does not use it (no active adoption)."""
    adoption = await adoptions.active_adoption(session, code, app.slug)
    if adoption is None or adoption.activated_at is None:
        return None
    return may_review_from(adoption.activated_at, min_days)


async def _eligible_version(session: AsyncSession, code: str, app: App, min_days: int) -> str:
    """The version the municipality uses, when its adoption has been active for at least `min_days` days."""
    adoption = await adoptions.active_adoption(session, code, app.slug)
    if adoption is None or adoption.activated_at is None:
        raise Forbidden(f"only municipalities that use '{app.slug}' may review it: {code} has no active adoption",
                        [InvalidParam("municipality", "not-an-adopter", "adopt and activate the app first")])
    allowed = may_review_from(adoption.activated_at, min_days)
    if utcnow() < allowed:
        raise Forbidden(f"a municipality may review an app after using it for {min_days} days; {code} may review "
                        f"'{app.slug}' from {allowed.date().isoformat()}",
                        [InvalidParam("municipality", "too-early", f"active for fewer than {min_days} days")])
    return adoption.release.version


async def get_review(session: AsyncSession, app: App, code: str) -> Review | None:
    query = (select(Review).join(Organisation, Organisation.id == Review.organisation_id)
             .where(Review.app_id == app.id, Organisation.code == code))
    return await session.scalar(query)


async def _existing(session: AsyncSession, app: App, code: str) -> Review:
    review = await get_review(session, app, code)
    if review is None:
        raise NotFound(f"municipality {code} has not reviewed '{app.slug}'")
    return review


async def write_review(session: AsyncSession, code: str, slug: str, rating: object, text: object,
                       actor: Principal, min_days: int) -> Review:
    """Create or edit the municipality's review (its beheerder writes it); the version is the one in use now."""
    organisation = await adoptions.managed_municipality(session, code, actor)
    app = await get_app(session, slug)
    checked_rating, checked_text = _rating(rating), _text(text, "text", MAX_TEXT)
    version = await _eligible_version(session, code, app, min_days)
    review = await get_review(session, app, code)
    now = utcnow()
    if review is None:
        review = Review(app_id=app.id, organisation_id=organisation.id, created_at=now)
        review.organisation = organisation
        session.add(review)
    review.rating, review.text, review.version = checked_rating, checked_text, version
    review.author, review.updated_at = actor.id, now
    await session.flush()
    await refresh_rating(session, app.id)
    await session.commit()
    return review


async def reply(session: AsyncSession, slug: str, code: str, text: object, actor: Principal) -> Review:
    """The publisher's one reply to a review."""
    app = await get_app(session, slug)
    if not actor.has_role(app.publisher.code, "publisher"):
        raise Forbidden(f"only the publisher of '{slug}' ({app.publisher.name}) may reply to its reviews")
    checked = _text(text, "text", MAX_REPLY)
    review = await _existing(session, app, code)
    if review.reply is not None:
        raise Conflict("the publisher has already replied to this review; a review gets one reply",
                       [InvalidParam("reply", "once", "one reply per review")])
    review.reply, review.reply_by, review.reply_at = checked, actor.id, utcnow()
    await session.commit()
    return review


async def hide(session: AsyncSession, slug: str, code: str, reason: object, actor: Principal) -> Review:
    """A curator hides a review; the reason is kept and shown to the review's author."""
    if not is_curator(actor):
        raise Forbidden("only a curator of the store may hide reviews")
    app = await get_app(session, slug)
    checked = _text(reason, "reason", MAX_TEXT)
    review = await _existing(session, app, code)
    review.hidden_reason, review.hidden_by, review.hidden_at = checked, actor.id, utcnow()
    await session.flush()
    await refresh_rating(session, app.id)
    await session.commit()
    return review


def may_see_hidden(review: Review, actor: Principal | None) -> bool:
    """A hidden review is seen by its author's municipality (with the reason) and by curators."""
    return actor is not None and (is_curator(actor) or actor.has_role(review.organisation.code, "beheerder"))


async def app_reviews(session: AsyncSession, app: App, actor: Principal | None) -> list[Review]:
    """The app's reviews, newest first: the visible ones, and hidden ones to whom may see them."""
    query = select(Review).where(Review.app_id == app.id).order_by(Review.updated_at.desc(), Review.id)
    return [review for review in (await session.scalars(query)).all()
            if review.hidden_at is None or may_see_hidden(review, actor)]


async def refresh_rating(session: AsyncSession, app_id: uuid.UUID) -> None:
    """Keep App.review_count and App.rating_average (of the visible reviews) in step, for listing and sorting."""
    visible = select(Review.rating).where(Review.app_id == app_id, Review.hidden_at.is_(None)).subquery()
    count = select(func.count()).select_from(visible).scalar_subquery()
    average = select(func.avg(visible.c.rating)).scalar_subquery()
    await session.execute(update(App).where(App.id == app_id).values(review_count=count, rating_average=average))
