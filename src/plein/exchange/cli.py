"""`plein clients` and `plein exchange`: API clients, processing activities, grants, the log and citizen tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal

if TYPE_CHECKING:
    from plein.exchange.checkpoints import Checkpoint

T = TypeVar("T")
CLI = Principal("cli", "plein-cli", "Plein command line", frozenset(), all_rights=True)

clients_app = typer.Typer(help="API clients: the systems that call Plein's APIs with HS256 JWTs.",
                          no_args_is_help=True)
app = typer.Typer(help="The exchange layer: processing activities, grants, the processing log, citizen tokens.",
                  no_args_is_help=True)
activity_app = typer.Typer(help="The processing register: why an organisation processes personal data.",
                           no_args_is_help=True)
grant_app = typer.Typer(help="Grants: which client may read which register fields for which activity.",
                        no_args_is_help=True)
log_app = typer.Typer(help="The append-only processing log: its hash chain, Merkle tree and signed checkpoints.",
                       no_args_is_help=True)
app.add_typer(activity_app, name="activity")
app.add_typer(grant_app, name="grant")
app.add_typer(log_app, name="log")
console = Console()
errors = Console(stderr=True)


def _run(work: Callable[[AsyncSession], Awaitable[T]], migrate: bool = True) -> T:
    """Run work in one database session; a domain error stops the command with its message (exit 1)."""
    from plein.auth.sealing import SESSION_KEY, Sealer
    from plein.cli import load_settings
    from plein.db import make_engine, make_session_factory
    from plein.errors import PleinError
    from plein.migrate import upgrade_and_seed

    settings = load_settings()
    if migrate:
        upgrade_and_seed(settings)

    async def run() -> T:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine, {SESSION_KEY: Sealer.from_settings(settings)})() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except PleinError as exc:
        reasons = "; ".join(f"{p.name}: {p.reason}" for p in exc.invalid_params)
        errors.print(f"[red]Error:[/red] {exc.detail}" + (f" ({reasons})" if reasons else ""), highlight=False)
        raise typer.Exit(1) from exc


@clients_app.command("create")
def create_client(
    client_id: Annotated[str, typer.Argument(help="The client's id (the client_id claim of its JWTs).")],
    secret: Annotated[str | None, typer.Option(help="Its secret (at least 16 characters); random when left out.")]
        = None,
    organisation: Annotated[str | None, typer.Option(help="Code of the organisation it acts for (e.g. 0363).")]
        = None,
    role: Annotated[list[str] | None, typer.Option(help="A role for its organisation; repeat for more.")] = None,
    all_rights: Annotated[bool, typer.Option("--all-rights", help="All rights on every API.")] = False,
) -> None:
    """Register an API client and print its secret, once."""
    from plein.exchange import service

    async def work(session: AsyncSession) -> str:
        _, made = await service.create_api_client(session, CLI, client_id, secret=secret, organisation=organisation,
                                                  roles=role or [], all_rights=all_rights)
        return made

    made = _run(work)
    console.print(f"Created client [bold]{client_id}[/bold]. Its secret, shown only now:", highlight=False)
    typer.echo(made)


@clients_app.command("new-key")
def new_key() -> None:
    """Print a new key for PLEIN_CLIENT_SECRET_KEYS (put it first to seal with it; see reseal-secrets)."""
    from plein.auth.sealing import new_key as make_key

    typer.echo(make_key())


@clients_app.command("reseal-secrets")
def reseal_secrets() -> None:
    """Seal every client's secret again with the first key of PLEIN_CLIENT_SECRET_KEYS (after adding a new key;
    then the old key can be removed)."""
    from plein.auth.service import reseal_secrets as reseal

    count = _run(reseal)
    console.print(f"Sealed {count} client secrets again with the first key.", highlight=False)


@clients_app.command("list")
def list_clients() -> None:
    """List the API clients (never their secrets)."""
    from plein.exchange import service

    async def work(session: AsyncSession) -> list[tuple[str, str, str]]:
        return [(c.client_id, c.organisation.code if c.organisation else "-", "all rights" if c.all_rights else
                 ", ".join(c.roles)) for c in await service.list_clients(session, CLI)]

    for client_id, organisation, rights in _run(work):
        console.print(f"{client_id}  {organisation}  {rights}", highlight=False)


@activity_app.command("create")
def create_activity(
    activity_id: Annotated[str, typer.Argument(help="The activity's id, e.g. verhuizing-verwerken.")],
    organisation: Annotated[str, typer.Option(help="Code of the organisation whose register it is.")],
    purpose: Annotated[str, typer.Option(help="Why personal data is processed.")],
    legal_basis: Annotated[str, typer.Option(help="The legal basis (law and article).")],
    name: Annotated[str, typer.Option(help="A short name (default: from the id).")] = "",
    retention: Annotated[str, typer.Option(help="Retention period, an ISO 8601 duration.")] = "P1Y",
) -> None:
    """Add a processing activity to an organisation's processing register."""
    from plein.exchange import service

    title = name or activity_id.replace("-", " ").capitalize()

    async def work(session: AsyncSession) -> None:
        await service.create_activity(session, CLI, organisation, activity_id, title, purpose, legal_basis, retention)

    _run(work)
    console.print(f"Registered processing activity [bold]{activity_id}[/bold] of {organisation}", highlight=False)


