"""Staff log-ins: the password hash runs off the event loop, an unknown account costs what a known one costs, and
failed log-ins per account and per address wait longer and longer, with a clear message."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import service as auth
from plein.auth import throttle
from tests.auth.helpers import csrf_of
from tests.factories import AMSTERDAM, staff

PASSWORD = "wachtwoord-123"


async def try_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    token = csrf_of((await client.get("/login")).text)
    return await client.post("/login", data={"username": username, "password": password, "csrf_token": token})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_failed_logins_wait_longer_and_longer_per_account(client: httpx.AsyncClient, session: AsyncSession,
                                                                app: FastAPI) -> None:
    await staff(session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    clock = Clock()
    app.state.login_throttle = throttle.LoginThrottle(clock)
    for _ in range(throttle.FREE_FAILURES):
        assert (await try_login(client, "beheerder@0363", "verkeerd-wachtwoord")).status_code == 400
    refused = await try_login(client, "beheerder@0363", PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Probeer het over 1 seconde opnieuw." in refused.text
    clock.now += 1
    assert (await try_login(client, "beheerder@0363", "nog-steeds-verkeerd")).status_code == 400
    assert app.state.login_throttle.wait(throttle.account_key("beheerder@0363")) == 2
    clock.now += 2
    assert (await try_login(client, "beheerder@0363", PASSWORD)).status_code == 303


def test_the_delay_grows_per_address_and_is_capped() -> None:
    clock = Clock()
    limiter = throttle.LoginThrottle(clock)
    for _ in range(30):
        limiter.failed(throttle.address_key("192.0.2.7"))
    assert limiter.wait(throttle.account_key("someone"), throttle.address_key("192.0.2.7")) == throttle.MAX_WAIT
    assert limiter.wait(throttle.address_key("192.0.2.8")) == 0
    clock.now += throttle.FORGET_AFTER + 1
    assert limiter.wait(throttle.address_key("192.0.2.7")) == 0


async def test_the_password_hash_does_not_block_the_event_loop(session: AsyncSession) -> None:
    await staff(session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.001)

    running = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    with pytest.raises(auth.AuthError):
        await asyncio.gather(*(auth.authenticate(session, "beheerder@0363", "verkeerd") for _ in range(1)))
    stop = True
    await running
    assert ticks >= 3  # the loop ran while argon2 worked in a thread


async def test_an_unknown_account_costs_what_a_known_one_costs(session: AsyncSession) -> None:
    await staff(session, "beheerder@0363", [(AMSTERDAM, "beheerder")])

    async def cost(username: str) -> float:
        start = time.perf_counter()
        with pytest.raises(auth.AuthError):
            await auth.authenticate(session, username, "verkeerd-wachtwoord")
        return time.perf_counter() - start

    await cost("niemand")  # the stand-in hash is made once
    known = min([await cost("beheerder@0363") for _ in range(3)])
    unknown = min([await cost("niemand") for _ in range(3)])
    assert unknown > known / 3  # without the stand-in hash an unknown account answers in well under a millisecond
