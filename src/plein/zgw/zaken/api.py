"""The Zaken API 1.5.1 at /zaken/api/v1: zaken, statussen, resultaten, rollen and the audit trail (thin routes).

Each write commits the change, its audit record and its notification together.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from plein import light
from plein.http import PrefixRouter
from plein.zgw import audit
from plein.zgw.catalogi.models import RolType
from plein.zgw.http import PAGE_SIZE, ZgwContext, detail_routes, operation_route, page_number, paginated
from plein.zgw.zaken import expand, filters, parts, present
from plein.zgw.zaken.models import Resultaat, Rol, Status, Zaak, ZaakInformatieObject, ZaakTelling
from plein.zgw.zaken.service import READ, Scope, add_zaak, destroy_zaak, get_zaak, represent, update_zaak

router = PrefixRouter("/zaken/api/v1/", tags=["zgw-zaken"])
API = "zaken"


def scope_of(ctx: ZgwContext) -> Scope:
    return Scope(ctx.session, ctx.caller, ctx.base_url)


async def _count(ctx: ZgwContext, params: dict[str, Any], conditions: list[Any]) -> int:
    """The exact total: from the per-zaaktype counts when only authorisation limits the list, else counted."""
    if not any(name != "ordering" for name in params):
        visible = filters.visible(ctx.caller, ctx.base_url, READ, ZaakTelling.zaaktype_id,
                                  ZaakTelling.vertrouwelijkheid)
        return int(await ctx.session.scalar(select(func.coalesce(func.sum(ZaakTelling.aantal), 0)).where(visible))
                   or 0)
    return await ctx.session.scalar(select(func.count()).select_from(Zaak).where(*conditions)) or 0


async def _zaken_page(ctx: ZgwContext, params: dict[str, Any], page: int, expansion: str | None) -> dict[str, Any]:
    tree = expand.parse(expansion)  # a bad expand is refused before anything is read
    conditions = [filters.visible(ctx.caller, ctx.base_url, READ), *filters.conditions(params, ctx.base_url)]
    total = await _count(ctx, params, conditions)
    query = filters.ordered(light.select_of(Zaak).where(*conditions), params.get("ordering"))
    rows = await light.rows(ctx.session, Zaak, query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    bodies = await present.zaken(ctx.session, present.Urls(ctx.base_url), rows)
    if tree and bodies:
        await expand.Expander(ctx.session, ctx.caller, ctx.base_url).apply("zaak", bodies, tree)
    return paginated(ctx, total, bodies, page)


@operation_route(router, API, "get", "/zaken")
async def list_zaken(ctx: ZgwContext) -> dict[str, Any]:
    params = {k: v for k, v in ctx.query.items() if k not in ("page", "expand")}
    return await _zaken_page(ctx, params, page_number(ctx), ctx.query.get("expand"))


@operation_route(router, API, "post", "/zaken/_zoek")
async def search_zaken(ctx: ZgwContext) -> dict[str, Any]:
    body = await ctx.body()
    params = {k: v for k, v in body.items() if k not in ("expand", "zaakgeometrie") and v not in (None, "", [])}
    return await _zaken_page(ctx, params, page_number(ctx), body.get("expand"))


@operation_route(router, API, "post", "/zaken", status=201)
async def create(ctx: ZgwContext) -> dict[str, Any]:
    _, body = await add_zaak(scope_of(ctx), await ctx.body())
    await ctx.session.commit()
    return body


@detail_routes(router, API, "/zaken/{uuid}")
async def read(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    scope = scope_of(ctx)
    body = await represent(scope, await get_zaak(scope, uuid))
    await expand.expand(ctx.session, ctx.caller, ctx.base_url, [body], ctx.query.get("expand"), not_found=True)
    return body


@operation_route(router, API, "put", "/zaken/{uuid}")
async def replace(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid, partial=False)


@operation_route(router, API, "patch", "/zaken/{uuid}")
async def update(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid, partial=True)


async def _update(ctx: ZgwContext, key: uuid.UUID, partial: bool) -> dict[str, Any]:
    scope = scope_of(ctx)
    zaak = await get_zaak(scope, key)
    await update_zaak(scope, zaak, await ctx.body(), partial)
    body = await represent(scope, zaak)
    await ctx.session.commit()
    return body


@operation_route(router, API, "delete", "/zaken/{uuid}")
async def destroy(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    scope = scope_of(ctx)
    await destroy_zaak(scope, await get_zaak(scope, uuid))
    await ctx.session.commit()


async def _authorize_trail(ctx: ZgwContext, key: uuid.UUID) -> None:
    await get_zaak(scope_of(ctx), key)


audit.add_routes(router, API, "/zaken", "zaak_uuid", _authorize_trail)


# -- statussen ---------------------------------------------------------------------------------------------------

async def _status_body(ctx: ZgwContext, status: Status, zaak: Zaak) -> dict[str, Any]:
    documents = list(await ctx.session.scalars(select(ZaakInformatieObject.id)
                                               .where(ZaakInformatieObject.status_id == status.id)))
    return present.status(present.Urls(ctx.base_url), status, zaak.status_id, documents)


async def _part_page(ctx: ZgwContext, model: Any, conditions: list[Any]) -> tuple[int, list[tuple[Any, Zaak]]]:
    """One page of parts of zaken the caller may see, with their zaak."""
    visible = filters.visible(ctx.caller, ctx.base_url, READ)
    base = select(model, Zaak).join(Zaak, Zaak.id == model.zaak_id).where(visible, *conditions)
    total = await ctx.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = page_number(ctx)
    rows = await ctx.session.execute(base.order_by(model.created_at, model.id)
                                     .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return total, [(row, zaak) for row, zaak in rows.all()]


def _url_filter(ctx: ZgwContext, column: Any, name: str, api: str, collection: str) -> list[Any]:
    value = ctx.query.get(name)
    return [column == ctx.parse_url(value, api, collection, name)] if value else []


@operation_route(router, API, "get", "/statussen")
async def list_statussen(ctx: ZgwContext) -> dict[str, Any]:
    conditions = [*_url_filter(ctx, Status.zaak_id, "zaak", "zaken", "zaken"),
                  *_url_filter(ctx, Status.statustype_id, "statustype", "catalogi", "statustypen")]
    if "indicatieLaatstGezetteStatus" in ctx.query:
        latest = Zaak.status_id == Status.id
        conditions.append(latest if ctx.query["indicatieLaatstGezetteStatus"] in ("true", "True", "1") else ~latest)
    total, rows = await _part_page(ctx, Status, conditions)
    return paginated(ctx, total, [await _status_body(ctx, s, z) for s, z in rows], page_number(ctx))


@operation_route(router, API, "post", "/statussen", status=201)
async def create_status(ctx: ZgwContext) -> dict[str, Any]:
    status = await parts.create_status(scope_of(ctx), await ctx.body())
    zaak = await ctx.session.get(Zaak, status.zaak_id)
    assert zaak is not None
    body = await _status_body(ctx, status, zaak)
    await ctx.session.commit()
    return body


@detail_routes(router, API, "/statussen/{uuid}")
async def read_status(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    status, zaak = await parts.get_status(scope_of(ctx), uuid)
    return await _status_body(ctx, status, zaak)


# -- resultaten --------------------------------------------------------------------------------------------------

@operation_route(router, API, "get", "/resultaten")
async def list_resultaten(ctx: ZgwContext) -> dict[str, Any]:
    conditions = [*_url_filter(ctx, Resultaat.zaak_id, "zaak", "zaken", "zaken"),
                  *_url_filter(ctx, Resultaat.resultaattype_id, "resultaattype", "catalogi", "resultaattypen")]
    total, rows = await _part_page(ctx, Resultaat, conditions)
    urls = present.Urls(ctx.base_url)
    return paginated(ctx, total, [present.resultaat(urls, r) for r, _ in rows], page_number(ctx))


@operation_route(router, API, "post", "/resultaten", status=201)
async def create_resultaat(ctx: ZgwContext) -> dict[str, Any]:
    resultaat = await parts.save_resultaat(scope_of(ctx), await ctx.body())
    body = present.resultaat(present.Urls(ctx.base_url), resultaat)
    await ctx.session.commit()
    return body


@detail_routes(router, API, "/resultaten/{uuid}")
async def read_resultaat(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    resultaat, _ = await parts.get_part(scope_of(ctx), Resultaat, uuid)
    return present.resultaat(present.Urls(ctx.base_url), resultaat)


async def _change_resultaat(ctx: ZgwContext, key: uuid.UUID) -> dict[str, Any]:
    existing, _ = await parts.get_part(scope_of(ctx), Resultaat, key)
    resultaat = await parts.save_resultaat(scope_of(ctx), await ctx.body(), existing)
    body = present.resultaat(present.Urls(ctx.base_url), resultaat)
    await ctx.session.commit()
    return body


@operation_route(router, API, "put", "/resultaten/{uuid}")
async def replace_resultaat(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_resultaat(ctx, uuid)


@operation_route(router, API, "patch", "/resultaten/{uuid}")
async def update_resultaat(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _change_resultaat(ctx, uuid)


@operation_route(router, API, "delete", "/resultaten/{uuid}")
async def destroy_resultaat(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    resultaat, zaak = await parts.get_part(scope_of(ctx), Resultaat, uuid)
    await parts.destroy_part(scope_of(ctx), resultaat, zaak, "resultaat", "resultaten")
    await ctx.session.commit()


# -- rollen ------------------------------------------------------------------------------------------------------

async def _rol_body(ctx: ZgwContext, rol: Rol) -> dict[str, Any]:
    roltype = await ctx.session.get(RolType, rol.roltype_id)
    assert roltype is not None
    statussen = list(await ctx.session.scalars(select(Status.id).where(Status.gezetdoor_id == rol.id)))
    return present.rol(present.Urls(ctx.base_url), rol, roltype.omschrijving, roltype.omschrijving_generiek,
                       statussen)


@operation_route(router, API, "get", "/rollen")
async def list_rollen(ctx: ZgwContext) -> dict[str, Any]:
    conditions = [*_url_filter(ctx, Rol.zaak_id, "zaak", "zaken", "zaken"),
                  *_url_filter(ctx, Rol.roltype_id, "roltype", "catalogi", "roltypen")]
    for name in ("betrokkene", "betrokkeneType"):
        if name in ctx.query:
            column = Rol.betrokkene if name == "betrokkene" else Rol.betrokkene_type
            conditions.append(column == ctx.query[name])
    if "omschrijving" in ctx.query or "omschrijvingGeneriek" in ctx.query:
        types = select(RolType.id)
        if "omschrijving" in ctx.query:
            types = types.where(RolType.omschrijving == ctx.query["omschrijving"])
        if "omschrijvingGeneriek" in ctx.query:
            types = types.where(RolType.omschrijving_generiek == ctx.query["omschrijvingGeneriek"])
        conditions.append(Rol.roltype_id.in_(types))
    conditions.extend(filters.rol_identification(ctx.query))
    total, rows = await _part_page(ctx, Rol, conditions)
    return paginated(ctx, total, [await _rol_body(ctx, r) for r, _ in rows], page_number(ctx))


@operation_route(router, API, "post", "/rollen", status=201)
async def create_rol(ctx: ZgwContext) -> dict[str, Any]:
    rol, _ = await parts.create_rol(scope_of(ctx), await ctx.body())
    body = await _rol_body(ctx, rol)
    await ctx.session.commit()
    return body


@detail_routes(router, API, "/rollen/{uuid}")
async def read_rol(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    rol, _ = await parts.get_part(scope_of(ctx), Rol, uuid)
    return await _rol_body(ctx, rol)


@operation_route(router, API, "delete", "/rollen/{uuid}")
async def destroy_rol(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    rol, zaak = await parts.get_part(scope_of(ctx), Rol, uuid)
    await parts.destroy_part(scope_of(ctx), rol, zaak, "rol", "rollen")
    await ctx.session.commit()
