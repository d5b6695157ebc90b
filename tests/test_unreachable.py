"""When the database cannot be reached (restarting, failing over), every kind of endpoint answers 503 with a
Retry-After, in its own shape, instead of a 500; an error that is Plein's own stays a logged 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sqlalchemy_errors

from plein.app import create_app, dispose_engines
from plein.auth.service import make_jwt
from plein.db import RETRY_AFTER, unreachable
from plein.settings import Settings

CLOSED = "postgresql+asyncpg://postgres@127.0.0.1:1/plein"  # nothing listens on port 1


@pytest.fixture
async def unreachable_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(env="test", database_url=CLOSED, data_dir=tmp_path / "data"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as client:
        yield client
    await dispose_engines(app)


async def test_every_kind_of_endpoint_answers_503_with_retry_after(unreachable_client: httpx.AsyncClient) -> None:
    token = {"Authorization": f"Bearer {make_jwt('some-client', 'a-secret-that-is-long-enough-for-hs256')}"}
    brp = await unreachable_client.post("/haalcentraal/api/brp/personen", headers=token, json={
        "type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["999993653"], "fields": ["naam"]})
    assert brp.status_code == 503 and brp.headers["Retry-After"] == str(RETRY_AFTER)
    assert brp.json()["code"] == "notAvailable"  # the Haal Centraal shape
    zaken = await unreachable_client.get("/zaken/api/v1/zaken", headers=token)
    assert zaken.status_code == 503 and zaken.headers["Retry-After"] == str(RETRY_AFTER)
    assert zaken.json()["code"] == "unavailable"
    page = await unreachable_client.get("/wensen")
    assert page.status_code == 503 and page.headers["Retry-After"] == str(RETRY_AFTER)
    assert "Even niet beschikbaar" in page.text and page.headers["content-type"].startswith("text/html")


def test_what_counts_as_an_unreachable_database() -> None:
    assert unreachable(ConnectionRefusedError(111, "Connect call failed"))
    assert unreachable(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"))
    assert unreachable(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))
    assert unreachable(sqlalchemy_errors.TimeoutError("QueuePool limit reached"))
    dropped = sqlalchemy_errors.DBAPIError("SELECT 1", {}, Exception("connection is closed"),
                                           connection_invalidated=True)
    assert unreachable(dropped)
    wrapped = RuntimeError("while answering")
    wrapped.__cause__ = ConnectionResetError("reset by peer")
    assert unreachable(wrapped)
    # Plein's own faults and bad requests are no reason to tell a client to come back later
    assert not unreachable(sqlalchemy_errors.OperationalError("SELECT x", {}, Exception("no such table: x")))
    assert not unreachable(asyncpg.exceptions.UndefinedTableError("relation does not exist"))
    assert not unreachable(ValueError("a bug"))
