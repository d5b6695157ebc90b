"""The ZGW Notificaties API 1.0.0 at /notificaties/api/v1: kanalen, abonnementen, and POST /notificaties.

Scopes, query parameters and request bodies are checked against the standard's document by plein.zgw.http. A
client sees and changes only its own abonnementen (a client with all rights sees every one). Plein adds one
optional field to an abonnement: `format`, `zgw` (default) or `cloudevents` (NL GOV profile).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import JSONResponse

from plein import clock
from plein.http import PrefixRouter
from plein.notifications import service
from plein.notifications.models import Abonnement, Kanaal
from plein.organisations import service as organisations
from plein.settings import Settings
from plein.zgw.http import ZgwContext, operation_route

router = PrefixRouter("/notificaties/api/v1/", tags=["zgw-notificaties"])
API = "notificaties"


def kanaal_body(ctx: ZgwContext, kanaal: Kanaal) -> dict[str, Any]:
    return {"url": ctx.url(API, "kanaal", kanaal.id), "naam": kanaal.naam,
            "documentatieLink": kanaal.documentatie_link, "filters": list(kanaal.filters)}


def abonnement_body(ctx: ZgwContext, abonnement: Abonnement) -> dict[str, Any]:
    """The abonnement as the standard shows it, `auth` included (it is the client's own)."""
    return {
        "url": ctx.url(API, "abonnement", abonnement.id), "callbackUrl": abonnement.callback_url,
        "auth": abonnement.auth, "format": abonnement.format,
        "kanalen": [{"naam": group.kanaal.naam, "filters": dict(group.filters)} for group in abonnement.kanalen],
    }


def _owner(ctx: ZgwContext) -> str | None:
    """Whose abonnementen the caller may see: its own, or every one with all rights."""
    return None if ctx.caller.all_rights else ctx.caller.client_id


def _kanalen(body: dict[str, Any]) -> list[service.KanaalFilter] | None:
    if "kanalen" not in body:
        return None
    return [service.KanaalFilter(item["naam"], item.get("filters") or {}) for item in body["kanalen"]]


# --- kanalen --------------------------------------------------------------------------------------


@operation_route(router, API, "get", "/kanaal")
async def list_kanalen(ctx: ZgwContext) -> JSONResponse:
    kanalen = await service.list_kanalen(ctx.session, ctx.query.get("naam"))
    return JSONResponse([kanaal_body(ctx, kanaal) for kanaal in kanalen])


@operation_route(router, API, "post", "/kanaal", status=201)
async def create_kanaal(ctx: ZgwContext) -> dict[str, Any]:
    body = await ctx.body()
    kanaal = await service.create_kanaal(ctx.session, body["naam"], body.get("documentatieLink") or "",
                                         body.get("filters") or [])
    return kanaal_body(ctx, kanaal)


@operation_route(router, API, "get", "/kanaal/{uuid}")
async def read_kanaal(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return kanaal_body(ctx, await service.get_kanaal(ctx.session, uuid))


# --- abonnementen ---------------------------------------------------------------------------------


def _settings(ctx: ZgwContext) -> Settings:
    settings: Settings = ctx.request.app.state.settings
    return settings


def _private_allowed(ctx: ZgwContext) -> bool:
    return _settings(ctx).allows_private_callbacks


@operation_route(router, API, "get", "/abonnement")
async def list_abonnementen(ctx: ZgwContext) -> JSONResponse:
    abonnementen = await service.list_abonnementen(ctx.session, _owner(ctx))
    return JSONResponse([abonnement_body(ctx, abonnement) for abonnement in abonnementen])


@operation_route(router, API, "post", "/abonnement", status=201)
async def create_abonnement(ctx: ZgwContext) -> dict[str, Any]:
    body = await ctx.body()
    abonnement = await service.create_abonnement(
        ctx.session, callback_url=body["callbackUrl"], auth=body["auth"], kanalen=_kanalen(body) or [],
        format=body.get("format", "zgw"), owner=ctx.caller.client_id, allow_private=_private_allowed(ctx),
        allowed=_settings(ctx).internal_callback_networks)
    return abonnement_body(ctx, abonnement)


@operation_route(router, API, "get", "/abonnement/{uuid}")
async def read_abonnement(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return abonnement_body(ctx, await service.get_abonnement(ctx.session, uuid, _owner(ctx)))


@operation_route(router, API, "put", "/abonnement/{uuid}")
async def replace_abonnement(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid)


@operation_route(router, API, "patch", "/abonnement/{uuid}")
async def update_abonnement(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid)


async def _update(ctx: ZgwContext, key: uuid.UUID) -> dict[str, Any]:
    abonnement = await service.get_abonnement(ctx.session, key, _owner(ctx))
    body = await ctx.body()
    replace = ctx.operation.method == "put"
    changed = await service.update_abonnement(
        ctx.session, abonnement, callback_url=body.get("callbackUrl"), auth=body.get("auth"),
        kanalen=_kanalen(body) if not replace else (_kanalen(body) or []),
        format=body.get("format", "zgw" if replace else None), allow_private=_private_allowed(ctx),
        allowed=_settings(ctx).internal_callback_networks)
    return abonnement_body(ctx, changed)


@operation_route(router, API, "delete", "/abonnement/{uuid}")
async def delete_abonnement(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service.delete_abonnement(ctx.session, await service.get_abonnement(ctx.session, uuid, _owner(ctx)))


# --- notificaties ---------------------------------------------------------------------------------


@operation_route(router, API, "post", "/notificaties")
async def publish(ctx: ZgwContext) -> dict[str, Any]:
    """Route a notificatie: into the outbox, with a delivery for every abonnement whose filters match."""
    body = await ctx.body()
    message = await service.publish(
        ctx.session, kanaal=body["kanaal"], hoofd_object=body["hoofdObject"], resource=body["resource"],
        resource_url=body["resourceUrl"], actie=body["actie"], kenmerken=body.get("kenmerken") or {},
        aanmaakdatum=clock.parse(body["aanmaakdatum"]), source_oin=await _caller_oin(ctx))
    await ctx.session.commit()
    return {"kanaal": message.kanaal, "hoofdObject": message.hoofd_object, "resource": message.resource,
            "resourceUrl": message.resource_url, "actie": message.actie, "aanmaakdatum": body["aanmaakdatum"],
            "kenmerken": message.kenmerken}




async def _caller_oin(ctx: ZgwContext) -> str | None:
    """The OIN of the publishing client's organisation: the CloudEvents source of what it publishes."""
    if ctx.caller.organisation is None:
        return None
    try:
        return (await organisations.get_by_code(ctx.session, ctx.caller.organisation)).oin
    except organisations.UnknownOrganisation:
        return None
