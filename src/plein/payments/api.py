"""Plein's payments API (/api/betalingen/v1): the webhook a payment provider calls when a payment's status changed,
and this API's OpenAPI document."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import FastAPI, Form, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from plein.http import PrefixRouter, SessionDep
from plein.openapi import API_DOCUMENTS, api_document
from plein.payments import providers, service
from plein.payments.models import PAID

router = PrefixRouter(prefix="/api/betalingen/v1", tags=["betalingen"])
logger = logging.getLogger("plein.payments")

ProviderName = Annotated[str, Path(description="The provider that calls: mollie (or simulator in dev, demo and test).",
                                   pattern=r"^[a-z]{1,20}$")]


class WebhookCall(BaseModel):
    """What a provider sends: only which payment changed (a status in it would not be trusted anyway)."""

    id: str = Field(min_length=1, max_length=100,
                    description="The provider's id of the payment whose status changed (tr_… at Mollie).")


@router.post("/webhooks/{provider}", summary="A provider tells that a payment's status changed",
             operation_id="receivePaymentWebhook", response_class=Response, status_code=200,
             responses={200: {"description": "Received. Also for an id Plein does not know, so that the provider "
                                             "stops retrying and learns nothing about which ids exist."},
                        503: {"description": "The provider could not be asked for the status now; it retries.",
                              "content": {"application/problem+json": {
                                  "schema": {"$ref": "#/components/schemas/Problem"}}}}})
async def webhook(request: Request, session: SessionDep, provider: ProviderName,
                  call: Annotated[WebhookCall, Form()]) -> Response:
    """The body only says which payment changed (Mollie: the form field `id`); Plein never trusts a status sent to
    it, but asks the provider for the payment and applies that. A paid payment is recorded once however often this
    is called, and whether or not the citizen's browser comes back."""
    if provider not in providers.PROVIDERS:
        return Response(status_code=404)
    payment = await service.by_provider_id(session, provider, call.id)
    if payment is None:
        logger.info("webhook of %s for unknown payment %r: ignored", provider, call.id)
        return Response(status_code=200)
    try:
        await service.refresh(session, payment, providers.get_provider(request.app.state.settings, provider),
                              source="webhook")
    except (service.PaymentMismatch, providers.UnknownAtProvider) as exc:
        logger.error("webhook of %s for payment %s: %s", provider, payment.id, exc)  # kept; a person looks
    await session.commit()
    if payment.status == PAID:
        announce_paid(request.app)
    return Response(status_code=200)


def announce_paid(app: FastAPI) -> None:
    """Tell this process that a payment was just recorded as paid (what waited for it may go on now): calls
    `app.state.on_payment_paid` when something set it (the service engine's decision loop does)."""
    wake = getattr(app.state, "on_payment_paid", None)
    if callable(wake):
        wake()


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getBetalingenOpenapi")
async def betalingen_openapi(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == "betalingen"))


def include(app: FastAPI) -> None:
    app.include_router(router)
