"""Tables of the payments domain: what Plein asked to be paid and its status, the history of its status changes, and
the simulator's own payments (the provider's side of a simulated payment, in dev, demo and test)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, UTCDateTime, new_uuid, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")

OPEN, PAID, CANCELED, FAILED, EXPIRED = "open", "paid", "canceled", "failed", "expired"
STATUSES = (OPEN, PAID, CANCELED, FAILED, EXPIRED)
FAILURES = (CANCELED, FAILED, EXPIRED)  # final, and nothing was paid
EUR = "EUR"


class Payment(Base):
    """One payment Plein asked a provider for: what it is for (`reference`, e.g. aanvraag:<id>), the amount in euro
    cents, where the citizen pays (checkout_url) and returns to (return_url), and its status as the provider last
    reported it. The status leaves `open` once; `paid` is written by one conditional UPDATE (see service.apply)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_id"),
        Index("ix_payments_status_created_at", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)  # random: it is in the return URL
    reference: Mapped[str] = mapped_column(String(200), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # simulator | mollie
    provider_id: Mapped[str] = mapped_column(String(100))  # the provider's id, e.g. tr_… at Mollie
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default=EUR)
    description: Mapped[str] = mapped_column(String(255))
    return_url: Mapped[str] = mapped_column(String(2000))  # where the citizen goes once back from the provider
    checkout_url: Mapped[str] = mapped_column(String(2000), default="")  # where the citizen pays
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    problem: Mapped[str | None] = mapped_column(Text)  # why Plein refused what the provider reported (a person looks)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # last asked the provider
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the provider's expiry of an open payment
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def kind(self) -> str:
        """What the payment is for: the reference up to its first colon (`aanvraag` for aanvraag:<id>)."""
        return self.reference.partition(":")[0]


class PaymentEvent(Base):
    """One line of a payment's history: a status it got (or a report Plein refused), when, and who told Plein."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))  # start | webhook | return | check | simulator
    note: Mapped[str | None] = mapped_column(Text)


class SimulatedPayment(Base):
    """The simulator's side of a payment, as a real provider keeps it on its own servers: Plein's payments table
    only learns its status by asking (fetch), never from the simulator's page directly."""

    __tablename__ = "payment_simulator_payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # sim_<random>
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default=EUR)
    description: Mapped[str] = mapped_column(String(255))
    redirect_url: Mapped[str] = mapped_column(String(2000))
    webhook_url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
