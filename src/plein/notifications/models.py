"""Tables of the notifications domain: kanalen, abonnementen, the outbox of messages, deliveries and attempts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")

PENDING = "pending"
DELIVERING = "delivering"
DELIVERED = "delivered"
PARKED = "parked"
STATUSES = (PENDING, DELIVERING, DELIVERED, PARKED)
FORMATS = ("zgw", "cloudevents")


class Kanaal(Base):
    """A channel (ZGW: KANAAL, an "exchange") on which a source publishes; filters are its kenmerk names."""

    __tablename__ = "notification_kanalen"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    naam: Mapped[str] = mapped_column(String(50), unique=True)
    documentatie_link: Mapped[str] = mapped_column(String(200), default="")
    filters: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Abonnement(Base):
    """A subscription: where to deliver (callback URL with its Authorization header), in which format, for whom."""

    __tablename__ = "notification_abonnementen"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    callback_url: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(1000))  # a secret: Plein's admin API shows it masked
    format: Mapped[str] = mapped_column(String(20), default="zgw")
    owner: Mapped[str | None] = mapped_column(String(200), index=True)  # client_id of the client that made it
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # kept for the deliveries' history
    kanalen: Mapped[list[FilterGroup]] = relationship(
        back_populates="abonnement", lazy="selectin", cascade="all, delete-orphan", order_by="FilterGroup.position")


class FilterGroup(Base):
    """One kanaal of an abonnement with its filters on kenmerken ({kenmerk: value}; '*' matches anything)."""

    __tablename__ = "notification_filter_groups"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    abonnement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_abonnementen.id", ondelete="CASCADE"), index=True)
    kanaal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notification_kanalen.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filters: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    abonnement: Mapped[Abonnement] = relationship(back_populates="kanalen")
    kanaal: Mapped[Kanaal] = relationship(lazy="joined")


class Message(Base):
    """One notification in the outbox, written in the same transaction as the change it tells about."""

    __tablename__ = "notification_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)  # the idempotency id receivers see
    kanaal: Mapped[str] = mapped_column(String(50), index=True)
    hoofd_object: Mapped[str] = mapped_column(String(1000))
    resource: Mapped[str] = mapped_column(String(100))
    resource_url: Mapped[str] = mapped_column(String(1000))
    actie: Mapped[str] = mapped_column(String(100))
    aanmaakdatum: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kenmerken: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source_oin: Mapped[str | None] = mapped_column(String(20))  # the organisation on whose behalf it was published
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(Base):
    """One message to one abonnement: its status, attempts, next attempt and the lease of the worker sending it.

    While a worker sends, status is `delivering` and `next_attempt_at` equals `locked_until`, so a delivery whose
    worker died becomes due again when the lease expires: one index on (status, next_attempt_at) finds both.
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "abonnement_id"),
        Index("ix_notification_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("notification_messages.id"))
    abonnement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notification_abonnementen.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    round_start: Mapped[int] = mapped_column(Integer, default=0)  # attempts made before the last resend
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    parked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[Message] = relationship(lazy="joined", innerjoin=True)
    abonnement: Mapped[Abonnement] = relationship(lazy="joined", innerjoin=True)


class Attempt(Base):
    """One try to deliver: when, by which worker, the HTTP status or the error, how long it took."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("notification_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    worker: Mapped[str] = mapped_column(String(100))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
