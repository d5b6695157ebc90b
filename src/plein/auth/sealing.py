"""API client secrets sealed at rest: encrypted with Fernet (AES with HMAC, from the cryptography library) under the
keys of PLEIN_CLIENT_SECRET_KEYS; the first key seals, every key opens, so keys can be rotated."""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.ext.asyncio import AsyncSession

from plein.settings import Settings

SESSION_KEY = "client_secret_sealer"  # the key in session.info of the app's Sealer


class SecretUnreadable(Exception):
    """A stored secret opens with none of the configured keys (a key was removed too early, or the row was changed)."""


class Sealer:
    """Seals and opens client secrets with the configured keys."""

    def __init__(self, keys: str) -> None:
        self._fernet = MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
        self.open = functools.lru_cache(maxsize=1024)(self._open)  # the database's values, not a caller's

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        return _sealer(settings.client_secret_keys.get_secret_value())

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def _open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("a client's secret opens with none of PLEIN_CLIENT_SECRET_KEYS") from exc

    def reseal(self, sealed: str) -> str:
        """The secret sealed again with the first key (for rotation)."""
        return self._fernet.rotate(sealed.encode()).decode()


@functools.cache
def _sealer(keys: str) -> Sealer:
    return Sealer(keys)


def sealer(session: AsyncSession) -> Sealer:
    """The app's sealer (session.info), else the one of the settings in the environment (CLI commands, scripts)."""
    found = session.info.get(SESSION_KEY)
    return found if isinstance(found, Sealer) else Sealer.from_settings(Settings())


def new_key() -> str:
    return Fernet.generate_key().decode()
