"""`plein organisations`: set a municipality's theme (its NL Design System design tokens) from a JSON or YAML file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

app = typer.Typer(help="Organisations: municipalities and their themes.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@app.callback()
def organisations() -> None:
    """Organisations: municipalities and their themes."""


def _read_theme(path: Path, logo: Path | None) -> Any:
    """The tokens in a .json, .yaml or .yml file; --logo puts an SVG file's text in the logo token."""
    try:
        text = path.read_text("utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        if logo is not None and isinstance(data, dict):
            data["logo"] = logo.read_text("utf-8")
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        errors.print(f"[red]Error:[/red] cannot read the theme: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    return data


@app.command("theme")
def theme(
    code: Annotated[str, typer.Argument(help="The municipality's CBS code, e.g. 0363.")],
    file: Annotated[Path, typer.Argument(help="The theme: a JSON or YAML file of design tokens (see the README).")],
    logo: Annotated[Path | None, typer.Option(help="An SVG file to use as the logo (the logo token).")] = None,
) -> None:
    """Set a municipality's theme. It is refused, with each token and contrast ratio that fails, unless every
    colour pair reaches WCAG 2.1 AA contrast and the logo is plain SVG."""
    from plein.cli import load_settings
    from plein.db import make_engine, make_session_factory
    from plein.errors import PleinError
    from plein.migrate import upgrade_and_seed
    from plein.organisations.service import set_theme

    if file.suffix.lower() not in (".json", ".yaml", ".yml"):
        errors.print("[red]Error:[/red] the theme file must end in .json, .yaml or .yml")
        raise typer.Exit(2)
    data = _read_theme(file, logo)
    settings = load_settings()
    upgrade_and_seed(settings)

    async def run() -> str:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine)() as session:
                organisation = await set_theme(session, code, data)
                return f"{organisation.name} ({organisation.code})"
        finally:
            await engine.dispose()

    try:
        name = asyncio.run(run())
    except PleinError as exc:
        errors.print("[red]Error:[/red] the theme is refused:" if exc.invalid_params else
                     f"[red]Error:[/red] {exc.detail}", highlight=False)
        for problem in exc.invalid_params:
            errors.print(f"  - {problem.reason}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(f"Theme of {name} set. Preview: {settings.base_url.rstrip('/')}/thema/{code}", highlight=False)
