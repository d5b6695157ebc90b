"""BRP: the rest of the Haal Centraal Persoon: verblijfstitels, RNI participants, curatele and gezag, kiesrecht,
verificatie, and open investigations (in onderzoek) on the header, residences, relations and nationalities.

Revision ID: b5c6d7e8f9a0
Revises: a7b8c9d0e1f2
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "b5c6d7e8f9a0"
down_revision: str | None = "a7b8c9d0e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CURRENT = sa.text("valid_to IS NULL")


def _onderzoek(batch_op: BatchOperations) -> None:
    batch_op.add_column(sa.Column("onderzoek", sa.String(length=6), nullable=True))
    batch_op.add_column(sa.Column("onderzoek_datum", sa.String(length=8), nullable=True))


def upgrade() -> None:
    op.create_table('brp_rni_deelnemers',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('categorie', sa.String(length=2), nullable=False),
    sa.Column('deelnemer', sa.String(length=4), nullable=False),
    sa.Column('omschrijving_verdrag', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_rni_deelnemers_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_rni_deelnemers'))
    )
    with op.batch_alter_table('brp_rni_deelnemers', schema=None) as batch_op:
        batch_op.create_index('ix_brp_rni_deelnemers_bsn', ['bsn'], unique=False)

    op.create_table('brp_verblijfstitels',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('aanduiding', sa.String(length=2), nullable=False),
    sa.Column('datum_einde', sa.String(length=8), nullable=True),
    sa.Column('datum_ingang', sa.String(length=8), nullable=True),
    sa.Column('onderzoek', sa.String(length=6), nullable=True),
    sa.Column('onderzoek_datum', sa.String(length=8), nullable=True),
    sa.Column('valid_from', sa.String(length=8), nullable=False),
    sa.Column('valid_to', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_verblijfstitels_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_verblijfstitels'))
    )
    with op.batch_alter_table('brp_verblijfstitels', schema=None) as batch_op:
        batch_op.create_index('ix_brp_verblijfstitels_bsn_valid_from', ['bsn', 'valid_from'], unique=False)
        batch_op.create_index('ux_brp_verblijfstitels_current_bsn', ['bsn'], unique=True, sqlite_where=CURRENT,
                              postgresql_where=CURRENT)

    with op.batch_alter_table('brp_persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verificatie_datum', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('verificatie_omschrijving', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('gezag_indicatie', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('curatele', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('europees_kiesrecht', sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column('europees_kiesrecht_einde', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('uitgesloten_kiesrecht', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('uitsluiting_kiesrecht_einde', sa.String(length=8), nullable=True))
        for group in ('persoon', 'overlijden', 'gezag'):
            batch_op.add_column(sa.Column(f'onderzoek_{group}', sa.String(length=6), nullable=True))
            batch_op.add_column(sa.Column(f'onderzoek_{group}_datum', sa.String(length=8), nullable=True))

    with op.batch_alter_table('brp_residences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('datum_ingang_geldigheid', sa.String(length=8), nullable=True))
        _onderzoek(batch_op)
    for table in ('brp_relations', 'brp_nationalities'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            _onderzoek(batch_op)


def downgrade() -> None:
    for table in ('brp_nationalities', 'brp_relations', 'brp_residences'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('onderzoek_datum')
            batch_op.drop_column('onderzoek')
    with op.batch_alter_table('brp_residences', schema=None) as batch_op:
        batch_op.drop_column('datum_ingang_geldigheid')

    with op.batch_alter_table('brp_persons', schema=None) as batch_op:
        for group in ('gezag', 'overlijden', 'persoon'):
            batch_op.drop_column(f'onderzoek_{group}_datum')
            batch_op.drop_column(f'onderzoek_{group}')
        for column in ('uitsluiting_kiesrecht_einde', 'uitgesloten_kiesrecht', 'europees_kiesrecht_einde',
                       'europees_kiesrecht', 'curatele', 'gezag_indicatie', 'verificatie_omschrijving',
                       'verificatie_datum'):
            batch_op.drop_column(column)

    with op.batch_alter_table('brp_verblijfstitels', schema=None) as batch_op:
        batch_op.drop_index('ux_brp_verblijfstitels_current_bsn', sqlite_where=CURRENT, postgresql_where=CURRENT)
        batch_op.drop_index('ix_brp_verblijfstitels_bsn_valid_from')
    op.drop_table('brp_verblijfstitels')
    with op.batch_alter_table('brp_rni_deelnemers', schema=None) as batch_op:
        batch_op.drop_index('ix_brp_rni_deelnemers_bsn')
    op.drop_table('brp_rni_deelnemers')
