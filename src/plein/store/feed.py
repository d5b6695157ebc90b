"""The store's export feed (/api/store/v1/feed): its admitted apps, paged in a stable order, each with its current
publiccode.yml and package at stable URLs, for other catalogues (and other Pleins) to harvest."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound
from plein.http import SessionDep
from plein.storage import FileStorage
from plein.store import service
from plein.store.models import App, Release
from plein.store.package import PUBLICCODE, load_archive
from plein.store.schemas import Schema

FEED_PROFILE = "https://plein.example/schemas/store-feed/1"  # names this document's shape; see docs/store.md
YAML = "application/yaml"
router = APIRouter(tags=["store"])


class FeedPublisher(Schema):
    code: str = Field(description="Code of the publishing organisation in this store.")
    name: str


class FeedItem(Schema):
    id: str = Field(description="Stable identifier of the app (the manifest's id); the feed is ordered by it.")
    name: str
    kind: str
    version: str = Field(description="The current admitted release.")
    modified: dt.datetime = Field(description="When the current release was admitted.")
    publisher: FeedPublisher
    url: str = Field(description="The app in this store's API.")
    page: str = Field(description="The app's page for people.")
    publiccode_yml: str = Field(description="The current release's publiccode.yml, as published.")
    package: str = Field(description="The current release's package archive (publiccode.yml, plein.yaml, ...).")
    sha256: str = Field(description="Checksum of that archive.")


class FeedPage(Schema):
    profile: str = Field(description="The shape of this document (Plein store feed, version 1).")
    title: str
    self: str = Field(description="This page.")
    first: str = Field(description="The first page.")
    next: str | None = Field(description="The next page; null on the last one.")
    modified: dt.datetime | None = Field(description="The newest `modified` of all apps in the feed.")
    items: list[FeedItem]


def _http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _not_modified(request: Request, etag: str, modified: dt.datetime | None) -> bool:
    """Conditional GET: If-None-Match wins; else If-Modified-Since against the (whole-second) modified time."""
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        try:
            return modified.replace(microsecond=0) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _page_url(base: str, after: str | None, page_size: int) -> str:
    query = {"pageSize": page_size, **({"after": after} if after else {})}
    return f"{base}api/store/v1/feed?{urlencode(query)}"


async def feed_page(session: AsyncSession, base: str, after: str | None, page_size: int) -> FeedPage:
    """One page of listed apps after the given id, in id order (ids never change, so pages stay stable)."""
    query = select(App).where(App.listed.is_(True)).order_by(App.slug).limit(page_size + 1)
    if after:
        query = query.where(App.slug > after)
    apps = list((await session.scalars(query)).all())
    more, apps = len(apps) > page_size, apps[:page_size]
    releases = {r.id: r for r in (await session.scalars(
        select(Release).where(Release.id.in_([app.latest_release_id for app in apps])))).all()}
    newest = await session.scalar(select(func.max(App.latest_released_at)).where(App.listed.is_(True)))
    items = [_item(base, app, releases[app.latest_release_id]) for app in apps if app.latest_release_id in releases]
    return FeedPage(
        profile=FEED_PROFILE, title="Plein store", self=_page_url(base, after, page_size),
        first=_page_url(base, None, page_size), next=_page_url(base, apps[-1].slug, page_size) if more else None,
        modified=newest, items=items,
    )


def _item(base: str, app: App, release: Release) -> FeedItem:
    api = f"{base}api/store/v1/apps/{app.slug}"
    return FeedItem(
        id=app.slug, name=app.name, kind=app.kind, version=release.version, modified=release.created_at,
        publisher=FeedPublisher(code=app.publisher.code, name=app.publisher.name), url=api,
        page=f"{base}apps/{app.slug}", publiccode_yml=f"{api}/publiccode.yml",
        package=f"{api}/releases/{release.version}/package", sha256=release.sha256,
    )


async def current_publiccode(session: AsyncSession, storage: FileStorage, slug: str) -> tuple[bytes, Release]:
    """The publiccode.yml of a listed app's current release, byte for byte as it was published."""
    app = await service.get_app(session, slug)
    release = await session.get(Release, app.latest_release_id) if app.listed and app.latest_release_id else None
    if release is None or release.archive_key is None:
        raise NotFound(f"app '{slug}' has no admitted release with a kept package")
    archive = b"".join([chunk async for chunk in storage.read(release.archive_key)])
    loaded = load_archive(archive, release.archive_key)
    if loaded.package is None or PUBLICCODE not in loaded.package.files:
        raise NotFound(f"the package of '{slug}' {release.version} has no publiccode.yml")
    return loaded.package.files[PUBLICCODE], release


@router.get("/feed", summary="The store's apps as a feed for harvesting", operation_id="getFeed",
            response_model=FeedPage, responses={304: {"description": "Not modified since the ETag given"}})
async def get_feed(
    request: Request, session: SessionDep,
    after: Annotated[str | None, Query(max_length=100, description="The id of the last app of the page before; "
                                       "follow `next` rather than building this.")] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 100,
) -> Response:
    """Every admitted (listed) app in id order, with its current release's publiccode.yml and package; pages link
    to the next one. Answers 304 to If-None-Match with the page's ETag."""
    page = await feed_page(session, str(request.base_url), after, page_size)
    body = json.dumps(page.model_dump(mode="json", by_alias=True), ensure_ascii=False).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if page.modified is not None:
        headers["Last-Modified"] = _http_date(page.modified)
    if _not_modified(request, etag, None):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/apps/{slug}/publiccode.yml", summary="The app's current publiccode.yml",
            operation_id="getPubliccodeYml", response_class=Response,
            responses={200: {"description": "publiccode.yml as published", "content": {YAML: {"schema": {
                "type": "string"}}}}, 304: {"description": "Not modified"}})
async def get_publiccode(slug: str, request: Request, session: SessionDep) -> Response:
    """Byte for byte the publiccode.yml of the app's current admitted release; ETag and Last-Modified allow a
    conditional GET."""
    content, release = await current_publiccode(session, request.app.state.storage, slug)
    etag = f'"{release.sha256[:32]}"'
    headers = {"ETag": etag, "Last-Modified": _http_date(release.created_at), "Cache-Control": "no-cache"}
    if _not_modified(request, etag, release.created_at):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=f"{YAML}; charset=utf-8", headers=headers)
