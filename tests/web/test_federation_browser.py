"""A real browser on the page of an app harvested from a second Plein (both real servers on loopback): it says where
the app came from, at desktop and phone width (390 px), and axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plein.db import make_engine, make_session_factory
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.store.harvest import harvest
from tests.store.test_federation import seed_remote
from tests.web.axe import assert_accessible, fits
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(this Plein, the Plein it harvested from)."""
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    with running_server(tmp_path / "remote", seed_remote) as remote:
        async def harvested(settings: Settings) -> None:
            engine = make_engine(settings)
            async with make_session_factory(engine)() as session:
                summary = await harvest(session, storage_from_settings(settings), f"{remote}/api/store/v1/feed")
                assert summary.count("added") == 2, summary.outcomes
            await engine.dispose()

        with running_server(tmp_path / "local", harvested) as local:
            yield local, remote


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_app_page_says_where_a_harvested_app_came_from(servers: tuple[str, str],
                                                           viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    local, remote = servers
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=local, viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        page.goto("/apps/uittreksel-brp")
        origin = page.locator("section", has=page.get_by_role("heading", name="Herkomst"))
        expect(origin).to_contain_text("Uitgever bij de bron")
        expect(origin).to_contain_text("Amsterdam")
        expect(origin.get_by_role("link", name=f"{remote}/api/store/v1/feed")).to_be_visible()
        expect(origin.get_by_role("link", name=f"{remote}/api/store/v1/apps/uittreksel-brp")).to_be_visible()
        shot(page, f"harvested-app-{viewport['width']}")
        assert_accessible(page, "the page of a harvested app")
        fits(page)
        context.close()
        browser.close()
