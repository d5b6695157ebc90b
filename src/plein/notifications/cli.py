"""`plein worker` (delivers notifications until stopped) and `plein notifications` (kanalen, abonnementen, parked)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.settings import Settings

T = TypeVar("T")
CLI = Principal("cli", "plein-cli", "Plein command line", frozenset(), all_rights=True)
app = typer.Typer(help="Notifications: kanalen, abonnementen, parked deliveries and resending.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def worker(
    batch_size: Annotated[int | None, typer.Option(help="Deliveries per batch (default: the setting).")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Requests at once (default: the setting).")] = None,
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then stop.")] = False,
    name: Annotated[str | None, typer.Option(help="This worker's name in the attempts history.")] = None,
    decisions: Annotated[bool, typer.Option(help="Also decide the straight-through aanvragen of the service engine "
                                                 "that are due.")] = True,
) -> None:
    """Deliver notifications, and decide due straight-through aanvragen, until SIGTERM or SIGINT; the batch in
    flight is finished first.

    Run as many as you like on PostgreSQL (each delivery is claimed by one worker at a time, each aanvraag decided
    once); on SQLite run one. With workers running, `plein serve` can leave both to them
    (PLEIN_NOTIFICATIONS_IN_PROCESS and PLEIN_SERVICES_IN_PROCESS false).
    """
    from plein.cli import load_settings

    overrides = {key: value for key, value in (("notifications_batch_size", batch_size),
                                               ("notifications_concurrency", concurrency)) if value is not None}
    settings = load_settings(**overrides)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_work(settings, once, name, decisions))


async def _work(settings: Settings, once: bool, name: str | None, decisions: bool = False) -> None:
    from plein.db import make_engine, make_session_factory
    from plein.notifications.tasks import Worker, deliver_due
    from plein.services.tasks import Decider  # the service engine's loop runs beside delivery
    from plein.storage import storage_from_settings

    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    decider = Decider(sessions, settings, storage_from_settings(settings)) if decisions else None
    try:
        if once:
            while decider is not None and await decider.run_once():
                pass
            report = await deliver_due(sessions, settings)
            logging.getLogger("plein.notifications").info("done: %s", report.line())
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with Worker(sessions, settings, name=name) as delivering:
            await asyncio.gather(delivering.run(stop), *([decider.run(stop)] if decider is not None else []))
    finally:
        await engine.dispose()


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run work in one database session; a domain error stops the command with its message (exit 1)."""
    from plein.cli import load_settings
    from plein.db import make_engine, make_session_factory
    from plein.errors import PleinError
    from plein.migrate import upgrade_and_seed

    settings = load_settings()
    upgrade_and_seed(settings)

    async def run() -> T:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except PleinError as exc:
        reasons = "; ".join(f"{p.name}: {p.reason}" for p in exc.invalid_params)
        errors.print(f"[red]Error:[/red] {exc.detail}" + (f" ({reasons})" if reasons else ""), highlight=False)
        raise typer.Exit(1) from exc


@app.command("kanalen")
def kanalen() -> None:
    """List the kanalen and the kenmerken one can filter on."""
    from plein.notifications import service

    table = Table(title="Kanalen")
    for column in ("Naam", "Kenmerken", "Documentatie"):
        table.add_column(column)
    for kanaal in _run(service.list_kanalen):
        table.add_row(kanaal.naam, ", ".join(kanaal.filters), kanaal.documentatie_link)
    console.print(table)


@app.command("subscribe")
def subscribe(
    callback_url: Annotated[str, typer.Argument(help="Where to POST the notifications.")],
    auth: Annotated[str, typer.Option(help="The Authorization header value to send, e.g. 'Bearer …'.")],
    kanaal: Annotated[list[str], typer.Option(help="A kanaal to subscribe to (repeat for more).")],
    filter_: Annotated[list[str] | None, typer.Option("--filter", help="kenmerk=value on every kanaal "
                                                      "('*' matches anything); repeat for more.")] = None,
    format_: Annotated[str, typer.Option("--format", help="zgw or cloudevents.")] = "zgw",
) -> None:
    """Subscribe a callback URL to kanalen (what the ZGW Notificaties API does for a client)."""
    from plein.notifications import service

    filters = dict(item.partition("=")[::2] for item in filter_ or [])
    groups = [service.KanaalFilter(name, filters) for name in kanaal]

    async def work(session: AsyncSession) -> str:
        made = await service.create_abonnement(session, callback_url=callback_url, auth=auth, kanalen=groups,
                                               format=format_, owner="plein-cli")
        return str(made.id)

    console.print(f"Abonnement {_run(work)} made.")


@app.command("parked")
def parked(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50) -> None:
    """List parked deliveries: the notifications that could not be delivered, with their last error."""
    from plein.notifications import service

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        page = await service.list_deliveries(session, CLI, status="parked", limit=limit)
        return [(str(d.id), d.message.kanaal, f"{d.message.resource} {d.message.actie}", d.abonnement.callback_url,
                 str(d.attempts), d.last_error or "") for d in page.items]

    table = Table(title="Parked deliveries")
    for column in ("Id", "Kanaal", "What", "Callback URL", "Attempts", "Last error"):
        table.add_column(column)
    for row in _run(work):
        table.add_row(*row)
    console.print(table)


@app.command("resend")
def resend(delivery_id: Annotated[int, typer.Argument(help="The parked delivery's id.")]) -> None:
    """Give a parked delivery a new round of attempts (the earlier ones stay in its history)."""
    from plein.notifications import service

    async def work(session: AsyncSession) -> None:
        await service.resend(session, CLI, delivery_id)

    _run(work)
    console.print(f"Delivery {delivery_id} will be sent again.")
