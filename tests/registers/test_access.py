"""The BRP API checks the client's token and grants on every request (one statement), never from a cache."""

from __future__ import annotations

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import ApiClient
from plein.auth.sealing import sealer
from plein.auth.service import make_jwt
from plein.exchange import service as exchange
from plein.exchange.models import Grant, LogRecord
from tests.registers.helpers import ADMIN, SECRET, URL, query, reader, world

FIELDS = ["burgerservicenummer", "naam"]


async def test_a_revoked_grant_is_refused_on_the_next_request(client: httpx.AsyncClient,
                                                               session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, FIELDS)
    body = query("RaadpleegMetBurgerservicenummer", FIELDS, burgerservicenummer=[w.anna])
    assert (await client.post(URL, headers=headers, json=body)).status_code == 200
    [grant] = await exchange.list_grants(session, ADMIN, "zaaksysteem")
    await exchange.revoke_grant(session, ADMIN, str(grant.id))
    refused = await client.post(URL, headers=headers, json=body)
    assert refused.status_code == 403 and "personen" not in refused.json()


async def test_a_removed_client_or_a_new_secret_counts_at_once(client: httpx.AsyncClient,
                                                              session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, FIELDS)
    body = query("RaadpleegMetBurgerservicenummer", FIELDS, burgerservicenummer=[w.anna])
    assert (await client.post(URL, headers=headers, json=body)).status_code == 200
    await session.execute(update(ApiClient).where(ApiClient.client_id == "zaaksysteem")
                          .values(secret=sealer(session).seal("another-secret-of-32-characters!!")))
    await session.commit()
    old_secret = await client.post(URL, headers=headers, json=body)
    assert old_secret.status_code == 401 and "not valid" in old_secret.json()["detail"]
    renewed = {**headers, "Authorization": f"Bearer {make_jwt('zaaksysteem', 'another-secret-of-32-characters!!')}"}
    assert (await client.post(URL, headers=renewed, json=body)).status_code == 200
    await session.execute(delete(Grant))
    await session.execute(delete(ApiClient).where(ApiClient.client_id == "zaaksysteem"))
    await session.commit()
    removed = await client.post(URL, headers=renewed, json=body)
    assert removed.status_code == 401 and removed.headers["WWW-Authenticate"] == "Bearer"


async def test_errors_keep_their_order_and_nothing_is_logged(client: httpx.AsyncClient,
                                                            session: AsyncSession) -> None:
    w = await world(session)
    headers = await reader(session, FIELDS)
    body = query("RaadpleegMetBurgerservicenummer", FIELDS, burgerservicenummer=[w.anna])
    forged = {**headers, "Authorization": f"Bearer {make_jwt('zaaksysteem', 'not-the-secret-of-this-client-at-all')}"}
    assert (await client.post(URL, headers=forged, json={"type": "nonsense"})).status_code == 401
    unknown = {**headers, "Authorization": f"Bearer {make_jwt('nobody', SECRET)}"}
    assert (await client.post(URL, headers=unknown, json=body)).status_code == 401
    bad_body = await client.post(URL, headers={**headers, exchange.ACTIVITY_HEADER: "no-such-activity"},
                                 json={"type": "nonsense"})
    assert bad_body.status_code == 400 and bad_body.json()["invalidParams"][0]["name"] == "type"
    no_activity = await client.post(URL, headers={**headers, exchange.ACTIVITY_HEADER: "no-such-activity"}, json=body)
    assert no_activity.status_code == 400
    assert no_activity.json()["invalidParams"][0]["name"] == exchange.ACTIVITY_HEADER
    assert (await session.scalars(select(LogRecord))).all() == []
