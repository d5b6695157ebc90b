"""Web logins remember the machtigingen of an eHerkenning login: the services (Plein app ids) the employee acting for
the company is authorised for, from the broker's service claim (or the simulator's checkboxes).

Revision ID: c3d4e5f6a7b8
Revises: a9c8e7f6d5b4
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3d4e5f6a7b8"
down_revision: str | None = "a9c8e7f6d5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("web_logins") as batch_op:
        batch_op.add_column(sa.Column("mandates", JSON, server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("web_logins") as batch_op:
        batch_op.drop_column("mandates")
