"""Hot statements run straight on the session's asyncpg connection under PostgreSQL, compiled once.

`session.execute` of a Core statement costs about 100 µs more CPU than asyncpg alone on this kind of machine
(cache key, parameter and result processing, the greenlet hop). The few statements that every ZGW write or BRP
lookup runs are wrapped in a `Ready`. A Ready runs in the session's transaction, on the session's connection. It
uses the statement's own bind and result processors, so values come out as they would from SQLAlchemy, and
database errors are SQLAlchemy's (IntegrityError, …). On SQLite it is simply `session.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy import ColumnElement, Table, bindparam, insert
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.exc import DBAPIError, ResourceClosedError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    compiled: Any  # SQLCompiled: supplies the values written into the statement (construct_params)
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, processor) for the columns that have one


class Ready:
    """A Core statement (select, insert/update with RETURNING, text) that runs on the driver under PostgreSQL.

    Statements with expanding IN parameters are refused at first use: write one value as `=` and several as
    `= ANY` of an array (plein.db.among). Mind the plans: PostgreSQL keeps one generic plan for a prepared statement
    only when it looks no costlier than a fresh one, and `= ANY` of an array of unknown length looks costlier, so
    such a statement is planned again on every run (for a BRP lookup that doubled PostgreSQL's CPU)."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None

    async def rows(self, session: AsyncSession, parameters: Mapping[str, Any] | None = None) -> Sequence[Sequence[Any]]:
        """All result rows, each indexable by position."""
        if session.get_bind().dialect.name != "postgresql":
            return _all(await session.execute(self.statement, parameters))
        return await self.connection_rows(await session.connection(), parameters)

    async def connection_rows(self, connection: AsyncConnection, parameters: Mapping[str, Any] | None = None
                              ) -> Sequence[Sequence[Any]]:
        """`rows` on a connection outside any session (e.g. of an autocommit pool)."""
        if connection.dialect.name != "postgresql":
            return _all(await connection.execute(self.statement, parameters))
        dialect = connection.dialect
        compiled = self._compiled or self._compile(dialect)
        values = compiled.compiled.construct_params(parameters)
        arguments = [value if process is None else process(value)
                     for process, value in zip(compiled.binds, (values[name] for name in compiled.names), strict=True)]
        adapter: Any = (await connection.get_raw_connection()).dbapi_connection
        driver = adapter.driver_connection
        try:
            if not driver.is_in_transaction():
                await adapter._start_transaction()  # as SQLAlchemy begins it, so that the session commits it
            found: list[Any] = await driver.fetch(compiled.sql, *arguments)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, dialect.loaded_dbapi.Error) as exc:
            error = _translated(adapter, dialect, compiled.sql, arguments, exc)
            if dialect.is_disconnect(cast(Any, error.orig), adapter, None):
                # as SQLAlchemy does: this connection is dropped, and the pool is renewed (others may be dead too)
                error.connection_invalidated = True
                await connection.invalidate(error)
                await connection.engine.dispose(close=False)
            raise error from exc
        if not compiled.results:
            return found
        processed = []
        for row in found:
            values = list(row)
            for index, process in compiled.results:
                values[index] = process(values[index])
            processed.append(values)
        return processed

    async def scalar(self, session: AsyncSession, parameters: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = await self.rows(session, parameters)
        return found[0][0] if found else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = cast(Any, self.statement).compile(dialect=dialect)
        sql = str(compiled)
        if "POSTCOMPILE" in sql:
            raise ValueError("a Ready statement cannot expand IN parameters; use plein.db.among")
        names = tuple(compiled.positiontup or ())
        binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        columns = getattr(self.statement, "exported_columns", ())
        processors = (column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        results = tuple((index, process) for index, process in enumerate(processors) if process is not None)
        self._compiled = _Compiled(sql, compiled, names, binds, results)
        return self._compiled


async def rows_of(session: AsyncSession, statement: Ready | Executable, parameters: Mapping[str, Any] | None = None
                  ) -> Iterable[Sequence[Any]]:
    """The rows of a Ready statement, or of any other statement through session.execute."""
    if isinstance(statement, Ready):
        return await statement.rows(session, parameters)
    return await session.execute(statement, parameters)


def _all(result: Result[Any]) -> Sequence[Sequence[Any]]:
    try:
        return result.all()
    except ResourceClosedError:  # a write without RETURNING
        return []


def ready_insert(table: Table, names: Iterable[str], *returning: ColumnElement[Any]) -> Ready:
    """An INSERT of one row whose values are the parameters with these names (the table's column names)."""
    statement = insert(table).values({name: bindparam(name) for name in names})
    return Ready(statement.returning(*returning) if returning else statement)


def _translated(adapter: Any, dialect: Dialect, sql: str, arguments: list[Any], error: Exception) -> DBAPIError:
    """The exception SQLAlchemy would have raised for this driver error (IntegrityError, OperationalError, …)."""
    if not isinstance(error, dialect.loaded_dbapi.Error):  # a driver error, not yet the adapter's DB-API error
        try:
            adapter._handle_exception(error)  # raises the adapter's DB-API error for it
        except dialect.loaded_dbapi.Error as translated:
            error = translated
    wrapped = DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error)
    assert isinstance(wrapped, DBAPIError)
    return wrapped
