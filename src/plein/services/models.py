"""Tables of the service engine: aanvragen (a form on its way to a decision), their uploads and consent requests; and
the one statement that moves an aanvraag to its next status."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from plein.db import Base, JSONType, UTCDateTime, time_ordered_uuid, utcnow

CONCEPT, INGEDIEND, TOEGEKEND, AFGEWEZEN = "concept", "ingediend", "toegekend", "afgewezen"
STATUSES = (CONCEPT, INGEDIEND, TOEGEKEND, AFGEWEZEN)
DECIDED = (TOEGEKEND, AFGEWEZEN)
GEVRAAGD, GEGEVEN, GEWEIGERD = "gevraagd", "gegeven", "geweigerd"


class Aanvraag(Base):
    """One use of a service by one citizen or company: a concept while the form is filled in, then submitted as a
    zaak of the handling municipality, then decided. Answers and the register data it was checked against are
    kept with it (the zaak holds the case; this row holds what the engine needs to run and to show it)."""

    __tablename__ = "service_aanvragen"
    __table_args__ = (
        UniqueConstraint("subject_kind", "subject", "idempotency_key"),
        Index("ix_service_aanvragen_subject", "subject_kind", "subject", "status"),
        Index("ix_service_aanvragen_werkvoorraad", "municipality", "status", "submitted_at"),
        Index("ix_service_aanvragen_pending", "status", "automatic", "decide_after"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=time_ordered_uuid)
    app: Mapped[str] = mapped_column(String(100))
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_releases.id"))
    municipality: Mapped[str] = mapped_column(String(4))  # CBS code of the municipality that handles it
    entry_municipality: Mapped[str] = mapped_column(String(4))  # the municipality whose page it was started on
    subject_kind: Mapped[str] = mapped_column(String(10))  # citizen | business
    subject: Mapped[str] = mapped_column(String(20))  # BSN or KvK number
    branch: Mapped[str | None] = mapped_column(String(12))  # a business's vestigingsnummer
    acting_person: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default=CONCEPT)
    step: Mapped[str | None] = mapped_column(String(60))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prefill: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    appointment: Mapped[bool] = mapped_column(default=False)
    automatic: Mapped[bool] = mapped_column(default=False)  # the decision rule held at submission
    decide_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # when the worker may decide it
    automatic_note: Mapped[str | None] = mapped_column(Text)  # why an automatic decision went to a case worker
    zaak_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # no FK: the zgw domain owns zaken
    zaak_url: Mapped[str | None] = mapped_column(String(300))
    zaak_identificatie: Mapped[str | None] = mapped_column(String(40))
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # the zaak's uiterlijke einddatum afdoening
    reason: Mapped[str | None] = mapped_column(Text)  # the decision's reason, as the citizen reads it
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    effects: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Bestand(Base):
    """A file uploaded for a document question of an aanvraag; at submission it becomes a document of the zaak
    (the contents stay where they were stored)."""

    __tablename__ = "service_bestanden"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=time_ordered_uuid)
    aanvraag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_aanvragen.id", ondelete="CASCADE"),
                                                   index=True)
    question: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))
    formaat: Mapped[str] = mapped_column(String(100))  # the media type the contents were recognised as
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    document_id: Mapped[uuid.UUID | None] = mapped_column()  # the enkelvoudiginformatieobject, once submitted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Toestemming(Base):
    """Consent that someone else gives for an aanvraag in their own portal (e.g. the main occupant of the new
    address); the aanvraag waits for it before it can be decided."""

    __tablename__ = "service_toestemmingen"
    __table_args__ = (Index("ix_service_toestemmingen_asked", "asked_bsn", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=time_ordered_uuid)
    aanvraag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_aanvragen.id", ondelete="CASCADE"),
                                                   index=True)
    consent: Mapped[str] = mapped_column(String(60))  # the id of the consent in the service definition
    asked_bsn: Mapped[str] = mapped_column(String(9))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=GEVRAAGD)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


async def claim(session: AsyncSession, aanvraag: Aanvraag, before: str, after: str) -> bool:
    """Move the aanvraag from `before` to `after` in the database before anything else of the transaction, so that
    of two requests doing the same (a double click, two case workers) one goes on and the other finds it moved (on
    PostgreSQL it waits for the row until the first commits). False: it was not in `before` any more."""
    moved = await session.execute(update(Aanvraag).where(Aanvraag.id == aanvraag.id, Aanvraag.status == before)
                                  .values(status=after).execution_options(synchronize_session=False))
    if not getattr(moved, "rowcount", 0):
        return False
    set_committed_value(aanvraag, "status", after)  # the database has it already: no second UPDATE at the flush
    return True
