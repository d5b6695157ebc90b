"""Fixtures of the browser tests: `base_url` (a real server with a fresh database) and `page` (chromium on it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, running_server


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path) as url:
        yield url


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        yield context.new_page()
        context.close()
        browser.close()
