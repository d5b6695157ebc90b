"""The Autorisaties API 1.0.0 at /autorisaties/api/v1: applicaties with their autorisaties (thin routes)."""

from __future__ import annotations

import uuid
from typing import Any

from plein.http import PrefixRouter
from plein.zgw.autorisaties import service
from plein.zgw.http import PAGE_SIZE, ZgwContext, operation_route, page_number, paginated

router = PrefixRouter("/autorisaties/api/v1/", tags=["zgw-autorisaties"])
API = "autorisaties"


def _url_of(ctx: ZgwContext) -> service.UrlOf:
    return lambda key: ctx.url(API, "applicaties", key)


@operation_route(router, API, "get", "/applicaties")
async def list_applicaties(ctx: ZgwContext) -> dict[str, Any]:
    client_ids = [c for c in ctx.query.get("clientIds", "").split(",") if c] or None
    page = page_number(ctx)
    total, rows = await service.list_applicaties(ctx.session, client_ids, page, PAGE_SIZE)
    return paginated(ctx, total, [service.represent(a, _url_of(ctx)) for a in rows], page)


@operation_route(router, API, "post", "/applicaties", status=201)
async def create_applicatie(ctx: ZgwContext) -> dict[str, Any]:
    applicatie = await service.save_applicatie(ctx.session, await ctx.body())
    return service.represent(applicatie, _url_of(ctx))


@operation_route(router, API, "get", "/applicaties/consumer")
async def consumer(ctx: ZgwContext) -> dict[str, Any]:
    applicatie = await service.applicatie_for_client(ctx.session, ctx.query["clientId"])
    return service.represent(applicatie, _url_of(ctx))


@operation_route(router, API, "get", "/applicaties/{uuid}")
async def read_applicatie(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return service.represent(await service.get_applicatie(ctx.session, uuid), _url_of(ctx))


@operation_route(router, API, "put", "/applicaties/{uuid}")
async def replace_applicatie(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    existing = await service.get_applicatie(ctx.session, uuid)
    applicatie = await service.save_applicatie(ctx.session, await ctx.body(), existing)
    return service.represent(applicatie, _url_of(ctx))


@operation_route(router, API, "patch", "/applicaties/{uuid}")
async def update_applicatie(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    existing = await service.get_applicatie(ctx.session, uuid)
    applicatie = await service.save_applicatie(ctx.session, await ctx.body(), existing, partial=True)
    return service.represent(applicatie, _url_of(ctx))


@operation_route(router, API, "delete", "/applicaties/{uuid}")
async def delete_applicatie(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service.delete_applicatie(ctx.session, await service.get_applicatie(ctx.session, uuid))
