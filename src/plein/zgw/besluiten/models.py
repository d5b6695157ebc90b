"""Tables of the Besluiten API: besluiten and the documents (besluitinformatieobjecten) that record them.

A besluit points at its besluittype and, optionally, at the zaak it is an outcome of by the uuid of the local Catalogi
and Zaken rows; URLs are made when a resource is shown, so they follow the host the API is reached on. When a zaak is
destroyed its besluiten stay (they live in another API) and lose the reference. A besluitinformatieobject keeps the
uuid of the document (the Documenten side mirrors the relation in an objectinformatieobject); it goes with its besluit.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, UTCDateTime, new_uuid, utcnow


class Besluit(Base):
    """A decision of an organisation (`verantwoordelijke_organisatie`), of one besluittype, with its dates."""

    __tablename__ = "zgw_besluiten"
    __table_args__ = (
        UniqueConstraint("verantwoordelijke_organisatie", "identificatie"),
        Index("ix_zgw_besluiten_created", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    identificatie: Mapped[str] = mapped_column(String(50), index=True)
    verantwoordelijke_organisatie: Mapped[str] = mapped_column(String(9), index=True)
    besluittype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_besluittypen.id"), index=True)
    zaak_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_zaken.id", ondelete="SET NULL"), index=True)
    datum: Mapped[dt.date] = mapped_column(Date)
    toelichting: Mapped[str] = mapped_column(Text, default="")
    bestuursorgaan: Mapped[str] = mapped_column(String(50), default="")
    ingangsdatum: Mapped[dt.date] = mapped_column(Date)
    vervaldatum: Mapped[dt.date | None] = mapped_column(Date)
    vervalreden: Mapped[str] = mapped_column(String(30), default="")
    publicatiedatum: Mapped[dt.date | None] = mapped_column(Date)
    verzenddatum: Mapped[dt.date | None] = mapped_column(Date)
    uiterlijke_reactiedatum: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BesluitInformatieObject(Base):
    """A document (enkelvoudiginformatieobject) in which the besluit is recorded (aardRelatie `legt_vast`, brc-004)."""

    __tablename__ = "zgw_besluitinformatieobjecten"
    __table_args__ = (
        UniqueConstraint("besluit_id", "informatieobject_id"),
        Index("ix_zgw_besluitinformatieobjecten_created", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    besluit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_besluiten.id", ondelete="CASCADE"), index=True)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
