"""ZGW Besluiten API: besluiten and besluitinformatieobjecten.

Revision ID: b3c4d5e6f7a8
Revises: f1a2b3c4d5e6
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plein.db

revision: str = "b3c4d5e6f7a8"
down_revision: str | None = "f1a2b3c4d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zgw_besluiten",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("identificatie", sa.String(length=50), nullable=False),
        sa.Column("verantwoordelijke_organisatie", sa.String(length=9), nullable=False),
        sa.Column("besluittype_id", sa.Uuid(), nullable=False),
        sa.Column("zaak_id", sa.Uuid(), nullable=True),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("bestuursorgaan", sa.String(length=50), nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("vervaldatum", sa.Date(), nullable=True),
        sa.Column("vervalreden", sa.String(length=30), nullable=False),
        sa.Column("publicatiedatum", sa.Date(), nullable=True),
        sa.Column("verzenddatum", sa.Date(), nullable=True),
        sa.Column("uiterlijke_reactiedatum", sa.Date(), nullable=True),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["besluittype_id"], ["zgw_besluittypen.id"],
                                name=op.f("fk_zgw_besluiten_besluittype_id_zgw_besluittypen")),
        sa.ForeignKeyConstraint(["zaak_id"], ["zgw_zaken.id"], name=op.f("fk_zgw_besluiten_zaak_id_zgw_zaken"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_besluiten")),
        sa.UniqueConstraint("verantwoordelijke_organisatie", "identificatie",
                            name=op.f("uq_zgw_besluiten_verantwoordelijke_organisatie_identificatie")),
    )
    with op.batch_alter_table("zgw_besluiten", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zgw_besluiten_besluittype_id"), ["besluittype_id"], unique=False)
        batch_op.create_index("ix_zgw_besluiten_created", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zgw_besluiten_identificatie"), ["identificatie"], unique=False)
        batch_op.create_index(batch_op.f("ix_zgw_besluiten_verantwoordelijke_organisatie"),
                              ["verantwoordelijke_organisatie"], unique=False)
        batch_op.create_index(batch_op.f("ix_zgw_besluiten_zaak_id"), ["zaak_id"], unique=False)

    op.create_table(
        "zgw_besluitinformatieobjecten",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("besluit_id", sa.Uuid(), nullable=False),
        sa.Column("informatieobject_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["besluit_id"], ["zgw_besluiten.id"],
                                name=op.f("fk_zgw_besluitinformatieobjecten_besluit_id_zgw_besluiten"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_besluitinformatieobjecten")),
        sa.UniqueConstraint("besluit_id", "informatieobject_id",
                            name=op.f("uq_zgw_besluitinformatieobjecten_besluit_id_informatieobject_id")),
    )
    with op.batch_alter_table("zgw_besluitinformatieobjecten", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zgw_besluitinformatieobjecten_besluit_id"), ["besluit_id"],
                              unique=False)
        batch_op.create_index("ix_zgw_besluitinformatieobjecten_created", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zgw_besluitinformatieobjecten_informatieobject_id"),
                              ["informatieobject_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("zgw_besluitinformatieobjecten", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zgw_besluitinformatieobjecten_informatieobject_id"))
        batch_op.drop_index("ix_zgw_besluitinformatieobjecten_created")
        batch_op.drop_index(batch_op.f("ix_zgw_besluitinformatieobjecten_besluit_id"))
    op.drop_table("zgw_besluitinformatieobjecten")
    with op.batch_alter_table("zgw_besluiten", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zgw_besluiten_zaak_id"))
        batch_op.drop_index(batch_op.f("ix_zgw_besluiten_verantwoordelijke_organisatie"))
        batch_op.drop_index(batch_op.f("ix_zgw_besluiten_identificatie"))
        batch_op.drop_index("ix_zgw_besluiten_created")
        batch_op.drop_index(batch_op.f("ix_zgw_besluiten_besluittype_id"))
    op.drop_table("zgw_besluiten")
