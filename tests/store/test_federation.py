"""Federation: the store's export feed, and harvesting another Plein (a real server on loopback with its own
database) or a list of publiccode.yml URLs through the admission pipeline, twice without duplicates."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from plein.apps import package_path
from plein.auth.service import Principal
from plein.cli import app as cli
from plein.db import make_engine, make_session_factory
from plein.demo import demo_package
from plein.errors import NotFound
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store.feed import FEED_PROFILE
from plein.store.harvest import HarvestLimits, HarvestSummary, harvest
from plein.store.harvest_items import HarvestError
from plein.store.models import App, HarvestedItem, Release
from plein.store.package import load_package
from plein.store.service import CURATOR_ORGANISATION, get_release, publish
from tests.factories import make_package, zip_folder
from tests.store.helpers import STORAGE, SYSTEM, publish_built_in
from tests.web.browser import running_server

REMOTE_APPS = ("aangifte-overlijden", "uittreksel-brp")


@dataclass
class Remote:
    """A second Plein served by uvicorn on a loopback port, with its own SQLite database and files."""

    url: str
    settings: Settings

    @property
    def feed(self) -> str:
        return f"{self.url}/api/store/v1/feed"

    async def publish(self, folder: Path) -> None:
        engine = make_engine(self.settings)
        async with make_session_factory(engine)() as session:
            result = await publish(session, storage_from_settings(self.settings), load_package(folder), "0363",
                                   SYSTEM)
            assert result.release.status == "accepted", result.report["findings"]
        await engine.dispose()


async def seed_remote(settings: Settings) -> None:
    """The second Plein's store: two built-in apps published by Amsterdam."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        for name in REMOTE_APPS:
            result = await publish(session, storage_from_settings(settings), load_package(package_path(name)),
                                   "0363", SYSTEM)
            assert result.release.status == "accepted"
    await engine.dispose()


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    folder = tmp_path / "remote"
    folder.mkdir()
    settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{folder / 'browser.db'}",
                        data_dir=folder / "data")
    with running_server(folder, seed_remote) as url:
        yield Remote(url, settings)


class _Files(SimpleHTTPRequestHandler):
    """Static files (with Last-Modified and 304s), and /away, which redirects to a file: URL."""

    def do_GET(self) -> None:
        if self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Files, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def _counts(session: AsyncSession) -> tuple[int, int, int]:
    apps = await session.scalar(select(func.count()).select_from(App))
    releases = await session.scalar(select(func.count()).select_from(Release))
    items = await session.scalar(select(func.count()).select_from(HarvestedItem))
    return int(apps or 0), int(releases or 0), int(items or 0)


def _statuses(summary: HarvestSummary) -> dict[str, str]:
    return {outcome.app or outcome.remote_url: outcome.status for outcome in summary.outcomes}


