"""The Mollie provider: Mollie's real SDK against a fake of Mollie's API on loopback. Creating a payment, the webhook
(only, twice), each of Mollie's statuses, a refused amount, a wrong key, a Mollie that is down or unreachable."""

from __future__ import annotations

import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import ServiceUnavailable
from plein.payments import providers, service
from plein.payments.models import CANCELED, EXPIRED, FAILED, OPEN, PAID, Payment
from plein.payments.mollie import MollieProvider, amount_value, cents
from plein.settings import Settings
from tests.payments.fake_mollie import API_KEY, FakeMollie
from tests.payments.helpers import BASE_URL, Calls, age, events, reload, start

WEBHOOK = "/api/betalingen/v1/webhooks/mollie"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fake_mollie: FakeMollie) -> Settings:
    return Settings(env="test", database_url=database_url, data_dir=tmp_path / "data", base_url=BASE_URL,
                    payment_provider="mollie", mollie_api_key=API_KEY, mollie_api_url=fake_mollie.url,
                    payments_timeout=2)


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def test_start_creates_the_payment_at_mollie(session: AsyncSession, settings: Settings,
                                                   fake_mollie: FakeMollie) -> None:
    payment = await start(session, settings, reference="test:7", amount_cents=1250)
    at_mollie = fake_mollie.only()
    assert (payment.provider, payment.provider_id, payment.status) == ("mollie", at_mollie["id"], OPEN)
    assert payment.checkout_url == at_mollie["_links"]["checkout"]["href"]
    assert payment.expires_at is not None
    method, path, headers, body = fake_mollie.requests[-1]
    assert (method, path) == ("POST", "/v2/payments")
    assert body["amount"] == {"currency": "EUR", "value": "12.50"}
    assert body["redirectUrl"] == f"{BASE_URL}/betalen/{payment.id}/terug"
    assert body["webhookUrl"] == f"{BASE_URL}{WEBHOOK}"
    assert headers["idempotency-key"] == str(payment.id)  # a retried request makes no second payment


async def test_the_webhook_alone_records_the_payment_once(session: AsyncSession, settings: Settings,
                                                          client: httpx.AsyncClient, fake_mollie: FakeMollie,
                                                          calls: Calls) -> None:
    payment = await start(session, settings)
    fake_mollie.set_status(payment.provider_id, "paid")
    for _ in range(2):  # Mollie may call more than once
        told = await client.post(WEBHOOK, data={"id": payment.provider_id})
        assert told.status_code == 200
    payment = await reload(session, payment)
    assert payment.status == PAID
    assert calls.paid == [payment.id]
    assert await events(session, payment) == [(OPEN, "start"), (PAID, "webhook")]
    assert [(m, p) for m, p, _, _ in fake_mollie.requests[1:]] == [("GET", f"/v2/payments/{payment.provider_id}")] * 2


@pytest.mark.parametrize(("mollie_status", "status"), [("canceled", CANCELED), ("expired", EXPIRED),
                                                       ("failed", FAILED)])
async def test_mollies_endings_without_payment(session: AsyncSession, settings: Settings, client: httpx.AsyncClient,
                                               fake_mollie: FakeMollie, calls: Calls, mollie_status: str,
                                               status: str) -> None:
    payment = await start(session, settings)
    fake_mollie.set_status(payment.provider_id, mollie_status)
    back = await client.get(f"/betalen/{payment.id}/terug")
    assert back.headers["location"] == "/"
    assert (await reload(session, payment)).status == status
    assert (calls.paid, calls.failed) == ([], [(payment.id, status)])


@pytest.mark.parametrize("mollie_status", ["pending", "authorized", "open"])
async def test_mollies_statuses_on_the_way_stay_open(session: AsyncSession, settings: Settings,
                                                     client: httpx.AsyncClient, fake_mollie: FakeMollie,
                                                     calls: Calls, mollie_status: str) -> None:
    payment = await start(session, settings)
    fake_mollie.set_status(payment.provider_id, mollie_status)
    assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    assert (await reload(session, payment)).status == OPEN
    assert calls.paid == calls.failed == []


async def test_the_status_check_asks_mollie(session: AsyncSession, settings: Settings, app: Any,
                                            fake_mollie: FakeMollie, calls: Calls) -> None:
    from plein.payments import tasks

    payment = await start(session, settings)
    fake_mollie.set_status(payment.provider_id, "paid")
    await age(session, payment, settings.payments_check_after_minutes + 1)
    assert await tasks.check_open(app.state.sessions, settings) == 1
    assert calls.paid == [payment.id]


