"""`plein store`: check an app package like a linter, and publish it to the store."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from plein.settings import Settings
from plein.store.findings import Finding
from plein.store.package import LoadResult, PackageLimits, load_package

app = typer.Typer(help="The app store: check and publish app packages.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def _limits() -> PackageLimits:
    from plein.cli import load_settings

    settings = load_settings()
    return PackageLimits(max_archive_bytes=settings.store_max_archive_bytes,
                         max_unpacked_bytes=settings.store_max_unpacked_bytes)


def print_findings(findings: list[Finding]) -> None:
    """One line per finding, like a linter: file:line  severity  rule  message."""
    for finding in findings:
        colour = "red" if finding.severity == "error" else "yellow"
        console.print(  # escaped: a message may quote [...], such as a regular expression
            f"{escape(finding.location())}  [{colour}]{finding.severity}[/{colour}]  "
            f"[bold]{escape(finding.rule)}[/bold]  {escape(finding.message)}", highlight=False, soft_wrap=True,
        )
    count_errors = sum(1 for f in findings if f.severity == "error")
    console.print(f"\n{count_errors} error(s), {len(findings) - count_errors} warning(s)")


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The package: a folder, a .zip or a .tar.gz.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="text for people, json for tools.")] =
        OutputFormat.text,
) -> None:
    """Run the admission checks on a package without publishing it. Exit code 1 when there is any error."""
    from plein.store.service import PackageRejected, check_package

    loaded = load_package(path, _limits())
    try:
        report = asyncio.run(check_package(None, loaded)).as_dict()
    except PackageRejected as exc:
        report = {"verdict": "rejected", "checks": [], "findings": [f.as_dict() for f in exc.findings]}
    _report(report, output)
    if report["verdict"] != "accepted":
        raise typer.Exit(1)


def _report(report: dict[str, object], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    findings = [Finding(**item) for item in report["findings"]]  # type: ignore[attr-defined]
    print_findings(findings)
    console.print(f"Verdict: [bold]{report['verdict']}[/bold]")


@app.command("publish")
def publish(
    path: Annotated[Path, typer.Argument(help="The package: a folder, a .zip or a .tar.gz.")],
    publisher: Annotated[str, typer.Option(help="Code of the publishing organisation (e.g. 0363).")],
) -> None:
    """Publish a package: it is checked, stored with its report, and listed when it passes."""
    from plein.cli import load_settings
    from plein.migrate import upgrade_and_seed

    settings = load_settings()
    upgrade_and_seed(settings)
    loaded = load_package(path, _limits())
    asyncio.run(_publish(settings, loaded, publisher))


async def _publish(settings: Settings, loaded: LoadResult, publisher: str) -> None:
    from plein.auth.service import Principal
    from plein.db import make_engine, make_session_factory
    from plein.errors import PleinError
    from plein.storage import storage_from_settings
    from plein.store.service import PackageRejected
    from plein.store.service import publish as publish_release

    engine = make_engine(settings)
    actor = Principal("cli", "plein-cli", "Plein command line", frozenset(), all_rights=True)
    try:
        async with make_session_factory(engine)() as session:
            result = await publish_release(session, storage_from_settings(settings), loaded, publisher, actor)
    except PackageRejected as exc:
        print_findings(exc.findings)
        errors.print(f"[red]Not published:[/red] {exc.detail}")
        raise typer.Exit(1) from exc
    except PleinError as exc:
        errors.print(f"[red]Not published:[/red] {exc.detail}")
        raise typer.Exit(1) from exc
    finally:
        await engine.dispose()
    findings = [Finding(**item) for item in result.report["findings"]]
    print_findings(findings)
    release = result.release
    if release.status == "accepted":
        console.print(f"[green]Published[/green] {release.app.slug} {release.version} (sha256 {release.sha256[:12]}…)")
        return
    errors.print(f"[red]Rejected:[/red] {release.app.slug} {release.version}; the report is kept for the publisher")
    raise typer.Exit(1)
