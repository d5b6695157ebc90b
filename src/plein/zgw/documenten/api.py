"""The Documenten API 1.4.2 at /documenten/api/v1: one thin route per operation of the standard's document.

Contents are streamed both ways: a JSON body with a base64 `inhoud` and a bestandsdeel are stored as they arrive
(upload.py), a download is read from storage in chunks. Before such a body is read the request's database
transaction is ended, so a long upload holds no database connection. Details and HEAD carry an ETag and honour
If-None-Match with 304 (zgw.http, the standard's HTTP-caching rule).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import JSONResponse, StreamingResponse

from plein.errors import NotFound
from plein.http import PrefixRouter
from plein.storage import FileStorage
from plein.zgw import audit
from plein.zgw.documenten import content, expand, represent, service, service_relations, upload
from plein.zgw.documenten.common import API, AUDIT, COMPONENT, LEZEN, Links, get_current, require
from plein.zgw.http import (
    PAGE_SIZE,
    UnsupportedMediaType,
    ZgwContext,
    detail_routes,
    operation_route,
    page_number,
    paginated,
)

MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
JSON_TYPES = ("application/json", "application/merge-patch+json")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
DOCUMENT = "/enkelvoudiginformatieobjecten/{uuid}"
EIO = "enkelvoudiginformatieobject"
logger = logging.getLogger(__name__)


router = PrefixRouter("/documenten/api/v1/", tags=["zgw-documenten"])


def _links(ctx: ZgwContext) -> Links:
    return Links(ctx.base_url)


def _storage(ctx: ZgwContext) -> FileStorage:
    storage: FileStorage = ctx.request.app.state.storage
    return storage


async def _expanded(ctx: ZgwContext, resource: str, bodies: list[dict[str, Any]],
                    value: str | None = None) -> list[dict[str, Any]]:
    """The bodies with what `expand` (the query's, or the one given) asks for (expand.py)."""
    on_list = ctx.operation.method == "post" or "{uuid}" not in ctx.operation.path
    tree = expand.parse(value if value is not None else ctx.query.get("expand"), resource, on_list)
    return await expand.apply(ctx.session, ctx.caller, _links(ctx), resource, bodies, tree) if tree else bodies


async def _one(ctx: ZgwContext, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    return (await _expanded(ctx, resource, [body]))[0]


def _toelichting(ctx: ZgwContext) -> str:
    """The `X-Audit-Toelichting` header: why the change is made, for the audit trail."""
    return ctx.request.headers.get("x-audit-toelichting", "")


def _media_type(ctx: ZgwContext, allowed: tuple[str, ...]) -> str:
    given = ctx.request.headers.get("content-type", "application/json")
    if given.split(";", maxsplit=1)[0].strip().lower() not in allowed:
        raise UnsupportedMediaType(f"send {' or '.join(allowed)}, not {given}")
    return given


# --- enkelvoudiginformatieobjecten ---------------------------------------------------------------------------------


@operation_route(router, API, "get", "/enkelvoudiginformatieobjecten")
async def list_documents(ctx: ZgwContext) -> dict[str, Any]:
    page = page_number(ctx)
    total, rows = await service.list_documents(ctx.session, ctx.caller, _links(ctx), ctx.query, page, PAGE_SIZE)
    bodies = await _expanded(ctx, EIO, [row.represent(_links(ctx)) for row in rows])
    return paginated(ctx, total, bodies, page)


@operation_route(router, API, "post", "/enkelvoudiginformatieobjecten/_zoek")
async def search_documents(ctx: ZgwContext) -> dict[str, Any]:
    data = await ctx.body()
    page = page_number(ctx)
    uuids = [uuid.UUID(value) for value in data["uuid_In"]]
    total, rows = await service.list_documents(ctx.session, ctx.caller, _links(ctx), {}, page, PAGE_SIZE, uuids)
    bodies = await _expanded(ctx, EIO, [row.represent(_links(ctx)) for row in rows], data.get("expand", ""))
    return paginated(ctx, total, bodies, page)


@operation_route(router, API, "post", "/enkelvoudiginformatieobjecten", status=201)
async def create_document(ctx: ZgwContext) -> dict[str, Any]:
    _media_type(ctx, JSON_TYPES)
    key = uuid.uuid4()
    stored_key = content.inhoud_key(key)
    await ctx.session.commit()
    body = await upload.read_document_body(ctx.request.stream(), _storage(ctx), stored_key)
    shown = await service.create(ctx.session, ctx.caller, _links(ctx), _storage(ctx), key, body, stored_key,
                                 _toelichting(ctx))
    return shown.represent(_links(ctx))


@detail_routes(router, API, DOCUMENT)
async def read_document(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    shown = await service.read(ctx.session, ctx.caller, _links(ctx), uuid, ctx.query)
    return await _one(ctx, EIO, shown.represent(_links(ctx)))


async def _change_document(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    _media_type(ctx, JSON_TYPES)
    await service.authorize_update(ctx.session, ctx.caller, _links(ctx), uuid)
    stored_key = content.inhoud_key(uuid)
    await ctx.session.commit()
    body = await upload.read_document_body(ctx.request.stream(), _storage(ctx), stored_key)
    shown = await service.update(ctx.session, ctx.caller, _links(ctx), _storage(ctx), uuid, body, stored_key,
                                 partial=ctx.operation.method == "patch", toelichting=_toelichting(ctx))
    return shown.represent(_links(ctx))


operation_route(router, API, "put", DOCUMENT)(_change_document)
operation_route(router, API, "patch", DOCUMENT)(_change_document)


@operation_route(router, API, "delete", DOCUMENT)
async def delete_document(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service.destroy(ctx.session, ctx.caller, _links(ctx), _storage(ctx), uuid)


def _disposition(filename: str) -> str:
    fallback = "".join(char if char.isascii() and char.isprintable() and char not in '"\\' else "_"
                       for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@operation_route(router, API, "get", DOCUMENT + "/download")
async def download(ctx: ZgwContext, uuid: uuid.UUID) -> Response:
    shown = await service.read(ctx.session, ctx.caller, _links(ctx), uuid, ctx.query)
    versie = shown.versie
    if not versie.inhoud_key:
        raise NotFound("this version of the document has no contents")
    if not await _storage(ctx).exists(versie.inhoud_key):
        logger.warning("the contents of %s version %s are missing from storage", uuid, versie.versie)
        raise NotFound("the contents of this version are missing from storage")
    media = versie.formaat if MEDIA_TYPE.fullmatch(versie.formaat) else "application/octet-stream"
    headers = {"Content-Disposition": _disposition(versie.bestandsnaam or versie.identificatie)}
    if versie.bestandsomvang is not None:
        headers["Content-Length"] = str(versie.bestandsomvang)
    return StreamingResponse(_storage(ctx).read(versie.inhoud_key), media_type=media, headers=headers)


@operation_route(router, API, "post", DOCUMENT + "/lock")
async def lock(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    return {"lock": await service.lock(ctx.session, ctx.caller, _links(ctx), uuid)}


@operation_route(router, API, "post", DOCUMENT + "/unlock")
async def unlock(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    data = await ctx.body() if (await ctx.request.body()).strip() else {}  # a forced unlock may send no body
    await service.unlock(ctx.session, ctx.caller, _links(ctx), _storage(ctx), uuid, data.get("lock"))


@operation_route(router, API, "put", "/bestandsdelen/{uuid}")
async def upload_part(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    content_type = _media_type(ctx, FORM_TYPES)
    part = await service.get_part(ctx.session, ctx.caller, _links(ctx), uuid)
    stored_key = content.part_key(part.informatieobject_id, part.id)
    await ctx.session.commit()
    form = await upload.read_part_form(ctx.request.stream(), content_type, _storage(ctx), stored_key, part.omvang)
    return await service.save_part(ctx.session, _links(ctx), _storage(ctx), uuid, form.lock, form.stored, stored_key)


async def _audit_authorize(ctx: ZgwContext, key: uuid.UUID) -> None:
    require(ctx.caller, _links(ctx), AUDIT, (await get_current(ctx.session, key)).versie)


audit.add_routes(router, API, "/enkelvoudiginformatieobjecten", "enkelvoudiginformatieobject_uuid", _audit_authorize)


# --- gebruiksrechten, objectinformatieobjecten, verzendingen ------------------------------------------------------


@operation_route(router, API, "get", "/gebruiksrechten")
async def list_gebruiksrechten(ctx: ZgwContext) -> Response:
    rows = await service_relations.list_gebruiksrechten(ctx.session, ctx.caller, _links(ctx), ctx.query)
    return JSONResponse(await _expanded(ctx, "gebruiksrechten", rows))


@operation_route(router, API, "post", "/gebruiksrechten", status=201)
async def create_gebruiksrechten(ctx: ZgwContext) -> dict[str, Any]:
    row = await service_relations.save_gebruiksrechten(ctx.session, ctx.caller, _links(ctx), await ctx.body(),
                                                       toelichting=_toelichting(ctx))
    return represent.gebruiksrechten(_links(ctx), row)


@detail_routes(router, API, "/gebruiksrechten/{uuid}")
async def read_gebruiksrechten(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row = await service_relations.read_gebruiksrechten(ctx.session, ctx.caller, _links(ctx), uuid)
    return await _one(ctx, "gebruiksrechten", represent.gebruiksrechten(_links(ctx), row))


async def _change_gebruiksrechten(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row = await service_relations.save_gebruiksrechten(ctx.session, ctx.caller, _links(ctx), await ctx.body(), uuid,
                                                       partial=ctx.operation.method == "patch",
                                                       toelichting=_toelichting(ctx))
    return represent.gebruiksrechten(_links(ctx), row)


@operation_route(router, API, "delete", "/gebruiksrechten/{uuid}")
async def delete_gebruiksrechten(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service_relations.delete_gebruiksrechten(ctx.session, ctx.caller, _links(ctx), uuid, _toelichting(ctx))


for _method in ("put", "patch"):
    operation_route(router, API, _method, "/gebruiksrechten/{uuid}")(_change_gebruiksrechten)


@operation_route(router, API, "get", "/objectinformatieobjecten")
async def list_objectinformatieobjecten(ctx: ZgwContext) -> Response:
    rows = await service_relations.list_objectinformatieobjecten(ctx.session, ctx.caller, _links(ctx), ctx.query)
    return JSONResponse(await _expanded(ctx, "objectinformatieobject", rows))


@operation_route(router, API, "post", "/objectinformatieobjecten", status=201)
async def create_objectinformatieobject(ctx: ZgwContext) -> dict[str, Any]:
    row = await service_relations.create_objectinformatieobject(ctx.session, ctx.caller, _links(ctx),
                                                                await ctx.body())
    return represent.objectinformatieobject(_links(ctx), row)


@detail_routes(router, API, "/objectinformatieobjecten/{uuid}")
async def read_objectinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row = await service_relations.read_objectinformatieobject(ctx.session, ctx.caller, _links(ctx), uuid)
    return await _one(ctx, "objectinformatieobject", represent.objectinformatieobject(_links(ctx), row))


@operation_route(router, API, "delete", "/objectinformatieobjecten/{uuid}")
async def delete_objectinformatieobject(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service_relations.delete_objectinformatieobject(ctx.session, ctx.caller, _links(ctx), uuid)


@operation_route(router, API, "get", "/verzendingen")
async def list_verzendingen(ctx: ZgwContext) -> dict[str, Any]:
    ctx.caller.require(COMPONENT, LEZEN)
    page = page_number(ctx)
    total, rows = await service_relations.list_verzendingen(ctx.session, ctx.caller, _links(ctx), ctx.query, page,
                                                            PAGE_SIZE)
    return paginated(ctx, total, await _expanded(ctx, "verzending", rows), page)


@operation_route(router, API, "post", "/verzendingen", status=201)
async def create_verzending(ctx: ZgwContext) -> dict[str, Any]:
    row = await service_relations.save_verzending(ctx.session, ctx.caller, _links(ctx), await ctx.body())
    return represent.verzending(_links(ctx), row)


@detail_routes(router, API, "/verzendingen/{uuid}")
async def read_verzending(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    ctx.caller.require(COMPONENT, LEZEN)
    row = await service_relations.read_verzending(ctx.session, ctx.caller, _links(ctx), uuid)
    return await _one(ctx, "verzending", represent.verzending(_links(ctx), row))


async def _change_verzending(ctx: ZgwContext, uuid: uuid.UUID) -> dict[str, Any]:
    row = await service_relations.save_verzending(ctx.session, ctx.caller, _links(ctx), await ctx.body(), uuid,
                                                  partial=ctx.operation.method == "patch")
    return represent.verzending(_links(ctx), row)


@operation_route(router, API, "delete", "/verzendingen/{uuid}")
async def delete_verzending(ctx: ZgwContext, uuid: uuid.UUID) -> None:
    await service_relations.delete_verzending(ctx.session, ctx.caller, _links(ctx), uuid)


for _method in ("put", "patch"):
    operation_route(router, API, _method, "/verzendingen/{uuid}")(_change_verzending)