@activity_app.command("list")
def list_activities(organisation: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
                    ) -> None:
    """List the processing register."""
    from plein.exchange import service

    async def work(session: AsyncSession) -> list[str]:
        return [f"{a.organisation.code}  {a.code}  {a.purpose}  ({a.legal_basis}; {a.retention_period})"
                for a in await service.list_activities(session, organisation)]

    for line in _run(work):
        console.print(line, highlight=False)


@grant_app.command("create")
def create_grant(
    client: Annotated[str, typer.Argument(help="The client_id that gets the grant.")],
    register: Annotated[str, typer.Option(help="The register: brp or bag.")],
    fields: Annotated[str, typer.Option(help="Comma-separated field paths, e.g. naam,verblijfplaats.")],
    activity: Annotated[str, typer.Option(help="Id of a processing activity of the client's organisation.")],
    municipality: Annotated[str | None, typer.Option(help="Only persons of this municipality (CBS code).")] = None,
    valid_from: Annotated[dt.datetime | None, typer.Option(help="Start (UTC), default now.")] = None,
    valid_until: Annotated[dt.datetime | None, typer.Option(help="End (UTC), default none.")] = None,
) -> None:
    """Grant a client fields of a register for one processing activity; prints the grant's id."""
    from plein.exchange import service

    request = service.GrantRequest(client, register, [f for f in fields.split(",") if f.strip()], activity,
                                   municipality, _utc(valid_from), _utc(valid_until))

    async def work(session: AsyncSession) -> str:
        return str((await service.create_grant(session, CLI, request)).id)

    grant_id = _run(work)
    console.print(f"Granted {fields} of {register} to {client} for {activity}:", highlight=False)
    typer.echo(grant_id)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@grant_app.command("revoke")
def revoke_grant(grant_id: Annotated[str, typer.Argument(help="The grant's id.")]) -> None:
    """Revoke a grant: the next request that relies on it is refused."""
    from plein.exchange import service

    async def work(session: AsyncSession) -> None:
        await service.revoke_grant(session, CLI, grant_id)

    _run(work)
    console.print(f"Revoked grant {grant_id}", highlight=False)


@grant_app.command("list")
def list_grants(client: Annotated[str | None, typer.Option(help="Only this client's grants.")] = None) -> None:
    """List grants (revoked and expired ones too, marked)."""
    from plein.db import utcnow
    from plein.exchange import service

    async def work(session: AsyncSession) -> list[str]:
        now = utcnow()
        return [f"{g.id}  {g.client.client_id}  {g.register}  {','.join(g.fields)}  {g.activity.code}  "
                f"{g.municipality or 'all'}  {'live' if g.is_live(now) else 'not live'}"
                for g in await service.list_grants(session, CLI, client)]

    for line in _run(work):
        console.print(line, highlight=False)


