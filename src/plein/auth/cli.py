"""`plein users`: create staff accounts with roles per organisation."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Staff accounts: create users with roles per organisation.", no_args_is_help=True)
console = Console()


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[list[str], typer.Option(help="ROLE@CODE, e.g. beheerder@0363; repeat for more roles.")],
    name: Annotated[str, typer.Option(help="Name shown on pages.")] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="At least 10 characters.")] = "",
) -> None:
    """Create a staff user (password stored argon2-hashed)."""
    from plein.auth.service import create_user
    from plein.cli import load_settings
    from plein.db import make_engine, make_session_factory
    from plein.migrate import upgrade_and_seed

    pairs = []
    for item in role:
        held, _, code = item.partition("@")
        if not code:
            raise typer.BadParameter(f"'{item}' must be ROLE@CODE, e.g. beheerder@0363", param_hint="--role")
        pairs.append((code, held))
    settings = load_settings()
    upgrade_and_seed(settings)

    async def run() -> None:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine)() as session:
                await create_user(session, username, password, name or username, pairs)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except (ValueError, LookupError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"Created user [bold]{username}[/bold]")
