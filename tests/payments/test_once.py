"""Never twice, always when paid: the webhook (only, twice, racing the return page), the return page before the
webhook, a listener that fails, a refused amount, and webhooks for payments Plein does not know."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.payments import service, simulator
from plein.payments.models import OPEN, PAID, Payment, PaymentEvent, SimulatedPayment
from plein.payments.providers import Reported
from plein.settings import Settings
from tests.payments.helpers import Calls, events, pay_at_provider, reload, start

WEBHOOK = "/api/betalingen/v1/webhooks/simulator"


async def test_the_webhook_alone_records_the_payment(session: AsyncSession, settings: Settings,
                                                     client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    assert (await reload(session, payment)).status == OPEN  # Plein learns it only by asking the provider
    told = await client.post(WEBHOOK, data={"id": payment.provider_id})
    assert told.status_code == 200
    assert (await reload(session, payment)).status == PAID
    assert calls.paid == [payment.id]


async def test_the_webhook_wakes_what_waits_for_the_payment_only_when_paid(
        session: AsyncSession, settings: Settings, app: Any, client: httpx.AsyncClient, calls: Calls) -> None:
    woken: list[bool] = []
    app.state.on_payment_paid = lambda: woken.append(True)  # the decision loop's nudge under `plein serve`
    payment = await start(session, settings)
    await client.post(WEBHOOK, data={"id": payment.provider_id})
    assert woken == []  # still open at the provider
    await pay_at_provider(session, payment)
    await client.post(WEBHOOK, data={"id": payment.provider_id})
    assert woken == [True]


async def test_a_webhook_that_comes_twice_counts_once(session: AsyncSession, settings: Settings,
                                                      client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    for _ in range(2):
        assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    assert calls.paid == [payment.id]
    assert await events(session, payment) == [(OPEN, "start"), (PAID, "webhook")]


async def test_the_webhook_never_trusts_a_status_it_is_sent(session: AsyncSession, settings: Settings,
                                                            client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings)
    told = await client.post(WEBHOOK, data={"id": payment.provider_id, "status": "paid"})
    assert told.status_code == 200
    assert (await reload(session, payment)).status == OPEN
    assert calls.paid == []


async def test_webhook_and_return_page_at_the_same_time_count_once(
        session: AsyncSession, settings: Settings, client: httpx.AsyncClient, calls: Calls,
        monkeypatch: pytest.MonkeyPatch) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    both_asked = asyncio.Barrier(2)
    fetch = simulator.SimulatorProvider.fetch

    async def fetch_together(self: simulator.SimulatorProvider, db: AsyncSession, provider_id: str) -> Reported:
        reported = await fetch(self, db, provider_id)
        await asyncio.wait_for(both_asked.wait(), 10)  # both have read "paid" before either writes it
        return reported

    monkeypatch.setattr(simulator.SimulatorProvider, "fetch", fetch_together)
    webhook, back = await asyncio.gather(client.post(WEBHOOK, data={"id": payment.provider_id}),
                                         client.get(f"/betalen/{payment.id}/terug"))
    assert (webhook.status_code, back.status_code) == (200, 303)
    assert calls.paid == [payment.id]
    assert [status for status, _ in await events(session, payment)].count(PAID) == 1


async def test_the_return_page_before_the_webhook(session: AsyncSession, settings: Settings,
                                                  client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings, return_url="/")
    await pay_at_provider(session, payment)
    back = await client.get(f"/betalen/{payment.id}/terug")
    assert (back.status_code, back.headers["location"]) == (303, "/")
    assert (await reload(session, payment)).status == PAID
    assert calls.paid == [payment.id]
    home = await client.get("/")
    assert "niet bevestigd" not in home.text and "mislukt" not in home.text
    assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    assert calls.paid == [payment.id]
    assert await events(session, payment) == [(OPEN, "start"), (PAID, "return")]


async def test_an_open_payment_returns_with_a_message(session: AsyncSession, settings: Settings,
                                                      client: httpx.AsyncClient) -> None:
    payment = await start(session, settings)
    back = await client.get(f"/betalen/{payment.id}/terug")
    assert back.headers["location"] == "/"
    assert "Uw betaling is nog niet bevestigd" in (await client.get("/")).text
    assert (await client.get("/betalen/00000000-0000-4000-8000-000000000000/terug")).status_code == 404


async def test_a_listener_that_fails_leaves_the_payment_open_until_it_succeeds(
        session: AsyncSession, settings: Settings, app: object, calls: Calls) -> None:
    payment = await start(session, settings)
    payment_id = payment.id
    await pay_at_provider(session, payment)
    calls.fail_next_paid = 1
    provider = simulator.SimulatorProvider()
    with pytest.raises(RuntimeError):
        await service.refresh(session, payment, provider, source="webhook")
    await session.rollback()
    payment = await service.get(session, payment_id)
    assert payment.status == OPEN  # not paid without what the payment was for
    await service.refresh(session, payment, provider, source="check")
    await session.commit()
    assert (await reload(session, payment)).status == PAID
    assert calls.paid == [payment.id]


async def test_another_amount_is_refused_and_kept_for_a_person(session: AsyncSession, settings: Settings,
                                                               client: httpx.AsyncClient, calls: Calls) -> None:
    payment = await start(session, settings, amount_cents=1250)
    await session.execute(update(SimulatedPayment).where(SimulatedPayment.id == payment.provider_id)
                          .values(amount_cents=1))
    await session.commit()
    await pay_at_provider(session, payment)
    assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    payment = await reload(session, payment)
    assert payment.status == OPEN
    assert payment.problem is not None and "1 cents EUR" in payment.problem
    assert calls.paid == []
    back = await client.get(f"/betalen/{payment.id}/terug")
    assert back.headers["location"] == "/"
    assert "Er is iets mis met deze betaling" in (await client.get("/")).text
    assert (await reload(session, payment)).status == OPEN
    assert ("paid", "webhook") in await events(session, payment)


async def test_another_currency_is_refused(session: AsyncSession, settings: Settings, calls: Calls) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    reported = Reported(id=payment.provider_id, status=PAID, amount_cents=payment.amount_cents, currency="USD")
    with pytest.raises(service.PaymentMismatch):
        await service.apply(session, payment, reported, "webhook")
    await session.commit()
    assert ((await reload(session, payment)).status, calls.paid) == (OPEN, [])


async def test_a_webhook_for_an_unknown_payment_is_answered_and_ignored(session: AsyncSession, settings: Settings,
                                                                        client: httpx.AsyncClient) -> None:
    payment = await start(session, settings)
    await pay_at_provider(session, payment)
    for provider_id in ("sim_ffffffffffffffffffff", "tr_unknown"):
        answer = await client.post(WEBHOOK, data={"id": provider_id})
        assert (answer.status_code, answer.content) == (200, b"")
    mollie = await client.post("/api/betalingen/v1/webhooks/mollie", data={"id": payment.provider_id})
    assert mollie.status_code == 200  # the id exists, but not at that provider
    assert (await reload(session, payment)).status == OPEN
    assert await session.scalar(select(func.count()).select_from(PaymentEvent)) == 1
    assert (await client.post("/api/betalingen/v1/webhooks/anders", data={"id": "x"})).status_code == 404
    assert (await client.post(WEBHOOK, data={})).status_code == 400
    assert await session.scalar(select(func.count()).select_from(Payment).where(Payment.status == PAID)) == 0
