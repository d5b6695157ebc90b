"""Yearly numbers of what the store publishes: PLEIN-2026-0001 for advisories, WENS-2026-0001 for wishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from plein.db import utcnow
from plein.errors import Conflict

TRIES = 5
Row = TypeVar("Row")


async def next_identifier(session: AsyncSession, column: InstrumentedAttribute[str], series: str) -> str:
    """The number after the highest of this year in the series (past 9999 the numbers grow a digit)."""
    prefix = f"{series}-{utcnow().year}-"
    highest = await session.scalar(select(column).where(column.like(f"{prefix}%"))
                                   .order_by(func.length(column).desc(), column.desc()).limit(1))
    number = int(highest.removeprefix(prefix)) if highest and highest.removeprefix(prefix).isdigit() else 0
    return f"{prefix}{number + 1:04d}"


async def add_numbered(session: AsyncSession, model: Callable[..., Row], values: dict[str, Any],
                       column: InstrumentedAttribute[str], series: str, busy: str) -> Row:
    """A `model(identifier=…, **values)` added with the next free number (values may name related rows, so they
    are there without a load). Two added at the same moment may pick the same one: the unique index refuses the
    second, which takes the number after it (in a savepoint, so nothing else of the transaction is undone); after
    TRIES such collisions Conflict(busy)."""
    for _ in range(TRIES):
        identifier = await next_identifier(session, column, series)
        try:
            async with session.begin_nested():
                row = model(identifier=identifier, **values)
                session.add(row)
                await session.flush()
            return row
        except IntegrityError:
            continue
    raise Conflict(busy)
