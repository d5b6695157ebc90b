"""ZGW building blocks: the audit trail of main objects and the identificatie counters.

Revision ID: e0f1a2b3c4d5
Revises: d9e0f1a2b3c4
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "e0f1a2b3c4d5"
down_revision: str | None = "d9e0f1a2b3c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "zgw_audittrail",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bron", sa.String(length=10), nullable=False),
        sa.Column("hoofd_object", sa.Uuid(), nullable=False),
        sa.Column("hoofd_object_url", sa.String(length=1000), nullable=False),
        sa.Column("applicatie_id", sa.String(length=100), nullable=False),
        sa.Column("applicatie_weergave", sa.String(length=200), nullable=False),
        sa.Column("gebruikers_id", sa.String(length=255), nullable=False),
        sa.Column("gebruikers_weergave", sa.String(length=255), nullable=False),
        sa.Column("actie", sa.String(length=50), nullable=False),
        sa.Column("resultaat", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=50), nullable=False),
        sa.Column("resource_url", sa.String(length=1000), nullable=False),
        sa.Column("resource_weergave", sa.String(length=200), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("aanmaakdatum", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("wijzigingen", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zgw_audittrail")),
    )
    op.create_index("ix_zgw_audittrail_hoofd_object", "zgw_audittrail", ["hoofd_object", "aanmaakdatum"])
    op.create_table(
        "zgw_identificatie_counters",
        sa.Column("bronorganisatie", sa.String(length=9), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bronorganisatie", "kind", "year", name=op.f("pk_zgw_identificatie_counters")),
    )


def downgrade() -> None:
    op.drop_table("zgw_identificatie_counters")
    op.drop_index("ix_zgw_audittrail_hoofd_object", table_name="zgw_audittrail")
    op.drop_table("zgw_audittrail")
