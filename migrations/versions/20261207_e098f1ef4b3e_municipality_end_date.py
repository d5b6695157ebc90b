"""Municipalities carry the end date of national table 33: one that merged away stays, marked ended, with its
adoptions and history.

Revision ID: e098f1ef4b3e
Revises: d5a7366ca3cd
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e098f1ef4b3e"
down_revision: str | None = "d5a7366ca3cd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("ended_on")
