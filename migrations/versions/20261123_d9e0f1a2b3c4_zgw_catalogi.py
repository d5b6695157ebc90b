"""ZGW Catalogi API: catalogussen (unique per rsin and domein), zaaktypen, informatieobjecttypen and besluittypen
(versions with validity and a concept flag), and the parts of a zaaktype.

Revision ID: d9e0f1a2b3c4
Revises: c7d8e9f0a1b2
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "d9e0f1a2b3c4"
down_revision: str | None = "c7d8e9f0a1b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table("zgw_catalogussen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("domein", sa.String(length=5), nullable=False),
        sa.Column("rsin", sa.String(length=9), nullable=False),
        sa.Column("naam", sa.String(length=200), nullable=True),
        sa.Column("versie", sa.String(length=20), nullable=True),
        sa.Column("begindatum_versie", sa.Date(), nullable=True),
        sa.Column("contactpersoon_beheer_naam", sa.String(length=40), nullable=False),
        sa.Column("contactpersoon_beheer_telefoonnummer", sa.String(length=20), nullable=False),
        sa.Column("contactpersoon_beheer_emailadres", sa.String(length=254), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_catalogussen")),
        sa.UniqueConstraint("rsin", "domein", name=op.f("uq_zgw_catalogussen_rsin_domein"))
    )
    op.create_index(op.f("ix_zgw_catalogussen_created_at"), "zgw_catalogussen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_catalogussen_domein"), "zgw_catalogussen", ["domein"], unique=False)
    op.create_table("zgw_besluittypen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("catalogus_id", sa.Uuid(), nullable=False),
        sa.Column("omschrijving", sa.String(length=80), nullable=False),
        sa.Column("omschrijving_generiek", sa.String(length=80), nullable=False),
        sa.Column("besluitcategorie", sa.String(length=40), nullable=False),
        sa.Column("reactietermijn", sa.String(length=40), nullable=True),
        sa.Column("publicatie_indicatie", sa.Boolean(), nullable=False),
        sa.Column("publicatietekst", sa.Text(), nullable=False),
        sa.Column("publicatietermijn", sa.String(length=40), nullable=True),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("informatieobjecttypen", JSON, nullable=False),
        sa.Column("begin_geldigheid", sa.Date(), nullable=False),
        sa.Column("einde_geldigheid", sa.Date(), nullable=True),
        sa.Column("begin_object", sa.Date(), nullable=True),
        sa.Column("einde_object", sa.Date(), nullable=True),
        sa.Column("concept", sa.Boolean(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["catalogus_id"], ["zgw_catalogussen.id"], name=op.f("fk_zgw_besluittypen_catalogus_id_zgw_catalogussen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_besluittypen"))
    )
    op.create_index(op.f("ix_zgw_besluittypen_begin_geldigheid"), "zgw_besluittypen", ["begin_geldigheid"], unique=False)
    op.create_index("ix_zgw_besluittypen_catalogus_id_omschrijving", "zgw_besluittypen", ["catalogus_id", "omschrijving"], unique=False)
    op.create_index(op.f("ix_zgw_besluittypen_concept"), "zgw_besluittypen", ["concept"], unique=False)
    op.create_index(op.f("ix_zgw_besluittypen_created_at"), "zgw_besluittypen", ["created_at"], unique=False)
    op.create_table("zgw_informatieobjecttypen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("catalogus_id", sa.Uuid(), nullable=False),
        sa.Column("omschrijving", sa.String(length=80), nullable=False),
        sa.Column("vertrouwelijkheidaanduiding", sa.String(length=20), nullable=False),
        sa.Column("informatieobjectcategorie", sa.String(length=80), nullable=False),
        sa.Column("trefwoord", JSON, nullable=False),
        sa.Column("omschrijving_generiek", JSON, nullable=True),
        sa.Column("begin_geldigheid", sa.Date(), nullable=False),
        sa.Column("einde_geldigheid", sa.Date(), nullable=True),
        sa.Column("begin_object", sa.Date(), nullable=True),
        sa.Column("einde_object", sa.Date(), nullable=True),
        sa.Column("concept", sa.Boolean(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["catalogus_id"], ["zgw_catalogussen.id"], name=op.f("fk_zgw_informatieobjecttypen_catalogus_id_zgw_catalogussen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_informatieobjecttypen"))
    )
    op.create_index(op.f("ix_zgw_informatieobjecttypen_begin_geldigheid"), "zgw_informatieobjecttypen", ["begin_geldigheid"], unique=False)
    op.create_index("ix_zgw_informatieobjecttypen_catalogus_id_omschrijving", "zgw_informatieobjecttypen", ["catalogus_id", "omschrijving"], unique=False)
    op.create_index(op.f("ix_zgw_informatieobjecttypen_concept"), "zgw_informatieobjecttypen", ["concept"], unique=False)
    op.create_index(op.f("ix_zgw_informatieobjecttypen_created_at"), "zgw_informatieobjecttypen", ["created_at"], unique=False)
    op.create_table("zgw_zaaktypen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("catalogus_id", sa.Uuid(), nullable=False),
        sa.Column("identificatie", sa.String(length=50), nullable=False),
        sa.Column("omschrijving", sa.String(length=80), nullable=False),
        sa.Column("omschrijving_generiek", sa.String(length=80), nullable=False),
        sa.Column("vertrouwelijkheidaanduiding", sa.String(length=20), nullable=False),
        sa.Column("doel", sa.Text(), nullable=False),
        sa.Column("aanleiding", sa.Text(), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("indicatie_intern_of_extern", sa.String(length=6), nullable=False),
        sa.Column("handeling_initiator", sa.String(length=20), nullable=False),
        sa.Column("onderwerp", sa.String(length=80), nullable=False),
        sa.Column("handeling_behandelaar", sa.String(length=20), nullable=False),
        sa.Column("doorlooptijd", sa.String(length=40), nullable=False),
        sa.Column("servicenorm", sa.String(length=40), nullable=True),
        sa.Column("opschorting_en_aanhouding_mogelijk", sa.Boolean(), nullable=False),
        sa.Column("verlenging_mogelijk", sa.Boolean(), nullable=False),
        sa.Column("verlengingstermijn", sa.String(length=40), nullable=True),
        sa.Column("trefwoorden", JSON, nullable=False),
        sa.Column("publicatie_indicatie", sa.Boolean(), nullable=False),
        sa.Column("publicatietekst", sa.Text(), nullable=False),
        sa.Column("verantwoordingsrelatie", JSON, nullable=False),
        sa.Column("producten_of_diensten", JSON, nullable=False),
        sa.Column("selectielijst_procestype", sa.String(length=200), nullable=False),
        sa.Column("referentieproces", JSON, nullable=False),
        sa.Column("verantwoordelijke", sa.String(length=50), nullable=False),
        sa.Column("broncatalogus", JSON, nullable=True),
        sa.Column("bronzaaktype", JSON, nullable=True),
        sa.Column("besluittypen", JSON, nullable=False),
        sa.Column("deelzaaktypen", JSON, nullable=False),
        sa.Column("gerelateerde_zaaktypen", JSON, nullable=False),
        sa.Column("versiedatum", sa.Date(), nullable=False),
        sa.Column("begin_geldigheid", sa.Date(), nullable=False),
        sa.Column("einde_geldigheid", sa.Date(), nullable=True),
        sa.Column("begin_object", sa.Date(), nullable=True),
        sa.Column("einde_object", sa.Date(), nullable=True),
        sa.Column("concept", sa.Boolean(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["catalogus_id"], ["zgw_catalogussen.id"], name=op.f("fk_zgw_zaaktypen_catalogus_id_zgw_catalogussen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_zaaktypen"))
    )
    op.create_index(op.f("ix_zgw_zaaktypen_begin_geldigheid"), "zgw_zaaktypen", ["begin_geldigheid"], unique=False)
    op.create_index("ix_zgw_zaaktypen_catalogus_id_identificatie", "zgw_zaaktypen", ["catalogus_id", "identificatie"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktypen_concept"), "zgw_zaaktypen", ["concept"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktypen_created_at"), "zgw_zaaktypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktypen_identificatie"), "zgw_zaaktypen", ["identificatie"], unique=False)
    op.create_table("zgw_resultaattypen",
        sa.Column("omschrijving", sa.String(length=30), nullable=False),
        sa.Column("resultaattypeomschrijving", sa.String(length=1000), nullable=False),
        sa.Column("selectielijstklasse", sa.String(length=1000), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("archiefnominatie", sa.String(length=20), nullable=False),
        sa.Column("archiefactietermijn", sa.String(length=40), nullable=True),
        sa.Column("brondatum_archiefprocedure", JSON, nullable=True),
        sa.Column("procesobjectaard", sa.String(length=200), nullable=True),
        sa.Column("indicatie_specifiek", sa.Boolean(), nullable=True),
        sa.Column("procestermijn", sa.String(length=40), nullable=True),
        sa.Column("besluittypen", JSON, nullable=False),
        sa.Column("informatieobjecttypen", JSON, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_resultaattypen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_resultaattypen")),
        sa.UniqueConstraint("zaaktype_id", "omschrijving", name=op.f("uq_zgw_resultaattypen_zaaktype_id_omschrijving"))
    )
    op.create_index(op.f("ix_zgw_resultaattypen_created_at"), "zgw_resultaattypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_resultaattypen_zaaktype_id"), "zgw_resultaattypen", ["zaaktype_id"], unique=False)
    op.create_table("zgw_roltypen",
        sa.Column("omschrijving", sa.String(length=100), nullable=False),
        sa.Column("omschrijving_generiek", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_roltypen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_roltypen"))
    )
    op.create_index(op.f("ix_zgw_roltypen_created_at"), "zgw_roltypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_roltypen_omschrijving_generiek"), "zgw_roltypen", ["omschrijving_generiek"], unique=False)
    op.create_index(op.f("ix_zgw_roltypen_zaaktype_id"), "zgw_roltypen", ["zaaktype_id"], unique=False)
    op.create_table("zgw_statustypen",
        sa.Column("omschrijving", sa.String(length=80), nullable=False),
        sa.Column("omschrijving_generiek", sa.String(length=80), nullable=False),
        sa.Column("statustekst", sa.String(length=1000), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("informeren", sa.Boolean(), nullable=False),
        sa.Column("doorlooptijd", sa.String(length=40), nullable=True),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.Column("checklistitem_statustype", JSON, nullable=False),
        sa.Column("eigenschappen", JSON, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_statustypen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_statustypen")),
        sa.UniqueConstraint("zaaktype_id", "volgnummer", name=op.f("uq_zgw_statustypen_zaaktype_id_volgnummer"))
    )
    op.create_index(op.f("ix_zgw_statustypen_created_at"), "zgw_statustypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_statustypen_zaaktype_id"), "zgw_statustypen", ["zaaktype_id"], unique=False)
    op.create_table("zgw_zaakobjecttypen",
        sa.Column("ander_objecttype", sa.Boolean(), nullable=False),
        sa.Column("objecttype", sa.String(length=200), nullable=False),
        sa.Column("relatie_omschrijving", sa.String(length=80), nullable=False),
        sa.Column("statustypen", JSON, nullable=False),
        sa.Column("resultaattypen", JSON, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_zaakobjecttypen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_zaakobjecttypen"))
    )
    op.create_index(op.f("ix_zgw_zaakobjecttypen_ander_objecttype"), "zgw_zaakobjecttypen", ["ander_objecttype"], unique=False)
    op.create_index(op.f("ix_zgw_zaakobjecttypen_created_at"), "zgw_zaakobjecttypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_zaakobjecttypen_objecttype"), "zgw_zaakobjecttypen", ["objecttype"], unique=False)
    op.create_index(op.f("ix_zgw_zaakobjecttypen_zaaktype_id"), "zgw_zaakobjecttypen", ["zaaktype_id"], unique=False)
    op.create_table("zgw_eigenschappen",
        sa.Column("naam", sa.String(length=20), nullable=False),
        sa.Column("definitie", sa.String(length=255), nullable=False),
        sa.Column("specificatie", JSON, nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("statustype_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["statustype_id"], ["zgw_statustypen.id"], name=op.f("fk_zgw_eigenschappen_statustype_id_zgw_statustypen"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_eigenschappen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_eigenschappen")),
        sa.UniqueConstraint("zaaktype_id", "naam", name=op.f("uq_zgw_eigenschappen_zaaktype_id_naam"))
    )
    op.create_index(op.f("ix_zgw_eigenschappen_created_at"), "zgw_eigenschappen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_eigenschappen_zaaktype_id"), "zgw_eigenschappen", ["zaaktype_id"], unique=False)
    op.create_table("zgw_zaaktype_informatieobjecttypen",
        sa.Column("informatieobjecttype", sa.String(length=100), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("richting", sa.String(length=10), nullable=False),
        sa.Column("statustype_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["statustype_id"], ["zgw_statustypen.id"], name=op.f("fk_zgw_zaaktype_informatieobjecttypen_statustype_id_zgw_statustypen"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["zaaktype_id"], ["zgw_zaaktypen.id"], name=op.f("fk_zgw_zaaktype_informatieobjecttypen_zaaktype_id_zgw_zaaktypen"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_zaaktype_informatieobjecttypen")),
        sa.UniqueConstraint("zaaktype_id", "volgnummer", name=op.f("uq_zgw_zaaktype_informatieobjecttypen_zaaktype_id_volgnummer"))
    )
    op.create_index(op.f("ix_zgw_zaaktype_informatieobjecttypen_created_at"), "zgw_zaaktype_informatieobjecttypen", ["created_at"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktype_informatieobjecttypen_informatieobjecttype"), "zgw_zaaktype_informatieobjecttypen", ["informatieobjecttype"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktype_informatieobjecttypen_richting"), "zgw_zaaktype_informatieobjecttypen", ["richting"], unique=False)
    op.create_index(op.f("ix_zgw_zaaktype_informatieobjecttypen_zaaktype_id"), "zgw_zaaktype_informatieobjecttypen", ["zaaktype_id"], unique=False)


def downgrade() -> None:
    op.drop_table("zgw_zaaktype_informatieobjecttypen")
    op.drop_table("zgw_zaakobjecttypen")
    op.drop_table("zgw_eigenschappen")
    op.drop_table("zgw_resultaattypen")
    op.drop_table("zgw_roltypen")
    op.drop_table("zgw_statustypen")
    op.drop_table("zgw_zaaktypen")
    op.drop_table("zgw_informatieobjecttypen")
    op.drop_table("zgw_besluittypen")
    op.drop_table("zgw_catalogussen")
