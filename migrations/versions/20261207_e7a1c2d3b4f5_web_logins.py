"""Web logins kept server-side: the session cookie holds a random token, web_logins (keyed by its sha256) holds who
logged in, how (password, DigiD, eHerkenning, simulator), at which level of assurance, and when the login ended.

Revision ID: e7a1c2d3b4f5
Revises: d1e2f3a4b5c6
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plein.db

revision: str = "e7a1c2d3b4f5"
down_revision: str | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_logins',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('loa', sa.String(length=20), nullable=True),
    sa.Column('branch', sa.String(length=12), nullable=True),
    sa.Column('acting_person', sa.String(length=200), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_logins'))
    )


def downgrade() -> None:
    op.drop_table('web_logins')
