"""`plein store`: check an app package like a linter, publish it to the store, and harvest other catalogues."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from plein.settings import Settings
from plein.store.findings import Finding
from plein.store.package import LoadResult, PackageLimits, load_package

if TYPE_CHECKING:
    from plein.store.harvest import HarvestSummary

app = typer.Typer(help="The app store: check, publish and harvest app packages.", no_args_is_help=True)
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


@app.command("harvest")
def harvest(
    url: Annotated[str, typer.Argument(help="Another Plein's feed (…/api/store/v1/feed) or a list of publiccode.yml "
                                            "URLs (plain text, one a line, or a JSON list).")],
    output: Annotated[OutputFormat, typer.Option("--format", help="text for people, json for tools.")] =
        OutputFormat.text,
) -> None:
    """Harvest apps from another catalogue through the admission pipeline; a second run updates what changed.
    Exit code 1 when the source cannot be read or an item was rejected or failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from plein.cli import load_settings
    from plein.migrate import upgrade_and_seed
    from plein.store.harvest_items import HarvestError

    settings = load_settings()
    upgrade_and_seed(settings)
    with Progress(TextColumn("Harvesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[item]}"), console=errors, transient=True) as bar:
        task = bar.add_task("harvest", total=None, item="")

        def progress(done: int, total: int, item: str) -> None:
            bar.update(task, completed=done, total=total, item=item[-60:])

        try:
            summary = asyncio.run(_harvest(settings, url, progress))
        except HarvestError as exc:
            errors.print(f"[red]Not harvested:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from exc
    _harvest_report(summary, output)
    if summary.problems:
        raise typer.Exit(1)


async def _harvest(settings: Settings, url: str, progress: Callable[[int, int, str], None]) -> HarvestSummary:
    from plein.db import make_engine, make_session_factory
    from plein.storage import storage_from_settings
    from plein.store.harvest import HarvestLimits
    from plein.store.harvest import harvest as run_harvest

    limits = HarvestLimits(package=_limits())
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            return await run_harvest(session, storage_from_settings(settings), url, limits, progress)
    finally:
        await engine.dispose()


def _harvest_report(summary: HarvestSummary, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        typer.echo(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        return
    colours = {"added": "green", "updated": "green", "unchanged": "dim", "relisted": "green", "removed": "yellow",
               "rejected": "red", "failed": "red"}
    for outcome in summary.outcomes:
        colour = colours[outcome.status]
        what = " ".join(part for part in (outcome.app, outcome.version) if part) or outcome.remote_url
        line = f"[{colour}]{outcome.status:9}[/{colour}] {what}"
        console.print(line + (f"  {outcome.message}" if outcome.message else ""), highlight=False, soft_wrap=True)
    counts = summary.as_dict()["counts"]
    console.print(f"\n{summary.source} ({summary.kind}, published here as {summary.publisher}): "
                  + ", ".join(f"{count} {status}" for status, count in counts.items()), highlight=False)
