"""Verification codes of documents: service_verificaties keeps, per code printed on a PDF, the sha256 of that PDF,
the kind of document, the issuing municipality, when it was issued and withdrawn, and its zaak and document.

Revision ID: c1d2e3f4a5b6
Revises: a9c8e7f6d5b4
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plein.db

revision: str = "c1d2e3f4a5b6"
down_revision: str | None = "a9c8e7f6d5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_verificaties',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=200), nullable=False),
    sa.Column('municipality', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('issued_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('zaak_id', sa.Uuid(), nullable=True),
    sa.Column('document_id', sa.Uuid(), nullable=True),
    sa.Column('withdrawn_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_verificaties'))
    )
    op.create_index(op.f('ix_service_verificaties_sha256'), 'service_verificaties', ['sha256'], unique=False)
    op.create_index(op.f('ix_service_verificaties_zaak_id'), 'service_verificaties', ['zaak_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_service_verificaties_zaak_id'), table_name='service_verificaties')
    op.drop_index(op.f('ix_service_verificaties_sha256'), table_name='service_verificaties')
    op.drop_table('service_verificaties')
