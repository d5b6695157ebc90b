"""Tables of the exchange layer: processing activities, grants, and the append-only, hash-chained processing log."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.auth.models import ApiClient
from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow
from plein.organisations.models import Organisation


class ProcessingActivity(Base):
    """One entry of an organisation's processing register (AVG art. 30): why personal data is processed."""

    __tablename__ = "exchange_activities"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(500))
    retention_period: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Grant(Base):
    """A client's right to read these fields of a register (access read), or to make one kind of change to it (access
    write, with the mutation), for one processing activity, maybe in one municipality."""

    __tablename__ = "exchange_grants"
    __table_args__ = (Index("ix_exchange_grants_client_register", "client_id", "register", "activity_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"))
    register: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    access: Mapped[str] = mapped_column(String(10), default="read", server_default="read")
    mutation: Mapped[str | None] = mapped_column(String(30))  # write grants: the kind of change (e.g. verhuizing)
    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exchange_activities.id"), index=True)
    municipality: Mapped[str | None] = mapped_column(String(4))
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    adoption_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # no FK: the store owns adoptions
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    client: Mapped[ApiClient] = relationship(lazy="joined")
    activity: Mapped[ProcessingActivity] = relationship(lazy="joined")

    def is_live(self, at: dt.datetime) -> bool:
        """Valid at this moment and not revoked."""
        if self.revoked_at is not None or self.valid_from > at:
            return False
        return self.valid_until is None or at < self.valid_until


class LogRecord(Base):
    """One person delivered to one client (action read), or one person's data changed by one (action write):
    append-only (database triggers refuse UPDATE and DELETE), hash-chained."""

    __tablename__ = "exchange_log"
    __table_args__ = (Index("ix_exchange_log_subject_at", "subject", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    trace_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    client_id: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(100))
    register: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    action: Mapped[str] = mapped_column(String(10), default="read", server_default="read")
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The single row (id 1) holding the newest record's position and hash; appends lock it to stay in order."""

    __tablename__ = "exchange_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class LogNode(Base):
    """The hash of complete subtree `number` of one level of the log's Merkle tree (level 1 and up: leaves are
    hashed from the records), written by the checkpointer and never changed (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "exchange_log_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(Base):
    """A signed statement of the log's size, Merkle root and chain head at a moment; append-only like the log."""

    __tablename__ = "exchange_log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
