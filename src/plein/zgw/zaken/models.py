"""Tables of the Zaken API: zaken and what belongs to them (statussen, rollen, resultaat, zaakobjecten,
zaakinformatieobjecten, zaakeigenschappen, klantcontacten, zaakbesluiten, zaakcontactmomenten, zaakverzoeken).

A zaak points at its zaaktype (and its parts at statustype, roltype, resultaattype, eigenschap) by the uuid of the
local catalogi row; the URLs are made when a resource is shown. `vertrouwelijkheid` is stored as its rank (0 =
openbaar … 7 = zeer_geheim) so that "at most this confidentiality for this zaaktype" is an index range. Polymorphic
parts (a rol's betrokkeneIdentificatie, a zaakobject's objectIdentificatie) are kept as JSON, with the values the
list filters use copied into indexed columns. Everything that belongs to a zaak goes with it (ON DELETE CASCADE).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow

ZAAK_FK = "zgw_zaken.id"


class Zaak(Base):
    """A case: identified per bronorganisatie, of one zaaktype, with its dates, archiving and confidentiality."""

    __tablename__ = "zgw_zaken"
    __table_args__ = (
        UniqueConstraint("bronorganisatie", "identificatie"),
        Index("ix_zgw_zaken_zaaktype_vertrouwelijkheid", "zaaktype_id", "vertrouwelijkheid"),
        Index("ix_zgw_zaken_created", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    identificatie: Mapped[str] = mapped_column(String(40))
    bronorganisatie: Mapped[str] = mapped_column(String(9), index=True)
    omschrijving: Mapped[str] = mapped_column(String(80), default="")
    toelichting: Mapped[str] = mapped_column(Text, default="")
    zaaktype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_zaaktypen.id"))
    registratiedatum: Mapped[dt.date] = mapped_column(Date)
    verantwoordelijke_organisatie: Mapped[str] = mapped_column(String(9))
    startdatum: Mapped[dt.date] = mapped_column(Date, index=True)
    einddatum: Mapped[dt.date | None] = mapped_column(Date, index=True)
    einddatum_gepland: Mapped[dt.date | None] = mapped_column(Date)
    uiterlijke_einddatum_afdoening: Mapped[dt.date | None] = mapped_column(Date)
    publicatiedatum: Mapped[dt.date | None] = mapped_column(Date)
    communicatiekanaal: Mapped[str] = mapped_column(String(1000), default="")
    producten_of_diensten: Mapped[list[str]] = mapped_column(JSONType, default=list)
    vertrouwelijkheid: Mapped[int] = mapped_column(SmallInteger)
    betalingsindicatie: Mapped[str] = mapped_column(String(20), default="")
    laatste_betaaldatum: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    zaakgeometrie: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    verlenging: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    opschorting: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    selectielijstklasse: Mapped[str] = mapped_column(String(1000), default="")
    hoofdzaak_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_zaken.id", ondelete="CASCADE"), index=True)
    relevante_andere_zaken: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    kenmerken: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    archiefnominatie: Mapped[str | None] = mapped_column(String(20))
    archiefstatus: Mapped[str] = mapped_column(String(40), default="nog_te_archiveren")
    archiefactiedatum: Mapped[dt.date | None] = mapped_column(Date)
    opdrachtgevende_organisatie: Mapped[str] = mapped_column(String(9), default="")
    processobjectaard: Mapped[str | None] = mapped_column(String(200))
    startdatum_bewaartermijn: Mapped[dt.date | None] = mapped_column(Date)
    processobject: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    status_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ZaakTelling(Base):
    """How many zaken there are per zaaktype and confidentiality, kept by database triggers on zgw_zaken.

    A list without filters (other than what the caller may see) counts from here: a sum over at most a few thousand
    rows instead of a count over millions of zaken. On PostgreSQL each count is spread over 16 slots (by the last
    byte of the zaak's uuid), so that transactions making zaken of one zaaktype at the same time do not wait for one
    row; SQLite counts in slot 0.
    """

    __tablename__ = "zgw_zaak_tellingen"

    zaaktype_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vertrouwelijkheid: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0, server_default="0")
    aantal: Mapped[int] = mapped_column(default=0)


class _Part:
    """Columns every resource of a zaak has: its own uuid, the zaak, and when it was made."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    zaak_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(ZAAK_FK, ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Status(_Part, Base):
    """A status the zaak reached; the latest by datumStatusGezet is its current status."""

    __tablename__ = "zgw_statussen"

    statustype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_statustypen.id"))
    datum_status_gezet: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    statustoelichting: Mapped[str] = mapped_column(String(1000), default="")
    gezetdoor_id: Mapped[uuid.UUID | None] = mapped_column()


class Rol(_Part, Base):
    """Someone's role in the zaak (of a roltype): a person, organisation, branch, department or employee."""

    __tablename__ = "zgw_rollen"

    roltype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_roltypen.id"))
    betrokkene: Mapped[str] = mapped_column(String(1000), default="")
    betrokkene_type: Mapped[str] = mapped_column(String(40))
    afwijkende_naam_betrokkene: Mapped[str] = mapped_column(String(625), default="")
    roltoelichting: Mapped[str] = mapped_column(String(1000), default="")
    registratiedatum: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    indicatie_machtiging: Mapped[str] = mapped_column(String(20), default="")
    contactpersoon_rol: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    betrokkene_identificatie: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class RolIdentificatie(Base):
    """One identifier of a rol's betrokkene (e.g. `natuurlijkPersoon__inpBsn` = a BSN), for the list filters."""

    __tablename__ = "zgw_rol_identificaties"
    __table_args__ = (Index("ix_zgw_rol_identificaties_name_value", "name", "value"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    rol_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_rollen.id", ondelete="CASCADE"), index=True)
    zaak_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(ZAAK_FK, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(200))


class Resultaat(_Part, Base):
    """The result of the zaak (one per zaak), of a resultaattype that decides its archiving."""

    __tablename__ = "zgw_resultaten"
    __table_args__ = (UniqueConstraint("zaak_id"),)

    resultaattype_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_resultaattypen.id"))
    toelichting: Mapped[str] = mapped_column(String(1000), default="")


class ZaakObject(_Part, Base):
    """An object the zaak is about (an address, a person, a building, …), by URL and/or identification."""

    __tablename__ = "zgw_zaakobjecten"

    object: Mapped[str] = mapped_column(String(1000), default="", index=True)
    zaakobjecttype_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_zaakobjecttypen.id"))
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_type_overige: Mapped[str] = mapped_column(String(100), default="")
    object_type_overige_definitie: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    relatieomschrijving: Mapped[str] = mapped_column(String(80), default="")
    object_identificatie: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class ZaakInformatieObject(_Part, Base):
    """A document (enkelvoudiginformatieobject) that belongs to the zaak; the Documenten side mirrors it."""

    __tablename__ = "zgw_zaakinformatieobjecten"
    __table_args__ = (UniqueConstraint("zaak_id", "informatieobject"),)

    informatieobject: Mapped[str] = mapped_column(String(1000), index=True)
    titel: Mapped[str] = mapped_column(String(200), default="")
    beschrijving: Mapped[str] = mapped_column(Text, default="")
    registratiedatum: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    vernietigingsdatum: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("zgw_statussen.id", ondelete="SET NULL"))


class ZaakEigenschap(_Part, Base):
    """The value of one eigenschap of the zaaktype for this zaak."""

    __tablename__ = "zgw_zaakeigenschappen"

    eigenschap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zgw_eigenschappen.id"))
    naam: Mapped[str] = mapped_column(String(20))
    waarde: Mapped[str] = mapped_column(Text)


class KlantContact(_Part, Base):
    """A contact with the customer about the zaak (kept for compatibility; the Klantinteracties standard took over)."""

    __tablename__ = "zgw_klantcontacten"

    identificatie: Mapped[str] = mapped_column(String(14))
    datumtijd: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kanaal: Mapped[str] = mapped_column(String(20), default="")
    onderwerp: Mapped[str] = mapped_column(String(200), default="")
    toelichting: Mapped[str] = mapped_column(String(1000), default="")


class ZaakBesluit(_Part, Base):
    """A besluit (Besluiten API) that is an outcome of the zaak."""

    __tablename__ = "zgw_zaakbesluiten"
    __table_args__ = (UniqueConstraint("zaak_id", "besluit"),)

    besluit: Mapped[str] = mapped_column(String(1000))


class ZaakContactMoment(_Part, Base):
    """A contactmoment (an external Contactmomenten API) about the zaak."""

    __tablename__ = "zgw_zaakcontactmomenten"

    contactmoment: Mapped[str] = mapped_column(String(1000))


class ZaakVerzoek(_Part, Base):
    """A verzoek (an external Verzoeken API) that led to or concerns the zaak."""

    __tablename__ = "zgw_zaakverzoeken"

    verzoek: Mapped[str] = mapped_column(String(1000))
