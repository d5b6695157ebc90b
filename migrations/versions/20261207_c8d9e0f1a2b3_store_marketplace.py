"""The store as a marketplace: inhabitant figures for costs, reviews by adopters (with the app's review count and
average rating for sorting), and security advisories with their history.

Revision ID: c8d9e0f1a2b3
Revises: d6e7f8a9b0c1
Create Date: 2026-12-07 11:47:42.330450
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = 'c8d9e0f1a2b3'
down_revision: str | None = 'd6e7f8a9b0c1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('store_inhabitant_figures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('inhabitants', sa.Integer(), nullable=True),
    sa.Column('valid_from', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_store_inhabitant_figures_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_inhabitant_figures'))
    )
    with op.batch_alter_table('store_inhabitant_figures', schema=None) as batch_op:
        batch_op.create_index('ix_store_inhabitant_figures_org_from', ['organisation_id', 'valid_from'], unique=False)

    op.create_table('store_advisories',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('identifier', sa.String(length=40), nullable=False),
    sa.Column('app_id', sa.Uuid(), nullable=False),
    sa.Column('aliases', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('affected', sa.String(length=200), nullable=False),
    sa.Column('fixed', sa.String(length=100), nullable=True),
    sa.Column('cvss_vector', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['store_apps.id'], name=op.f('fk_store_advisories_app_id_store_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_advisories')),
    sa.UniqueConstraint('identifier', name=op.f('uq_store_advisories_identifier'))
    )
    with op.batch_alter_table('store_advisories', schema=None) as batch_op:
        batch_op.create_index('ix_store_advisories_app_status', ['app_id', 'status'], unique=False)

    op.create_table('store_reviews',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('app_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('reply_by', sa.String(length=200), nullable=True),
    sa.Column('reply_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by', sa.String(length=200), nullable=True),
    sa.Column('hidden_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['store_apps.id'], name=op.f('fk_store_reviews_app_id_store_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_store_reviews_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_reviews')),
    sa.UniqueConstraint('app_id', 'organisation_id', name='uq_store_reviews_app_organisation')
    )
    with op.batch_alter_table('store_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_store_reviews_app_updated', ['app_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_reviews_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('store_advisory_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('advisory_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notified', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisory_id'], ['store_advisories.id'], name=op.f('fk_store_advisory_events_advisory_id_store_advisories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_advisory_events'))
    )
    with op.batch_alter_table('store_advisory_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_advisory_events_advisory_id'), ['advisory_id'], unique=False)

    with op.batch_alter_table('store_apps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rating_average', sa.Float(), nullable=True))
        batch_op.create_index('ix_store_apps_listed_rating', ['listed', 'rating_average'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('store_apps', schema=None) as batch_op:
        batch_op.drop_index('ix_store_apps_listed_rating')
        batch_op.drop_column('rating_average')
        batch_op.drop_column('review_count')

    with op.batch_alter_table('store_advisory_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_advisory_events_advisory_id'))

    op.drop_table('store_advisory_events')
    with op.batch_alter_table('store_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_reviews_organisation_id'))
        batch_op.drop_index('ix_store_reviews_app_updated')

    op.drop_table('store_reviews')
    with op.batch_alter_table('store_advisories', schema=None) as batch_op:
        batch_op.drop_index('ix_store_advisories_app_status')

    op.drop_table('store_advisories')
    with op.batch_alter_table('store_inhabitant_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_store_inhabitant_figures_org_from')

    op.drop_table('store_inhabitant_figures')
