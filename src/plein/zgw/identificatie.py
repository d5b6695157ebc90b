"""Identificaties that ZGW resources get when the client gives none: `ZAAK-2026-0000000001`, unique per
bronorganisatie, also under concurrent creates.

One counter row per (bronorganisatie, kind, year) is advanced with a single upsert; the row stays locked until the
creating transaction ends, so two transactions never draw the same number, and a rolled-back create returns its
number (no gaps from failures on PostgreSQL; SQLite has one writer at a time anyway).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base


class IdentificatieCounter(Base):
    """The last number handed out for one bronorganisatie, kind (ZAAK, DOCUMENT, BESLUIT) and year."""

    __tablename__ = "zgw_identificatie_counters"

    bronorganisatie: Mapped[str] = mapped_column(String(9), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


async def next_identificatie(session: AsyncSession, bronorganisatie: str, kind: str,
                             today: dt.date | None = None) -> str:
    """The next free identificatie for this organisation and kind, e.g. `ZAAK-2026-0000000042`."""
    year = (today or dt.date.today()).year
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    counter = IdentificatieCounter
    upsert = insert(counter).values(bronorganisatie=bronorganisatie, kind=kind, year=year, last=1)
    statement = upsert.on_conflict_do_update(
        index_elements=["bronorganisatie", "kind", "year"], set_={"last": counter.last + 1},
    ).returning(counter.last)
    number = (await session.execute(statement)).scalar_one()
    return f"{kind}-{year}-{number:010d}"
