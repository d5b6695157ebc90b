"""`plein clients` and `plein exchange`: secrets shown once, the register, grants, log verification, citizen tokens."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from plein.cli import app
from plein.db import make_engine, make_session_factory
from plein.exchange.insight import citizen_from_token
from plein.settings import Settings
from tests.exchange.helpers import JAN, KLAAS, append_many, tamper

runner = CliRunner()


def env(settings: Settings, **extra: str) -> dict[str, str]:
    return {"PLEIN_DATABASE_URL": settings.database_url, "PLEIN_ENV": "test", "COLUMNS": "300",
            "PLEIN_DATA_DIR": str(settings.data_dir), **extra}


def test_clients_create_prints_the_secret_once(settings: Settings) -> None:
    created = runner.invoke(app, ["clients", "create", "zaaksysteem", "--organisation", "0363"], env=env(settings))
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert len(secret) >= 32 and created.output.count(secret) == 1
    given = runner.invoke(app, ["clients", "create", "vast", "--secret", "een-eigen-geheim-123"], env=env(settings))
    assert given.exit_code == 0 and given.output.strip().endswith("een-eigen-geheim-123")
    listing = runner.invoke(app, ["clients", "list"], env=env(settings))
    assert "zaaksysteem  0363" in listing.output and secret not in listing.output
    again = runner.invoke(app, ["clients", "create", "zaaksysteem"], env=env(settings))
    assert again.exit_code == 1 and "exists already" in again.output


def test_activity_and_grant_commands(settings: Settings) -> None:
    runner.invoke(app, ["clients", "create", "zaaksysteem", "--organisation", "0363"], env=env(settings))
    activity = runner.invoke(app, ["exchange", "activity", "create", "verhuizing-verwerken", "--organisation", "0363",
                                   "--purpose", "Verwerken van een verhuizing", "--legal-basis", "Wet BRP 2.38"],
                             env=env(settings))
    assert activity.exit_code == 0, activity.output
    listed = runner.invoke(app, ["exchange", "activity", "list", "--organisation", "0363"], env=env(settings))
    assert "verhuizing-verwerken  Verwerken van een verhuizing" in listed.output
    granted = runner.invoke(app, ["exchange", "grant", "create", "zaaksysteem", "--register", "brp", "--fields",
                                  "naam,geboorte", "--activity", "verhuizing-verwerken", "--municipality", "0363"],
                            env=env(settings))
    assert granted.exit_code == 0, granted.output
    grant_id = granted.output.strip().splitlines()[-1]
    assert " live" in runner.invoke(app, ["exchange", "grant", "list"], env=env(settings)).output
    revoked = runner.invoke(app, ["exchange", "grant", "revoke", grant_id], env=env(settings))
    assert revoked.exit_code == 0
    assert "not live" in runner.invoke(app, ["exchange", "grant", "list"], env=env(settings)).output
    bad = runner.invoke(app, ["exchange", "grant", "create", "zaaksysteem", "--register", "brp", "--fields",
                              "schoenmaat", "--activity", "verhuizing-verwerken"], env=env(settings))
    assert bad.exit_code == 1 and "schoenmaat" in bad.output


def test_log_verify_exit_codes(settings: Settings) -> None:
    empty = runner.invoke(app, ["exchange", "log", "verify"], env=env(settings))
    assert empty.exit_code == 0 and "intact: 0 records" in empty.output
    asyncio.run(_append(settings, tampered=False))
    intact = runner.invoke(app, ["exchange", "log", "verify"], env=env(settings))
    assert intact.exit_code == 0 and "intact: 4 records" in intact.output
    asyncio.run(_append(settings, tampered=True))
    broken = runner.invoke(app, ["exchange", "log", "verify"], env=env(settings))
    assert broken.exit_code == 1
    assert "broken at record #2" in broken.output and "changed" in broken.output


async def _append(settings: Settings, tampered: bool) -> None:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        if tampered:
            await tamper(session, f"UPDATE exchange_log SET subject = '{KLAAS}' WHERE seq = 2")
        else:
            await append_many(session, 4)
    await engine.dispose()


def test_citizen_tokens_only_with_the_login_simulator(settings: Settings) -> None:
    made = runner.invoke(app, ["exchange", "citizen-token", JAN], env=env(settings))
    assert made.exit_code == 0, made.output
    assert citizen_from_token(made.output.strip(), settings.secret_key.get_secret_value()) == JAN
    refused = runner.invoke(app, ["exchange", "citizen-token", JAN],
                            env=env(settings, PLEIN_ENV="dev", PLEIN_LOGIN_SIMULATOR="false"))
    assert refused.exit_code == 2 and "only for dev, demo and test" in refused.output
    invalid = runner.invoke(app, ["exchange", "citizen-token", "123456789"], env=env(settings))
    assert invalid.exit_code == 2


def test_log_verify_against_a_kept_checkpoint_finds_a_cut_log(settings: Settings, tmp_path: Path) -> None:
    asyncio.run(_append(settings, tampered=False))
    signed = runner.invoke(app, ["exchange", "log", "checkpoint"], env=env(settings))
    assert signed.exit_code == 0, signed.output
    kept = tmp_path / "checkpoint.json"
    kept.write_text(signed.output)
    assert json.loads(signed.output)["treeSize"] == 4
    public_key = runner.invoke(app, ["exchange", "log", "public-key"], env=env(settings)).output.strip()
    intact = runner.invoke(app, ["exchange", "log", "verify", "--checkpoint", str(kept), "--public-key", public_key],
                           env=env(settings))
    assert intact.exit_code == 0, intact.output
    assert "agrees with the signed checkpoints up to record #4" in intact.output and "records/s" in intact.output
    asyncio.run(_cut(settings))
    cut = runner.invoke(app, ["exchange", "log", "verify", "--checkpoint", str(kept)], env=env(settings))
    assert cut.exit_code == 1
    assert "broken at record #3" in cut.output and "records #3 to #4 are gone" in cut.output
    stranger = runner.invoke(app, ["exchange", "log", "new-key"], env=env(settings)).output
    other_key = stranger.split("Public key: ")[1].strip()
    refused = runner.invoke(app, ["exchange", "log", "verify", "--checkpoint", str(kept), "--public-key", other_key],
                            env=env(settings))
    assert refused.exit_code == 2 and "is not signed by the public key" in refused.output


async def _cut(settings: Settings) -> None:
    """Remove records #3 and #4 and Plein's own checkpoint, and move the head back, past the triggers."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        second = await session.scalar(text("SELECT hash FROM exchange_log WHERE seq = 2"))
        await tamper(session, "DELETE FROM exchange_log WHERE seq > 2", "DELETE FROM exchange_log_checkpoints",
                     f"UPDATE exchange_log_head SET seq = 2, hash = '{second}'")
    await engine.dispose()
