"""Tables of the Documenten API: an informatieobject and its versions, the bestandsdelen of an upload in progress,
gebruiksrechten, objectinformatieobjecten and verzendingen.

An enkelvoudiginformatieobject keeps one row (`Informatieobject`: the uuid in its URL, the lock, the current version
number and the identificatie that must be unique per bronorganisatie) and one `InformatieobjectVersie` per version:
every change writes a new version, so older ones stay readable with `?versie=` and `?registratieOp=`. The contents
live in file storage (see `content.py` for the keys); a version names its file, and versions that did not change the
contents share it. The informatieobjecttype is kept as the uuid of the local Catalogi resource, so URLs follow the
host the API is reached on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow


class Informatieobject(Base):
    """What all versions of one enkelvoudiginformatieobject share: its uuid, the lock and the current version."""

    __tablename__ = "zgw_informatieobjecten"
    __table_args__ = (UniqueConstraint("bronorganisatie", "identificatie"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    bronorganisatie: Mapped[str] = mapped_column(String(9))
    identificatie: Mapped[str] = mapped_column(String(40), index=True)
    versie: Mapped[int] = mapped_column(default=1)
    lock: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class InformatieobjectVersie(Base):
    """One version of an enkelvoudiginformatieobject, as it was registered from `begin_registratie` on."""

    __tablename__ = "zgw_informatieobject_versies"
    __table_args__ = (UniqueConstraint("informatieobject_id", "versie"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zgw_informatieobjecten.id", ondelete="CASCADE"))
    versie: Mapped[int]
    begin_registratie: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    identificatie: Mapped[str] = mapped_column(String(40))
    bronorganisatie: Mapped[str] = mapped_column(String(9))
    creatiedatum: Mapped[dt.date] = mapped_column(Date)
    titel: Mapped[str] = mapped_column(String(200))
    vertrouwelijkheidaanduiding: Mapped[str] = mapped_column(String(20))
    auteur: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="")
    formaat: Mapped[str] = mapped_column(String(255), default="")
    taal: Mapped[str] = mapped_column(String(3))
    bestandsnaam: Mapped[str] = mapped_column(String(255), default="")
    bestandsomvang: Mapped[int | None] = mapped_column(BigInteger)
    inhoud_key: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(200), default="")
    beschrijving: Mapped[str] = mapped_column(String(1000), default="")
    ontvangstdatum: Mapped[dt.date | None] = mapped_column(Date)
    verzenddatum: Mapped[dt.date | None] = mapped_column(Date)
    indicatie_gebruiksrecht: Mapped[bool | None]
    verschijningsvorm: Mapped[str] = mapped_column(Text, default="")
    ondertekening: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    integriteit: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    informatieobjecttype_id: Mapped[uuid.UUID] = mapped_column(index=True)
    trefwoorden: Mapped[list[str]] = mapped_column(JSONType, default=list)


class BestandsDeel(Base):
    """One part of a contents upload in progress (volgnummer from 1); `inhoud_key` is set once it is uploaded."""

    __tablename__ = "zgw_bestandsdelen"
    __table_args__ = (UniqueConstraint("informatieobject_id", "volgnummer"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zgw_informatieobjecten.id", ondelete="CASCADE"))
    volgnummer: Mapped[int]
    omvang: Mapped[int] = mapped_column(BigInteger)
    inhoud_key: Mapped[str | None] = mapped_column(String(300))


class Gebruiksrechten(Base):
    """Conditions on the use of an informatieobject beyond consultation (drc-006 sets its indicatie)."""

    __tablename__ = "zgw_gebruiksrechten"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zgw_informatieobjecten.id", ondelete="CASCADE"), index=True)
    startdatum: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    einddatum: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    omschrijving_voorwaarden: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ObjectInformatieobject(Base):
    """The mirror of a zaakinformatieobject or besluitinformatieobject; while one exists the document stays
    (drc-008: no foreign-key cascade)."""

    __tablename__ = "zgw_objectinformatieobjecten"
    __table_args__ = (UniqueConstraint("informatieobject_id", "object"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_informatieobjecten.id"))
    object: Mapped[str] = mapped_column(String(1000), index=True)
    object_type: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Verzending(Base):
    """That an informatieobject was sent to (geadresseerde) or received from (afzender) a betrokkene, at one
    address."""

    __tablename__ = "zgw_verzendingen"
    __table_args__ = (Index("ix_zgw_verzendingen_informatieobject_id_aard_relatie", "informatieobject_id",
                            "aard_relatie"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    informatieobject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zgw_informatieobjecten.id", ondelete="CASCADE"))
    betrokkene: Mapped[str] = mapped_column(String(200), index=True)
    aard_relatie: Mapped[str] = mapped_column(String(20))
    toelichting: Mapped[str] = mapped_column(String(200), default="")
    ontvangstdatum: Mapped[dt.date | None] = mapped_column(Date)
    verzenddatum: Mapped[dt.date | None] = mapped_column(Date)
    contact_persoon: Mapped[str] = mapped_column(String(1000))
    contactpersoonnaam: Mapped[str] = mapped_column(String(40), default="")
    binnenlands_correspondentieadres: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    buitenlands_correspondentieadres: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    correspondentie_postadres: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    faxnummer: Mapped[str | None] = mapped_column(String(15))
    emailadres: Mapped[str | None] = mapped_column(String(100))
    mijn_overheid: Mapped[bool] = mapped_column(default=False)
    telefoonnummer: Mapped[str | None] = mapped_column(String(15))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
