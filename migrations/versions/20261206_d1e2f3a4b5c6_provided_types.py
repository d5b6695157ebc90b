"""Catalogi: zaaktypen and informatieobjecttypen remember which app provided them on adoption (the app, the
adoption and a hash of the manifest definition they were made from), so an upgrade knows what changed and ending
the adoption knows what to close.

Revision ID: d1e2f3a4b5c6
Revises: c4d5e6f7a8b9
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "c4d5e6f7a8b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("zgw_zaaktypen", "zgw_informatieobjecttypen")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("provided_by_app", sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column("provided_by_adoption", sa.Uuid(), nullable=True))
            batch_op.add_column(sa.Column("definition_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("definition_sha256")
            batch_op.drop_column("provided_by_adoption")
            batch_op.drop_column("provided_by_app")
