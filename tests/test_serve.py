"""`plein serve`: one process by default, several (uvicorn workers, each building its own app) with --workers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from plein import migrate, serve
from plein.app import create_app, served_app
from plein.cli import app

runner = CliRunner()
POSTGRES = "postgresql+asyncpg://plein@db.invalid/plein"


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """What uvicorn.run was called with (nothing is served and no database is touched)."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append((target, options)))
    monkeypatch.setattr(migrate, "upgrade_and_seed", lambda settings: None)
    return calls


def test_serve_runs_one_process_by_default(runs: list[tuple[Any, dict[str, Any]]]) -> None:
    result = runner.invoke(app, ["serve", "--port", "8123"], env={"PLEIN_DATABASE_URL": POSTGRES})
    assert result.exit_code == 0, result.output
    [(target, options)] = runs
    assert isinstance(target, FastAPI) and options["port"] == 8123 and "workers" not in options


def test_serve_with_workers_hands_them_to_the_supervisor(runs: list[tuple[Any, dict[str, Any]]],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    supervised: list[tuple[str, int, int, str]] = []
    monkeypatch.setattr(serve, "serve_workers", lambda *arguments: supervised.append(arguments))
    result = runner.invoke(app, ["serve", "--workers", "3", "--port", "8124"], env={"PLEIN_DATABASE_URL": POSTGRES})
    assert result.exit_code == 0, result.output
    assert "with 3 workers" in result.output
    assert runs == [] and supervised == [("127.0.0.1", 8124, 3, "info")]
    module, _, name = serve.APP.partition(":")  # what each worker process builds
    assert module == served_app.__module__ and name == served_app.__name__


def test_serve_refuses_workers_on_sqlite(runs: list[tuple[Any, dict[str, Any]]]) -> None:
    result = runner.invoke(app, ["serve", "--workers", "2"], env={"PLEIN_DATABASE_URL": "sqlite+aiosqlite:///x.db"})
    assert result.exit_code == 2 and "PostgreSQL" in result.output
    assert runs == []


def test_the_factory_builds_the_app_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEIN_DATABASE_URL", POSTGRES)
    built = create_app()
    assert built.state.settings.database_url == POSTGRES


COLLECTOR_AFTER_STARTUP = textwrap.dedent("""
    import gc, sys
    from fastapi.testclient import TestClient
    from plein.app import create_app
    from plein.migrate import upgrade_and_seed
    from plein.settings import Settings

    settings = Settings(database_url=f"sqlite+aiosqlite:///{sys.argv[1]}", notifications_in_process=False)
    upgrade_and_seed(settings)
    with TestClient(create_app(settings, serving=sys.argv[2] == "serving")) as client:
        assert client.get("/api/store/v1/apps").status_code == 200
        print(gc.get_freeze_count(), *gc.get_threshold())
""")


@pytest.mark.parametrize(("kind", "tuned"), [("serving", True), ("built", False)])
def test_a_served_app_freezes_what_it_started_with_out_of_the_collector(tmp_path: Path, kind: str,
                                                                       tuned: bool) -> None:
    """In its own interpreter: freezing is for a process that serves, never for one that builds apps (tests)."""
    done = subprocess.run([sys.executable, "-c", COLLECTOR_AFTER_STARTUP, str(tmp_path / "plein.db"), kind],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    frozen, young, *_ = (int(value) for value in done.stdout.split())
    assert (frozen > 10_000, young) == ((True, 10_000) if tuned else (False, 700))
