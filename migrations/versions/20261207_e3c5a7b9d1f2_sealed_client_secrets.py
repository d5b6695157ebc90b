"""API client secrets sealed at rest: the column grows to hold a Fernet token, and every stored secret is sealed with
the first key of PLEIN_CLIENT_SECRET_KEYS (the settings the migration runs with).

Revision ID: e3c5a7b9d1f2
Revises: d6e7f8a9b0c1
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from plein.auth.sealing import Sealer
from plein.settings import Settings

revision: str = "e3c5a7b9d1f2"
down_revision: str | None = "d6e7f8a9b0c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENTS = sa.table("api_clients", sa.column("id", sa.Uuid()), sa.column("secret", sa.String()))


def _sealer() -> Sealer:
    settings = context.config.attributes.get("settings")
    return Sealer.from_settings(settings if isinstance(settings, Settings) else Settings())


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=200), type_=sa.String(length=500))
    sealer = _sealer()
    connection = op.get_bind()
    for key, secret in connection.execute(sa.select(CLIENTS.c.id, CLIENTS.c.secret)).all():
        connection.execute(CLIENTS.update().where(CLIENTS.c.id == key).values(secret=sealer.seal(secret)))


def downgrade() -> None:
    sealer = _sealer()
    connection = op.get_bind()
    for key, sealed in connection.execute(sa.select(CLIENTS.c.id, CLIENTS.c.secret)).all():
        connection.execute(CLIENTS.update().where(CLIENTS.c.id == key).values(secret=sealer.open(sealed)))
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=500), type_=sa.String(length=200))