async def test_another_amount_at_mollie_is_refused(session: AsyncSession, settings: Settings,
                                                   client: httpx.AsyncClient, fake_mollie: FakeMollie,
                                                   calls: Calls) -> None:
    payment = await start(session, settings, amount_cents=1250)
    fake_mollie.set_amount(payment.provider_id, "0.01")
    fake_mollie.set_status(payment.provider_id, "paid")
    assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    payment = await reload(session, payment)
    assert (payment.status, calls.paid) == (OPEN, [])
    assert payment.problem and "1 cents EUR" in payment.problem


async def test_mollie_down_for_a_moment_is_retried(session: AsyncSession, settings: Settings,
                                                   fake_mollie: FakeMollie) -> None:
    fake_mollie.failures.extend([503, 502])
    payment = await start(session, settings)
    assert payment.provider_id in fake_mollie.payments
    assert len(fake_mollie.payments) == 1


async def test_mollie_unreachable_is_a_clear_error_and_nothing_is_paid(
        session: AsyncSession, settings: Settings, client: httpx.AsyncClient, fake_mollie: FakeMollie,
        app: Any, calls: Calls) -> None:
    payment = await start(session, settings)
    payment_id, provider_id = payment.id, payment.provider_id
    fake_mollie.set_status(provider_id, "paid")
    app.state.settings = settings.model_copy(update={"mollie_api_url": closed_port()})
    with pytest.raises(providers.ProviderUnavailable, match="Mollie is nu niet bereikbaar"):
        await start(session, app.state.settings, reference="test:2")
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(Payment)) == 1
    told = await client.post(WEBHOOK, data={"id": provider_id})
    assert told.status_code == 503  # Mollie retries a webhook that did not answer 200
    assert told.headers["content-type"].startswith("application/problem+json")
    back = await client.get(f"/betalen/{payment_id}/terug")
    assert back.headers["location"] == "/"
    assert "nog niet bevestigd" in (await client.get("/")).text
    assert ((await service.get(session, payment_id)).status, calls.paid) == (OPEN, [])


async def test_mollie_down_is_unavailable(session: AsyncSession, settings: Settings, fake_mollie: FakeMollie) -> None:
    fake_mollie.failures.extend([503] * 50)
    with pytest.raises(ServiceUnavailable, match="storing"):
        await start(session, settings)
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(Payment)) == 0


async def test_a_wrong_api_key_says_which_setting(session: AsyncSession, settings: Settings,
                                                  fake_mollie: FakeMollie) -> None:
    wrong = settings.model_copy(update={"mollie_api_key": settings.mollie_api_key.__class__("test_wrong")})
    with pytest.raises(providers.ProviderRefused, match="PLEIN_MOLLIE_API_KEY"):
        await start(session, wrong)
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(Payment)) == 0


async def test_an_id_mollie_does_not_know(session: AsyncSession, fake_mollie: FakeMollie) -> None:
    provider = MollieProvider(API_KEY, fake_mollie.url, 2)
    with pytest.raises(providers.UnknownAtProvider):
        await provider.fetch(session, "tr_unknown")


async def test_start_refuses_bad_input(session: AsyncSession, settings: Settings, fake_mollie: FakeMollie) -> None:
    from plein.errors import InvalidInput

    for bad in ({"amount_cents": 0}, {"reference": "geen-soort"}, {"return_url": "https://elders.example/"},
                {"return_url": "//elders.example/"}, {"description": " "}):
        arguments: dict[str, Any] = {"reference": "test:1", "amount_cents": 100, "description": "Uittreksel",
                                     "return_url": "/", **bad}
        with pytest.raises(InvalidInput):
            await service.start(session, settings=settings, **arguments)
    assert fake_mollie.payments == {}
    assert (await service.start(session, settings=settings, reference="test:1", amount_cents=1,
                                description="Uittreksel", return_url=f"{BASE_URL}/mijn")).amount_cents == 1


@given(st.integers(min_value=1, max_value=10_000_000))
def test_amounts_go_to_mollie_and_back_exactly(amount: int) -> None:
    value = amount_value(amount)
    assert Decimal(value) == Decimal(amount) / 100 and len(value.split(".")[1]) == 2
    assert cents(value) == amount


def test_mollie_amounts_that_are_not_whole_cents_are_refused() -> None:
    for value in ("1.005", "abc", "NaN"):
        with pytest.raises(providers.ProviderRefused):
            cents(value)
