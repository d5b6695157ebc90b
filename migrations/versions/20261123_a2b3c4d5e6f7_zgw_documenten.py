"""ZGW Documenten API: informatieobjecten with their versions (identificatie unique per bronorganisatie), the
bestandsdelen of uploads in progress, gebruiksrechten, objectinformatieobjecten and verzendingen.

Revision ID: a2b3c4d5e6f7
Revises: b3c4d5e6f7a8
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "a2b3c4d5e6f7"
down_revision: str | None = "b3c4d5e6f7a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
PARENT = "zgw_informatieobjecten"


def _parent(table: str, cascade: bool = True) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["informatieobject_id"], [f"{PARENT}.id"],
                                   name=op.f(f"fk_{table}_informatieobject_id_{PARENT}"),
                                   ondelete="CASCADE" if cascade else None)


def upgrade() -> None:
    op.create_table(PARENT,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bronorganisatie", sa.String(length=9), nullable=False),
        sa.Column("identificatie", sa.String(length=40), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("lock", sa.String(length=100), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{PARENT}")),
        sa.UniqueConstraint("bronorganisatie", "identificatie",
                            name=op.f(f"uq_{PARENT}_bronorganisatie_identificatie")),
    )
    op.create_index(op.f(f"ix_{PARENT}_identificatie"), PARENT, ["identificatie"], unique=False)
    op.create_index(op.f(f"ix_{PARENT}_created_at"), PARENT, ["created_at"], unique=False)

    op.create_table("zgw_informatieobject_versies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("begin_registratie", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("identificatie", sa.String(length=40), nullable=False),
        sa.Column("bronorganisatie", sa.String(length=9), nullable=False),
        sa.Column("creatiedatum", sa.Date(), nullable=False),
        sa.Column("titel", sa.String(length=200), nullable=False),
        sa.Column("vertrouwelijkheidaanduiding", sa.String(length=20), nullable=False),
        sa.Column("auteur", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("formaat", sa.String(length=255), nullable=False),
        sa.Column("taal", sa.String(length=3), nullable=False),
        sa.Column("bestandsnaam", sa.String(length=255), nullable=False),
        sa.Column("bestandsomvang", sa.BigInteger(), nullable=True),
        sa.Column("inhoud_key", sa.String(length=300), nullable=True),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("beschrijving", sa.String(length=1000), nullable=False),
        sa.Column("ontvangstdatum", sa.Date(), nullable=True),
        sa.Column("verzenddatum", sa.Date(), nullable=True),
        sa.Column("indicatie_gebruiksrecht", sa.Boolean(), nullable=True),
        sa.Column("verschijningsvorm", sa.Text(), nullable=False),
        sa.Column("ondertekening", JSON, nullable=True),
        sa.Column("integriteit", JSON, nullable=True),
        sa.Column("informatieobjecttype_id", sa.Uuid(), nullable=False),
        sa.Column("trefwoorden", JSON, nullable=False),
        _parent("zgw_informatieobject_versies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_informatieobject_versies")),
        sa.UniqueConstraint("informatieobject_id", "versie",
                            name=op.f("uq_zgw_informatieobject_versies_informatieobject_id_versie")),
    )
    op.create_index(op.f("ix_zgw_informatieobject_versies_informatieobjecttype_id"), "zgw_informatieobject_versies",
                    ["informatieobjecttype_id"], unique=False)

    op.create_table("zgw_bestandsdelen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("omvang", sa.BigInteger(), nullable=False),
        sa.Column("inhoud_key", sa.String(length=300), nullable=True),
        _parent("zgw_bestandsdelen"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_bestandsdelen")),
        sa.UniqueConstraint("informatieobject_id", "volgnummer",
                            name=op.f("uq_zgw_bestandsdelen_informatieobject_id_volgnummer")),
    )

    op.create_table("zgw_gebruiksrechten",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("startdatum", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("einddatum", plein.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("omschrijving_voorwaarden", sa.Text(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        _parent("zgw_gebruiksrechten"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_gebruiksrechten")),
    )
    for column in ("informatieobject_id", "startdatum", "einddatum", "created_at"):
        op.create_index(op.f(f"ix_zgw_gebruiksrechten_{column}"), "zgw_gebruiksrechten", [column], unique=False)

    op.create_table("zgw_objectinformatieobjecten",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("object", sa.String(length=1000), nullable=False),
        sa.Column("object_type", sa.String(length=10), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        _parent("zgw_objectinformatieobjecten", cascade=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_objectinformatieobjecten")),
        sa.UniqueConstraint("informatieobject_id", "object",
                            name=op.f("uq_zgw_objectinformatieobjecten_informatieobject_id_object")),
    )
    for column in ("object", "created_at"):
        op.create_index(op.f(f"ix_zgw_objectinformatieobjecten_{column}"), "zgw_objectinformatieobjecten", [column],
                        unique=False)

    op.create_table("zgw_verzendingen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("betrokkene", sa.String(length=200), nullable=False),
        sa.Column("aard_relatie", sa.String(length=20), nullable=False),
        sa.Column("toelichting", sa.String(length=200), nullable=False),
        sa.Column("ontvangstdatum", sa.Date(), nullable=True),
        sa.Column("verzenddatum", sa.Date(), nullable=True),
        sa.Column("contact_persoon", sa.String(length=1000), nullable=False),
        sa.Column("contactpersoonnaam", sa.String(length=40), nullable=False),
        sa.Column("binnenlands_correspondentieadres", JSON, nullable=True),
        sa.Column("buitenlands_correspondentieadres", JSON, nullable=True),
        sa.Column("correspondentie_postadres", JSON, nullable=True),
        sa.Column("faxnummer", sa.String(length=15), nullable=True),
        sa.Column("emailadres", sa.String(length=100), nullable=True),
        sa.Column("mijn_overheid", sa.Boolean(), nullable=False),
        sa.Column("telefoonnummer", sa.String(length=15), nullable=True),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        _parent("zgw_verzendingen"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_verzendingen")),
    )
    op.create_index("ix_zgw_verzendingen_informatieobject_id_aard_relatie", "zgw_verzendingen",
                    ["informatieobject_id", "aard_relatie"], unique=False)
    for column in ("betrokkene", "created_at"):
        op.create_index(op.f(f"ix_zgw_verzendingen_{column}"), "zgw_verzendingen", [column], unique=False)


def downgrade() -> None:
    for table in ("zgw_verzendingen", "zgw_objectinformatieobjecten", "zgw_gebruiksrechten", "zgw_bestandsdelen",
                  "zgw_informatieobject_versies", PARENT):
        op.drop_table(table)