@log_app.command("verify")
def verify_log(
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", exists=True, dir_okay=False, help="A JSON file with checkpoints kept from before (one, a "
        "list, or what /api/inzage/v1/checkpoints served): the log must still agree with each.")] = None,
    public_key: Annotated[list[str] | None, typer.Option(
        help="A published public key (base64) the checkpoints may be signed with; give it again for each key the "
        "log was signed with over the years. Default: this Plein's own (PLEIN_LOG_SIGNING_KEY and "
        "PLEIN_LOG_PREVIOUS_PUBLIC_KEYS).")] = None,
) -> None:
    """Check the processing log: the hash chain, and the Merkle tree against every signed checkpoint (Plein's own and
    the file's); exit code 1 and where it is broken when it is."""
    from plein.cli import load_settings
    from plein.exchange import checkpoints, log

    given = _read_checkpoints(checkpoint) if checkpoint else []
    try:
        keys = ([checkpoints.public_key(text) for text in public_key] if public_key
                else checkpoints.verifying_keys(load_settings()))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--public-key") from exc
    started = time.monotonic()
    with Progress(TextColumn("Checking the processing log"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[speed]}"), TimeElapsedColumn(), console=errors, transient=True) as bar:
        task = bar.add_task("verify", total=None, speed="")

        def progress(count: int) -> None:
            seconds = max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=count, speed=f"{count / seconds:,.0f} records/s")

        async def work(session: AsyncSession) -> log.Verification:
            from sqlalchemy import func, select

            from plein.exchange.models import LogRecord
            bar.update(task, total=await session.scalar(select(func.count()).select_from(LogRecord)))
            return await checkpoints.audit(session, keys, given, progress)

        try:
            result = _run(work, migrate=False)
        except ValueError as exc:
            errors.print(f"[red]Error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from exc
    seconds = time.monotonic() - started
    speed = f"in {seconds:.1f} s ({result.records / max(seconds, 1e-6):,.0f} records/s)"
    agreed = (f"; it agrees with the signed checkpoints up to record #{result.checkpoint_size}"
              if result.checkpoint_size else "; no signed checkpoint was checked")
    if result.ok:
        console.print(f"The processing log is intact: {result.records} records, head {result.head}{agreed}; checked "
                      f"{speed}", highlight=False)
        return
    where = f"record #{result.broken_seq}" + (f" ({result.broken_id})" if result.broken_id else "")
    errors.print(f"[red]The processing log is broken[/red] at {where}: {result.reason} (checked {speed})",
                 highlight=False)
    raise typer.Exit(1)


def _read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints in the file: one object, a list of them, or the API's answer ({"checkpoints": [...]})."""
    from plein.exchange.checkpoints import Checkpoint

    try:
        data = json.loads(path.read_text("utf-8"))
        items = data["checkpoints"] if isinstance(data, dict) and "checkpoints" in data else data
        return [Checkpoint.from_json(item) for item in (items if isinstance(items, list) else [items])]
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"{path} holds no checkpoints: {exc}", param_hint="--checkpoint") from exc


@log_app.command("checkpoint")
def make_checkpoint() -> None:
    """Sign a checkpoint of the processing log now (if records were added since the last) and print the newest."""
    from plein.cli import load_settings
    from plein.exchange import checkpoints

    key = checkpoints.signing_key(load_settings())

    async def work(session: AsyncSession) -> Checkpoint | None:
        while await checkpoints.make(session, key) is not None:
            pass
        return await checkpoints.latest(session)

    newest = _run(work)
    if newest is None:
        errors.print("The processing log is empty: there is nothing to sign yet.")
        raise typer.Exit(1)
    typer.echo(json.dumps(newest.as_json(), indent=2))


@log_app.command("public-key")
def print_public_key() -> None:
    """Print the public key (base64) that verifies the processing log's checkpoints: publish it."""
    from plein.cli import load_settings
    from plein.exchange import checkpoints

    typer.echo(checkpoints.public_key_text(checkpoints.signing_key(load_settings())))


@log_app.command("new-key")
def new_signing_key() -> None:
    """Print a new private key for PLEIN_LOG_SIGNING_KEY (keep it secret), and its public key on stderr."""
    from plein.exchange import checkpoints

    private = checkpoints.new_key_text()
    typer.echo(private)
    errors.print("Public key: " + checkpoints.public_key_text(checkpoints.private_key(private, "the new key")),
                 highlight=False)


@app.command("citizen-token")
def citizen_token(
    bsn: Annotated[str, typer.Argument(help="The citizen's BSN.")],
    minutes: Annotated[int, typer.Option(min=1, max=720, help="How long the token is valid.")] = 60,
    niveau: Annotated[str, typer.Option(help="The DigiD level it says the citizen logged in with (basis, midden, "
                                             "substantieel, hoog).")] = "midden",
) -> None:
    """Print a citizen token for the insight and services APIs (dev, demo and test only, with the login simulator
    on)."""
    from plein.cli import load_settings
    from plein.exchange.insight import make_citizen_token

    settings = load_settings()
    if settings.env not in ("dev", "demo", "test") or not settings.login_simulator:
        errors.print("[red]Citizen tokens are only for dev, demo and test with the login simulator on[/red] "
                     "(PLEIN_ENV and PLEIN_LOGIN_SIMULATOR); citizens log in with DigiD.")
        raise typer.Exit(2)
    if niveau not in ("basis", "midden", "substantieel", "hoog"):
        raise typer.BadParameter("one of basis, midden, substantieel, hoog", param_hint="--niveau")
    try:
        token = make_citizen_token(bsn, settings.secret_key.get_secret_value(), minutes, loa=niveau)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="BSN") from exc
    typer.echo(token)
