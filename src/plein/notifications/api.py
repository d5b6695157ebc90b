"""Plein's notifications admin API (/api/notifications/v1): messages, deliveries, attempts, resend, subscriptions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Path, Query, Request

from plein.bounds import MAX_BIGINT
from plein.exchange.service import require_admin
from plein.http import PrefixRouter, PrincipalDep, SessionDep
from plein.notifications import service
from plein.notifications.models import STATUSES
from plein.notifications.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    DeliveryPage,
    MessageDetail,
    MessageOut,
    MessagePage,
    SubscriptionOut,
)
from plein.openapi import API_DOCUMENTS, api_document

router = PrefixRouter(prefix="/api/notifications/v1", tags=["notifications"])

DeliveryId = Annotated[int, Path(alias="deliveryId", ge=1, le=MAX_BIGINT, description="The delivery's id.")]
MessageId = Annotated[int, Path(alias="messageId", ge=1, le=MAX_BIGINT, description="The message's id.")]
After = Annotated[int | None, Query(ge=1, le=MAX_BIGINT,
                                    description="Keyset cursor: the last id of the previous page.")]
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=service.MAX_PAGE, description="Items per page.")]


def include(app: FastAPI) -> None:
    """The admin API and the ZGW Notificaties API."""
    from plein.notifications import nrc

    app.include_router(router)
    app.include_router(nrc.router)


def _next(request: Request, after: int | None) -> str | None:
    if after is None:
        return None
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "after"]
    return f"{request.url.path}?{urlencode([*kept, ('after', str(after))])}"


@router.get("/messages", summary="Notifications in the outbox, newest first", operation_id="listMessages")
async def list_messages(
    request: Request, session: SessionDep, principal: PrincipalDep,
    kanaal: Annotated[str | None, Query(max_length=50, description="Only this kanaal's.")] = None,
    after: After = None, page_size: PageSize = 50,
) -> MessagePage:
    """Exchange administrators only. Each message shows how many of its deliveries have each status."""
    page, counts = await service.list_messages(session, principal, kanaal=kanaal, after=after, limit=page_size)
    return MessagePage(results=[MessageOut.of(m, counts[m.id]) for m in page.items],
                       next=_next(request, page.next_after))


@router.get("/messages/{messageId}", summary="One notification with its deliveries", operation_id="getMessage")
async def get_message(message_id: MessageId, session: SessionDep, principal: PrincipalDep) -> MessageDetail:
    message, deliveries = await service.get_message(session, principal, message_id)
    counts = await service.delivery_counts(session, [message.id])
    return MessageDetail(**MessageOut.of(message, counts[message.id]).model_dump(),
                         delivery_list=[DeliveryOut.of(d) for d in deliveries])


@router.get("/deliveries", summary="Deliveries, newest first", operation_id="listDeliveries")
async def list_deliveries(
    request: Request, session: SessionDep, principal: PrincipalDep,
    status: Annotated[str | None, Query(max_length=20, description=f"Only this status: {', '.join(STATUSES)}.")] = None,
    after: After = None, page_size: PageSize = 50,
) -> DeliveryPage:
    """Exchange administrators only. `status=parked` lists what could not be delivered and can be resent."""
    page = await service.list_deliveries(session, principal, status=status, after=after, limit=page_size)
    return DeliveryPage(results=[DeliveryOut.of(d) for d in page.items], next=_next(request, page.next_after))


@router.get("/deliveries/{deliveryId}", summary="One delivery with every attempt", operation_id="getDelivery")
async def get_delivery(delivery_id: DeliveryId, session: SessionDep, principal: PrincipalDep) -> DeliveryDetail:
    delivery, attempts = await service.get_delivery(session, principal, delivery_id)
    return DeliveryDetail(**DeliveryOut.of(delivery).model_dump(), history=[AttemptOut.of(a) for a in attempts])


@router.post("/deliveries/{deliveryId}/resend", summary="Send a parked delivery again",
             operation_id="resendDelivery")
async def resend(delivery_id: DeliveryId, session: SessionDep, principal: PrincipalDep) -> DeliveryOut:
    """A parked delivery gets a new round of attempts, starting now; its earlier attempts stay in its history.
    Only parked deliveries can be resent (409 otherwise)."""
    return DeliveryOut.of(await service.resend(session, principal, delivery_id))


@router.get("/subscriptions", summary="Abonnementen (secrets masked)", operation_id="listSubscriptions")
async def list_subscriptions(session: SessionDep, principal: PrincipalDep) -> list[SubscriptionOut]:
    """Exchange administrators only. The Authorization header each subscriber gave is shown masked."""
    require_admin(principal)
    return [SubscriptionOut.of(a) for a in await service.list_abonnementen(session)]


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getNotificationsOpenapi")
async def notifications_openapi(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == "notifications"))
