"""Federation: the sources the store harvests apps from, and each harvested item with what was fetched last.

Revision ID: 0b783d4b3a36
Revises: d5a7366ca3cd
Create Date: 2026-12-07 14:48:24.047575
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = '0b783d4b3a36'
down_revision: str | None = 'd5a7366ca3cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('store_harvest_sources',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_harvested_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_store_harvest_sources_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_harvest_sources')),
    sa.UniqueConstraint('url', name=op.f('uq_store_harvest_sources_url'))
    )
    op.create_table('store_harvested_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('remote_url', sa.String(length=2000), nullable=False),
    sa.Column('app_id', sa.Uuid(), nullable=True),
    sa.Column('remote_page', sa.String(length=2000), nullable=True),
    sa.Column('remote_publisher', sa.String(length=300), nullable=True),
    sa.Column('version', sa.String(length=100), nullable=True),
    sa.Column('remote_modified', sa.String(length=100), nullable=True),
    sa.Column('etag', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('first_harvested_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('harvested_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['store_apps.id'], name=op.f('fk_store_harvested_items_app_id_store_apps'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['store_harvest_sources.id'], name=op.f('fk_store_harvested_items_source_id_store_harvest_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_harvested_items')),
    sa.UniqueConstraint('source_id', 'remote_url', name='uq_store_harvested_items_source_url')
    )
    with op.batch_alter_table('store_harvested_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_harvested_items_app_id'), ['app_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('store_harvested_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_harvested_items_app_id'))

    op.drop_table('store_harvested_items')
    op.drop_table('store_harvest_sources')
