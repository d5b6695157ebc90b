"""Running the Alembic migrations from code (`plein db upgrade`, `plein serve`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from plein.db import ensure_sqlite_folder, is_sqlite
from plein.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    """Bring the database up to the given revision (default: the newest)."""
    if is_sqlite(settings.database_url):
        ensure_sqlite_folder(settings.database_url)
    command.upgrade(alembic_config(settings), revision)


async def seed_reference_data(settings: Settings) -> int:
    """Reference data every database has: all current municipalities. Returns how many rows were added."""
    from plein.db import make_engine, make_session_factory
    from plein.organisations.service import load_municipalities

    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            return await load_municipalities(session)
    finally:
        await engine.dispose()


def upgrade_and_seed(settings: Settings) -> None:
    """Apply pending migrations and add missing reference data (what `plein db upgrade` does)."""
    import asyncio

    upgrade(settings)
    asyncio.run(seed_reference_data(settings))
