"""Harvesting apps from another catalogue (`plein store harvest URL`): another Plein's feed or a list of
publiccode.yml URLs; every release goes through the admission pipeline, and a second run updates, never duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, PleinError
from plein.organisations import service as organisations
from plein.storage import FileStorage
from plein.store import service
from plein.store.feed import FEED_PROFILE
from plein.store.fetch import Fetched, FetchError, check_url, fetch, make_client, same_origin
from plein.store.harvest_items import (
    FeedEntry,
    HarvestError,
    feed_entries,
    publiccode_package,
    publiccode_urls,
    short_findings,
)
from plein.store.models import App, HarvestedItem, HarvestSource
from plein.store.package import LoadResult, PackageLimits, load_archive

_ITEM_STATUS = {"added": "accepted", "updated": "accepted", "relisted": "accepted", "rejected": "rejected",
                "failed": "failed", "removed": "removed"}
STATUSES = ("added", "updated", "unchanged", "relisted", "removed", "rejected", "failed")
HARVESTER = Principal("cli", "plein-harvest", "Plein harvest", frozenset(), all_rights=True)
Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class HarvestLimits:
    """How much a harvest reads: packages as the store's own limits, documents (feed pages, lists,
    publiccode.yml) at most max_document_bytes, every request within timeout seconds."""

    package: PackageLimits = field(default_factory=PackageLimits)
    max_document_bytes: int = 2 * 1024 * 1024
    timeout: float = 20.0
    max_pages: int = 1000


@dataclass
class Outcome:
    """What became of one harvested item: added, updated, unchanged, relisted (back at the source), removed (no
    longer at the source: no longer listed here), rejected (a report was kept) or failed."""

    remote_url: str
    status: str
    app: str | None = None
    version: str | None = None
    message: str = ""


@dataclass
class HarvestSummary:
    source: str
    kind: str
    publisher: str
    outcomes: list[Outcome]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def problems(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status in ("rejected", "failed")]

    def as_dict(self) -> dict[str, Any]:
        counts = {status: self.count(status) for status in STATUSES}
        return {"source": self.source, "kind": self.kind, "publisher": self.publisher, "counts": counts,
                "items": [asdict(outcome) for outcome in self.outcomes]}


async def harvest(session: AsyncSession, storage: FileStorage, url: str, limits: HarvestLimits | None = None,
                  progress: Progress | None = None) -> HarvestSummary:
    """Harvest the feed or list at `url`; HarvestError when it cannot be read at all (nothing is changed then)."""
    limits = limits or HarvestLimits()
    try:
        url = check_url(url)
    except FetchError as exc:
        raise HarvestError(str(exc)) from exc
    async with make_client(limits.timeout) as http:
        first = await _fetch_document(http, url, limits)
        kind, entries = await _entries(http, first.content, url, limits)
        source = await _source(session, url, kind)
        outcomes: list[Outcome] = []
        for done, entry in enumerate(entries):
            if progress:
                progress(done, len(entries), entry if isinstance(entry, str) else entry.remote_url)
            outcomes.append(await _harvest_one(session, storage, http, source, entry, limits))
        seen = {entry if isinstance(entry, str) else entry.remote_url for entry in entries}
        outcomes += await _remove_missing(session, source, seen)
    summary = HarvestSummary(url, kind, source.organisation.name, outcomes)
    source.last_harvested_at = utcnow()
    source.last_summary = summary.as_dict()
    await session.commit()
    if progress:
        progress(len(entries), len(entries), "")
    return summary


async def _fetch_document(http: httpx.AsyncClient, url: str, limits: HarvestLimits) -> Fetched:
    try:
        return await fetch(http, url, limits.max_document_bytes)
    except FetchError as exc:
        raise HarvestError(str(exc)) from exc


async def _entries(http: httpx.AsyncClient, content: bytes, url: str,
                   limits: HarvestLimits) -> tuple[str, list[FeedEntry | str]]:
    """('plein-feed', its items over all pages) or ('url-list', the publiccode.yml URLs)."""
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, ValueError):
        document = None
    if isinstance(document, dict) and document.get("profile") == FEED_PROFILE:
        return "plein-feed", list(await _all_pages(http, document, url, limits))
    return "url-list", list(publiccode_urls(content, document, url))


async def _all_pages(http: httpx.AsyncClient, page: dict[str, Any], url: str,
                     limits: HarvestLimits) -> list[FeedEntry | str]:
    """The entries of every page, following `next` on the feed's own origin, each page once."""
    found: list[FeedEntry | str] = []
    seen = {url}
    while True:
        found.extend(feed_entries(page, url))
        following = page.get("next")
        if not following:
            return found
        if not isinstance(following, str) or not same_origin(following, url) or following in seen:
            raise HarvestError(f"the feed's next link {following!r} leaves the feed or loops back")
        if len(seen) >= limits.max_pages:
            raise HarvestError(f"the feed has more than {limits.max_pages} pages")
        seen.add(following)
        fetched = await _fetch_document(http, following, limits)
        try:
            page = json.loads(fetched.content)
        except ValueError as exc:
            raise HarvestError(f"{following} is not JSON: {exc}") from exc
        if not isinstance(page, dict) or page.get("profile") != FEED_PROFILE:
            raise HarvestError(f"{following} is not a page of a Plein store feed")


