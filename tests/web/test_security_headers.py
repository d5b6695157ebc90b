"""Every response carries the browser security headers (a Content-Security-Policy without framing, nosniff, a
Referrer-Policy; HSTS when Plein runs on HTTPS), and the API documentation loads nothing from other sites."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from plein.app import create_app, dispose_engines
from plein.settings import Settings
from plein.web.views import STATIC_DIR
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP


async def test_pages_and_apis_carry_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/api/store/v1/apps", "/bestaat-niet"):
        headers = (await client.get(path)).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "default-src 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # not on HTTPS: a test runs on http://


async def test_on_https_the_browser_is_told_to_keep_to_https(database_url: str, tmp_path: Path) -> None:
    settings = Settings(env="test", database_url=database_url, data_dir=tmp_path / "data",
                        session_cookie_secure=True)
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://plein.test") as http:
            assert (await http.get("/")).headers["strict-transport-security"].startswith("max-age=31536000")
    finally:
        await dispose_engines(app)


async def test_the_api_documentation_serves_its_assets_from_plein(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/docs")).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in page  # no inline script: the policy would refuse it
    for source in sources:
        assert (STATIC_DIR / source.removeprefix("/static/")).is_file(), f"{source}: run `make install`"


@pytest.mark.browser
def test_the_api_documentation_works_under_the_policy_offline(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        elsewhere: list[str] = []
        page.on("request", lambda request: None if request.url.startswith(base_url) else elsewhere.append(request.url))
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
                else None)
        page.goto("/api/docs")
        expect(page.get_by_text("/api/store/v1/apps").first).to_be_visible(timeout=15_000)
        context.close()
        browser.close()
    assert elsewhere == [] and refused == []
