"""Tables of the Catalogi API: a catalogus, its zaaktypen, informatieobjecttypen and besluittypen, and the parts of
a zaaktype (statustypen, roltypen, resultaattypen, eigenschappen, zaakobjecttypen, zaaktype-informatieobjecttypen).

References between types follow Catalogi 1.3: a zaaktype names its besluittypen by omschrijving and its deelzaaktypen
by identificatie, a besluittype and a resultaattype name informatieobjecttypen by omschrijving; these names are
version-independent and are turned into URLs of the versions valid on a date when read. The parts of a zaaktype
belong to one version of it (a foreign key). References to the VNG selectielijst and referentielijsten are kept as
the URLs given.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow

DURATION = 40


class Catalogus(Base):
    """The catalogus of one organisation (`rsin`) for one domain; each municipality has its own."""

    __tablename__ = "zgw_catalogussen"
    __table_args__ = (UniqueConstraint("rsin", "domein"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    domein: Mapped[str] = mapped_column(String(5), index=True)
    rsin: Mapped[str] = mapped_column(String(9))
    naam: Mapped[str | None] = mapped_column(String(200))
    versie: Mapped[str | None] = mapped_column(String(20))
    begindatum_versie: Mapped[dt.date | None] = mapped_column(Date)
    contactpersoon_beheer_naam: Mapped[str] = mapped_column(String(40))
    contactpersoon_beheer_telefoonnummer: Mapped[str] = mapped_column(String(20), default="")
    contactpersoon_beheer_emailadres: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class _Versioned:
    """Columns of the three types that are published: validity, the object's life span and the concept flag."""

    begin_geldigheid: Mapped[dt.date] = mapped_column(Date, index=True)
    einde_geldigheid: Mapped[dt.date | None] = mapped_column(Date)
    begin_object: Mapped[dt.date | None] = mapped_column(Date)
    einde_object: Mapped[dt.date | None] = mapped_column(Date)
    concept: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class _Provided:
    """Plein's own record of a version that an app provided when it was adopted (not part of the standard, never
    shown in the API): the app's id, the adoption, and a hash of the manifest definition it was made from."""

    provided_by_app: Mapped[str | None] = mapped_column(String(100))
    provided_by_adoption: Mapped[uuid.UUID | None] = mapped_column()
    definition_sha256: Mapped[str | None] = mapped_column(String(64))


