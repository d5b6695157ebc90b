"""Test fixtures: every database test runs on SQLite and, when PLEIN_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from plein.app import create_app, dispose_engines
from plein.db import Base
from plein.migrate import upgrade_and_seed
from plein.organisations.service import load_municipalities
from plein.settings import Settings

POSTGRES_URL = os.environ.get("PLEIN_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
SHARED_SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"

# Property tests assert behaviour, not speed: on a busy machine (CI shares its cores) generating examples may be slow.
hypothesis_settings.register_profile("plein", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("plein")


@pytest.fixture(scope="session", autouse=True)
def no_files_in_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests write only to temporary folders: settings made from the environment (CLI commands, `Settings()`,
    subprocesses) get a temporary PLEIN_DATA_DIR and database instead of the checkout's var/."""
    folder = tmp_path_factory.mktemp("plein-var")
    saved = {name: os.environ.get(name) for name in ("PLEIN_DATA_DIR", "PLEIN_DATABASE_URL")}
    os.environ["PLEIN_DATA_DIR"] = str(folder)
    os.environ["PLEIN_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'plein.db'}"
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the municipalities, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_and_seed(Settings(env="test", database_url=f"sqlite+aiosqlite:///{path}"))
    return path


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated and seeded once, dropped when the run ends."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    name = f"plein_test_{os.getpid()}"
    admin = url.render_as_string(hide_password=False)
    asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    upgrade_and_seed(Settings(env="test", database_url=test_url))
    yield test_url
    asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _reset_postgres(url: str) -> None:
    """Empty every table but the reference data, so the next test starts clean."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name != "organisations"]
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("SET LOCAL session_replication_role = replica"))  # past the log's triggers
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        await connection.execute(text("DELETE FROM organisations WHERE kind != 'municipality'"))
        await connection.execute(text("UPDATE organisations SET theme = '{}' WHERE theme::text != '{}'"))
    async with AsyncSession(engine) as session:  # the demo themes again, as every fresh database has them
        await load_municipalities(session)
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "plein.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database")
    yield url
    asyncio.run(_reset_postgres(url))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    yield application
    await dispose_engines(application)


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as http:
        yield http


@pytest.fixture
async def session(app: object) -> AsyncIterator[AsyncSession]:
    async with app.state.sessions() as db:  # type: ignore[attr-defined]
        yield db
