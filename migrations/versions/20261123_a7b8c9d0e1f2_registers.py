"""The registers: BAG addresses and BRP persons with names, residences, relations, nationalities and mutations.

Partial indexes (valid_to IS NULL) cover the current rows each Haal Centraal query type searches; search keys use
collation "C" on PostgreSQL so that wildcard prefixes become index range scans.

Revision ID: a7b8c9d0e1f2
Revises: e1f2a3b4c5d6
Create Date: 2026-11-23 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = "a7b8c9d0e1f2"
down_revision: str | None = "e1f2a3b4c5d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bag_addresses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('nummeraanduiding', sa.String(length=16), nullable=True),
    sa.Column('adresseerbaar_object', sa.String(length=16), nullable=True),
    sa.Column('openbare_ruimte', sa.String(length=80), nullable=False),
    sa.Column('korte_naam', sa.String(length=24), nullable=True),
    sa.Column('openbare_ruimte_key', sa.String(length=80).with_variant(sa.String(length=80, collation='C'), 'postgresql'), nullable=False),
    sa.Column('huisnummer', sa.Integer(), nullable=True),
    sa.Column('huisletter', sa.String(length=1), nullable=True),
    sa.Column('huisnummertoevoeging', sa.String(length=4), nullable=True),
    sa.Column('postcode', sa.String(length=6), nullable=True),
    sa.Column('woonplaats', sa.String(length=80), nullable=True),
    sa.Column('gemeentecode', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bag_addresses')),
    sa.UniqueConstraint('nummeraanduiding', name=op.f('uq_bag_addresses_nummeraanduiding'))
    )
    with op.batch_alter_table('bag_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bag_addresses_adresseerbaar_object'), ['adresseerbaar_object'], unique=False)
        batch_op.create_index('ix_bag_addresses_gemeente_huisnummer_straat', ['gemeentecode', 'huisnummer', 'openbare_ruimte_key'], unique=False)
        batch_op.create_index('ix_bag_addresses_gemeente_straat_huisnummer', ['gemeentecode', 'openbare_ruimte_key', 'huisnummer'], unique=False)
        batch_op.create_index('ix_bag_addresses_postcode_huisnummer', ['postcode', 'huisnummer'], unique=False)

    op.create_table('brp_mutations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('case_ref', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_mutations'))
    )
    with op.batch_alter_table('brp_mutations', schema=None) as batch_op:
        batch_op.create_index('ix_brp_mutations_bsn_at', ['bsn', 'at'], unique=False)

    op.create_table('brp_persons',
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('a_nummer', sa.String(length=10), nullable=True),
    sa.Column('geslacht', sa.String(length=1), nullable=False),
    sa.Column('geboortedatum', sa.String(length=8), nullable=False),
    sa.Column('geboorteplaats', sa.String(length=80), nullable=True),
    sa.Column('geboorteland', sa.String(length=4), nullable=True),
    sa.Column('datum_eerste_inschrijving', sa.String(length=8), nullable=True),
    sa.Column('geheimhouding', sa.SmallInteger(), nullable=False),
    sa.Column('overlijdensdatum', sa.String(length=8), nullable=True),
    sa.Column('overlijdensplaats', sa.String(length=80), nullable=True),
    sa.Column('overlijdensland', sa.String(length=4), nullable=True),
    sa.Column('opschorting_reden', sa.String(length=1), nullable=True),
    sa.Column('opschorting_datum', sa.String(length=8), nullable=True),
    sa.Column('created_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('bsn', name=op.f('pk_brp_persons')),
    sa.UniqueConstraint('a_nummer', name=op.f('uq_brp_persons_a_nummer'))
    )
    op.create_table('brp_names',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('voornamen', sa.String(length=200), nullable=True),
    sa.Column('adellijke_titel', sa.String(length=2), nullable=True),
    sa.Column('voorvoegsel', sa.String(length=10), nullable=True),
    sa.Column('geslachtsnaam', sa.String(length=200), nullable=False),
    sa.Column('naamgebruik', sa.String(length=1), nullable=False),
    sa.Column('geslachtsnaam_key', sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql'), nullable=False),
    sa.Column('voornamen_key', sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql'), nullable=False),
    sa.Column('voorvoegsel_key', sa.String(length=10), nullable=False),
    sa.Column('geboortedatum', sa.String(length=8), nullable=False),
    sa.Column('valid_from', sa.String(length=8), nullable=False),
    sa.Column('valid_to', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_names_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_names'))
    )
    with op.batch_alter_table('brp_names', schema=None) as batch_op:
        batch_op.create_index('ix_brp_names_bsn_valid_from', ['bsn', 'valid_from'], unique=False)
        batch_op.create_index('ix_brp_names_current_geslachtsnaam_geboortedatum', ['geslachtsnaam_key', 'geboortedatum'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.create_index('ix_brp_names_current_geslachtsnaam_voornamen', ['geslachtsnaam_key', 'voornamen_key'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.create_index('ux_brp_names_current_bsn', ['bsn'], unique=True, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    op.create_table('brp_nationalities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('nationaliteit', sa.String(length=4), nullable=True),
    sa.Column('bijzonder_nederlanderschap', sa.String(length=1), nullable=True),
    sa.Column('reden_opname', sa.String(length=3), nullable=True),
    sa.Column('reden_beeindiging', sa.String(length=3), nullable=True),
    sa.Column('valid_from', sa.String(length=8), nullable=False),
    sa.Column('valid_to', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_nationalities_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_nationalities'))
    )
    with op.batch_alter_table('brp_nationalities', schema=None) as batch_op:
        batch_op.create_index('ix_brp_nationalities_bsn_valid_from', ['bsn', 'valid_from'], unique=False)
        batch_op.create_index('ix_brp_nationalities_current_bsn', ['bsn'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    op.create_table('brp_relations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('soort', sa.String(length=7), nullable=False),
    sa.Column('occurrence', sa.SmallInteger(), nullable=False),
    sa.Column('ouder_aanduiding', sa.String(length=1), nullable=True),
    sa.Column('related_bsn', sa.String(length=9), nullable=True),
    sa.Column('related_a_nummer', sa.String(length=10), nullable=True),
    sa.Column('voornamen', sa.String(length=200), nullable=True),
    sa.Column('adellijke_titel', sa.String(length=2), nullable=True),
    sa.Column('voorvoegsel', sa.String(length=10), nullable=True),
    sa.Column('geslachtsnaam', sa.String(length=200), nullable=True),
    sa.Column('geslacht', sa.String(length=1), nullable=True),
    sa.Column('geboortedatum', sa.String(length=8), nullable=True),
    sa.Column('geboorteplaats', sa.String(length=80), nullable=True),
    sa.Column('geboorteland', sa.String(length=4), nullable=True),
    sa.Column('soort_verbintenis', sa.String(length=1), nullable=True),
    sa.Column('aangaan_datum', sa.String(length=8), nullable=True),
    sa.Column('aangaan_plaats', sa.String(length=80), nullable=True),
    sa.Column('aangaan_land', sa.String(length=4), nullable=True),
    sa.Column('ontbinding_datum', sa.String(length=8), nullable=True),
    sa.Column('ontbinding_reden', sa.String(length=1), nullable=True),
    sa.Column('familierechtelijke_betrekking', sa.String(length=8), nullable=True),
    sa.Column('valid_from', sa.String(length=8), nullable=False),
    sa.Column('valid_to', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_relations_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_relations'))
    )
    with op.batch_alter_table('brp_relations', schema=None) as batch_op:
        batch_op.create_index('ix_brp_relations_bsn_occurrence', ['bsn', 'soort', 'occurrence'], unique=False)
        batch_op.create_index('ix_brp_relations_current_bsn_soort', ['bsn', 'soort'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.create_index('ix_brp_relations_current_related', ['related_bsn'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    op.create_table('brp_residences',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('soort', sa.String(length=30), nullable=False),
    sa.Column('address_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('functie_adres', sa.String(length=1), nullable=True),
    sa.Column('aanduiding_bij_huisnummer', sa.String(length=2), nullable=True),
    sa.Column('locatiebeschrijving', sa.String(length=35), nullable=True),
    sa.Column('land', sa.String(length=4), nullable=True),
    sa.Column('regel1', sa.String(length=40), nullable=True),
    sa.Column('regel2', sa.String(length=50), nullable=True),
    sa.Column('regel3', sa.String(length=35), nullable=True),
    sa.Column('gemeente_van_inschrijving', sa.String(length=4), nullable=False),
    sa.Column('datum_inschrijving', sa.String(length=8), nullable=True),
    sa.Column('land_vanwaar_ingeschreven', sa.String(length=4), nullable=True),
    sa.Column('datum_vestiging', sa.String(length=8), nullable=True),
    sa.Column('valid_from', sa.String(length=8), nullable=False),
    sa.Column('valid_to', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['bag_addresses.id'], name=op.f('fk_brp_residences_address_id_bag_addresses')),
    sa.ForeignKeyConstraint(['bsn'], ['brp_persons.bsn'], name=op.f('fk_brp_residences_bsn_brp_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brp_residences'))
    )
    with op.batch_alter_table('brp_residences', schema=None) as batch_op:
        batch_op.create_index('ix_brp_residences_bsn_valid_from', ['bsn', 'valid_from'], unique=False)
        batch_op.create_index('ix_brp_residences_current_address', ['address_id'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.create_index('ix_brp_residences_current_gemeente', ['gemeente_van_inschrijving'], unique=False, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.create_index('ux_brp_residences_current_bsn', ['bsn'], unique=True, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('brp_residences', schema=None) as batch_op:
        batch_op.drop_index('ux_brp_residences_current_bsn', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_residences_current_gemeente', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_residences_current_address', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_residences_bsn_valid_from')

    op.drop_table('brp_residences')
    with op.batch_alter_table('brp_relations', schema=None) as batch_op:
        batch_op.drop_index('ix_brp_relations_current_related', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_relations_current_bsn_soort', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_relations_bsn_occurrence')

    op.drop_table('brp_relations')
    with op.batch_alter_table('brp_nationalities', schema=None) as batch_op:
        batch_op.drop_index('ix_brp_nationalities_current_bsn', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_nationalities_bsn_valid_from')

    op.drop_table('brp_nationalities')
    with op.batch_alter_table('brp_names', schema=None) as batch_op:
        batch_op.drop_index('ux_brp_names_current_bsn', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_names_current_geslachtsnaam_voornamen', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_names_current_geslachtsnaam_geboortedatum', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_brp_names_bsn_valid_from')

    op.drop_table('brp_names')
    op.drop_table('brp_persons')
    with op.batch_alter_table('brp_mutations', schema=None) as batch_op:
        batch_op.drop_index('ix_brp_mutations_bsn_at')

    op.drop_table('brp_mutations')
    with op.batch_alter_table('bag_addresses', schema=None) as batch_op:
        batch_op.drop_index('ix_bag_addresses_postcode_huisnummer')
        batch_op.drop_index('ix_bag_addresses_gemeente_straat_huisnummer')
        batch_op.drop_index('ix_bag_addresses_gemeente_huisnummer_straat')
        batch_op.drop_index(batch_op.f('ix_bag_addresses_adresseerbaar_object'))

    op.drop_table('bag_addresses')