class ZaakType(_Versioned, _Provided, Base):
    """One version of a zaaktype; versions share catalogus and identificatie and differ in validity."""

    __tablename__ = "zgw_zaaktypen"
    __table_args__ = (Index("ix_zgw_zaaktypen_catalogus_id_identificatie", "catalogus_id", "identificatie"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    catalogus_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_catalogussen.id", ondelete="CASCADE"))
    identificatie: Mapped[str] = mapped_column(String(50), index=True)
    omschrijving: Mapped[str] = mapped_column(String(80))
    omschrijving_generiek: Mapped[str] = mapped_column(String(80), default="")
    vertrouwelijkheidaanduiding: Mapped[str] = mapped_column(String(20))
    doel: Mapped[str] = mapped_column(Text)
    aanleiding: Mapped[str] = mapped_column(Text)
    toelichting: Mapped[str] = mapped_column(Text, default="")
    indicatie_intern_of_extern: Mapped[str] = mapped_column(String(6))
    handeling_initiator: Mapped[str] = mapped_column(String(20))
    onderwerp: Mapped[str] = mapped_column(String(80))
    handeling_behandelaar: Mapped[str] = mapped_column(String(20))
    doorlooptijd: Mapped[str] = mapped_column(String(DURATION))
    servicenorm: Mapped[str | None] = mapped_column(String(DURATION))
    opschorting_en_aanhouding_mogelijk: Mapped[bool]
    verlenging_mogelijk: Mapped[bool]
    verlengingstermijn: Mapped[str | None] = mapped_column(String(DURATION))
    trefwoorden: Mapped[list[str]] = mapped_column(JSONType, default=list)
    publicatie_indicatie: Mapped[bool]
    publicatietekst: Mapped[str] = mapped_column(Text, default="")
    verantwoordingsrelatie: Mapped[list[str]] = mapped_column(JSONType, default=list)
    producten_of_diensten: Mapped[list[str]] = mapped_column(JSONType, default=list)
    selectielijst_procestype: Mapped[str] = mapped_column(String(200), default="")
    referentieproces: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    verantwoordelijke: Mapped[str] = mapped_column(String(50))
    broncatalogus: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    bronzaaktype: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    besluittypen: Mapped[list[str]] = mapped_column(JSONType, default=list)
    deelzaaktypen: Mapped[list[str]] = mapped_column(JSONType, default=list)
    gerelateerde_zaaktypen: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    versiedatum: Mapped[dt.date] = mapped_column(Date)


class InformatieObjectType(_Versioned, _Provided, Base):
    """One version of an informatieobjecttype; versions share catalogus and omschrijving."""

    __tablename__ = "zgw_informatieobjecttypen"
    __table_args__ = (Index("ix_zgw_informatieobjecttypen_catalogus_id_omschrijving", "catalogus_id", "omschrijving"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    catalogus_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_catalogussen.id", ondelete="CASCADE"))
    omschrijving: Mapped[str] = mapped_column(String(80))
    vertrouwelijkheidaanduiding: Mapped[str] = mapped_column(String(20))
    informatieobjectcategorie: Mapped[str] = mapped_column(String(80))
    trefwoord: Mapped[list[str]] = mapped_column(JSONType, default=list)
    omschrijving_generiek: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class BesluitType(_Versioned, Base):
    """One version of a besluittype; versions share catalogus and omschrijving."""

    __tablename__ = "zgw_besluittypen"
    __table_args__ = (Index("ix_zgw_besluittypen_catalogus_id_omschrijving", "catalogus_id", "omschrijving"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    catalogus_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_catalogussen.id", ondelete="CASCADE"))
    omschrijving: Mapped[str] = mapped_column(String(80), default="")
    omschrijving_generiek: Mapped[str] = mapped_column(String(80), default="")
    besluitcategorie: Mapped[str] = mapped_column(String(40), default="")
    reactietermijn: Mapped[str | None] = mapped_column(String(DURATION))
    publicatie_indicatie: Mapped[bool]
    publicatietekst: Mapped[str] = mapped_column(Text, default="")
    publicatietermijn: Mapped[str | None] = mapped_column(String(DURATION))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    informatieobjecttypen: Mapped[list[str]] = mapped_column(JSONType, default=list)


class _Part:
    """Columns of every part of a zaaktype: its own id, the zaaktype version it belongs to, and creation time."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    zaaktype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_zaaktypen.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class StatusType(_Part, Base):
    """A status that zaken of the zaaktype can reach; the one with the highest volgnummer is the eindstatus."""

    __tablename__ = "zgw_statustypen"
    __table_args__ = (UniqueConstraint("zaaktype_id", "volgnummer"),)

    omschrijving: Mapped[str] = mapped_column(String(80))
    omschrijving_generiek: Mapped[str] = mapped_column(String(80), default="")
    statustekst: Mapped[str] = mapped_column(String(1000), default="")
    volgnummer: Mapped[int]
    informeren: Mapped[bool] = mapped_column(default=False)
    doorlooptijd: Mapped[str | None] = mapped_column(String(DURATION))
    toelichting: Mapped[str | None] = mapped_column(Text)
    checklistitem_statustype: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    eigenschappen: Mapped[list[str]] = mapped_column(JSONType, default=list)


class RolType(_Part, Base):
    """A role that someone can have in zaken of the zaaktype."""

    __tablename__ = "zgw_roltypen"

    omschrijving: Mapped[str] = mapped_column(String(100))
    omschrijving_generiek: Mapped[str] = mapped_column(String(20), index=True)


class ResultaatType(_Part, Base):
    """A result a zaak of the zaaktype can have, with its archiving regime (selectielijst, brondatum procedure)."""

    __tablename__ = "zgw_resultaattypen"
    __table_args__ = (UniqueConstraint("zaaktype_id", "omschrijving"),)

    omschrijving: Mapped[str] = mapped_column(String(30))
    resultaattypeomschrijving: Mapped[str] = mapped_column(String(1000))
    selectielijstklasse: Mapped[str] = mapped_column(String(1000))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    archiefnominatie: Mapped[str] = mapped_column(String(20), default="")
    archiefactietermijn: Mapped[str | None] = mapped_column(String(DURATION))
    brondatum_archiefprocedure: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    procesobjectaard: Mapped[str | None] = mapped_column(String(200))
    indicatie_specifiek: Mapped[bool | None]
    procestermijn: Mapped[str | None] = mapped_column(String(DURATION))
    besluittypen: Mapped[list[str]] = mapped_column(JSONType, default=list)
    informatieobjecttypen: Mapped[list[str]] = mapped_column(JSONType, default=list)


class Eigenschap(_Part, Base):
    """A property that zaken of the zaaktype carry, with its specification (format, length, cardinality)."""

    __tablename__ = "zgw_eigenschappen"
    __table_args__ = (UniqueConstraint("zaaktype_id", "naam"),)

    naam: Mapped[str] = mapped_column(String(20))
    definitie: Mapped[str] = mapped_column(String(255))
    specificatie: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    toelichting: Mapped[str] = mapped_column(Text, default="")
    statustype_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_statustypen.id", ondelete="SET NULL"))


class ZaakObjectType(_Part, Base):
    """A kind of object that zaken of the zaaktype relate to, with the statustypen and resultaattypen that need it."""

    __tablename__ = "zgw_zaakobjecttypen"

    ander_objecttype: Mapped[bool] = mapped_column(index=True)
    objecttype: Mapped[str] = mapped_column(String(200), index=True)
    relatie_omschrijving: Mapped[str] = mapped_column(String(80))
    statustypen: Mapped[list[str]] = mapped_column(JSONType, default=list)
    resultaattypen: Mapped[list[str]] = mapped_column(JSONType, default=list)


class ZaakTypeInformatieObjectType(_Part, Base):
    """An informatieobjecttype (by omschrijving) that is relevant for zaken of the zaaktype, in a direction."""

    __tablename__ = "zgw_zaaktype_informatieobjecttypen"
    __table_args__ = (UniqueConstraint("zaaktype_id", "volgnummer"),)

    informatieobjecttype: Mapped[str] = mapped_column(String(100), index=True)
    volgnummer: Mapped[int]
    richting: Mapped[str] = mapped_column(String(10), index=True)
    statustype_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_statustypen.id", ondelete="SET NULL"))
