"""Administrator pages: parked notification deliveries with their attempts, and a button to send one again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import Response

from plein.auth.service import Principal
from plein.bounds import MAX_BIGINT
from plein.errors import Conflict, Forbidden
from plein.exchange.service import is_exchange_admin
from plein.http import SessionDep
from plein.notifications import service
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, login_url, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/beheer/notificaties"
STATUS_LABELS = {"pending": "Wacht", "delivering": "Wordt verstuurd", "delivered": "Afgeleverd",
                 "parked": "Geparkeerd"}
STATUS_CLASSES = {"pending": "planned", "delivering": "planned", "delivered": "passed", "parked": "failed"}
# The notification's actie in words (the page shows the code beside it, as the API and subscribers know it)
ACTIE_LABELS = {"create": "aangemaakt", "update": "gewijzigd", "partial_update": "gedeeltelijk gewijzigd",
                "destroy": "verwijderd"}
PAGE = 50


def _admin(request: Request, principal: Principal | None) -> Response | Principal:
    """The administrator looking, a redirect to log in, or 403 for anyone else."""
    if principal is None:
        return redirect(login_url(request))
    if not is_exchange_admin(principal):
        raise Forbidden("alleen beheerders van Plein (curator van organisatie 'plein') mogen notificaties beheren")
    return principal


DeliveryId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]


@router.get(BASE)
async def parked(request: Request, session: SessionDep, principal: PagePrincipal,
                 after: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None) -> Response:
    admin = _admin(request, principal)
    if isinstance(admin, Response):
        return admin
    page = await service.list_deliveries(session, admin, status="parked", after=after, limit=PAGE)
    more = f"{BASE}?after={page.next_after}" if page.next_after else None
    return render(request, "notifications/parked.html", {"deliveries": page.items, "more": more, "first": after})


@router.get(BASE + "/{delivery_id}")
async def delivery(delivery_id: DeliveryId, request: Request, session: SessionDep,
                   principal: PagePrincipal) -> Response:
    admin = _admin(request, principal)
    if isinstance(admin, Response):
        return admin
    found, attempts = await service.get_delivery(session, admin, delivery_id)
    return render(request, "notifications/delivery.html", {
        "delivery": found, "attempts": attempts, "auth": service.masked(found.abonnement.auth, "tekens")})


@router.post(BASE + "/{delivery_id}/opnieuw-versturen")
async def resend(delivery_id: DeliveryId, request: Request, session: SessionDep, principal: PagePrincipal,
                 form: csrf.CheckedForm) -> Response:
    admin = _admin(request, principal)
    if isinstance(admin, Response):
        return admin
    try:
        await service.resend(session, admin, delivery_id)
    except Conflict:
        flash(request, f"Notificatie {delivery_id} is niet (meer) geparkeerd en wordt niet opnieuw verstuurd.",
              "warning")
    else:
        flash(request, f"Notificatie {delivery_id} wordt opnieuw verstuurd.")
    back = csrf.text_fields(form).get("terug", "")
    return redirect(back if back.startswith(BASE) and "//" not in back else BASE)


def include(app: FastAPI) -> None:
    from plein.web.views import templates

    templates.env.globals.update(delivery_status_labels=STATUS_LABELS, delivery_status_classes=STATUS_CLASSES,
                                 actie_labels=ACTIE_LABELS,
                                 notifications_admin=is_exchange_admin)  # the menu item in base.html
    app.include_router(router)
