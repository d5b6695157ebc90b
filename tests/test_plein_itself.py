"""Plein's own publiccode.yml passes Plein's own admission checks; the migrations match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import plein.models  # noqa: F401
from plein.db import Base
from plein.migrate import upgrade
from plein.settings import Settings
from plein.store.checks.licence import is_open_expression
from plein.store.publiccode import validate_publiccode

ROOT = Path(__file__).resolve().parents[1]


def test_plein_publiccode_passes() -> None:
    files = frozenset(path.relative_to(ROOT).as_posix() for path in ROOT.glob("*") if path.is_file())
    result = validate_publiccode((ROOT / "publiccode.yml").read_bytes(), files)
    assert [f for f in result.findings if f.severity == "error"] == []
    assert result.data is not None and is_open_expression(result.data["legal"]["license"])


def test_migrations_match_the_models(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    upgrade(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
