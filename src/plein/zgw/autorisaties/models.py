"""Tables of the Autorisaties API: applicaties, the client ids that identify them, and their autorisaties."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow


class Applicatie(Base):
    """An application that calls the ZGW APIs; its clients authenticate through the one client registry."""

    __tablename__ = "zgw_applicaties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    label: Mapped[str] = mapped_column(String(100))
    heeft_alle_autorisaties: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    clients: Mapped[list[ApplicatieClient]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ApplicatieClient.position")
    autorisaties: Mapped[list[Autorisatie]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Autorisatie.position")


class ApplicatieClient(Base):
    """One client id of an applicatie; a client id belongs to one applicatie only (ac-001)."""

    __tablename__ = "zgw_applicatie_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    applicatie_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_applicaties.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Autorisatie(Base):
    """Scopes on one component; for zrc/drc/brc limited to one type and (zrc/drc) a maximum confidentiality."""

    __tablename__ = "zgw_autorisaties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    applicatie_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_applicaties.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    component: Mapped[str] = mapped_column(String(10))
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    type_url: Mapped[str | None] = mapped_column(String(1000))
    max_vertrouwelijkheidaanduiding: Mapped[str | None] = mapped_column(String(20))
