"""Database access: the async engine and session factory, the declarative Base and portable column types."""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import JSON, ColumnElement, DateTime, MetaData, TypeDecorator, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from plein.settings import Settings

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")
POOL_RECYCLE = 1800


class Base(DeclarativeBase):
    """Base of every table; constraint names follow one pattern so migrations stay portable."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores it naive, we give it back aware)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is dt.UTC:
            return value
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


RETRY_AFTER = 5  # seconds a client is told to wait when the database cannot be reached
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")  # connection exception; admin/crash shutdown; starting up


def unreachable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached right now (restarting, failing over, the connection
    dropped, the pool exhausted), rather than a fault of the request or of Plein: callers answer 503 with a
    Retry-After instead of 500."""
    from sqlalchemy import exc as errors

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, errors.TimeoutError | ConnectionError):  # the pool waited in vain; refused, reset
            return True
        if isinstance(current, errors.DBAPIError) and current.connection_invalidated:
            return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNREACHABLE_STATES):
            return True
        if type(current).__module__.startswith("asyncpg") and type(current).__name__ in (
                "ConnectionDoesNotExistError", "InternalClientError", "InterfaceError"):
            return True  # the server went away in the middle of a statement or of a rollback
        current = current.__cause__ or current.__context__
    return False


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


def time_ordered_uuid() -> uuid.UUID:
    """A UUID laid out as version 7 (RFC 9562): the Unix time in milliseconds, then random bits. Rows keyed by it go
    to the end of their index instead of to a random page: for a table that grows by millions (the processing log)
    that keeps inserting cheap once the index no longer fits in memory."""
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & 0xFFFF_FFFF_FFFF) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC variant
    return uuid.UUID(int=value)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """Create the engine for the configured database; on SQLite make the folder and turn on foreign keys."""
    url = settings.database_url
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: it costs a round trip on every checkout (a tenth of a BRP lookup). A connection that died
    # (database restarted) fails the one request that uses it, and SQLAlchemy then renews the whole pool; idle
    # connections are renewed after POOL_RECYCLE seconds.
    options: dict[str, Any] = {"pool_size": settings.database_pool_size,
                               "max_overflow": settings.database_pool_overflow, "pool_recycle": POOL_RECYCLE,
                               "json_deserializer": orjson.loads, **kwargs}
    return create_async_engine(url, **options)


def ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def among(session: AsyncSession, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`: one parameter whatever the number of values, so the
    statement is neither re-rendered per list nor different per list length."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[bool], column == any_(bindparam(None, list(values), type_=ARRAY(column.type))))
    return cast(ColumnElement[bool], column.in_(list(values)))


def make_session_factory(engine: AsyncEngine, info: dict[str, Any] | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions on the engine; `info` is what every session carries in session.info (e.g. the counter pool)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info)

