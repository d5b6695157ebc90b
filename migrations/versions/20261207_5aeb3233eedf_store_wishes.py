"""Joint demand (wensen): wishes, the municipalities that joined them and their history; the `store` kanaal gets
the kenmerken `wens` and `status` to filter on.

Revision ID: 5aeb3233eedf
Revises: d5a7366ca3cd
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = '5aeb3233eedf'
down_revision: str | None = 'd5a7366ca3cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STORE_KENMERKEN = ("wens", "status")
KANALEN = sa.table("notification_kanalen", sa.column("naam", sa.String()),
                   sa.column("filters", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")))


def _store_filters(change: str) -> None:
    """Add (or remove) the kenmerken of wishes to the `store` kanaal's filters, when the kanaal is registered."""
    connection = op.get_bind()
    current = connection.execute(sa.select(KANALEN.c.filters).where(KANALEN.c.naam == "store")).scalar()
    if current is None:
        return  # registered on first use, with the new filters
    names = [name for name in current if name not in STORE_KENMERKEN]
    if change == "add":
        names += list(STORE_KENMERKEN)
    connection.execute(KANALEN.update().where(KANALEN.c.naam == "store").values(filters=names))


def upgrade() -> None:
    op.create_table('store_wishes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('identifier', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('standards', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('budget_cents', sa.BigInteger(), nullable=False),
    sa.Column('split', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('commissioner_id', sa.Uuid(), nullable=True),
    sa.Column('commission_note', sa.Text(), nullable=True),
    sa.Column('commissioned_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('commissioned_by', sa.String(length=200), nullable=True),
    sa.Column('app_id', sa.Uuid(), nullable=True),
    sa.Column('release_id', sa.Uuid(), nullable=True),
    sa.Column('fulfilled_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fulfilled_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['store_apps.id'], name=op.f('fk_store_wishes_app_id_store_apps')),
    sa.ForeignKeyConstraint(['commissioner_id'], ['organisations.id'], name=op.f('fk_store_wishes_commissioner_id_organisations')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_store_wishes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['release_id'], ['store_releases.id'], name=op.f('fk_store_wishes_release_id_store_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_wishes')),
    sa.UniqueConstraint('identifier', name=op.f('uq_store_wishes_identifier'))
    )
    with op.batch_alter_table('store_wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_wishes_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_store_wishes_status_created', ['status', 'created_at'], unique=False)

    op.create_table('store_wish_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wish_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('municipality', sa.String(length=20), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notified', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wish_id'], ['store_wishes.id'], name=op.f('fk_store_wish_events_wish_id_store_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_wish_events'))
    )
    with op.batch_alter_table('store_wish_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_wish_events_wish_id'), ['wish_id'], unique=False)

    op.create_table('store_wish_participants',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wish_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('joined_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('joined_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_store_wish_participants_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['wish_id'], ['store_wishes.id'], name=op.f('fk_store_wish_participants_wish_id_store_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_wish_participants')),
    sa.UniqueConstraint('wish_id', 'organisation_id', name='uq_store_wish_participants_wish_org')
    )
    with op.batch_alter_table('store_wish_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_wish_participants_organisation_id'), ['organisation_id'], unique=False)

    _store_filters("add")


def downgrade() -> None:
    _store_filters("remove")
    with op.batch_alter_table('store_wish_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_wish_participants_organisation_id'))

    op.drop_table('store_wish_participants')
    with op.batch_alter_table('store_wish_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_wish_events_wish_id'))

    op.drop_table('store_wish_events')
    with op.batch_alter_table('store_wishes', schema=None) as batch_op:
        batch_op.drop_index('ix_store_wishes_status_created')
        batch_op.drop_index(batch_op.f('ix_store_wishes_organisation_id'))

    op.drop_table('store_wishes')
