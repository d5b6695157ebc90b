"""The `plein` command: serve, demo, database, configuration, and each domain's sub-commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from plein.settings import Settings, SettingsError

app = typer.Typer(help="Plein: the platform on which municipalities build a service once and all use it.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Database: apply migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
errors = Console(stderr=True)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; unsafe production settings stop the command with the reason."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except (SettingsError, ValueError) as exc:
        errors.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the database in PLEIN_DATABASE_URL."""
    from plein.migrate import upgrade_and_seed

    settings = load_settings()
    upgrade_and_seed(settings)
    console.print(f"Database is up to date: {settings.masked_database_url()}")


@app.command("config")
def config() -> None:
    """List every setting (PLEIN_* environment variable) with its current value and what it does."""
    settings = load_settings()
    table = Table(title="Plein settings", show_lines=False)
    table.add_column("Variable", style="bold")
    table.add_column("Value")
    table.add_column("Description")
    for name, value, description in settings.describe():
        table.add_row(name, value, description)
    console.print(table)


@app.command("openapi")
def openapi(
    output: Annotated[Path, typer.Option(help="Folder to write the documents to.")] = Path("docs/openapi"),
) -> None:
    """Write the OpenAPI document of each of Plein's own APIs (docs/openapi/ holds the committed ones)."""
    from plein.app import create_app
    from plein.openapi import write_documents

    for path in write_documents(create_app(Settings()), output):
        console.print(f"Wrote {path}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes sharing the port (uvicorn workers). One "
                                         "process uses one CPU core: give about one per core. More than one needs "
                                         "PostgreSQL.")] = 1,
) -> None:
    """Apply pending migrations and serve Plein (pages and APIs), in one process or several."""
    import uvicorn

    from plein.app import create_app
    from plein.db import is_sqlite
    from plein.migrate import upgrade_and_seed

    settings = load_settings()
    if workers > 1 and is_sqlite(settings.database_url):
        errors.print("[red]Configuration error:[/red] --workers above 1 needs PostgreSQL (PLEIN_DATABASE_URL): "
                     "SQLite takes one writer at a time")
        raise typer.Exit(2)
    upgrade_and_seed(settings)
    console.print(f"Plein serves on http://{host}:{port}" + (f" with {workers} workers" if workers > 1 else ""))
    if workers == 1:
        uvicorn.run(create_app(settings, serving=True), host=host, port=port, log_level=settings.log_level)
    else:  # each worker process builds its own app (and engine) from the same PLEIN_* environment
        from plein.serve import serve_workers

        serve_workers(host, port, workers, settings.log_level)


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    fresh: Annotated[bool, typer.Option(help="Start from an empty demo database.")] = True,
) -> None:
    """Create a demo database (all municipalities, sample apps, adoptions) and serve it."""
    import uvicorn

    from plein.app import create_app
    from plein.demo import DemoRefused, build_demo, hold_database, print_logins

    settings = load_settings(env="demo", base_url=demo_base_url(port), **demo_database())
    try:
        lock = hold_database(settings.database_url)
        build_demo(settings, fresh=fresh)
    except DemoRefused as exc:
        errors.print(f"[red]The demo did not start:[/red] {exc}")
        raise typer.Exit(2) from exc
    print_logins(console, port)
    try:
        uvicorn.run(create_app(settings, serving=True), host="127.0.0.1", port=port, log_level=settings.log_level)
    finally:
        if lock is not None:
            lock.close()


def demo_database() -> dict[str, str]:
    """PLEIN_DATABASE_URL when set; else a SQLite file demo.db in the data folder (PLEIN_DATA_DIR, default var)."""
    if os.environ.get("PLEIN_DATABASE_URL"):
        return {}
    folder = os.environ.get("PLEIN_DATA_DIR") or "var"
    return {"database_url": f"sqlite+aiosqlite:///{folder}/demo.db"}


def demo_base_url(port: int) -> str:
    """PLEIN_BASE_URL when set, else the address the demo serves on: the demo's resource URLs and its client's
    autorisaties are made with it, so they must name the port it listens on."""
    return os.environ.get("PLEIN_BASE_URL") or f"http://127.0.0.1:{port}"


def _register_domains() -> None:
    from plein.auth.cli import app as users_app
    from plein.exchange.cli import app as exchange_app
    from plein.exchange.cli import clients_app
    from plein.notifications.cli import app as notifications_app
    from plein.notifications.cli import worker
    from plein.organisations.cli import app as organisations_app
    from plein.registers.cli import app as registers_app
    from plein.store.cli import app as store_app

    app.add_typer(store_app, name="store")
    app.add_typer(registers_app, name="registers")
    app.add_typer(clients_app, name="clients")
    app.add_typer(exchange_app, name="exchange")
    app.add_typer(users_app, name="users")
    app.add_typer(notifications_app, name="notifications")
    app.add_typer(organisations_app, name="organisations")
    app.command("worker")(worker)


_register_domains()


def main() -> None:
    app()
