"""Releases keep their package archive in file storage.

Revision ID: c2d3e4f5a6b7
Revises: b1c4e2f0a9d1
Create Date: 2026-11-23 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2d3e4f5a6b7"
down_revision: str | None = "b1c4e2f0a9d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_releases") as batch_op:
        batch_op.add_column(sa.Column("archive_key", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("store_releases") as batch_op:
        batch_op.drop_column("archive_key")
