"""The Zaken API 1.5.1 routes for what relates a zaak to others: zaakobjecten, zaakeigenschappen, klantcontacten,
zaakinformatieobjecten, zaakcontactmomenten, zaakverzoeken and zaakbesluiten (thin routes).

Writes check the operation's scopes on the zaak (zrc-006) and commit the change, its audit record and, where the
`zaken` kanaal lists it, its notification together. Lists hold only relations of zaken the caller may read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from plein.http import PrefixRouter
from plein.zgw.http import PAGE_SIZE, ZgwContext, detail_routes, operation_route, page_number, paginated
from plein.zgw.zaken import documents, filters, references, relations
from plein.zgw.zaken import present_relations as shown
from plein.zgw.zaken.models import (
    KlantContact,
    Zaak,
    ZaakBesluit,
    ZaakContactMoment,
    ZaakEigenschap,
    ZaakInformatieObject,
    ZaakObject,
    ZaakVerzoek,
)
from plein.zgw.zaken.present import Urls
from plein.zgw.zaken.service import READ, Scope, get_zaak

router = PrefixRouter("/zaken/api/v1/", tags=["zgw-zaken"])
API = "zaken"


def scope_of(ctx: ZgwContext) -> Scope:
    return Scope(ctx.session, ctx.caller, ctx.base_url)


def urls(ctx: ZgwContext) -> Urls:
    return Urls(ctx.base_url)


def _visible_query(ctx: ZgwContext, model: Any, conditions: list[Any]) -> Any:
    visible = filters.visible(ctx.caller, ctx.base_url, READ)
    return select(model).join(Zaak, Zaak.id == model.zaak_id).where(visible, *conditions)


async def _destroy(ctx: ZgwContext, model: Any, key: uuid.UUID, resource: str, show: Callable[[Urls, Any], Any],
                   zaak_uuid: uuid.UUID | None = None) -> None:
    """Remove a part of a zaak (audit record and notification with it) and commit."""
    scope = scope_of(ctx)
    row, zaak = await relations.part_of(scope, model, key, ctx.operation.scopes, zaak_uuid)
    before = show(urls(ctx), row)
    await relations.remove(scope, row, zaak, resource, before["url"], before)
    await ctx.session.commit()


async def _under_zaak(ctx: ZgwContext, zaak_uuid: uuid.UUID, model: Any,
                      show: Callable[[Urls, Any], Any]) -> JSONResponse:
    """The parts of one zaak the caller may read, oldest first (the nested lists are not paged)."""
    zaak = await get_zaak(scope_of(ctx), zaak_uuid)
    rows = await ctx.session.scalars(select(model).where(model.zaak_id == zaak.id)
                                     .order_by(model.created_at, model.id))
    return JSONResponse([show(urls(ctx), row) for row in rows])


async def _page(ctx: ZgwContext, model: Any, conditions: list[Any]) -> tuple[int, list[Any]]:
    """One page of relations of zaken the caller may read."""
    query = _visible_query(ctx, model, conditions)
    total = await ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number(ctx)
    rows = await ctx.session.scalars(query.order_by(model.created_at, model.id)
                                     .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return total, list(rows)


async def _all(ctx: ZgwContext, model: Any, conditions: list[Any]) -> list[Any]:
    """Every relation of zaken the caller may read (the lists the standard does not page)."""
    query = _visible_query(ctx, model, conditions)
    return list(await ctx.session.scalars(query.order_by(model.created_at, model.id)))


def _zaak_filter(ctx: ZgwContext, model: Any) -> list[Any]:
    value = ctx.query.get("zaak")
    return [model.zaak_id == ctx.parse_url(value, "zaken", "zaken", "zaak")] if value else []


def _equal_filter(ctx: ZgwContext, column: Any, name: str) -> list[Any]:
    return [column == ctx.query[name]] if name in ctx.query else []


async def _committed(ctx: ZgwContext, body: dict[str, Any]) -> dict[str, Any]:
    await ctx.session.commit()
    return body


# -- zaakobjecten ------------------------------------------------------------------------------------------------

@operation_route(router, API, "get", "/zaakobjecten")
async def list_zaakobjecten(ctx: ZgwContext) -> dict[str, Any]:
    conditions = [*_zaak_filter(ctx, ZaakObject), *_equal_filter(ctx, ZaakObject.object, "object"),
                  *_equal_filter(ctx, ZaakObject.object_type, "objectType")]
    total, rows = await _page(ctx, ZaakObject, conditions)
    return paginated(ctx, total, [shown.zaakobject(urls(ctx), row) for row in rows], page_number(ctx))


@operation_route(router, API, "post", "/zaakobjecten", status=201)
async def create_zaakobject(ctx: ZgwContext) -> dict[str, Any]:
    row, _ = await relations.save_zaakobject(scope_of(ctx), await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakobject(urls(ctx), row))


@detail_routes(router, API, "/zaakobjecten/{uuid}")
async def read_zaakobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakObject, uuid)
    return shown.zaakobject(urls(ctx), row)


async def _change_zaakobject(ctx: ZgwContext, key: uuid.UUID) -> dict[str, Any]:
    scope = scope_of(ctx)
    row, _ = await relations.part_of(scope, ZaakObject, key, ctx.operation.scopes)
    partial = ctx.operation.method == "patch"
    await relations.save_zaakobject(scope, await ctx.body(), ctx.operation.scopes, row, partial)
    return await _committed(ctx, shown.zaakobject(urls(ctx), row))


@operation_route(router, API, "put", "/zaakobjecten/{uuid}")
async def replace_zaakobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakobject(ctx, uuid)


@operation_route(router, API, "patch", "/zaakobjecten/{uuid}")
async def update_zaakobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakobject(ctx, uuid)


@operation_route(router, API, "delete", "/zaakobjecten/{uuid}")
async def destroy_zaakobject(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await _destroy(ctx, ZaakObject, uuid, "zaakobject", shown.zaakobject)


# -- zaakeigenschappen (under their zaak) ------------------------------------------------------------------------

EIGENSCHAPPEN = "/zaken/{zaak_uuid}/zaakeigenschappen"


@operation_route(router, API, "get", EIGENSCHAPPEN)
async def list_zaakeigenschappen(ctx: ZgwContext, zaak_uuid: uuid.UUID) -> JSONResponse:
    return await _under_zaak(ctx, zaak_uuid, ZaakEigenschap, shown.zaakeigenschap)


@operation_route(router, API, "post", EIGENSCHAPPEN, status=201)
async def create_zaakeigenschap(ctx: ZgwContext, zaak_uuid: uuid.UUID) -> dict[str, Any]:
    row = await relations.save_zaakeigenschap(scope_of(ctx), zaak_uuid, await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakeigenschap(urls(ctx), row))


@detail_routes(router, API, EIGENSCHAPPEN + "/{uuid}")
async def read_zaakeigenschap(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakEigenschap, uuid, zaak_key=zaak_uuid)
    return shown.zaakeigenschap(urls(ctx), row)


async def _change_zaakeigenschap(ctx: ZgwContext, zaak_key: uuid.UUID, key: uuid.UUID) -> dict[str, Any]:
    scope = scope_of(ctx)
    row, _ = await relations.part_of(scope, ZaakEigenschap, key, ctx.operation.scopes, zaak_key)
    await relations.save_zaakeigenschap(scope, zaak_key, await ctx.body(), ctx.operation.scopes, row,
                                        ctx.operation.method == "patch")
    return await _committed(ctx, shown.zaakeigenschap(urls(ctx), row))


@operation_route(router, API, "put", EIGENSCHAPPEN + "/{uuid}")
async def replace_zaakeigenschap(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakeigenschap(ctx, zaak_uuid, uuid)


@operation_route(router, API, "patch", EIGENSCHAPPEN + "/{uuid}")
async def update_zaakeigenschap(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakeigenschap(ctx, zaak_uuid, uuid)


@operation_route(router, API, "delete", EIGENSCHAPPEN + "/{uuid}")
async def destroy_zaakeigenschap(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> None:
    await _destroy(ctx, ZaakEigenschap, uuid, "zaakeigenschap", shown.zaakeigenschap, zaak_uuid)


# -- klantcontacten ----------------------------------------------------------------------------------------------

@operation_route(router, API, "get", "/klantcontacten")
async def list_klantcontacten(ctx: ZgwContext) -> dict[str, Any]:
    total, rows = await _page(ctx, KlantContact, _zaak_filter(ctx, KlantContact))
    return paginated(ctx, total, [shown.klantcontact(urls(ctx), row) for row in rows], page_number(ctx))


@operation_route(router, API, "post", "/klantcontacten", status=201)
async def create_klantcontact(ctx: ZgwContext) -> dict[str, Any]:
    row = await relations.create_klantcontact(scope_of(ctx), await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.klantcontact(urls(ctx), row))


@detail_routes(router, API, "/klantcontacten/{uuid}")
async def read_klantcontact(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), KlantContact, uuid)
    return shown.klantcontact(urls(ctx), row)


# -- zaakinformatieobjecten --------------------------------------------------------------------------------------

@operation_route(router, API, "get", "/zaakinformatieobjecten")
async def list_zaakinformatieobjecten(ctx: ZgwContext) -> JSONResponse:
    conditions = _zaak_filter(ctx, ZaakInformatieObject)
    if "informatieobject" in ctx.query:
        key = ctx.parse_url(ctx.query["informatieobject"], "documenten", "enkelvoudiginformatieobjecten",
                            "informatieobject")
        conditions.append(ZaakInformatieObject.informatieobject == str(key))
    rows = await _all(ctx, ZaakInformatieObject, conditions)
    return JSONResponse([shown.zaakinformatieobject(urls(ctx), row) for row in rows])


@operation_route(router, API, "post", "/zaakinformatieobjecten", status=201)
async def create_zaakinformatieobject(ctx: ZgwContext) -> dict[str, Any]:
    row = await documents.create_zaakinformatieobject(scope_of(ctx), await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakinformatieobject(urls(ctx), row))


@detail_routes(router, API, "/zaakinformatieobjecten/{uuid}")
async def read_zaakinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakInformatieObject, uuid)
    return shown.zaakinformatieobject(urls(ctx), row)


async def _change_zaakinformatieobject(ctx: ZgwContext, key: uuid.UUID) -> dict[str, Any]:
    scope = scope_of(ctx)
    row, zaak = await relations.part_of(scope, ZaakInformatieObject, key, ctx.operation.scopes)
    await documents.update_zaakinformatieobject(scope, row, zaak, await ctx.body(), ctx.operation.method == "patch")
    return await _committed(ctx, shown.zaakinformatieobject(urls(ctx), row))


@operation_route(router, API, "put", "/zaakinformatieobjecten/{uuid}")
async def replace_zaakinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakinformatieobject(ctx, uuid)


@operation_route(router, API, "patch", "/zaakinformatieobjecten/{uuid}")
async def update_zaakinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_zaakinformatieobject(ctx, uuid)


@operation_route(router, API, "delete", "/zaakinformatieobjecten/{uuid}")
async def destroy_zaakinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    scope = scope_of(ctx)
    row, zaak = await relations.part_of(scope, ZaakInformatieObject, uuid, ctx.operation.scopes)
    await documents.destroy_zaakinformatieobject(scope, row, zaak)
    await ctx.session.commit()


# -- zaakcontactmomenten and zaakverzoeken -----------------------------------------------------------------------

@operation_route(router, API, "get", "/zaakcontactmomenten")
async def list_zaakcontactmomenten(ctx: ZgwContext) -> JSONResponse:
    conditions = [*_zaak_filter(ctx, ZaakContactMoment),
                  *_equal_filter(ctx, ZaakContactMoment.contactmoment, "contactmoment")]
    rows = await _all(ctx, ZaakContactMoment, conditions)
    return JSONResponse([shown.zaakcontactmoment(urls(ctx), row) for row in rows])


@operation_route(router, API, "post", "/zaakcontactmomenten", status=201)
async def create_zaakcontactmoment(ctx: ZgwContext) -> dict[str, Any]:
    row = await references.create_zaakcontactmoment(scope_of(ctx), await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakcontactmoment(urls(ctx), row))


@detail_routes(router, API, "/zaakcontactmomenten/{uuid}")
async def read_zaakcontactmoment(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakContactMoment, uuid)
    return shown.zaakcontactmoment(urls(ctx), row)


@operation_route(router, API, "delete", "/zaakcontactmomenten/{uuid}")
async def destroy_zaakcontactmoment(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await _destroy(ctx, ZaakContactMoment, uuid, "zaakcontactmoment", shown.zaakcontactmoment)


@operation_route(router, API, "get", "/zaakverzoeken")
async def list_zaakverzoeken(ctx: ZgwContext) -> JSONResponse:
    conditions = [*_zaak_filter(ctx, ZaakVerzoek), *_equal_filter(ctx, ZaakVerzoek.verzoek, "verzoek")]
    rows = await _all(ctx, ZaakVerzoek, conditions)
    return JSONResponse([shown.zaakverzoek(urls(ctx), row) for row in rows])


@operation_route(router, API, "post", "/zaakverzoeken", status=201)
async def create_zaakverzoek(ctx: ZgwContext) -> dict[str, Any]:
    row = await references.create_zaakverzoek(scope_of(ctx), await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakverzoek(urls(ctx), row))


@detail_routes(router, API, "/zaakverzoeken/{uuid}")
async def read_zaakverzoek(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakVerzoek, uuid)
    return shown.zaakverzoek(urls(ctx), row)


@operation_route(router, API, "delete", "/zaakverzoeken/{uuid}")
async def destroy_zaakverzoek(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await _destroy(ctx, ZaakVerzoek, uuid, "zaakverzoek", shown.zaakverzoek)


# -- zaakbesluiten (under their zaak) ----------------------------------------------------------------------------

BESLUITEN = "/zaken/{zaak_uuid}/besluiten"


@operation_route(router, API, "get", BESLUITEN)
async def list_zaakbesluiten(ctx: ZgwContext, zaak_uuid: uuid.UUID) -> JSONResponse:
    return await _under_zaak(ctx, zaak_uuid, ZaakBesluit, shown.zaakbesluit)


@operation_route(router, API, "post", BESLUITEN, status=201)
async def create_zaakbesluit(ctx: ZgwContext, zaak_uuid: uuid.UUID) -> dict[str, Any]:
    row = await references.create_zaakbesluit(scope_of(ctx), zaak_uuid, await ctx.body(), ctx.operation.scopes)
    return await _committed(ctx, shown.zaakbesluit(urls(ctx), row))


@detail_routes(router, API, BESLUITEN + "/{uuid}")
async def read_zaakbesluit(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.part_of(scope_of(ctx), ZaakBesluit, uuid, zaak_key=zaak_uuid)
    return shown.zaakbesluit(urls(ctx), row)


@operation_route(router, API, "delete", BESLUITEN + "/{uuid}")
async def destroy_zaakbesluit(ctx: ZgwContext, zaak_uuid: uuid.UUID, uuid: uuid.UUID) -> None:
    scope = scope_of(ctx)
    row, zaak = await relations.part_of(scope, ZaakBesluit, uuid, ctx.operation.scopes, zaak_uuid)
    await references.destroy_zaakbesluit(scope, row, zaak)
    await ctx.session.commit()
