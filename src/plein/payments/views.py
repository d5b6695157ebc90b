"""Payment pages: the simulator's checkout page (dev, demo and test only) and the return page where the citizen
lands after paying, which checks the status and goes on to the page of what was paid for."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from plein.errors import PleinError
from plein.http import SessionDep
from plein.payments import providers, service, simulator
from plein.payments.models import CANCELED, EXPIRED, FAILED, OPEN, PAID, Payment
from plein.settings import Settings
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, redirect, render

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("plein.payments")
SimulatorId = Annotated[str, Path(pattern=r"^sim_[0-9a-f]{1,36}$")]

STATUS_TEXT = {OPEN: "open", PAID: "betaald", CANCELED: "geannuleerd", FAILED: "mislukt", EXPIRED: "verlopen"}
RETURN_MESSAGES = {
    CANCELED: "U heeft de betaling geannuleerd. Er is niets van uw rekening afgeschreven.",
    FAILED: "De betaling is mislukt. Er is niets van uw rekening afgeschreven.",
    EXPIRED: "De betaling is verlopen. Er is niets van uw rekening afgeschreven.",
    OPEN: "Uw betaling is nog niet bevestigd. Zodra de betaaldienst haar bevestigt, gaan wij verder; u hoeft niets "
          "opnieuw te doen.",
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/betalen/{payment_id}/terug")
async def returned(request: Request, session: SessionDep, payment_id: uuid.UUID) -> Response:
    """Where the provider sends the citizen back: ask the provider for the status (the webhook may not have come
    yet), then go to the payment's return URL with a message when it was not paid."""
    payment = await service.get(session, payment_id)
    if payment.status == OPEN and payment.problem is None:
        try:
            provider = providers.get_provider(_settings(request), payment.provider)
            await service.refresh(session, payment, provider, source="return")
            await session.commit()
        except service.PaymentMismatch:
            await session.commit()
        except PleinError as exc:
            await session.rollback()
            logger.warning("the return page could not check payment %s: %s", payment_id, exc.detail)
            payment = await service.get(session, payment_id)
    _tell(request, payment)
    return redirect(payment.return_url)


def _tell(request: Request, payment: Payment) -> None:
    if payment.problem:
        flash(request, "Er is iets mis met deze betaling. De gemeente zoekt het uit en neemt contact met u op.",
              "warning")
    elif payment.status in RETURN_MESSAGES:
        flash(request, RETURN_MESSAGES[payment.status], "warning")


# --- the simulator ----------------------------------------------------------------------------------------------


def _require_simulator(request: Request) -> None:
    if not providers.simulator_offered(_settings(request)):
        raise StarletteHTTPException(404)


def _local(url: str, base_url: str) -> str:
    """The simulator is part of this Plein: a URL under PLEIN_BASE_URL becomes its path (so the pages also work
    when the server is reached at another address, as in tests)."""
    base = base_url.rstrip("/")
    return url[len(base):] or "/" if url.startswith(base + "/") else url


@router.get("/betalen/simulator/{simulator_id}", dependencies=[Depends(_require_simulator)])
async def checkout(request: Request, session: SessionDep, principal: PagePrincipal,
                   simulator_id: SimulatorId) -> Response:
    """The simulator's checkout page: the amount and what it is for, and the buttons Betalen, Annuleren and Laten
    mislukken."""
    payment = await simulator.find(session, simulator_id)
    if payment is None:
        raise StarletteHTTPException(404)
    await simulator.expire_if_due(session, payment)
    await session.commit()
    context = {"payment": payment, "status_text": STATUS_TEXT[payment.status],
               "back": _local(payment.redirect_url, _settings(request).base_url)}
    return render(request, "payments/simulator.html", context)


@router.post("/betalen/simulator/{simulator_id}", dependencies=[Depends(_require_simulator)])
async def act(request: Request, session: SessionDep, form: csrf.CheckedForm, simulator_id: SimulatorId) -> Response:
    """Pay, cancel or fail the simulated payment, tell Plein as the provider's webhook would, and send the browser
    to the return page."""
    action = csrf.text_fields(form).get("actie", "")
    if action not in simulator.ACTIONS:
        raise StarletteHTTPException(400, "kies Betalen, Annuleren of Laten mislukken")
    payment = await simulator.find(session, simulator_id)
    if payment is None:
        raise StarletteHTTPException(404)
    changed = await simulator.act(session, payment, action)
    await session.commit()
    if changed:
        await _webhook(request, simulator_id)
    return redirect(_local(payment.redirect_url, _settings(request).base_url))


async def _webhook(request: Request, simulator_id: str) -> None:
    """What a provider's webhook call does, without HTTP (Plein never calls itself over HTTP). When it fails, the
    return page and the status check complete the payment later, as after a lost webhook."""
    async with request.app.state.sessions() as session:
        try:
            payment = await service.by_provider_id(session, providers.SIMULATOR, simulator_id)
            if payment is not None:
                await service.refresh(session, payment, simulator.SimulatorProvider(), source="webhook")
            await session.commit()
        except Exception:
            await session.rollback()
            logger.exception("the simulator's webhook for %s failed; the return page or the status check retries",
                             simulator_id)


def include(app: FastAPI) -> None:
    app.include_router(router)
