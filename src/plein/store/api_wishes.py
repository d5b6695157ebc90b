"""The wishes (joint demand) in the store API (/api/store/v1/wishes): list, post, read, change, join and leave for
one's own municipality, commission, fulfil with an admitted app, and withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput, InvalidParam
from plein.http import PrefixRouter, PrincipalDep, SessionDep
from plein.store import present, wishes
from plein.store.wish_models import Wish
from plein.store.wish_schemas import (
    WishChange,
    WishCommission,
    WishContent,
    WishCreate,
    WishEventOut,
    WishFulfilment,
    WishOut,
    WishShareOut,
    WishSummary,
)

router = PrefixRouter(prefix="/api/store/v1", tags=["store"])


def wish_summary(wish: Wish, participant_count: int) -> WishSummary:
    return WishSummary(
        id=wish.identifier, title=wish.title, status=wish.status, municipality=wish.organisation.code,
        municipality_name=wish.organisation.name, budget_eur=wish.budget_cents / 100, split=wish.split,
        participant_count=participant_count, created_at=wish.created_at)


async def wish_out(session: AsyncSession, wish: Wish) -> WishOut:
    reckoning = await wishes.reckon(session, wish)
    shares = [WishShareOut(
        municipality=share.participant.organisation.code, municipality_name=share.participant.organisation.name,
        poster=share.participant.organisation_id == wish.organisation_id, joined_at=share.participant.joined_at,
        inhabitants=present.inhabitants_out(share.inhabitants), budget_eur=float(share.amount),
    ) for share in reckoning.shares]
    commission = (WishCommission(commissioner=wish.commissioner.code, commissioner_name=wish.commissioner.name,
                                 note=wish.commission_note, at=wish.commissioned_at)
                  if wish.commissioner is not None and wish.commissioned_at is not None else None)
    fulfilment = (WishFulfilment(app=wish.app.slug, app_name=wish.app.name, version=wish.release.version,
                                 publisher=wish.app.publisher.code, at=wish.fulfilled_at)
                  if wish.app is not None and wish.release is not None and wish.fulfilled_at is not None else None)
    events = [WishEventOut(action=e.action, municipality=e.municipality, detail=dict(e.detail),
                           notified=list(e.notified), actor=e.actor, at=e.at)
              for e in await wishes.history(session, wish)]
    return WishOut(
        **wish_summary(wish, len(shares)).model_dump(), description=wish.description, standards=list(wish.standards),
        inhabitants=reckoning.inhabitants, equal_fallback=reckoning.equal_fallback, participants=shares,
        commission=commission, fulfilment=fulfilment, history=events)


StatusFilter = Annotated[str | None, Query(description="open, commissioned, fulfilled or withdrawn.", max_length=20)]


@router.get("/wishes", summary="Wishes of municipalities (joint demand)", operation_id="listWishes")
async def list_wishes(session: SessionDep, status: StatusFilter = None) -> list[WishSummary]:
    """Newest first; each with the number of municipalities that joined it."""
    return [wish_summary(wish, count) for wish, count in await wishes.list_wishes(session, status or None)]


@router.post("/wishes", status_code=201, summary="Post a wish", operation_id="postWish")
async def post_wish(body: WishCreate, session: SessionDep, principal: PrincipalDep) -> WishOut:
    """A functioneel beheerder posts a wish for its own municipality, which joins it as the first."""
    data = wishes.WishInput(title=body.title, description=body.description, budget=body.budget_eur,
                            split=body.split, standards=list(body.standards))
    wish = await wishes.post(session, body.municipality, data, principal)
    return await wish_out(session, wish)


@router.get("/wishes/{identifier}", summary="One wish: who joined, their inhabitants, the budget per municipality",
            operation_id="getWish")
async def get_wish(identifier: str, session: SessionDep) -> WishOut:
    return await wish_out(session, await wishes.get_wish(session, identifier))


@router.put("/wishes/{identifier}", summary="Change an open wish", operation_id="replaceWish")
async def replace_wish(identifier: str, body: WishContent, request: Request, session: SessionDep,
                       principal: PrincipalDep) -> WishOut:
    """The poster's beheerder changes the title, description, standards, budget or split of an open wish, checked as
    when it was posted. Every joined municipality is told on the `store` kanaal (its part of the budget may change);
    the history keeps what each changed field was."""
    data = wishes.WishInput(title=body.title, description=body.description, budget=body.budget_eur,
                            split=body.split, standards=list(body.standards))
    return await wish_out(session, await wishes.change(session, identifier, data, principal, str(request.base_url)))


@router.patch("/wishes/{identifier}", summary="Commission a wish, fulfil it with an admitted app, or withdraw it",
              operation_id="changeWish")
async def change_wish(identifier: str, body: WishChange, request: Request, session: SessionDep,
                      principal: PrincipalDep) -> WishOut:
    """`commissioned`: the poster's beheerder, with the joint commissioner; `fulfilled`: the publisher of the app;
    `withdrawn`: the poster's beheerder, while the wish is open, with the `reason`. Every joined
    municipality is told on the `store` kanaal."""
    base_url = str(request.base_url)
    if body.status == "commissioned":
        wish = await wishes.commission(session, identifier, body.commissioner or "", body.note, principal, base_url)
    elif body.status == "withdrawn":
        wish = await wishes.withdraw(session, identifier, body.reason, principal, base_url)
    else:
        if not body.app:
            raise InvalidInput("name the app that fulfils the wish",
                               [InvalidParam("app", "required", "the slug of an admitted app")])
        wish = await wishes.fulfil(session, identifier, body.app, body.version, principal, base_url)
    return await wish_out(session, wish)


@router.put("/wishes/{identifier}/participants/{code}", summary="Join a wish for one's own municipality",
            operation_id="joinWish", response_model=WishOut,
            responses={201: {"description": "The municipality joined the wish", "model": WishOut}})
async def join_wish(identifier: str, code: str, request: Request, session: SessionDep, principal: PrincipalDep
                    ) -> JSONResponse:
    """Only while the wish is open, and only by a beheerder of that municipality; 200 when it had joined already.
    Every joined municipality is told on the `store` kanaal."""
    wish, joined = await wishes.join(session, identifier, code, principal, str(request.base_url))
    body = await wish_out(session, wish)
    return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=201 if joined else 200)


@router.delete("/wishes/{identifier}/participants/{code}", summary="Leave a wish", operation_id="leaveWish")
async def leave_wish(identifier: str, code: str, request: Request, session: SessionDep, principal: PrincipalDep
                     ) -> WishOut:
    """Only while the wish is open; the municipality that posted it stays. The joined municipalities, and the one
    that left, are told on the `store` kanaal."""
    return await wish_out(session, await wishes.leave(session, identifier, code, principal, str(request.base_url)))


@router.get("/municipalities/{code}/wishes", summary="The wishes a municipality posted or joined",
            operation_id="listMunicipalityWishes")
async def municipality_wishes(code: str, session: SessionDep) -> list[WishSummary]:
    found = await wishes.municipality_wishes(session, code)
    counts = await wishes.participant_counts(session, [wish.id for wish in found])
    return [wish_summary(wish, counts.get(wish.id, 0)) for wish in found]
