"""Tables of the BAG register: one row per address (nummeraanduiding with its adresseerbaar object)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base
from plein.registers.keys import key_type

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Address(Base):
    """An address: its BAG identifiers, street (openbare ruimte), number, postcode, woonplaats and municipality.

    `nummeraanduiding` is NULL only for addresses the BRP knew before the BAG existed (history imported from GBA);
    the BAG API never returns those. `openbare_ruimte_key` is the search key of the street name.
    """

    __tablename__ = "bag_addresses"
    __table_args__ = (
        Index("ix_bag_addresses_postcode_huisnummer", "postcode", "huisnummer"),
        Index("ix_bag_addresses_gemeente_straat_huisnummer", "gemeentecode", "openbare_ruimte_key", "huisnummer"),
        Index("ix_bag_addresses_gemeente_huisnummer_straat", "gemeentecode", "huisnummer", "openbare_ruimte_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    nummeraanduiding: Mapped[str | None] = mapped_column(String(16), unique=True)
    adresseerbaar_object: Mapped[str | None] = mapped_column(String(16), index=True)
    openbare_ruimte: Mapped[str] = mapped_column(String(80))
    korte_naam: Mapped[str | None] = mapped_column(String(24))
    openbare_ruimte_key: Mapped[str] = mapped_column(key_type(80))
    huisnummer: Mapped[int | None] = mapped_column(Integer)
    huisletter: Mapped[str | None] = mapped_column(String(1))
    huisnummertoevoeging: Mapped[str | None] = mapped_column(String(4))
    postcode: Mapped[str | None] = mapped_column(String(6))
    woonplaats: Mapped[str | None] = mapped_column(String(80))
    gemeentecode: Mapped[str] = mapped_column(String(4))
