"""The processing log as a Merkle tree with signed checkpoints, and triggers that guard its head.

exchange_log_nodes keeps the hashes of the tree's complete subtrees; exchange_log_checkpoints the signed statements
of its size, root and chain head. Both are append-only. TRUNCATE is refused on every log table (PostgreSQL), and the
head moves only the way an append moves it: forward, onto a record that is in the log with that hash. The head row
is never deleted, and may only be created as the empty log's head.

Revision ID: f3a9c1e7b2d4
Revises: d6e7f8a9b0c1
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plein.db

revision: str = "f3a9c1e7b2d4"
down_revision: str | None = "d6e7f8a9b0c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
APPEND_ONLY = ("exchange_log_nodes", "exchange_log_checkpoints")
LOG_TABLES = ("exchange_log", "exchange_log_head", *APPEND_ONLY)
BAD_HEAD_MOVE = ("NEW.id <> OLD.id OR NEW.seq <= OLD.seq OR NOT EXISTS "
                 "(SELECT 1 FROM exchange_log WHERE seq = NEW.seq AND hash = NEW.hash)")
BAD_HEAD_INSERT = f"NEW.id <> 1 OR NEW.seq <> 0 OR NEW.hash <> '{GENESIS}'"
HEAD_RULE = "exchange_log_head moves only by an append (forward, onto a record in the log with that hash)"


def _sqlite_triggers() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} is not allowed'); END")
    statements += [
        f"""CREATE TRIGGER exchange_log_head_only_appends BEFORE UPDATE ON exchange_log_head
        WHEN {BAD_HEAD_MOVE}
        BEGIN SELECT RAISE(ABORT, '{HEAD_RULE}: UPDATE is not allowed'); END""",
        f"""CREATE TRIGGER exchange_log_head_no_delete BEFORE DELETE ON exchange_log_head
        BEGIN SELECT RAISE(ABORT, '{HEAD_RULE}: DELETE is not allowed'); END""",
        f"""CREATE TRIGGER exchange_log_head_only_genesis BEFORE INSERT ON exchange_log_head
        WHEN {BAD_HEAD_INSERT}
        BEGIN SELECT RAISE(ABORT, '{HEAD_RULE}: only the empty log''s head may be inserted'); END""",
    ]
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        """CREATE FUNCTION exchange_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$""",
        f"""CREATE FUNCTION exchange_log_head_check() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' AND ({BAD_HEAD_INSERT}) THEN
                RAISE EXCEPTION '{HEAD_RULE}: only the empty log''s head may be inserted'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'UPDATE' AND ({BAD_HEAD_MOVE}) THEN
                RAISE EXCEPTION '{HEAD_RULE}: UPDATE is not allowed' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{HEAD_RULE}: DELETE is not allowed' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END
        $$""",
        # AFTER, at the end of the statement: the append moves the head in the same statement that inserts the
        # records (log._APPEND_POSTGRESQL), and only then are those records visible to the check.
        """CREATE TRIGGER exchange_log_head_only_appends AFTER INSERT OR UPDATE OR DELETE ON exchange_log_head
        FOR EACH ROW EXECUTE FUNCTION exchange_log_head_check()""",
    ]
    for table in APPEND_ONLY:
        statements.append(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION exchange_log_refuse()""")
    for table in LOG_TABLES:
        statements.append(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION exchange_log_refuse()""")
    return statements


def upgrade() -> None:
    op.create_table(
        "exchange_log_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "number", name=op.f("pk_exchange_log_nodes")),
    )
    op.create_table(
        "exchange_log_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("at", plein.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_exchange_log_checkpoints")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(sa.text(statement))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in LOG_TABLES:
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS exchange_log_head_only_appends ON exchange_log_head"))
    else:
        for name in ("only_appends", "no_delete", "only_genesis"):
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS exchange_log_head_{name}"))
    op.drop_table("exchange_log_checkpoints")
    op.drop_table("exchange_log_nodes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS exchange_log_head_check()"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS exchange_log_refuse()"))
