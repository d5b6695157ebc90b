"""Releases keep the templates of their service definition (service/templates/*.html) as text, for the engine's
document effect.

Revision ID: b5e6f7a8c9d0
Revises: a9c8e7f6d5b4
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b5e6f7a8c9d0"
down_revision: str | None = "a9c8e7f6d5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('store_releases', sa.Column(
        'service_files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    op.drop_column('store_releases', 'service_files')
