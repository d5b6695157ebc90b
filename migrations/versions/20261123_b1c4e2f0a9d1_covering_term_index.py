"""Covering index for search terms: the weight is read from the index, not the table.

Revision ID: b1c4e2f0a9d1
Revises: 80e74fcbed27
Create Date: 2026-11-23 13:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b1c4e2f0a9d1"
down_revision: str | None = "80e74fcbed27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_app_terms") as batch_op:
        batch_op.drop_index("ix_store_app_terms_term_app")
        batch_op.create_index("ix_store_app_terms_term_app", ["term", "app_id", "weight"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("store_app_terms") as batch_op:
        batch_op.drop_index("ix_store_app_terms_term_app")
        batch_op.create_index("ix_store_app_terms_term_app", ["term", "app_id"], unique=False)
