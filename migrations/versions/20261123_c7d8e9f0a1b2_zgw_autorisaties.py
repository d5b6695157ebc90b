"""ZGW Autorisaties API: applicaties, their client ids (unique: ac-001) and autorisaties.

Revision ID: c7d8e9f0a1b2
Revises: a7b8c9d0e1f2
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "c7d8e9f0a1b2"
down_revision: str | None = "a7b8c9d0e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "zgw_applicaties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("heeft_alle_autorisaties", sa.Boolean(), nullable=False),
        sa.Column("created_at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_applicaties")),
    )
    op.create_table(
        "zgw_applicatie_clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("applicatie_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["applicatie_id"], ["zgw_applicaties.id"], ondelete="CASCADE",
                                name=op.f("fk_zgw_applicatie_clients_applicatie_id_zgw_applicaties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_applicatie_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_zgw_applicatie_clients_client_id")),
    )
    op.create_index(op.f("ix_zgw_applicatie_clients_applicatie_id"), "zgw_applicatie_clients", ["applicatie_id"])
    op.create_table(
        "zgw_autorisaties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("applicatie_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("component", sa.String(length=10), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("type_url", sa.String(length=1000), nullable=True),
        sa.Column("max_vertrouwelijkheidaanduiding", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["applicatie_id"], ["zgw_applicaties.id"], ondelete="CASCADE",
                                name=op.f("fk_zgw_autorisaties_applicatie_id_zgw_applicaties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_autorisaties")),
    )
    op.create_index(op.f("ix_zgw_autorisaties_applicatie_id"), "zgw_autorisaties", ["applicatie_id"])


def downgrade() -> None:
    op.drop_table("zgw_autorisaties")
    op.drop_table("zgw_applicatie_clients")
    op.drop_table("zgw_applicaties")
