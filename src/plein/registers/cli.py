"""`plein registers`: load source data into the BRP and BAG registers (the GBA-V test set)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from plein.registers.gbav import ImportReport, ReportedRow
from plein.registers.generate import generate_command

app = typer.Typer(help="The source registers (BRP persons, BAG addresses): import data.", no_args_is_help=True)
app.command("generate")(generate_command)
console = Console()
WARNINGS_SHOWN = 10


async def _import(path: Path) -> ImportReport:
    from plein.cli import load_settings
    from plein.db import make_engine, make_session_factory
    from plein.registers.gbav import import_gbav

    engine = make_engine(load_settings())
    try:
        async with make_session_factory(engine)() as session:
            return await import_gbav(session, path)
    finally:
        await engine.dispose()


def _rows(title: str, rows: list[ReportedRow], style: str) -> None:
    table = Table(title=title, title_style=style, show_lines=False)
    table.add_column("Line", justify="right")
    table.add_column("Persoonslijst")
    table.add_column("Reason")
    for row in rows:
        table.add_row(str(row.line), row.label, row.reason)
    console.print(table)


def print_report(report: ImportReport) -> None:
    """What was imported, then every line left out with its reason."""
    summary = Table(title=f"GBA-V import of {report.file}", show_header=False)
    summary.add_column("What")
    summary.add_column("Count", justify="right")
    for label, count in (
        ("persoonslijsten read", report.lists), ("persons imported", report.persons_created),
        ("persons already imported (unchanged)", report.persons_unchanged),
        ("persoonslijsten rejected", len(report.rejected)), ("BAG addresses added", report.addresses_created),
        ("name versions", report.names), ("residences", report.residences), ("relations", report.relations),
        ("nationalities", report.nationalities), ("verblijfstitels", report.verblijfstitels),
        ("parts left out (older versions, values)", len(report.skipped)),
    ):
        summary.add_row(label, str(count))
    console.print(summary)
    if report.rejected:
        _rows("Rejected persoonslijsten (not imported)", report.rejected, "bold red")
    if report.skipped:
        _rows("Parts left out (the persoonslijst was imported)", report.skipped, "bold yellow")
    if report.warnings:
        console.print(f"[yellow]{len(report.warnings)} relation(s) are not listed back by the other person, as in "
                      "the source:[/yellow]")
        for warning in report.warnings[:WARNINGS_SHOWN]:
            console.print(f"  {warning}", highlight=False)
        if len(report.warnings) > WARNINGS_SHOWN:
            console.print(f"  … and {len(report.warnings) - WARNINGS_SHOWN} more")


@app.command("import-gbav")
def import_gbav_command(
    file: Annotated[Path, typer.Argument(help="The GBA-V test set (CSV, ';'-separated, LO3 element columns).",
                                         exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import RvIG's GBA-V test set into persons, relations and addresses. Running it again changes nothing."""
    print_report(asyncio.run(_import(file)))
