"""The exchange layer: processing activities, grants, and the append-only, hash-chained processing log.

Database triggers refuse UPDATE and DELETE on exchange_log (SQLite and PostgreSQL alike).

Revision ID: e1f2a3b4c5d6
Revises: c2d3e4f5a6b7
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "e1f2a3b4c5d6"
down_revision: str | None = "c2d3e4f5a6b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
SQLITE_TRIGGERS = [
    """CREATE TRIGGER exchange_log_no_update BEFORE UPDATE ON exchange_log
    BEGIN SELECT RAISE(ABORT, 'exchange_log is append-only: UPDATE is not allowed'); END""",
    """CREATE TRIGGER exchange_log_no_delete BEFORE DELETE ON exchange_log
    BEGIN SELECT RAISE(ABORT, 'exchange_log is append-only: DELETE is not allowed'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION exchange_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'exchange_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$""",
    """CREATE TRIGGER exchange_log_no_update BEFORE UPDATE ON exchange_log
    FOR EACH ROW EXECUTE FUNCTION exchange_log_refuse_change()""",
    """CREATE TRIGGER exchange_log_no_delete BEFORE DELETE ON exchange_log
    FOR EACH ROW EXECUTE FUNCTION exchange_log_refuse_change()""",
]


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(sa.text(statement))


def _drop_triggers() -> None:
    op.execute(sa.text("DROP TRIGGER IF EXISTS exchange_log_no_update" + _on_table()))
    op.execute(sa.text("DROP TRIGGER IF EXISTS exchange_log_no_delete" + _on_table()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS exchange_log_refuse_change()"))


def _on_table() -> str:
    return " ON exchange_log" if op.get_bind().dialect.name == "postgresql" else ""


def upgrade() -> None:
    op.create_table('exchange_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('trace_id', sa.String(length=64), nullable=False),
    sa.Column('at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=20), nullable=True),
    sa.Column('activity', sa.String(length=100), nullable=False),
    sa.Column('register', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_log')),
    sa.UniqueConstraint('seq', name=op.f('uq_exchange_log_seq'))
    )
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_log_subject_at', ['subject', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_log_trace_id'), ['trace_id'], unique=False)

    op.create_table('exchange_log_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_log_head'))
    )
    op.create_table('exchange_activities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=500), nullable=False),
    sa.Column('retention_period', sa.String(length=30), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_exchange_activities_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_activities')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_exchange_activities_organisation_id_code'))
    )
    with op.batch_alter_table('exchange_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_activities_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('exchange_grants',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('register', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('municipality', sa.String(length=4), nullable=True),
    sa.Column('valid_from', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', plein.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('adoption_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['exchange_activities.id'], name=op.f('fk_exchange_grants_activity_id_exchange_activities')),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_exchange_grants_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_grants'))
    )
    with op.batch_alter_table('exchange_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_grants_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_grants_adoption_id'), ['adoption_id'], unique=False)
        batch_op.create_index('ix_exchange_grants_client_register', ['client_id', 'register', 'activity_id'], unique=False)

    op.execute(sa.text("INSERT INTO exchange_log_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(genesis=GENESIS))
    _create_triggers()



def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('exchange_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_grants_client_register')
        batch_op.drop_index(batch_op.f('ix_exchange_grants_adoption_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_grants_activity_id'))

    op.drop_table('exchange_grants')
    with op.batch_alter_table('exchange_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_activities_organisation_id'))

    op.drop_table('exchange_activities')
    op.drop_table('exchange_log_head')
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_log_trace_id'))
        batch_op.drop_index('ix_exchange_log_subject_at')

    op.drop_table('exchange_log')
