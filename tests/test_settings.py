"""Settings: documented, secrets masked, unsafe production settings refused."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from plein.cli import app
from plein.settings import Settings
from tests.factories import SEALING_KEY

LOG_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="  # 32 bytes in base64: a test value, not a secret


def test_every_setting_is_documented() -> None:
    for name, _, description in Settings().describe():
        assert name.startswith("PLEIN_") and len(description) > 10, name


def test_secrets_and_passwords_are_masked() -> None:
    settings = Settings(secret_key=SecretStr("x" * 40), database_url="postgresql+asyncpg://plein:hunter2@db/plein")
    shown = {name: value for name, value, _ in settings.describe()}
    assert shown["PLEIN_SECRET_KEY"] == "********"
    assert "hunter2" not in shown["PLEIN_DATABASE_URL"] and "plein:********@db" in shown["PLEIN_DATABASE_URL"]


def test_production_refuses_default_secret_and_login_simulator() -> None:
    with pytest.raises(ValueError, match="unsafe production settings") as caught:
        Settings(env="production")
    message = str(caught.value)
    assert "PLEIN_SECRET_KEY" in message and "PLEIN_LOGIN_SIMULATOR" in message
    assert "PLEIN_LOG_SIGNING_KEY must be set" in message
    assert "PLEIN_CLIENT_SECRET_KEYS must not hold the development key" in message


def test_the_log_signing_key_must_be_an_ed25519_key() -> None:
    with pytest.raises(ValueError, match="PLEIN_LOG_SIGNING_KEY must be an Ed25519 private key"):
        Settings(log_signing_key=SecretStr("dG9vIHNob3J0"))
    assert Settings(log_signing_key=SecretStr(LOG_KEY)).log_signing_key.get_secret_value() == LOG_KEY


def test_production_with_safe_settings() -> None:
    settings = Settings(env="production", secret_key=SecretStr("s" * 48), login_simulator=False,
                        session_cookie_secure=True, log_signing_key=SecretStr(LOG_KEY),
                        client_secret_keys=SecretStr(SEALING_KEY))
    assert settings.env == "production"


def test_config_command_lists_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEIN_SECRET_KEY", "a-very-secret-value-that-is-long-enough")
    result = CliRunner().invoke(app, ["config"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "PLEIN_DATABASE_URL" in result.output and "a-very-secret-value" not in result.output


def test_config_command_reports_unsafe_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEIN_ENV", "production")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    assert "PLEIN_SECRET_KEY" in result.output
