"""The Catalogi API 1.3.1 at /catalogi/api/v1: one thin route per operation of the standard's document.

Status codes are the document's own, also where it differs from other ZGW APIs: creating an informatieobjecttype
answers 200, and deleting a zaaktype, informatieobjecttype or besluittype answers 200 (with an empty object).
ETag, If-None-Match (304) and HEAD come from the shared operation routes, where the document lists an ETag.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from plein.http import PrefixRouter
from plein.zgw.catalogi import parts, service_catalogussen, service_typen, service_zaaktypen, versioned
from plein.zgw.catalogi.common import API, Links, date_param, get_catalogus
from plein.zgw.catalogi.parts import PartSpec
from plein.zgw.catalogi.service_parts import PARTS
from plein.zgw.catalogi.versioned import TypeSpec
from plein.zgw.http import PAGE_SIZE, ZgwContext, detail_routes, operation_route, page_number, paginated

router = PrefixRouter("/catalogi/api/v1/", tags=["zgw-catalogi"])
Represent = Callable[..., Awaitable[list[dict[str, Any]]]]
Lister = Callable[..., Awaitable[tuple[int, list[Any]]]]


def _links(ctx: ZgwContext) -> Links:
    return Links(ctx.base_url)


# --- catalogussen ----------------------------------------------------------------------------------------------


@operation_route(router, API, "get", "/catalogussen")
async def list_catalogussen(ctx: ZgwContext) -> dict[str, Any]:
    page = page_number(ctx)
    total, rows = await service_catalogussen.list_catalogussen(ctx.session, ctx.query, page, PAGE_SIZE)
    return paginated(ctx, total, await service_catalogussen.represent_many(ctx.session, _links(ctx), rows), page)


@operation_route(router, API, "post", "/catalogussen", status=201)
async def create_catalogus(ctx: ZgwContext) -> dict[str, Any]:
    row = await service_catalogussen.create_catalogus(ctx.session, ctx.caller, await ctx.body())
    return await service_catalogussen.represent(ctx.session, _links(ctx), row)


@detail_routes(router, API, "/catalogussen/{uuid}")
async def read_catalogus(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row = await get_catalogus(ctx.session, uuid)
    return await service_catalogussen.represent(ctx.session, _links(ctx), row)


# --- zaaktypen, informatieobjecttypen, besluittypen --------------------------------------------------------------


def _published_type(spec: TypeSpec, represent: Represent, lister: Lister, schemas: tuple[str, str],
                    create_status: int) -> None:
    """The eight operations of a published type; `schemas` names the request schemas for create and for change
    (the document leaves some of them unspecified)."""
    collection = spec.kind.collection

    async def one(ctx: ZgwContext, row: Any) -> dict[str, Any]:
        return (await represent(ctx.session, _links(ctx), [row]))[0]

    async def list_all(ctx: ZgwContext) -> dict[str, Any]:
        page = page_number(ctx)
        day = date_param(ctx.query, "datumGeldigheid")
        total, rows = await lister(ctx.session, _links(ctx), ctx.query, page, PAGE_SIZE)
        return paginated(ctx, total, await represent(ctx.session, _links(ctx), rows, day), page)

    async def create(ctx: ZgwContext) -> dict[str, Any]:
        return await one(ctx, await versioned.create(ctx.session, _links(ctx), ctx.caller, spec,
                                                     await ctx.body(schemas[0])))

    async def read(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        row = await versioned.get(ctx.session, spec, uuid)
        day = date_param(ctx.query, "datumGeldigheid")
        if day is not None:
            row = await service_zaaktypen.version_on(ctx.session, row, day)
        return (await represent(ctx.session, _links(ctx), [row], day))[0]

    async def change(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        row = await versioned.get(ctx.session, spec, uuid)
        data = await ctx.body(schemas[1])
        return await one(ctx, await versioned.update(ctx.session, _links(ctx), ctx.caller, spec, row, data,
                                                     partial=ctx.operation.method == "patch"))

    async def remove(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        await versioned.delete(ctx.session, _links(ctx), ctx.caller, spec, await versioned.get(ctx.session, spec, uuid))
        return {}

    async def publish(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        await ctx.body()
        return await one(ctx, await versioned.publish(ctx.session, _links(ctx), ctx.caller, spec,
                                                      await versioned.get(ctx.session, spec, uuid)))

    operation_route(router, API, "get", f"/{collection}")(list_all)
    operation_route(router, API, "post", f"/{collection}", status=create_status)(create)
    detail_routes(router, API, f"/{collection}/{{uuid}}")(read)
    for method in ("put", "patch"):
        operation_route(router, API, method, f"/{collection}/{{uuid}}")(change)
    operation_route(router, API, "delete", f"/{collection}/{{uuid}}")(remove)
    operation_route(router, API, "post", f"/{collection}/{{uuid}}/publish")(publish)


_published_type(service_zaaktypen.SPEC, service_zaaktypen.represent_many, service_zaaktypen.list_zaaktypen,
                ("ZaakTypeCreate", "ZaakTypeUpdate"), 201)
_published_type(service_typen.IOT_SPEC, service_typen.represent_informatieobjecttypen,
                service_typen.list_informatieobjecttypen, ("InformatieObjectType", "InformatieObjectType"), 200)
_published_type(service_typen.BT_SPEC, service_typen.represent_besluittypen, service_typen.list_besluittypen,
                ("BesluitTypeCreate", "BesluitTypeUpdate"), 201)


# --- the parts of a zaaktype -----------------------------------------------------------------------------------


def _part_routes(spec: PartSpec) -> None:
    """The seven operations of one kind of part; request schemas are the operations' own."""
    collection = spec.collection

    async def one(ctx: ZgwContext, row: Any) -> dict[str, Any]:
        return (await parts.represent_many(ctx.session, _links(ctx), spec, [row]))[0]

    async def list_all(ctx: ZgwContext) -> dict[str, Any]:
        page = page_number(ctx)
        total, rows = await parts.list_parts(ctx.session, _links(ctx), spec, ctx.query, page, PAGE_SIZE)
        return paginated(ctx, total, await parts.represent_many(ctx.session, _links(ctx), spec, rows), page)

    async def create(ctx: ZgwContext) -> dict[str, Any]:
        return await one(ctx, await parts.create(ctx.session, _links(ctx), ctx.caller, spec, await ctx.body()))

    async def read(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        return await one(ctx, await parts.get(ctx.session, spec, uuid))

    async def change(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
        row = await parts.get(ctx.session, spec, uuid)
        data = await ctx.body()
        return await one(ctx, await parts.update(ctx.session, _links(ctx), ctx.caller, spec, row, data))

    async def remove(ctx: ZgwContext, uuid: uuid.UUID) -> None:
        await parts.delete(ctx.session, ctx.caller, spec, await parts.get(ctx.session, spec, uuid))

    operation_route(router, API, "get", f"/{collection}")(list_all)
    operation_route(router, API, "post", f"/{collection}", status=201)(create)
    detail_routes(router, API, f"/{collection}/{{uuid}}")(read)
    for method in ("put", "patch"):
        operation_route(router, API, method, f"/{collection}/{{uuid}}")(change)
    operation_route(router, API, "delete", f"/{collection}/{{uuid}}")(remove)


for _spec in PARTS.values():
    _part_routes(_spec)
