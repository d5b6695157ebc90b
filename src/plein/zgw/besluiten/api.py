"""The Besluiten API 1.1.0 at /besluiten/api/v1: besluiten, besluitinformatieobjecten and the audit trail (thin routes).

Each write commits the change, its audit record, its notification and its mirrors (zaakbesluit, objectinformatieobject)
together. Details carry an ETag and answer HEAD and If-None-Match (304), as the standard's HTTP-caching rule for
1.1.0 asks, although the 1.1.0 document itself lists no HEAD operation or ETag header for this API.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import func, select

from plein.errors import InvalidInput
from plein.http import PrefixRouter
from plein.zgw import audit, validation
from plein.zgw.besluiten import expand, present, relations
from plein.zgw.besluiten.models import Besluit
from plein.zgw.besluiten.service import (
    AUDIT,
    READ,
    Scope,
    create_besluit,
    destroy_besluit,
    get_besluit,
    update_besluit,
)
from plein.zgw.http import (
    PAGE_SIZE,
    Handler,
    ZgwContext,
    operation_route,
    page_number,
    paginated,
    parse_resource_url,
    read_json,
)

router = PrefixRouter("/besluiten/api/v1/", tags=["zgw-besluiten"])
API = "besluiten"


def scope_of(ctx: ZgwContext) -> Scope:
    return Scope(ctx.session, ctx.caller, ctx.base_url, ctx.request.headers.get("x-audit-toelichting", "")[:1000])


def cached_detail(path: str) -> Callable[[Handler], Handler]:
    """Register a detail handler for GET and HEAD; the answer carries an ETag of its JSON and honours If-None-Match."""
    def decorate(handler: Handler) -> Handler:
        async def with_etag(ctx: ZgwContext, **keys: uuid.UUID) -> Response:
            body = await handler(ctx, **keys)
            assert isinstance(body, dict)
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
            headers = {"ETag": etag}
            wanted = {tag.strip() for tag in ctx.request.headers.get("if-none-match", "").split(",")}
            if etag in wanted or "*" in wanted:
                return Response(status_code=304, headers=headers)
            if ctx.request.method == "HEAD":
                return Response(status_code=200, headers=headers, media_type="application/json")
            return Response(content, headers=headers, media_type="application/json")

        staging = APIRouter()
        operation_route(staging, API, "get", path)(with_etag)
        for route in staging.routes:
            router.add_api_route(route.path, route.endpoint, methods=["GET", "HEAD"],  # type: ignore[attr-defined]
                                 operation_id=f"{API}_{handler.__name__}", include_in_schema=False)
        return handler

    return decorate


async def besluit_body(ctx: ZgwContext) -> dict[str, Any]:
    """The checked body of a besluit; an empty vervalreden (what the reference implementation gives) means none."""
    data = await read_json(ctx.request)
    cleared = isinstance(data, dict) and data.get("vervalreden") == ""
    if cleared:
        data = {name: value for name, value in data.items() if name != "vervalreden"}
    checked = validation.check_body(API, "Besluit", data, partial=ctx.operation.method == "patch")
    return checked | ({"vervalreden": ""} if cleared else {})


async def _shown(ctx: ZgwContext, rows: list[Besluit]) -> list[dict[str, Any]]:
    tree = expand.parse(ctx.query.get("expand"), "besluit")
    bodies = [present.besluit(present.Urls(ctx.base_url), row) for row in rows]
    await expand.apply(scope_of(ctx), bodies, tree)
    return bodies


# -- besluiten ---------------------------------------------------------------------------------------------------

def _visible(ctx: ZgwContext) -> list[Any]:
    """Only besluiten of besluittypen the caller holds besluiten.lezen for."""
    allowed = ctx.caller.types("brc", READ)
    if allowed is None:
        return []
    keys = []
    for type_url in allowed:
        try:
            keys.append(parse_resource_url(ctx.base_url, type_url, "catalogi", "besluittypen", "besluittype"))
        except InvalidInput:
            continue  # an autorisatie for a besluittype elsewhere: none of its besluiten live here
    return [Besluit.besluittype_id.in_(keys)]


@operation_route(router, API, "get", "/besluiten")
async def list_besluiten(ctx: ZgwContext) -> dict[str, Any]:
    conditions = _visible(ctx)
    for name, column in (("identificatie", Besluit.identificatie),
                         ("verantwoordelijkeOrganisatie", Besluit.verantwoordelijke_organisatie)):
        if name in ctx.query:
            conditions.append(column == ctx.query[name])
    if "besluittype" in ctx.query:
        conditions.append(Besluit.besluittype_id == ctx.parse_url(ctx.query["besluittype"], "catalogi",
                                                                  "besluittypen", "besluittype"))
    if "zaak" in ctx.query:
        conditions.append(Besluit.zaak_id == ctx.parse_url(ctx.query["zaak"], "zaken", "zaken", "zaak"))
    page = page_number(ctx)
    total = await ctx.session.scalar(select(func.count()).select_from(Besluit).where(*conditions)) or 0
    rows = list(await ctx.session.scalars(select(Besluit).where(*conditions).order_by(
        Besluit.created_at, Besluit.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return paginated(ctx, total, await _shown(ctx, rows), page)


@operation_route(router, API, "post", "/besluiten", status=201)
async def create(ctx: ZgwContext) -> dict[str, Any]:
    scope = scope_of(ctx)
    besluit = await create_besluit(scope, await besluit_body(ctx))
    body = present.besluit(scope.urls, besluit)
    await ctx.session.commit()
    return body


@cached_detail("/besluiten/{uuid}")
async def read(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return (await _shown(ctx, [await get_besluit(scope_of(ctx), uuid)]))[0]


async def _update(ctx: ZgwContext, key: uuid.UUID, partial: bool) -> dict[str, Any]:
    scope = scope_of(ctx)
    besluit = await get_besluit(scope, key)
    await update_besluit(scope, besluit, await besluit_body(ctx), partial)
    body = present.besluit(scope.urls, besluit)
    await ctx.session.commit()
    return body


@operation_route(router, API, "put", "/besluiten/{uuid}")
async def replace(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid, partial=False)


@operation_route(router, API, "patch", "/besluiten/{uuid}")
async def update(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return await _update(ctx, uuid, partial=True)


@operation_route(router, API, "delete", "/besluiten/{uuid}")
async def destroy(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    scope = scope_of(ctx)
    await destroy_besluit(scope, await get_besluit(scope, uuid))
    await ctx.session.commit()


async def _authorize_trail(ctx: ZgwContext, key: uuid.UUID) -> None:
    await get_besluit(scope_of(ctx), key, AUDIT)


audit.add_routes(router, API, "/besluiten", "besluit_uuid", _authorize_trail)


# -- besluitinformatieobjecten -----------------------------------------------------------------------------------

async def _relations_shown(ctx: ZgwContext, rows: list[Any]) -> list[dict[str, Any]]:
    tree = expand.parse(ctx.query.get("expand"), "besluitinformatieobject")
    bodies = [present.besluitinformatieobject(present.Urls(ctx.base_url), row) for row in rows]
    await expand.apply(scope_of(ctx), bodies, tree)
    return bodies


@operation_route(router, API, "get", "/besluitinformatieobjecten")
async def list_relations(ctx: ZgwContext) -> Response:
    rows = await relations.list_relations(scope_of(ctx), ctx.query)
    body = json.dumps(await _relations_shown(ctx, rows), ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


@operation_route(router, API, "post", "/besluitinformatieobjecten", status=201)
async def create_relation(ctx: ZgwContext) -> dict[str, Any]:
    scope = scope_of(ctx)
    row = await relations.create_relation(scope, await ctx.body())
    body = present.besluitinformatieobject(scope.urls, row)
    await ctx.session.commit()
    return body


@cached_detail("/besluitinformatieobjecten/{uuid}")
async def read_relation(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row, _ = await relations.get_relation(scope_of(ctx), uuid)
    return (await _relations_shown(ctx, [row]))[0]


@operation_route(router, API, "delete", "/besluitinformatieobjecten/{uuid}")
async def destroy_relation(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    scope = scope_of(ctx)
    row, besluit = await relations.get_relation(scope, uuid)
    await relations.delete_relation(scope, row, besluit)
    await ctx.session.commit()
