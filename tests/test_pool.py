"""The PostgreSQL connection pool of a server process: its size and overflow are settings."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from plein.db import make_engine
from plein.settings import Settings
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: SQLite connections are not pooled")


@pytest.mark.parametrize(("overflow", "third_connects"), [(0, False), (1, True)])
async def test_a_full_pool_opens_only_as_many_more_as_the_overflow_allows(postgres_database: str, overflow: int,
                                                                         third_connects: bool) -> None:
    engine = make_engine(Settings(database_url=postgres_database, database_pool_size=2,
                                  database_pool_overflow=overflow))
    try:
        async with AsyncExitStack() as held:
            for _ in range(2):
                await held.enter_async_context(engine.connect())
            try:
                async with asyncio.timeout(1):
                    async with engine.connect():
                        connected = True
            except TimeoutError:
                connected = False
            assert connected is third_connects
    finally:
        await engine.dispose()