async def test_feed_pages_in_a_stable_order_with_conditional_get(app: FastAPI, client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    for name in ("verhuizing-doorgeven", *REMOTE_APPS):
        await publish(session, app.state.storage, load_package(package_path(name)), "0363", SYSTEM)
    first = await client.get("/api/store/v1/feed", params={"pageSize": 2})
    assert first.status_code == 200
    page = first.json()
    assert [item["id"] for item in page["items"]] == ["aangifte-overlijden", "uittreksel-brp"]
    item = page["items"][0]
    assert item["version"] == "1.1.0" and item["publisher"]["code"] == "0363"
    assert item["publiccodeYml"] == "http://plein.test/api/store/v1/apps/aangifte-overlijden/publiccode.yml"
    assert item["package"].endswith("/apps/aangifte-overlijden/releases/1.1.0/package")
    assert item["modified"] and page["modified"]
    second = (await client.get(page["next"])).json()
    assert [item["id"] for item in second["items"]] == ["verhuizing-doorgeven"]
    assert second["next"] is None

    again = await client.get("/api/store/v1/feed", params={"pageSize": 2},
                             headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304

    publiccode = await client.get(item["publiccodeYml"])
    assert publiccode.status_code == 200
    assert publiccode.headers["content-type"].startswith("application/yaml")
    assert publiccode.content == (package_path("aangifte-overlijden") / "publiccode.yml").read_bytes()
    unchanged = await client.get(item["publiccodeYml"], headers={"If-None-Match": publiccode.headers["etag"]})
    assert unchanged.status_code == 304
    since = await client.get(item["publiccodeYml"],
                             headers={"If-Modified-Since": publiccode.headers["last-modified"]})
    assert since.status_code == 304
    assert (await client.get("/api/store/v1/apps/bestaat-niet/publiccode.yml")).status_code == 404


async def test_harvest_twice_gives_no_duplicates_and_a_new_release_updates(
        session: AsyncSession, client: httpx.AsyncClient, remote: Remote, tmp_path: Path) -> None:
    first = await harvest(session, STORAGE, remote.feed, HarvestLimits(), None)
    assert first.kind == "plein-feed"
    assert _statuses(first) == {"aangifte-overlijden": "added", "uittreksel-brp": "added"}
    counts = await _counts(session)
    assert counts == (2, 2, 2)
    app = await session.scalar(select(App).where(App.slug == "uittreksel-brp"))
    assert app is not None and app.listed and app.latest_version == "2.1.0"
    assert app.publisher.kind == "harvest" and app.publisher.code.startswith("harvest-")
    item = await session.scalar(select(HarvestedItem).where(HarvestedItem.app_id == app.id))
    assert item is not None
    assert item.remote_url == f"{remote.url}/api/store/v1/apps/uittreksel-brp"
    assert item.remote_page == f"{remote.url}/apps/uittreksel-brp"
    assert item.remote_publisher == "Amsterdam" and item.remote_modified and item.version == "2.1.0"
    assert item.source.url == remote.feed and item.source.last_harvested_at is not None
    page = (await client.get("/apps/uittreksel-brp")).text
    assert "Herkomst" in page and "Uitgever bij de bron</dt><dd>Amsterdam" in page and remote.feed in page

    second = await harvest(session, STORAGE, remote.feed)
    assert set(_statuses(second).values()) == {"unchanged"}
    assert await _counts(session) == counts

    await remote.publish(make_package(tmp_path, "uittreksel-brp", version="2.2.0"))
    third = await harvest(session, STORAGE, remote.feed)
    assert _statuses(third) == {"aangifte-overlijden": "unchanged", "uittreksel-brp": "updated"}
    session.expire_all()
    assert await _counts(session) == (2, 3, 2)
    app = await session.scalar(select(App).where(App.slug == "uittreksel-brp"))
    assert app is not None and app.latest_version == "2.2.0"


async def test_a_harvest_never_replaces_an_app_published_here(session: AsyncSession, client: httpx.AsyncClient,
                                                              remote: Remote) -> None:
    await publish_built_in(session, "uittreksel-brp", publisher="0344")
    summary = await harvest(session, STORAGE, remote.feed)
    failed = [outcome for outcome in summary.outcomes if outcome.status == "failed"]
    assert [outcome.remote_url.rsplit("/", 1)[-1] for outcome in failed] == ["uittreksel-brp"]
    assert "another organisation" in failed[0].message
    app = await session.scalar(select(App).where(App.slug == "uittreksel-brp"))
    assert app is not None and app.publisher.code == "0344"
    assert "Herkomst" not in (await client.get("/apps/uittreksel-brp")).text


async def test_harvest_a_list_of_publiccode_urls(session: AsyncSession, remote: Remote, tmp_path: Path,
                                                 client: httpx.AsyncClient) -> None:
    folder = tmp_path / "list"
    folder.mkdir()
    shutil.copy(demo_package("parkeervergunning-aanvragen") / "publiccode.yml", folder / "publiccode.yml")
    with static_server(folder) as static:
        (folder / "apps.txt").write_text(
            "# publiccode.yml files to list\n"
            f"{remote.url}/api/store/v1/apps/uittreksel-brp/publiccode.yml\n\n{static}/publiccode.yml\n")
        first = await harvest(session, STORAGE, f"{static}/apps.txt")
        assert first.kind == "url-list"
        assert _statuses(first) == {"uittreksel-brp": "added", "parkeervergunning": "rejected"}
        rejected = next(outcome for outcome in first.outcomes if outcome.status == "rejected")
        assert "publiccode.date" in rejected.message
        listed = await session.scalar(select(App).where(App.slug == "uittreksel-brp"))
        assert listed is not None and listed.kind == "integration" and listed.listed
        report = await session.scalar(select(Release).join(App).where(App.slug == "parkeervergunning"))
        assert report is not None and report.status == "rejected" and report.report["findings"]
        curator = Principal("staff", "curator", "Curator", frozenset({(CURATOR_ORGANISATION, "curator")}))
        assert await get_release(session, report.app, "0.9.0", curator) == report
        with pytest.raises(NotFound):
            await get_release(session, report.app, "0.9.0", None)
        counts = await _counts(session)

        second = await harvest(session, STORAGE, f"{static}/apps.txt")
        assert set(_statuses(second).values()) == {"unchanged"}, second.outcomes
        assert await _counts(session) == counts

    page = await client.get("/apps/uittreksel-brp")
    assert page.status_code == 200
    assert "Herkomst" in page.text and f"{remote.url}/api/store/v1/apps/uittreksel-brp/publiccode.yml" in page.text
    assert f"{static}/apps.txt" in page.text and "https://code.plein.example/apps/uittreksel-brp.git" in page.text


async def test_an_app_the_source_no_longer_offers_leaves_the_listing_and_comes_back(
        session: AsyncSession, remote: Remote, tmp_path: Path, client: httpx.AsyncClient) -> None:
    folder = tmp_path / "list"
    folder.mkdir()
    extract = f"{remote.url}/api/store/v1/apps/uittreksel-brp/publiccode.yml"
    with static_server(folder) as static:
        source = f"{static}/apps.txt"
        (folder / "apps.txt").write_text(f"{extract}\n")
        assert _statuses(await harvest(session, STORAGE, source)) == {"uittreksel-brp": "added"}
        adopted = await session.scalar(select(App).where(App.slug == "uittreksel-brp"))
        assert adopted is not None and adopted.listed

        (folder / "apps.txt").write_text("# nothing here any more\n")
        gone = await harvest(session, STORAGE, source)
        assert _statuses(gone) == {"uittreksel-brp": "removed"} and not gone.problems
        await session.refresh(adopted)
        assert not adopted.listed and adopted.latest_release_id is None
        assert (await client.get("/api/store/v1/apps", params={"q": "uittreksel"})).json()["total"] == 0
        releases = await session.scalar(select(func.count()).select_from(Release).where(Release.app_id == adopted.id))
        assert releases == 1  # its release and report stay
        again = await harvest(session, STORAGE, source)
        assert again.outcomes == []  # removed once, not again

        (folder / "apps.txt").write_text(f"{extract}\n")
        back = await harvest(session, STORAGE, source)
        assert _statuses(back) == {"uittreksel-brp": "relisted"}
        await session.refresh(adopted)
        assert adopted.listed and adopted.latest_version == "2.1.0"
        item = await session.scalar(select(HarvestedItem).where(HarvestedItem.app_id == adopted.id))
        assert item is not None and item.status == "accepted"


async def test_harvest_refuses_what_it_must_not_fetch(session: AsyncSession, remote: Remote,
                                                      tmp_path: Path) -> None:
    with pytest.raises(HarvestError, match="only http and https"):
        await harvest(session, STORAGE, "file:///etc/passwd")
    with static_server(tmp_path) as static, pytest.raises(HarvestError, match="only http and https"):
        await harvest(session, STORAGE, f"{static}/away")
    with pytest.raises(HarvestError, match="at most 100 bytes"):
        await harvest(session, STORAGE, remote.feed, HarvestLimits(max_document_bytes=100))
    assert await _counts(session) == (0, 0, 0)


def test_cli_harvest_shows_what_happened(remote: Remote) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["store", "harvest", remote.feed], env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "added" in first.output and "uittreksel-brp 2.1.0" in first.output
    assert "2 added, 0 updated, 0 unchanged, 0 relisted, 0 removed, 0 rejected, 0 failed" in first.output
    second = runner.invoke(cli, ["store", "harvest", remote.feed, "--format", "json"])
    assert second.exit_code == 0, second.output
    assert '"unchanged": 2' in second.output
    refused = runner.invoke(cli, ["store", "harvest", "ftp://example.org/feed"])
    assert refused.exit_code == 1
    assert "Not harvested" in refused.output


async def test_a_feed_item_that_cannot_be_trusted_fails_and_names_why(session: AsyncSession, tmp_path: Path) -> None:
    (tmp_path / "package.zip").write_bytes(zip_folder(package_path("uittreksel-brp")))
    with static_server(tmp_path) as static:
        def item(**values: str) -> dict[str, str]:
            return {"id": "uittreksel-brp", "version": "2.1.0", "modified": "2026-12-07T10:00:00Z",
                    "url": f"{static}/apps/{len(values)}{sorted(values)}", "package": f"{static}/package.zip",
                    **values}

        items = [item(sha256="0" * 64), item(package="http://elders.example/package.zip"),
                 {"id": "zonder-versie", "url": f"{static}/apps/zonder-versie", "package": f"{static}/x.zip"}]
        (tmp_path / "feed.json").write_text(json.dumps({"profile": FEED_PROFILE, "next": None, "items": items}))
        summary = await harvest(session, STORAGE, f"{static}/feed.json")
        messages = [outcome.message for outcome in summary.outcomes]
        assert [outcome.status for outcome in summary.outcomes] == ["failed", "failed", "failed"]
        assert "does not have the checksum the feed gives" in messages[0]
        assert "must be on the feed's own host" in messages[1]
        assert "version, modified missing" in messages[2]
        assert await _counts(session) == (0, 0, 3)

        (tmp_path / "feed.json").write_text(json.dumps(
            {"profile": FEED_PROFILE, "next": "http://elders.example/feed?after=x", "items": []}))
        with pytest.raises(HarvestError, match="leaves the feed"):
            await harvest(session, STORAGE, f"{static}/feed.json")
