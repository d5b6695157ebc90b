"""API client secrets are stored sealed with the keys of PLEIN_CLIENT_SECRET_KEYS, never as given, and the keys can
be rotated: a new key first seals, the old one still opens until everything is sealed again."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import service as auth
from plein.auth.models import ApiClient
from plein.auth.sealing import SESSION_KEY, Sealer, SecretUnreadable, new_key
from plein.settings import Settings
from tests.factories import LOG_SIGNING_KEY, client_headers


async def test_a_secret_is_stored_sealed_and_still_signs(client: httpx.AsyncClient, session: AsyncSession) -> None:
    _, secret = await auth.create_client(session, "zaaksysteem", None, [], all_rights=True)
    stored = await session.scalar(select(ApiClient.secret).where(ApiClient.client_id == "zaaksysteem"))
    assert stored is not None and secret not in stored
    headers = {"Authorization": f"Bearer {auth.make_jwt('zaaksysteem', secret)}", "Accept-Crs": "EPSG:4326"}
    assert (await client.get("/zaken/api/v1/zaken", headers=headers)).status_code == 200


async def test_keys_rotate_without_losing_a_client(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await client_headers(session, "zaaksysteem", None, [], all_rights=True)
    old = session.info[SESSION_KEY]
    rotated_keys = [new_key(), Settings().client_secret_keys.get_secret_value()]
    rotated = Sealer(",".join(rotated_keys))
    session.info[SESSION_KEY] = rotated
    assert await auth.reseal_secrets(session) == 1
    stored = await session.scalar(select(ApiClient.secret))
    assert stored is not None
    with pytest.raises(SecretUnreadable):
        old.open(stored)  # sealed with the new key now: the old key can be removed
    assert Sealer(rotated_keys[0]).open(stored)  # the new key alone opens it


async def test_a_secret_no_key_opens_is_a_401_not_a_500(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await client_headers(session, "zaaksysteem", None, [], all_rights=True)
    await session.execute(update(ApiClient).values(secret=Sealer(new_key()).seal("x" * 32)))
    await session.commit()
    response = await client.get("/zaken/api/v1/zaken", headers={**headers, "Accept-Crs": "EPSG:4326"})
    assert response.status_code == 401 and "cannot be read" in response.json()["detail"]


def test_production_refuses_the_development_key_and_bad_keys() -> None:
    safe = {"secret_key": SecretStr("s" * 48), "login_simulator": False, "session_cookie_secure": True,
            "log_signing_key": SecretStr(LOG_SIGNING_KEY)}
    with pytest.raises(ValueError, match="PLEIN_CLIENT_SECRET_KEYS must not hold the development key"):
        Settings(env="production", **safe)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="each key must be a Fernet key"):
        Settings(client_secret_keys=SecretStr("kort"))
    assert Settings(env="production", client_secret_keys=SecretStr(new_key()), **safe)  # type: ignore[arg-type]
