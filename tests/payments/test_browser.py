"""The simulator's checkout page in a real browser: axe-core finds no WCAG 2.1 A/AA violation, before and after
paying, and paying there brings the citizen back through the return page with the payment recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from plein.db import make_engine, make_session_factory
from plein.payments import service
from plein.payments.models import PAID
from plein.settings import Settings
from tests.web.axe import assert_accessible
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, running_server, shot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    made: dict[str, Any] = {}

    async def prepare(settings: Settings) -> None:
        engine = make_engine(settings)
        async with make_session_factory(engine)() as session:
            payment = await service.start(session, reference="test:browser", amount_cents=1250,
                                          description="Uittreksel BRP (standaard)", return_url="/",
                                          settings=settings)
            await session.commit()
            made.update(id=payment.id, checkout=payment.checkout_url, settings=settings)
        await engine.dispose()

    with running_server(tmp_path, prepare) as url:
        yield url, made


async def _status(settings: Settings, made: dict[str, Any]) -> str:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        status = (await service.get(session, made["id"])).status
    await engine.dispose()
    return status


def test_the_checkout_page_is_accessible_and_pays(world: tuple[str, dict[str, Any]]) -> None:
    from playwright.sync_api import sync_playwright

    url, made = world
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
        try:
            _pay(context.new_page(), made)
        finally:
            context.close()
            browser.close()


def _pay(page: Any, made: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page.goto(made["checkout"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Betaalsimulator")
    expect(page.get_by_text("Dit is een betaalsimulator, er wordt geen echt geld betaald")).to_be_visible()
    shot(page, "betaalsimulator")
    assert_accessible(page, "the payment simulator")
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "the payment simulator at 390 px")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Betalen").click()
    page.wait_for_url("**/")
    with ThreadPoolExecutor(1) as other:  # Playwright's sync API runs an event loop in this thread
        assert other.submit(asyncio.run, _status(made["settings"], made)).result() == PAID
    page.goto(made["checkout"])
    expect(page.get_by_text("Deze betaling is afgerond: betaald.")).to_be_visible()
    assert_accessible(page, "the payment simulator after paying")
