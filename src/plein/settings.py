"""Plein's settings: every PLEIN_* environment variable, each with its description and default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "insecure-development-secret-change-me"  # noqa: S105 - refused in production


class SettingsError(ValueError):
    """The settings are not safe or not usable; the message says which setting and why."""


class Settings(BaseSettings):
    """Plein's configuration. Each field is read from the environment variable PLEIN_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PLEIN_", env_file=None, extra="ignore")

    env: Literal["dev", "demo", "test", "production"] = Field(
        "dev", description="Where Plein runs: dev, demo, test or production. Production refuses unsafe settings."
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///var/plein.db",
        description="SQLAlchemy URL of the database: sqlite+aiosqlite:///path.db or "
        "postgresql+asyncpg://user:password@host/db.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET),
        description="Secret that signs login sessions. Must be set to a long random value in production.",
    )
    login_simulator: bool = Field(
        True, description="Offer the demo login simulator (test citizens and companies). Never in production."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="The public address of this Plein, used in links and API documents."
    )
    data_dir: Path = Field(Path("var"), description="Folder for uploaded packages and other files Plein stores.")
    store_max_archive_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="Largest app package archive accepted for upload, in bytes."
    )
    store_max_unpacked_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="Largest total size of an app package once unpacked, in bytes."
    )
    spectral_bin: str | None = Field(
        None, description="Command that runs Spectral for the OpenAPI check; found in node_modules when unset."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level of the server.")
    session_cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only. Set to true behind HTTPS (always in production)."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET or len(secret) < 32:
            problems.append("PLEIN_SECRET_KEY must be set to a random value of at least 32 characters")
        if self.login_simulator:
            problems.append("PLEIN_LOGIN_SIMULATOR must be false: the login simulator is for dev and demo only")
        if not self.session_cookie_secure:
            problems.append("PLEIN_SESSION_COOKIE_SECURE must be true in production")
        if problems:
            raise SettingsError("unsafe production settings: " + "; ".join(problems))
        return self

    def masked_database_url(self) -> str:
        return _mask_password(self.database_url)

    def describe(self) -> list[tuple[str, str, str]]:
        """(environment variable, current value with secrets masked, description) for `plein config`."""
        rows = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "(default, insecure)" if value.get_secret_value() == DEFAULT_SECRET else "********"
            elif name == "database_url":
                shown = self.masked_database_url()
            else:
                shown = "" if value is None else str(value)
            rows.append((f"PLEIN_{name.upper()}", shown, info.description or ""))
        return rows


def _mask_password(url: str) -> str:
    """Hide the password in a database URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':********' if colon else ''}@{host}"
