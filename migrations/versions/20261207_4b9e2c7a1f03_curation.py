"""The curator's admission policy (versioned) and list of standards, and the withdrawal of a release by its
publisher. Seeds policy version 1 (every finding as its check gives it) and the standards the built-in apps use.

Revision ID: 4b9e2c7a1f03
Revises: d5a7366ca3cd
Create Date: 2026-12-07 15:00:00
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plein.db

revision: str = '4b9e2c7a1f03'
down_revision: str | None = 'd5a7366ca3cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
SEED_STANDARDS = [
    ("bag", "Basisregistratie Adressen en Gebouwen (BAG)",
     "https://www.kadaster.nl/zakelijk/registraties/basisregistraties/bag"),
    ("digid", "DigiD", "https://www.logius.nl/domeinen/toegang/digid"),
    ("eherkenning", "eHerkenning", "https://www.logius.nl/domeinen/toegang/eherkenning"),
    ("haal-centraal-brp-2", "Haal Centraal BRP Personen bevragen 2",
     "https://brp-api.github.io/Haal-Centraal-BRP-bevragen/"),
    ("nl-api-design-rules-2", "NL API Design Rules 2", "https://gitdocumentatie.logius.nl/publicatie/api/adr/"),
    ("zgw-documenten-1.4", "ZGW API's: Documenten API 1.4",
     "https://vng-realisatie.github.io/gemma-zaken/standaard/documenten/"),
    ("zgw-zaken-1.5", "ZGW API's: Zaken API 1.5", "https://vng-realisatie.github.io/gemma-zaken/standaard/zaken/"),
]


def upgrade() -> None:
    policies = op.create_table('store_admission_policies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('severities', JSON, nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.Column('set_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_admission_policies')),
    sa.UniqueConstraint('version', name=op.f('uq_store_admission_policies_version'))
    )
    standards = op.create_table('store_standards',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('alias', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('changed_at', plein.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_standards')),
    sa.UniqueConstraint('alias', name=op.f('uq_store_standards_alias'))
    )
    with op.batch_alter_table('store_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', plein.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(policies, [{
        'id': uuid.uuid4(), 'version': 1, 'severities': {}, 'set_by': 'plein', 'set_at': now,
        'reason': 'Beginbeleid: elke bevinding telt zoals de controle haar geeft.',
    }])
    op.bulk_insert(standards, [
        {'id': uuid.uuid4(), 'alias': alias, 'title': title, 'url': url, 'changed_by': 'plein', 'changed_at': now}
        for alias, title, url in SEED_STANDARDS
    ])


def downgrade() -> None:
    with op.batch_alter_table('store_releases', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
    op.drop_table('store_standards')
    op.drop_table('store_admission_policies')