async def _source(session: AsyncSession, url: str, kind: str) -> HarvestSource:
    """The source record for this URL, made on the first harvest with the organisation its apps are published
    under here: one per source, so an app from one source can never replace another source's or a local app."""
    source = await session.scalar(select(HarvestSource).where(HarvestSource.url == url))
    if source is not None:
        source.kind = kind
        return source
    code = "harvest-" + hashlib.sha256(url.encode()).hexdigest()[:12]
    try:
        organisation = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation:
        where = urlsplit(url)
        name = f"Geoogst van {where.netloc}{where.path}"[:200]
        organisation = await organisations.create_organisation(session, code, name, kind="harvest")
    source = HarvestSource(url=url, kind=kind, organisation_id=organisation.id)
    source.organisation = organisation
    session.add(source)
    await session.commit()
    return source


async def _item(session: AsyncSession, source: HarvestSource, remote_url: str) -> HarvestedItem | None:
    query = select(HarvestedItem).where(HarvestedItem.source_id == source.id,
                                        HarvestedItem.remote_url == remote_url)
    return await session.scalar(query)


async def _harvest_one(session: AsyncSession, storage: FileStorage, http: httpx.AsyncClient,
                       source: HarvestSource, entry: FeedEntry | str, limits: HarvestLimits) -> Outcome:
    remote_url = entry if isinstance(entry, str) else entry.remote_url
    item = await _item(session, source, remote_url)
    try:
        if isinstance(entry, str):
            return await _from_publiccode_url(session, storage, http, source, item, entry, limits)
        return await _from_feed_entry(session, storage, http, source, item, entry, limits)
    except (FetchError, HarvestError) as exc:
        return await _record(session, source, item, remote_url, Outcome(remote_url, "failed", message=str(exc)))


async def _from_feed_entry(session: AsyncSession, storage: FileStorage, http: httpx.AsyncClient,
                           source: HarvestSource, item: HarvestedItem | None, entry: FeedEntry,
                           limits: HarvestLimits) -> Outcome:
    if entry.problem:
        raise HarvestError(entry.problem)
    outcome = Outcome(entry.remote_url, "unchanged", entry.id, entry.version)
    extra = {"remote_page": entry.page, "remote_publisher": entry.publisher, "remote_modified": entry.modified}
    if item is not None and item.status != "failed" and (item.version, item.remote_modified) == (
            entry.version, entry.modified):
        return await _record(session, source, item, entry.remote_url, outcome, **extra)
    fetched = await fetch(http, entry.package, limits.package.max_archive_bytes)
    if entry.sha256 and hashlib.sha256(fetched.content).hexdigest() != entry.sha256:
        raise HarvestError(f"the package at {entry.package} does not have the checksum the feed gives")
    name = entry.package.rsplit("/", 3)[-3] if entry.package.count("/") >= 3 else entry.id
    loaded = load_archive(fetched.content, f"{name}-{entry.version}", limits.package)
    return await _admit(session, storage, source, item, loaded, outcome, extra)


async def _from_publiccode_url(session: AsyncSession, storage: FileStorage, http: httpx.AsyncClient,
                               source: HarvestSource, item: HarvestedItem | None, url: str,
                               limits: HarvestLimits) -> Outcome:
    known = item is not None and item.status != "failed"
    fetched = await fetch(http, url, limits.max_document_bytes, etag=item.etag if known and item else None,
                          last_modified=item.remote_modified if known and item else None)
    extra = {"etag": fetched.etag, "remote_modified": fetched.last_modified}
    if fetched.status == 304 and item is not None:
        return await _record(session, source, item, url, Outcome(url, "unchanged", version=item.version))
    current = await session.get(App, item.app_id) if item is not None and item.app_id else None
    built = await publiccode_package(http, fetched, current.slug if current else None, limits.max_document_bytes)
    extra |= {"remote_page": built.page, "remote_publisher": built.publisher}
    outcome = Outcome(url, "unchanged", built.slug, built.version)
    if known and item is not None and item.version == built.version:
        return await _record(session, source, item, url, outcome, **extra)
    return await _admit(session, storage, source, item, LoadResult(built.package), outcome, extra)


