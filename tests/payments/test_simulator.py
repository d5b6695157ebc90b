"""The payment simulator end to end over HTTP: its checkout page, paying, cancelling and failing there (each told to
Plein as a webhook would), the return page's messages, and where the simulator does not exist."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.app import create_app, dispose_engines
from plein.payments import service
from plein.payments.models import CANCELED, FAILED, OPEN, PAID, SimulatedPayment
from plein.settings import Settings
from tests.payments.fake_mollie import API_KEY
from tests.payments.helpers import Calls, csrf_token, events, reload, start

NOT_REAL = "Dit is een betaalsimulator, er wordt geen echt geld betaald"


async def test_start_makes_an_open_payment_with_the_simulators_checkout(session: AsyncSession, settings: Settings,
                                                                        client: httpx.AsyncClient) -> None:
    payment = await start(session, settings, reference="test:42", amount_cents=1250)
    assert (payment.status, payment.provider, payment.amount_cents) == (OPEN, "simulator", 1250)
    assert payment.currency == "EUR"
    assert payment.checkout_url == f"/betalen/simulator/{payment.provider_id}"
    assert await service.latest_for(session, "test:42") == payment
    page = await client.get(payment.checkout_url)
    assert page.status_code == 200
    assert NOT_REAL in page.text
    assert "€ 12,50" in page.text and "Uittreksel BRP" in page.text
    for button in ("Betalen", "Annuleren", "Laten mislukken"):
        assert f">{button}</button>" in page.text
    assert await events(session, payment) == [(OPEN, "start")]


async def test_paying_records_it_paid_once_even_when_the_browser_never_returns(
        session: AsyncSession, settings: Settings, client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings)
    token = await csrf_token(client, payment.checkout_url)
    paid = await client.post(payment.checkout_url, data={"csrf_token": token, "actie": "betalen"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/betalen/{payment.id}/terug"
    # the browser is closed here: the simulator told Plein as the provider's webhook does
    payment = await reload(session, payment)
    assert (payment.status, calls.paid) == (PAID, [payment.id])
    assert payment.paid_at is not None
    back = await client.get(paid.headers["location"])  # and when it does come back, nothing happens twice
    assert (back.status_code, back.headers["location"]) == (303, "/")
    assert calls.paid == [payment.id]
    assert calls.failed == []
    assert await events(session, payment) == [(OPEN, "start"), (PAID, "webhook")]


@pytest.mark.parametrize(("action", "status", "message"), [
    ("annuleren", CANCELED, "U heeft de betaling geannuleerd"),
    ("mislukken", FAILED, "De betaling is mislukt"),
])
async def test_cancelled_or_failed_is_no_payment(session: AsyncSession, settings: Settings,
                                                 client: httpx.AsyncClient, calls: Calls, action: str, status: str,
                                                 message: str) -> None:
    payment = await start(session, settings)
    token = await csrf_token(client, payment.checkout_url)
    done = await client.post(payment.checkout_url, data={"csrf_token": token, "actie": action})
    back = await client.get(done.headers["location"])
    assert back.headers["location"] == "/"
    home = await client.get("/")
    assert message in home.text
    payment = await reload(session, payment)
    assert payment.status == status
    assert (calls.paid, calls.failed) == ([], [(payment.id, status)])
    again = await client.post(payment.checkout_url, data={"csrf_token": token, "actie": "betalen"})
    assert again.status_code == 303  # a finished payment cannot be paid afterwards
    assert (await reload(session, payment)).status == status
    assert calls.paid == []
    page = await client.get(payment.checkout_url)
    assert "Deze betaling is afgerond" in page.text and "Betalen</button>" not in page.text


async def test_the_checkout_page_needs_the_csrf_token(session: AsyncSession, settings: Settings,
                                                      client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings)
    await client.get(payment.checkout_url)
    refused = await client.post(payment.checkout_url, data={"actie": "betalen"})
    assert refused.status_code == 403
    assert (await reload(session, payment)).status == OPEN
    assert calls.paid == []


async def test_an_unknown_action_or_payment_changes_nothing(session: AsyncSession, settings: Settings,
                                                            client: httpx.AsyncClient) -> None:
    payment = await start(session, settings)
    token = await csrf_token(client, payment.checkout_url)
    wrong = await client.post(payment.checkout_url, data={"csrf_token": token, "actie": "gratis"})
    assert wrong.status_code == 400
    assert (await client.get("/betalen/simulator/sim_0000")).status_code == 404
    assert (await reload(session, payment)).status == OPEN


async def test_the_simulator_does_not_exist_when_mollie_is_the_provider(database_url: str, tmp_path: Path,
                                                                        session: AsyncSession,
                                                                        settings: Settings) -> None:
    payment = await start(session, settings)
    mollie = Settings(env="test", database_url=database_url, data_dir=tmp_path / "data", payment_provider="mollie",
                      mollie_api_key=API_KEY)
    app = create_app(mollie)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://plein.test") as http:
            assert (await http.get(payment.checkout_url)).status_code == 404
            assert (await http.post(payment.checkout_url, data={"actie": "betalen"})).status_code == 404
    finally:
        await dispose_engines(app)
    assert await session.scalar(select(func.count()).select_from(SimulatedPayment)
                                .where(SimulatedPayment.status == PAID)) == 0
