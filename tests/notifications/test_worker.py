"""The delivery worker with a fake transport and clock: bodies, headers, backoff, parking, resending and leases."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict
from plein.notifications import service
from plein.notifications.models import Attempt
from plein.notifications.tasks import Worker, backoff, deliver_due
from plein.settings import Settings
from tests.notifications.helpers import ADMIN, AUTH, RSIN, ZAAKTYPE, deliveries, fast, publish_zaak, subscribe

URL = "http://ontvanger.test/callback"


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def transport(requests: list[httpx.Request], answer: Callable[[int], int] = lambda _: 204) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(answer(len(requests)), text="nee" if answer(len(requests)) >= 300 else "")

    return httpx.MockTransport(handle)


def worker(app: Any, settings: Settings, requests: list[httpx.Request], clock: Clock | None = None,
           answer: Callable[[int], int] = lambda _: 204, name: str | None = None) -> Worker:
    return Worker(app.state.sessions, settings, transport=transport(requests, answer), clock=clock or Clock(),
                  rng=random.Random(1), name=name)


async def test_a_zgw_notification_is_posted_with_its_headers(app: Any, session: AsyncSession,
                                                             settings: Settings) -> None:
    await subscribe(session, URL)
    message = await publish_zaak(session, 7)
    await session.commit()
    requests: list[httpx.Request] = []
    report = await deliver_due(app.state.sessions, fast(settings), transport=transport(requests))
    assert report.claimed == 1 and report.delivered == 1
    [request] = requests
    assert request.headers["Authorization"] == AUTH
    assert request.headers["Idempotency-Key"] == str(message.uuid)
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body == {
        "kanaal": "zaken", "hoofdObject": message.hoofd_object, "resource": "zaak",
        "resourceUrl": message.resource_url, "actie": "create", "aanmaakdatum": body["aanmaakdatum"],
        "kenmerken": {"bronorganisatie": RSIN, "zaaktype": ZAAKTYPE, "vertrouwelijkheidaanduiding": "openbaar"},
    }
    assert body["aanmaakdatum"].endswith("Z")
    [row] = await deliveries(session)
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at is not None
    assert row.locked_by is None and row.last_status_code == 204


async def test_a_cloudevent_in_the_nl_gov_profile(app: Any, session: AsyncSession, settings: Settings) -> None:
    await subscribe(session, URL, format="cloudevents")
    message = await publish_zaak(session, 8, actie="update")
    await session.commit()
    requests: list[httpx.Request] = []
    await deliver_due(app.state.sessions, fast(settings), transport=transport(requests))
    [request] = requests
    assert request.headers["Content-Type"].startswith("application/cloudevents+json")
    event = json.loads(request.content)
    assert event["specversion"] == "1.0"
    assert event["id"] == str(message.uuid) == request.headers["Idempotency-Key"]
    assert event["source"] == f"urn:nld:oin:00000001{RSIN}000:systeem:plein"
    assert event["type"] == "nl.plein.zaken.zaak-gewijzigd"
    assert event["subject"] == message.hoofd_object.rsplit("/", 1)[-1]
    assert event["dataref"] == message.resource_url
    assert event["datacontenttype"] == "application/json"
    assert event["time"].endswith("Z") and event["sequence"] == str(message.id)
    assert event["data"]["kanaal"] == "zaken" and event["data"]["actie"] == "update"


async def test_failures_back_off_and_park_after_the_last_attempt(app: Any, session: AsyncSession,
                                                                 settings: Settings) -> None:
    await subscribe(session, URL)
    await publish_zaak(session)
    await session.commit()
    clock, requests = Clock(), []
    limits = fast(settings, notifications_max_attempts=3, notifications_base_delay=10.0,
                  notifications_max_delay=15.0)
    async with worker(app, limits, requests, clock, answer=lambda _: 503) as first:
        assert (await first.run_once()).retrying == 1
        [row] = await deliveries(session)
        assert row.status == "pending" and row.attempts == 1 and row.last_status_code == 503
        assert row.last_error == "HTTP 503: nee"
        wait = (row.next_attempt_at - clock.now).total_seconds()
        assert 0 <= wait <= 10.0
        assert (await first.run_once()).claimed == (1 if wait == 0 else 0)
        clock.advance(15.0)
        await first.run_once()
        clock.advance(15.0)
        report = await first.run_once()
    assert report.parked == 1
    [row] = await deliveries(session)
    assert row.status == "parked" and row.attempts == 3 and row.parked_at is not None
    attempts = (await session.scalars(select(Attempt).order_by(Attempt.id))).all()
    assert [a.number for a in attempts] == [1, 2, 3] and {a.status_code for a in attempts} == {503}


async def test_a_receiver_that_fails_n_times_gets_it_in_the_end(app: Any, session: AsyncSession,
                                                                settings: Settings) -> None:
    await subscribe(session, URL)
    await publish_zaak(session)
    await session.commit()
    clock, requests = Clock(), []
    async with worker(app, fast(settings, notifications_max_attempts=5), requests, clock,
                      answer=lambda n: 500 if n <= 3 else 200) as sender:
        for _ in range(6):
            await sender.run_once()
            clock.advance(1.0)
    [row] = await deliveries(session)
    assert row.status == "delivered" and row.attempts == 4
    assert len({r.headers["Idempotency-Key"] for r in requests}) == 1


async def test_a_parked_delivery_can_be_resent(app: Any, session: AsyncSession, settings: Settings) -> None:
    await subscribe(session, URL)
    await publish_zaak(session)
    await session.commit()
    clock, requests = Clock(), []
    limits = fast(settings, notifications_max_attempts=1)
    async with worker(app, limits, requests, clock, answer=lambda n: 503 if n == 1 else 204) as sender:
        assert (await sender.run_once()).parked == 1
        [row] = await deliveries(session)
        resent = await service.resend(session, ADMIN, row.id)
        assert resent.status == "pending"
        with pytest.raises(Conflict):
            await service.resend(session, ADMIN, row.id)
        clock.advance(1.0)
        assert (await sender.run_once()).delivered == 1
    [row] = await deliveries(session)
    assert row.status == "delivered" and row.attempts == 2 and row.round_start == 1
    _, attempts = await service.get_delivery(session, ADMIN, row.id)
    assert [(a.number, a.status_code) for a in attempts] == [(1, 503), (2, 204)]


async def test_an_expired_lease_lets_another_worker_take_over(app: Any, session: AsyncSession,
                                                              settings: Settings) -> None:
    await subscribe(session, URL)
    await publish_zaak(session)
    await session.commit()
    clock, requests = Clock(), []
    limits = fast(settings)
    async with worker(app, limits, requests, clock, name="dies") as dying, \
            worker(app, limits, requests, clock, name="takes-over") as other:
        claimed, _ = await dying.claim()
        assert len(claimed) == 1
        assert (await other.claim())[0] == []
        clock.advance(limits.notifications_lease_seconds + 1)
        taken, lease_until = await other.claim()
        assert [item.id for item in taken] == [claimed[0].id]
        assert taken[0].attempts == 2 and "dies stopped during its attempt" in (taken[0].last_error or "")
        late = await dying.record(await dying.send_all(claimed, lease_until))
        assert late.delivered == 1
        [row] = await deliveries(session)
        assert row.status == "delivering" and row.locked_by == "takes-over"
        await other.record(await other.send_all(taken, lease_until))
    [row] = await deliveries(session)
    assert row.status == "delivered"
    assert len(requests) == 2


async def test_a_short_lease_hands_deliveries_back_unsent(app: Any, session: AsyncSession,
                                                          settings: Settings) -> None:
    await subscribe(session, URL)
    await publish_zaak(session)
    await session.commit()
    clock, requests = Clock(), []
    async with worker(app, fast(settings), requests, clock) as sender:
        claimed, lease_until = await sender.claim()
        clock.advance(4.0)  # the lease (5 s) has less left than the timeout (2 s) needs
        report = await sender.record(await sender.send_all(claimed, lease_until))
    assert report.handed_back == 1 and requests == []
    [row] = await deliveries(session)
    assert row.status == "pending" and row.attempts == 0


async def test_unknown_deliveries_and_resend_of_delivered(app: Any, session: AsyncSession) -> None:
    with pytest.raises(Exception, match="no delivery"):
        await service.resend(session, ADMIN, 999_999)
    with pytest.raises(Exception, match="no abonnement"):
        await service.get_abonnement(session, uuid.uuid4())


@given(attempt=st.integers(min_value=1, max_value=200), base=st.floats(0.001, 100), factor=st.floats(1, 1000),
       seed=st.integers(0, 2**32))
def test_backoff_stays_within_its_bounds(attempt: int, base: float, factor: float, seed: int) -> None:
    maximum = base * factor
    wait = backoff(attempt, base, maximum, random.Random(seed))
    assert 0 <= wait <= min(maximum, base * 2 ** (attempt - 1))
