"""Zaken: the counts per zaaktype and confidentiality are kept in 16 slots (a zaak counts in the slot of the last byte
of its uuid) on PostgreSQL, so that concurrent transactions making zaken of one zaaktype no longer wait for each
other: the count row a new zaak updates stays locked until its transaction commits. A list sums the slots, as it
summed the rows. Existing counts stay in slot 0; a removal upserts its slot (a slot may go below zero, the sum is
exact). SQLite has one writer at a time and counts in slot 0.

Revision ID: a9c8e7f6d5b4
Revises: f8b2d3e4c5a6
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9c8e7f6d5b4"
down_revision: str | None = "f8b2d3e4c5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION zgw_zaken_tel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, slot, aantal)
        VALUES (OLD.zaaktype_id, OLD.vertrouwelijkheid, get_byte(uuid_send(OLD.id), 15) % 16, -1)
        ON CONFLICT (zaaktype_id, vertrouwelijkheid, slot) DO UPDATE SET aantal = zgw_zaak_tellingen.aantal - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, slot, aantal)
        VALUES (NEW.zaaktype_id, NEW.vertrouwelijkheid, get_byte(uuid_send(NEW.id), 15) % 16, 1)
        ON CONFLICT (zaaktype_id, vertrouwelijkheid, slot) DO UPDATE SET aantal = zgw_zaak_tellingen.aantal + 1;
    END IF;
    RETURN NULL;
END
$$"""
POSTGRESQL_FUNCTION_BEFORE = """CREATE OR REPLACE FUNCTION zgw_zaken_tel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE zgw_zaak_tellingen SET aantal = aantal - 1
        WHERE zaaktype_id = OLD.zaaktype_id AND vertrouwelijkheid = OLD.vertrouwelijkheid;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, aantal)
        VALUES (NEW.zaaktype_id, NEW.vertrouwelijkheid, 1)
        ON CONFLICT (zaaktype_id, vertrouwelijkheid) DO UPDATE SET aantal = zgw_zaak_tellingen.aantal + 1;
    END IF;
    RETURN NULL;
END
$$"""


def _sqlite_triggers(conflict: str) -> list[str]:
    """The SQLite count triggers on zgw_zaken, upserting on this conflict target."""
    triggers = [
        """CREATE TRIGGER zgw_zaken_tel_insert AFTER INSERT ON zgw_zaken BEGIN
            INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, aantal)
            VALUES (NEW.zaaktype_id, NEW.vertrouwelijkheid, 1)
            ON CONFLICT (KEY_COLUMNS) DO UPDATE SET aantal = aantal + 1;
        END""",
        """CREATE TRIGGER zgw_zaken_tel_delete AFTER DELETE ON zgw_zaken BEGIN
            UPDATE zgw_zaak_tellingen SET aantal = aantal - 1
            WHERE zaaktype_id = OLD.zaaktype_id AND vertrouwelijkheid = OLD.vertrouwelijkheid;
        END""",
        """CREATE TRIGGER zgw_zaken_tel_update AFTER UPDATE OF zaaktype_id, vertrouwelijkheid ON zgw_zaken
        WHEN OLD.zaaktype_id IS NOT NEW.zaaktype_id OR OLD.vertrouwelijkheid IS NOT NEW.vertrouwelijkheid BEGIN
            UPDATE zgw_zaak_tellingen SET aantal = aantal - 1
            WHERE zaaktype_id = OLD.zaaktype_id AND vertrouwelijkheid = OLD.vertrouwelijkheid;
            INSERT INTO zgw_zaak_tellingen (zaaktype_id, vertrouwelijkheid, aantal)
            VALUES (NEW.zaaktype_id, NEW.vertrouwelijkheid, 1)
            ON CONFLICT (KEY_COLUMNS) DO UPDATE SET aantal = aantal + 1;
        END""",
    ]
    return [trigger.replace("KEY_COLUMNS", conflict) for trigger in triggers]


def _sqlite_rebuild(with_slot: bool) -> None:
    """SQLite cannot change a primary key in place: copy the counts into a new table, and make the triggers again
    with the new conflict target."""
    for name in ("zgw_zaken_tel_insert", "zgw_zaken_tel_delete", "zgw_zaken_tel_update"):
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    key = ["zaaktype_id", "vertrouwelijkheid", *(["slot"] if with_slot else [])]
    op.create_table(
        "zgw_zaak_tellingen_new",
        sa.Column("zaaktype_id", sa.Uuid(), nullable=False),
        sa.Column("vertrouwelijkheid", sa.SmallInteger(), nullable=False),
        *([sa.Column("slot", sa.SmallInteger(), nullable=False, server_default="0")] if with_slot else []),
        sa.Column("aantal", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name="pk_zgw_zaak_tellingen"),
    )
    op.execute(sa.text("INSERT INTO zgw_zaak_tellingen_new (zaaktype_id, vertrouwelijkheid, aantal) "
                       "SELECT zaaktype_id, vertrouwelijkheid, sum(aantal) FROM zgw_zaak_tellingen GROUP BY 1, 2"))
    op.drop_table("zgw_zaak_tellingen")
    op.rename_table("zgw_zaak_tellingen_new", "zgw_zaak_tellingen")
    for statement in _sqlite_triggers(", ".join(key)):
        op.execute(sa.text(statement))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_rebuild(with_slot=True)
        return
    op.add_column("zgw_zaak_tellingen", sa.Column("slot", sa.SmallInteger(), nullable=False, server_default="0"))
    op.drop_constraint("pk_zgw_zaak_tellingen", "zgw_zaak_tellingen", type_="primary")
    op.create_primary_key("pk_zgw_zaak_tellingen", "zgw_zaak_tellingen", ["zaaktype_id", "vertrouwelijkheid", "slot"])
    op.execute(sa.text(POSTGRESQL_FUNCTION))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_rebuild(with_slot=False)
        return
    op.execute(sa.text("CREATE TEMPORARY TABLE zgw_zaak_tellingen_sum AS SELECT zaaktype_id, vertrouwelijkheid, "
                       "sum(aantal)::integer AS aantal FROM zgw_zaak_tellingen GROUP BY 1, 2"))
    op.execute(sa.text("DELETE FROM zgw_zaak_tellingen"))
    op.drop_constraint("pk_zgw_zaak_tellingen", "zgw_zaak_tellingen", type_="primary")
    op.drop_column("zgw_zaak_tellingen", "slot")
    op.create_primary_key("pk_zgw_zaak_tellingen", "zgw_zaak_tellingen", ["zaaktype_id", "vertrouwelijkheid"])
    op.execute(sa.text("INSERT INTO zgw_zaak_tellingen SELECT * FROM zgw_zaak_tellingen_sum"))
    op.execute(sa.text("DROP TABLE zgw_zaak_tellingen_sum"))
    op.execute(sa.text(POSTGRESQL_FUNCTION_BEFORE))