async def _admit(session: AsyncSession, storage: FileStorage, source: HarvestSource, item: HarvestedItem | None,
                 loaded: LoadResult, outcome: Outcome, extra: dict[str, Any]) -> Outcome:
    """Run the package through the admission pipeline as a release of the source's organisation (no network is
    used from here on: the checks read only the package's bytes)."""
    try:
        result = await service.publish(session, storage, loaded, source.organisation.code, HARVESTER)
    except service.PackageRejected as exc:
        outcome.status, outcome.message = "failed", f"{exc.detail}: {short_findings(exc.findings)}"
        return await _record(session, source, item, outcome.remote_url, outcome, **extra)
    except Conflict as exc:  # this version is admitted here already (e.g. by a harvest that was interrupted)
        outcome.message = exc.detail
        return await _record(session, source, item, outcome.remote_url, outcome, **extra)
    except PleinError as exc:
        outcome.status, outcome.message = "failed", exc.detail
        return await _record(session, source, item, outcome.remote_url, outcome, **extra)
    release = result.release
    outcome.app, outcome.version = release.app.slug, release.version
    if release.status == "rejected":
        outcome.status = "rejected"
        outcome.message = short_findings(result.report["findings"])
    else:
        outcome.status = "added" if item is None or item.app_id is None else "updated"
    return await _record(session, source, item, outcome.remote_url, outcome, app_id=release.app_id, **extra)


async def _remove_missing(session: AsyncSession, source: HarvestSource, seen: set[str]) -> list[Outcome]:
    """The source's apps that its feed or list no longer offers leave the listing here (search and this store's
    own feed); their releases and reports stay, and municipalities that adopted one keep it. Only an app this
    source published here is unlisted. Called only after the whole source was read."""
    query = select(HarvestedItem).where(HarvestedItem.source_id == source.id, HarvestedItem.app_id.is_not(None),
                                        HarvestedItem.status != "removed")
    outcomes = []
    for item in (await session.scalars(query)).all():
        if item.remote_url in seen:
            continue
        app = await session.get(App, item.app_id)
        if app is None or app.publisher_id != source.organisation_id:
            continue
        if app.listed:
            await service.unlist(session, app)
        outcome = Outcome(item.remote_url, "removed", app.slug, item.version,
                          "no longer offered by the source: no longer listed here (adopters keep it)")
        outcomes.append(await _record(session, source, item, item.remote_url, outcome))
    return outcomes


async def _relist(session: AsyncSession, item: HarvestedItem, outcome: Outcome) -> None:
    """An app the source offers again after it was removed is listed again with its newest admitted release (a new
    version listed itself already)."""
    app = await session.get(App, item.app_id) if item.app_id else None
    if app is None or app.listed:
        return
    release = await service.newest_listable(session, app)
    if release is not None:
        await service.list_release(session, app, release, app.publisher.code)
        outcome.status = "relisted"


async def _record(session: AsyncSession, source: HarvestSource, item: HarvestedItem | None, remote_url: str,
                  outcome: Outcome, **values: Any) -> Outcome:
    """Keep what this harvest learnt about the item, so the next one fetches only what changed."""
    if item is None:  # new and unchanged: that version is admitted here already
        item = HarvestedItem(source_id=source.id, remote_url=remote_url, status="accepted")
        session.add(item)
    elif item.status == "removed" and outcome.status in ("unchanged", "added", "updated"):
        await _relist(session, item, outcome)
    if outcome.status != "unchanged":
        item.status = _ITEM_STATUS[outcome.status]
    if outcome.status in ("added", "updated", "rejected") or item.version is None:
        item.version = outcome.version
    item.message = outcome.message
    item.harvested_at = dt.datetime.now(dt.UTC)
    for name, value in values.items():
        if value is not None or name in ("etag", "remote_modified"):
            setattr(item, name, value)
    if item.app_id is not None and outcome.app is None:
        app = await session.get(App, item.app_id)
        outcome.app = app.slug if app else None
    await session.commit()
    return outcome


async def origin(session: AsyncSession, slug: str) -> HarvestedItem | None:
    """Where a harvested app came from (its source, remote URL, publisher there, last harvest); None for an app
    published here."""
    query = (select(HarvestedItem).join(App, App.id == HarvestedItem.app_id).where(App.slug == slug)
             .order_by(HarvestedItem.harvested_at.desc()).limit(1))
    return await session.scalar(query)
