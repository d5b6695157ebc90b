"""Identificaties that ZGW resources get when the client gives none: `ZAAK-2026-0000000001`, unique per
bronorganisatie, also under concurrent creates.

One counter row per (bronorganisatie, kind, year) is advanced with a single upsert, so two creates never draw the
same number. On PostgreSQL the upsert runs in its own short transaction on a small pool of its own: the counter
row is locked for that one statement only, not until the create commits, so concurrent creates of one
organisation do not queue behind each other. The price is that a create that fails afterwards leaves a gap in
the numbers; the standard asks for unique identificaties, not for gapless ones. SQLite has one writer at a time,
so there (and in sessions without that pool: CLI, demo, scripts) the upsert is part of the create's own
transaction, and a failed create returns its number.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Integer, String, bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from plein import clock
from plein.db import Base
from plein.driver import Ready


class IdentificatieCounter(Base):
    """The last number handed out for one bronorganisatie, kind (ZAAK, DOCUMENT, BESLUIT) and year."""

    __tablename__ = "zgw_identificatie_counters"

    bronorganisatie: Mapped[str] = mapped_column(String(9), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


COUNTER_ENGINE = "identificatie_counters"  # the key in session.info of the engine numbers are drawn on


def counter_engine(settings_url: str) -> AsyncEngine | None:
    """The small autocommit pool `plein serve` draws numbers on (PostgreSQL only; None on SQLite). Put it in the
    session factory's info under COUNTER_ENGINE and dispose of it with the main engine."""
    if not settings_url.startswith("postgresql"):
        return None
    return create_async_engine(settings_url, pool_size=2, max_overflow=2, pool_recycle=1800,
                               isolation_level="AUTOCOMMIT")


async def next_identificatie(session: AsyncSession, bronorganisatie: str, kind: str,
                             today: dt.date | None = None) -> str:
    """The next free identificatie for this organisation and kind, e.g. `ZAAK-2026-0000000042`."""
    year = (today or clock.today()).year
    counters = session.info.get(COUNTER_ENGINE)
    if isinstance(counters, AsyncEngine):
        statement, parameters = _advance(pg_insert, bronorganisatie, kind, year)
        async with counters.connect() as connection:
            number = (await statement.connection_rows(connection, parameters))[0][0]
    else:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        statement, parameters = _advance(pg_insert if dialect == "postgresql" else sqlite_insert, bronorganisatie,
                                         kind, year)
        number = (await statement.rows(session, parameters))[0][0]
    return f"{kind}-{year}-{number:010d}"


def _advance(insert: Any, bronorganisatie: str, kind: str, year: int) -> tuple[Ready, dict[str, Any]]:
    """The upsert that moves the counter on (built once per dialect) and its parameters."""
    statement = _ADVANCE.get(insert)
    if statement is None:
        counter = IdentificatieCounter
        upsert = insert(counter).values(bronorganisatie=bindparam("b"), kind=bindparam("k"), year=bindparam("y"),
                                        last=1)
        statement = _ADVANCE[insert] = Ready(upsert.on_conflict_do_update(
            index_elements=["bronorganisatie", "kind", "year"], set_={"last": counter.last + 1},
        ).returning(counter.last))
    return statement, {"b": bronorganisatie, "k": kind, "y": year}


_ADVANCE: dict[Any, Ready] = {}
GENERATED = re.compile(r"([A-Z]+)-([0-9]{4})-([0-9]{10})")


async def claim(session: AsyncSession, bronorganisatie: str, kind: str, identificatie: str) -> None:
    """A client chose this identificatie itself: when it has the shape the generator makes (`ZAAK-2026-…`), move
    the counter past it, so that the generator never hands it out again (a number of another organisation's
    series, or of one's own). Other identificaties cannot collide with generated ones and cost nothing."""
    found = GENERATED.fullmatch(identificatie)
    if found is None or found.group(1) != kind:
        return
    year, number = int(found.group(2)), int(found.group(3))
    counters = session.info.get(COUNTER_ENGINE)
    if isinstance(counters, AsyncEngine):
        statement, parameters = _raise(pg_insert, bronorganisatie, kind, year, number)
        async with counters.connect() as connection:
            await statement.connection_rows(connection, parameters)
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement, parameters = _raise(pg_insert if dialect == "postgresql" else sqlite_insert, bronorganisatie, kind,
                                   year, number)
    await statement.rows(session, parameters)


def _raise(insert: Any, bronorganisatie: str, kind: str, year: int, number: int) -> tuple[Ready, dict[str, Any]]:
    """The upsert that moves the counter to at least `number` (built once per dialect) and its parameters."""
    statement = _RAISE.get(insert)
    if statement is None:
        counter = IdentificatieCounter
        upsert = insert(counter).values(bronorganisatie=bindparam("b"), kind=bindparam("k"), year=bindparam("y"),
                                        last=bindparam("n"))
        statement = _RAISE[insert] = Ready(upsert.on_conflict_do_update(
            index_elements=["bronorganisatie", "kind", "year"],
            set_={"last": case((counter.last < upsert.excluded.last, upsert.excluded.last), else_=counter.last)},
        ).returning(counter.last))
    return statement, {"b": bronorganisatie, "k": kind, "y": year, "n": number}


_RAISE: dict[Any, Ready] = {}
