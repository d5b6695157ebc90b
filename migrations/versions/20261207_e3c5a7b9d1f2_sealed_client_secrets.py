"""API client secrets sealed at rest: the column grows to hold a Fernet token, and every stored secret is sealed with
the first key of PLEIN_CLIENT_SECRET_KEYS (the settings the migration runs with). And the identificatie counters move
past every identificatie a client chose in the generator's shape before that was watched (plein.zgw.identificatie).

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
COUNTERS = sa.table("zgw_identificatie_counters", sa.column("bronorganisatie", sa.String()),
                    sa.column("kind", sa.String()), sa.column("year", sa.Integer()), sa.column("last", sa.Integer()))
TAKEN = (("ZAAK", "zgw_zaken", "bronorganisatie"), ("DOCUMENT", "zgw_informatieobjecten", "bronorganisatie"),
         ("BESLUIT", "zgw_besluiten", "verantwoordelijke_organisatie"))


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
    _counters_past_taken(connection)


def _counters_past_taken(connection: sa.Connection) -> None:
    highest: dict[tuple[str, str, int], int] = {}
    for kind, table, organisation in TAKEN:
        rows = connection.execute(sa.text(f"SELECT {organisation}, identificatie FROM {table} "  # noqa: S608 - constants
                                          "WHERE identificatie LIKE :shape"), {"shape": f"{kind}-____-__________"})
        for bron, identificatie in rows:
            year, number = identificatie.split("-")[1:]
            if year.isdigit() and number.isdigit():
                key = (bron, kind, int(year))
                highest[key] = max(highest.get(key, 0), int(number))
    for (bron, kind, year), number in highest.items():
        where = (COUNTERS.c.bronorganisatie == bron) & (COUNTERS.c.kind == kind) & (COUNTERS.c.year == year)
        last = connection.execute(sa.select(COUNTERS.c.last).where(where)).scalar()
        if last is None:
            connection.execute(COUNTERS.insert().values(bronorganisatie=bron, kind=kind, year=year, last=number))
        elif last < number:
            connection.execute(COUNTERS.update().where(where).values(last=number))


def downgrade() -> None:
    sealer = _sealer()
    connection = op.get_bind()
    for key, sealed in connection.execute(sa.select(CLIENTS.c.id, CLIENTS.c.secret)).all():
        connection.execute(CLIENTS.update().where(CLIENTS.c.id == key).values(secret=sealer.open(sealed)))
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=500), type_=sa.String(length=200))
