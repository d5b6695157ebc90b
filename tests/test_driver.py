"""Ready statements give what session.execute gives, in the session's transaction, with SQLAlchemy's errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any, cast

import asyncpg
import pytest
from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.driver import Ready
from plein.notifications.models import Kanaal

KANALEN = cast(Table, Kanaal.__table__)
ADD = Ready(insert(KANALEN).values({name: bindparam(name) for name in ("id", "naam", "documentatie_link", "filters",
                                                                       "created_at")})
            .returning(KANALEN.c.id, KANALEN.c.filters, KANALEN.c.created_at))
READ = Ready(select(Kanaal.id, Kanaal.naam, Kanaal.filters, Kanaal.created_at).where(Kanaal.naam == bindparam("naam")))


def kanaal(naam: str) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "naam": naam, "documentatie_link": "https://example.org/doc",
            "filters": ["bronorganisatie", "zaaktype"], "created_at": dt.datetime(2026, 12, 6, 11, 0, tzinfo=dt.UTC)}


async def test_a_ready_statement_reads_and_writes_the_values_session_execute_does(session: AsyncSession) -> None:
    values = kanaal("ready")
    returned = (await ADD.rows(session, values))[0]
    assert tuple(returned) == (values["id"], values["filters"], values["created_at"])
    by_session = (await session.execute(READ.statement, {"naam": "ready"})).one()
    by_ready = (await READ.rows(session, {"naam": "ready"}))[0]
    assert tuple(by_ready) == tuple(by_session) == (values["id"], "ready", values["filters"], values["created_at"])
    assert isinstance(by_ready[0], uuid.UUID) and by_ready[3].tzinfo is not None
    assert await READ.scalar(session, {"naam": "no such kanaal"}) is None


async def test_a_ready_write_is_part_of_the_sessions_transaction(session: AsyncSession) -> None:
    await ADD.rows(session, kanaal("undone"))
    await session.rollback()
    assert await READ.scalar(session, {"naam": "undone"}) is None
    await ADD.rows(session, kanaal("kept"))
    await session.commit()
    await session.rollback()  # nothing left to undo: the commit took the write along
    assert await READ.scalar(session, {"naam": "kept"}) is not None


async def test_a_ready_statement_raises_sqlalchemys_errors_and_the_session_recovers(session: AsyncSession) -> None:
    await ADD.rows(session, kanaal("twice"))
    await session.commit()
    with pytest.raises(IntegrityError):
        await ADD.rows(session, kanaal("twice"))
    await session.rollback()
    assert len(await READ.rows(session, {"naam": "twice"})) == 1


async def test_expanding_parameters_are_refused_on_postgresql(session: AsyncSession) -> None:
    expanding = Ready(select(Kanaal.id).where(Kanaal.naam.in_(bindparam("names", expanding=True))))
    if session.get_bind().dialect.name != "postgresql":
        assert await expanding.rows(session, {"names": ["a"]}) == []
        return
    with pytest.raises(ValueError, match="among"):
        await expanding.rows(session, {"names": ["a"]})


async def test_a_connection_that_died_fails_one_statement_and_is_replaced(app: Any, session: AsyncSession) -> None:
    """As with SQLAlchemy's own execution: the statement on the dead connection fails, the next one gets a new one."""
    if session.get_bind().dialect.name != "postgresql":
        assert await READ.rows(session, {"naam": "x"}) == []  # SQLite has no server connection to lose
        return
    async with app.state.sessions() as first:
        await READ.rows(first, {"naam": "x"})
        backend = await first.scalar(text("SELECT pg_backend_pid()"))
        await first.commit()
    url = session.get_bind().url.set(drivername="postgresql").render_as_string(hide_password=False)
    killer = await asyncpg.connect(url)
    try:
        assert await killer.fetchval("SELECT pg_terminate_backend($1)", backend)
        for _ in range(100):  # until the backend has gone, not only been told to
            if not await killer.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", backend):
                break
            await asyncio.sleep(0.05)
    finally:
        await killer.close()
    async with app.state.sessions() as second:
        with pytest.raises(DBAPIError):
            await READ.rows(second, {"naam": "x"})
    async with app.state.sessions() as third:
        assert await READ.rows(third, {"naam": "x"}) == []
