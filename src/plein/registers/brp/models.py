"""Tables of the BRP register: narrow, indexed per query type, with history as valid_from/valid_to rows.

Dates are LO3 dates (yyyymmdd, 00 for an unknown month or day). A row whose valid_to is NULL is current; a change
closes the current row (sets valid_to) and adds the next one, so nothing is overwritten in place. Partial indexes
cover only current rows, which is what every query type searches. The facts of the persoonslijst header that are
set once or rarely (death, suspension, secrecy, curatele, kiesrecht, verificatie) live on brp_persons; every change
to them, like every other mutation, is written to brp_mutations with its reason, its case and the values before.

An open investigation (LO3 83.10 aanduiding in onderzoek, e.g. '010240' for the geslachtsnaam, with 83.20 the date
it started) is kept with the data it is about: the `onderzoek_*` columns of the header for categories 01, 06 and 11,
the `onderzoek` column of the row for residences, relations, nationalities and verblijfstitels.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, JSONType, UTCDateTime, utcnow
from plein.registers.keys import key_type

BigId = BigInteger().with_variant(Integer(), "sqlite")
Lo3Date = String(8)
Onderzoek = String(6)  # LO3 83.10: ccggee, category/group/element (00 = all of it); 089999 = verblijft niet op adres
CURRENT = text("valid_to IS NULL")


def _current(name: str, *columns: str, unique: bool = False) -> Index:
    """An index over current rows only (valid_to IS NULL), on SQLite and PostgreSQL alike."""
    return Index(name, *columns, unique=unique, sqlite_where=CURRENT, postgresql_where=CURRENT)


class Person(Base):
    """The persoonslijst header, keyed by BSN: identity, birth, registration facts, death and suspension."""

    __tablename__ = "brp_persons"

    bsn: Mapped[str] = mapped_column(String(9), primary_key=True)
    a_nummer: Mapped[str | None] = mapped_column(String(10), unique=True)
    geslacht: Mapped[str] = mapped_column(String(1))
    geboortedatum: Mapped[str] = mapped_column(Lo3Date)
    geboorteplaats: Mapped[str | None] = mapped_column(String(80))  # gemeente code, or a place abroad by name
    geboorteland: Mapped[str | None] = mapped_column(String(4))
    datum_eerste_inschrijving: Mapped[str | None] = mapped_column(Lo3Date)
    geheimhouding: Mapped[int] = mapped_column(SmallInteger, default=0)  # LO3 07.70.10, 0-7
    overlijdensdatum: Mapped[str | None] = mapped_column(Lo3Date)
    overlijdensplaats: Mapped[str | None] = mapped_column(String(80))
    overlijdensland: Mapped[str | None] = mapped_column(String(4))
    opschorting_reden: Mapped[str | None] = mapped_column(String(1))
    opschorting_datum: Mapped[str | None] = mapped_column(Lo3Date)
    verificatie_datum: Mapped[str | None] = mapped_column(Lo3Date)  # LO3 07.71.10 (RNI)
    verificatie_omschrijving: Mapped[str | None] = mapped_column(String(50))  # 07.71.20
    gezag_indicatie: Mapped[str | None] = mapped_column(String(2))  # 11.32.10: 1, 2, 12, D, 1D, 2D
    curatele: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 11.33.10
    europees_kiesrecht: Mapped[str | None] = mapped_column(String(1))  # 13.31.10: 1 uitgesloten, 2 oproep
    europees_kiesrecht_einde: Mapped[str | None] = mapped_column(Lo3Date)  # 13.31.30 einddatum uitsluiting
    uitgesloten_kiesrecht: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 38.10
    uitsluiting_kiesrecht_einde: Mapped[str | None] = mapped_column(Lo3Date)  # 13.38.20
    onderzoek_persoon: Mapped[str | None] = mapped_column(Onderzoek)  # 01.83.10
    onderzoek_persoon_datum: Mapped[str | None] = mapped_column(Lo3Date)
    onderzoek_overlijden: Mapped[str | None] = mapped_column(Onderzoek)  # 06.83.10
    onderzoek_overlijden_datum: Mapped[str | None] = mapped_column(Lo3Date)
    onderzoek_gezag: Mapped[str | None] = mapped_column(Onderzoek)  # 11.83.10
    onderzoek_gezag_datum: Mapped[str | None] = mapped_column(Lo3Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersonName(Base):
    """A version of a person's name; the birth date is copied here so one index answers name + birth date."""

    __tablename__ = "brp_names"
    __table_args__ = (
        _current("ux_brp_names_current_bsn", "bsn", unique=True),
        _current("ix_brp_names_current_geslachtsnaam_geboortedatum", "geslachtsnaam_key", "geboortedatum"),
        _current("ix_brp_names_current_geslachtsnaam_voornamen", "geslachtsnaam_key", "voornamen_key"),
        Index("ix_brp_names_bsn_valid_from", "bsn", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    voornamen: Mapped[str | None] = mapped_column(String(200))
    adellijke_titel: Mapped[str | None] = mapped_column(String(2))
    voorvoegsel: Mapped[str | None] = mapped_column(String(10))
    geslachtsnaam: Mapped[str] = mapped_column(String(200))
    naamgebruik: Mapped[str] = mapped_column(String(1), default="E")
    geslachtsnaam_key: Mapped[str] = mapped_column(key_type(200))
    voornamen_key: Mapped[str] = mapped_column(key_type(200), default="")
    voorvoegsel_key: Mapped[str] = mapped_column(String(10), default="")
    geboortedatum: Mapped[str] = mapped_column(Lo3Date)
    valid_from: Mapped[str] = mapped_column(Lo3Date)
    valid_to: Mapped[str | None] = mapped_column(Lo3Date)


class Residence(Base):
    """A verblijfplaats: an address (via the BAG table), a location description, abroad or unknown.

    gemeente_van_inschrijving is the municipality where the person is registered during this residence (LO3
    08.09.10); valid_from is the datum aanvang adreshouding (or of the address abroad).
    """

    __tablename__ = "brp_residences"
    __table_args__ = (
        _current("ux_brp_residences_current_bsn", "bsn", unique=True),
        _current("ix_brp_residences_current_address", "address_id"),
        _current("ix_brp_residences_current_gemeente", "gemeente_van_inschrijving"),
        Index("ix_brp_residences_bsn_valid_from", "bsn", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    soort: Mapped[str] = mapped_column(String(30))  # Adres, Locatie, VerblijfplaatsBuitenland, VerblijfplaatsOnbekend
    address_id: Mapped[int | None] = mapped_column(ForeignKey("bag_addresses.id"))
    functie_adres: Mapped[str | None] = mapped_column(String(1))
    aanduiding_bij_huisnummer: Mapped[str | None] = mapped_column(String(2))
    locatiebeschrijving: Mapped[str | None] = mapped_column(String(35))
    land: Mapped[str | None] = mapped_column(String(4))
    regel1: Mapped[str | None] = mapped_column(String(40))
    regel2: Mapped[str | None] = mapped_column(String(50))
    regel3: Mapped[str | None] = mapped_column(String(35))
    gemeente_van_inschrijving: Mapped[str] = mapped_column(String(4))
    datum_inschrijving: Mapped[str | None] = mapped_column(Lo3Date)
    land_vanwaar_ingeschreven: Mapped[str | None] = mapped_column(String(4))
    datum_vestiging: Mapped[str | None] = mapped_column(Lo3Date)
    datum_ingang_geldigheid: Mapped[str | None] = mapped_column(Lo3Date)  # 85.10, when it differs from valid_from
    onderzoek: Mapped[str | None] = mapped_column(Onderzoek)  # 08.83.10
    onderzoek_datum: Mapped[str | None] = mapped_column(Lo3Date)
    valid_from: Mapped[str] = mapped_column(Lo3Date)
    valid_to: Mapped[str | None] = mapped_column(Lo3Date)


class Relation(Base):
    """A partner, parent or child as recorded on this person's list, with the data of the related person.

    `occurrence` numbers the relation on the person; its versions share it. A dissolved partnership stays current
    with its ontbinding filled in (as in the BRP); related_bsn links to the other person when known.
    """

    __tablename__ = "brp_relations"
    __table_args__ = (
        _current("ix_brp_relations_current_bsn_soort", "bsn", "soort"),
        _current("ix_brp_relations_current_related", "related_bsn"),
        Index("ix_brp_relations_bsn_occurrence", "bsn", "soort", "occurrence"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    soort: Mapped[str] = mapped_column(String(7))  # partner, ouder, kind
    occurrence: Mapped[int] = mapped_column(SmallInteger)
    ouder_aanduiding: Mapped[str | None] = mapped_column(String(1))
    related_bsn: Mapped[str | None] = mapped_column(String(9))
    related_a_nummer: Mapped[str | None] = mapped_column(String(10))
    voornamen: Mapped[str | None] = mapped_column(String(200))
    adellijke_titel: Mapped[str | None] = mapped_column(String(2))
    voorvoegsel: Mapped[str | None] = mapped_column(String(10))
    geslachtsnaam: Mapped[str | None] = mapped_column(String(200))
    geslacht: Mapped[str | None] = mapped_column(String(1))
    geboortedatum: Mapped[str | None] = mapped_column(Lo3Date)
    geboorteplaats: Mapped[str | None] = mapped_column(String(80))
    geboorteland: Mapped[str | None] = mapped_column(String(4))
    soort_verbintenis: Mapped[str | None] = mapped_column(String(1))
    aangaan_datum: Mapped[str | None] = mapped_column(Lo3Date)
    aangaan_plaats: Mapped[str | None] = mapped_column(String(80))
    aangaan_land: Mapped[str | None] = mapped_column(String(4))
    ontbinding_datum: Mapped[str | None] = mapped_column(Lo3Date)
    ontbinding_reden: Mapped[str | None] = mapped_column(String(1))
    familierechtelijke_betrekking: Mapped[str | None] = mapped_column(Lo3Date)
    onderzoek: Mapped[str | None] = mapped_column(Onderzoek)  # 02/03/05/09.83.10
    onderzoek_datum: Mapped[str | None] = mapped_column(Lo3Date)
    valid_from: Mapped[str] = mapped_column(Lo3Date)
    valid_to: Mapped[str | None] = mapped_column(Lo3Date)


class Nationality(Base):
    """A nationality (code from table 32) or a special Dutch status (B: behandeld als, V: vastgesteld niet)."""

    __tablename__ = "brp_nationalities"
    __table_args__ = (
        _current("ix_brp_nationalities_current_bsn", "bsn"),
        Index("ix_brp_nationalities_bsn_valid_from", "bsn", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    nationaliteit: Mapped[str | None] = mapped_column(String(4))
    bijzonder_nederlanderschap: Mapped[str | None] = mapped_column(String(1))
    reden_opname: Mapped[str | None] = mapped_column(String(3))
    reden_beeindiging: Mapped[str | None] = mapped_column(String(3))
    onderzoek: Mapped[str | None] = mapped_column(Onderzoek)  # 04.83.10
    onderzoek_datum: Mapped[str | None] = mapped_column(Lo3Date)
    valid_from: Mapped[str] = mapped_column(Lo3Date)
    valid_to: Mapped[str | None] = mapped_column(Lo3Date)


class Verblijfstitel(Base):
    """A version of the residence permit of a non-Dutch national (LO3 category 10; table 56 aanduiding)."""

    __tablename__ = "brp_verblijfstitels"
    __table_args__ = (
        _current("ux_brp_verblijfstitels_current_bsn", "bsn", unique=True),
        Index("ix_brp_verblijfstitels_bsn_valid_from", "bsn", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    aanduiding: Mapped[str] = mapped_column(String(2))  # 10.39.10; 98 = geen verblijfstitel (meer)
    datum_einde: Mapped[str | None] = mapped_column(Lo3Date)  # 10.39.20
    datum_ingang: Mapped[str | None] = mapped_column(Lo3Date)  # 10.39.30
    onderzoek: Mapped[str | None] = mapped_column(Onderzoek)  # 10.83.10
    onderzoek_datum: Mapped[str | None] = mapped_column(Lo3Date)
    valid_from: Mapped[str] = mapped_column(Lo3Date)
    valid_to: Mapped[str | None] = mapped_column(Lo3Date)


class RniDeelnemer(Base):
    """For a person in the RNI: the participant (and treaty) that supplied the data of a category (LO3 88.10/20)."""

    __tablename__ = "brp_rni_deelnemers"
    __table_args__ = (Index("ix_brp_rni_deelnemers_bsn", "bsn"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bsn: Mapped[str] = mapped_column(ForeignKey("brp_persons.bsn"))
    categorie: Mapped[str] = mapped_column(String(2))  # 01 persoon, 04 nationaliteit, 06 overlijden, 08 verblijfplaats
    deelnemer: Mapped[str] = mapped_column(String(4))  # RNI-deelnemerstabel
    omschrijving_verdrag: Mapped[str | None] = mapped_column(String(50))


class Mutation(Base):
    """Append-only: every change to a person, with the reason, the case that caused it and what it changed."""

    __tablename__ = "brp_mutations"
    __table_args__ = (Index("ix_brp_mutations_bsn_at", "bsn", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    bsn: Mapped[str] = mapped_column(String(9))
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    case_ref: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
