"""The service engine: aanvragen with their uploads and consent requests; a release's service definition; write
grants (access, mutation) and write records in the processing log (action).

The exchange columns are added with plain ALTER TABLE ADD COLUMN (no table copy): on SQLite a batch copy would drop
the triggers that keep exchange_log append-only. Existing log records are reads, and their hashes stay valid: the
canonical text of a record names its action only for a write.

Revision ID: f8b2d3e4c5a6
Revises: e7a1c2d3b4f5
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "f8b2d3e4c5a6"
down_revision: str | None = "e7a1c2d3b4f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_aanvragen',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('app', sa.String(length=100), nullable=False),
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('municipality', sa.String(length=4), nullable=False),
    sa.Column('entry_municipality', sa.String(length=4), nullable=False),
    sa.Column('subject_kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('branch', sa.String(length=12), nullable=True),
    sa.Column('acting_person', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('step', sa.String(length=60), nullable=True),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('prefill', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('checks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('appointment', sa.Boolean(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('decide_after', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('automatic_note', sa.Text(), nullable=True),
    sa.Column('zaak_id', sa.Uuid(), nullable=True),
    sa.Column('zaak_url', sa.String(length=300), nullable=True),
    sa.Column('zaak_identificatie', sa.String(length=40), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('effects', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['release_id'], ['store_releases.id'], name=op.f('fk_service_aanvragen_release_id_store_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_aanvragen')),
    sa.UniqueConstraint('subject_kind', 'subject', 'idempotency_key', name=op.f('uq_service_aanvragen_subject_kind_subject_idempotency_key'))
    )
    with op.batch_alter_table('service_aanvragen', schema=None) as batch_op:
        batch_op.create_index('ix_service_aanvragen_pending', ['status', 'automatic', 'decide_after'], unique=False)
        batch_op.create_index('ix_service_aanvragen_subject', ['subject_kind', 'subject', 'status'], unique=False)
        batch_op.create_index('ix_service_aanvragen_werkvoorraad', ['municipality', 'status', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_aanvragen_zaak_id'), ['zaak_id'], unique=False)

    op.create_table('service_bestanden',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('aanvraag_id', sa.Uuid(), nullable=False),
    sa.Column('question', sa.String(length=60), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('formaat', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aanvraag_id'], ['service_aanvragen.id'], name=op.f('fk_service_bestanden_aanvraag_id_service_aanvragen'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_bestanden'))
    )
    with op.batch_alter_table('service_bestanden', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_bestanden_aanvraag_id'), ['aanvraag_id'], unique=False)

    op.create_table('service_toestemmingen',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('aanvraag_id', sa.Uuid(), nullable=False),
    sa.Column('consent', sa.String(length=60), nullable=False),
    sa.Column('asked_bsn', sa.String(length=9), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('asked_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['aanvraag_id'], ['service_aanvragen.id'], name=op.f('fk_service_toestemmingen_aanvraag_id_service_aanvragen'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_toestemmingen'))
    )
    with op.batch_alter_table('service_toestemmingen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_toestemmingen_aanvraag_id'), ['aanvraag_id'], unique=False)
        batch_op.create_index('ix_service_toestemmingen_asked', ['asked_bsn', 'status'], unique=False)

    op.add_column('exchange_grants', sa.Column('access', sa.String(length=10), server_default='read', nullable=False))
    op.add_column('exchange_grants', sa.Column('mutation', sa.String(length=30), nullable=True))
    op.add_column('exchange_log', sa.Column('action', sa.String(length=10), server_default='read', nullable=False))
    op.add_column('store_releases', sa.Column(
        'service', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))



def downgrade() -> None:
    op.drop_column('store_releases', 'service')
    op.drop_column('exchange_log', 'action')
    op.drop_column('exchange_grants', 'mutation')
    op.drop_column('exchange_grants', 'access')

    with op.batch_alter_table('service_toestemmingen', schema=None) as batch_op:
        batch_op.drop_index('ix_service_toestemmingen_asked')
        batch_op.drop_index(batch_op.f('ix_service_toestemmingen_aanvraag_id'))

    op.drop_table('service_toestemmingen')
    with op.batch_alter_table('service_bestanden', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_bestanden_aanvraag_id'))

    op.drop_table('service_bestanden')
    with op.batch_alter_table('service_aanvragen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_aanvragen_zaak_id'))
        batch_op.drop_index('ix_service_aanvragen_werkvoorraad')
        batch_op.drop_index('ix_service_aanvragen_subject')
        batch_op.drop_index('ix_service_aanvragen_pending')

    op.drop_table('service_aanvragen')
