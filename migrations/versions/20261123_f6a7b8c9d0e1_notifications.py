"""Notifications: kanalen, abonnementen with filter groups, the outbox (messages), deliveries and attempts.

The delivery worker claims due rows through ix_notification_deliveries_status_next_attempt_at.

Revision ID: f6a7b8c9d0e1
Revises: a7b8c9d0e1f2
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "f6a7b8c9d0e1"
down_revision: str | None = "a7b8c9d0e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_abonnementen',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('callback_url', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=1000), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_abonnementen'))
    )
    with op.batch_alter_table('notification_abonnementen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_abonnementen_owner'), ['owner'], unique=False)

    op.create_table('notification_kanalen',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('naam', sa.String(length=50), nullable=False),
    sa.Column('documentatie_link', sa.String(length=200), nullable=False),
    sa.Column('filters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_kanalen')),
    sa.UniqueConstraint('naam', name=op.f('uq_notification_kanalen_naam'))
    )
    op.create_table('notification_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('kanaal', sa.String(length=50), nullable=False),
    sa.Column('hoofd_object', sa.String(length=1000), nullable=False),
    sa.Column('resource', sa.String(length=100), nullable=False),
    sa.Column('resource_url', sa.String(length=1000), nullable=False),
    sa.Column('actie', sa.String(length=100), nullable=False),
    sa.Column('aanmaakdatum', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kenmerken', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source_oin', sa.String(length=20), nullable=True),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_messages')),
    sa.UniqueConstraint('uuid', name=op.f('uq_notification_messages_uuid'))
    )
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_messages_kanaal'), ['kanaal'], unique=False)

    op.create_table('notification_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('abonnement_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('round_start', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('locked_by', sa.String(length=100), nullable=True),
    sa.Column('locked_until', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('parked_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['abonnement_id'], ['notification_abonnementen.id'], name=op.f('fk_notification_deliveries_abonnement_id_notification_abonnementen')),
    sa.ForeignKeyConstraint(['message_id'], ['notification_messages.id'], name=op.f('fk_notification_deliveries_message_id_notification_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_deliveries')),
    sa.UniqueConstraint('message_id', 'abonnement_id', name=op.f('uq_notification_deliveries_message_id_abonnement_id'))
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_deliveries_abonnement_id'), ['abonnement_id'], unique=False)
        batch_op.create_index('ix_notification_deliveries_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('notification_filter_groups',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('abonnement_id', sa.Uuid(), nullable=False),
    sa.Column('kanaal_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['abonnement_id'], ['notification_abonnementen.id'], name=op.f('fk_notification_filter_groups_abonnement_id_notification_abonnementen'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kanaal_id'], ['notification_kanalen.id'], name=op.f('fk_notification_filter_groups_kanaal_id_notification_kanalen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_filter_groups'))
    )
    with op.batch_alter_table('notification_filter_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_filter_groups_abonnement_id'), ['abonnement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_filter_groups_kanaal_id'), ['kanaal_id'], unique=False)

    op.create_table('notification_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['notification_deliveries.id'], name=op.f('fk_notification_attempts_delivery_id_notification_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_attempts'))
    )
    with op.batch_alter_table('notification_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_attempts_delivery_id'), ['delivery_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_attempts_delivery_id'))

    op.drop_table('notification_attempts')
    with op.batch_alter_table('notification_filter_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_filter_groups_kanaal_id'))
        batch_op.drop_index(batch_op.f('ix_notification_filter_groups_abonnement_id'))

    op.drop_table('notification_filter_groups')
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_deliveries_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_notification_deliveries_abonnement_id'))

    op.drop_table('notification_deliveries')
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_messages_kanaal'))

    op.drop_table('notification_messages')
    op.drop_table('notification_kanalen')
    with op.batch_alter_table('notification_abonnementen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_abonnementen_owner'))

    op.drop_table('notification_abonnementen')
