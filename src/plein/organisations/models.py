"""Tables of the organisations domain."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow


class Organisation(Base):
    """A municipality or another organisation (a vendor, a cooperation) that publishes or adopts apps."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="municipality")
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    oin: Mapped[str] = mapped_column(String(20), unique=True)
    rsin: Mapped[str] = mapped_column(String(9))
    theme: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The day a municipality ceased to exist (table 33's Datum einde, e.g. merged into another); it stays with its
    # adoptions and history, but can no longer adopt.
    ended_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)

    @property
    def ended(self) -> bool:
        return self.ended_on is not None
