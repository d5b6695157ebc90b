"""Tables of joint demand (wensen): a municipality's wish for a solution, the municipalities that joined it, and
each step in its history (posted, joined, left, commissioned, fulfilled)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow
from plein.organisations.models import Organisation
from plein.store.models import App, Release


class Wish(Base):
    """A wish for a solution that municipalities commission together: open → commissioned → fulfilled."""

    __tablename__ = "store_wishes"
    __table_args__ = (Index("ix_store_wishes_status_created", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    identifier: Mapped[str] = mapped_column(String(40), unique=True)  # WENS-2026-0001
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)  # the poster
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    standards: Mapped[list[str]] = mapped_column(JSONType, default=list)
    budget_cents: Mapped[int] = mapped_column(BigInteger)  # the estimated budget of the whole commission
    split: Mapped[str] = mapped_column(String(20))  # equal | per-inhabitant
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | commissioned | fulfilled
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    commissioner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    commission_note: Mapped[str | None] = mapped_column(Text)
    commissioned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    commissioned_by: Mapped[str | None] = mapped_column(String(200))
    app_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("store_apps.id"))
    release_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("store_releases.id"))
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fulfilled_by: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")
    commissioner: Mapped[Organisation | None] = relationship(foreign_keys=[commissioner_id], lazy="joined")
    app: Mapped[App | None] = relationship(lazy="joined")
    release: Mapped[Release | None] = relationship(lazy="joined")


class WishParticipant(Base):
    """A municipality that joined a wish (the poster joins its own); leaving removes the row, the event stays."""

    __tablename__ = "store_wish_participants"
    __table_args__ = (UniqueConstraint("wish_id", "organisation_id", name="uq_store_wish_participants_wish_org"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    wish_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_wishes.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    joined_by: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class WishEvent(Base):
    """One step in a wish's history, with the municipality it concerns and the municipalities that were told."""

    __tablename__ = "store_wish_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    wish_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_wishes.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # posted | joined | left | commissioned | fulfilled
    municipality: Mapped[str | None] = mapped_column(String(20))  # the code of who joined or left
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notified: Mapped[list[str]] = mapped_column(JSONType, default=list)  # codes of the municipalities told
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
