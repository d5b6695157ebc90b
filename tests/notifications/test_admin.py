"""Plein's notifications admin API and page: parked deliveries with their attempts, resending, masked secrets."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.tasks import deliver_due
from plein.organisations.service import create_organisation
from plein.settings import Settings
from tests.factories import AMSTERDAM, client_headers, staff
from tests.notifications.helpers import AUTH, deliveries, fast, publish_many, subscribe

API = "/api/notifications/v1"
PAGE = "/beheer/notificaties"


async def park(app: Any, session: AsyncSession, settings: Settings, count: int = 1) -> list[str]:
    """Publish count notifications to a subscriber that always fails, once each: they are parked."""
    await subscribe(session, "https://ontvanger.example/kapot")
    keys = await publish_many(session, count)
    failing = httpx.MockTransport(lambda _: httpx.Response(500, text="interne fout"))
    report = await deliver_due(app.state.sessions, fast(settings, notifications_max_attempts=1), transport=failing)
    assert report.parked == count
    return keys


async def curator(session: AsyncSession) -> dict[str, str]:
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    return await client_headers(session, "plein-beheer", "plein", ["curator"])


async def test_parked_deliveries_are_listed_with_their_attempts(client: httpx.AsyncClient, session: AsyncSession,
                                                                 app: Any, settings: Settings) -> None:
    keys = await park(app, session, settings, 3)
    admin = await curator(session)
    first = await client.get(f"{API}/deliveries", params={"status": "parked", "pageSize": 2}, headers=admin)
    assert first.status_code == 200, first.text
    assert first.headers["API-Version"] == "1.0.0"
    page = first.json()
    assert [d["status"] for d in page["results"]] == ["parked", "parked"]
    assert page["results"][0]["id"] > page["results"][1]["id"]
    rest = (await client.get(page["next"], headers=admin)).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    ids = [d["id"] for d in page["results"] + rest["results"]]
    assert sorted(d["idempotencyKey"] for d in page["results"] + rest["results"]) == sorted(keys)
    detail = (await client.get(f"{API}/deliveries/{ids[0]}", headers=admin)).json()
    assert detail["attempts"] == 1 and detail["lastStatusCode"] == 500
    assert detail["history"][0]["statusCode"] == 500 and "interne fout" in detail["history"][0]["error"]
    assert detail["callbackUrl"] == "https://ontvanger.example/kapot"
    messages = (await client.get(f"{API}/messages", headers=admin)).json()
    assert [m["deliveries"] for m in messages["results"]] == [{"parked": 1}] * 3
    one = (await client.get(f"{API}/messages/{messages['results'][0]['id']}", headers=admin)).json()
    assert [d["status"] for d in one["deliveryList"]] == ["parked"]


async def test_a_parked_delivery_is_resent_once(client: httpx.AsyncClient, session: AsyncSession, app: Any,
                                                settings: Settings) -> None:
    await park(app, session, settings)
    admin = await curator(session)
    [row] = await deliveries(session)
    resent = await client.post(f"{API}/deliveries/{row.id}/resend", headers=admin)
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    again = await client.post(f"{API}/deliveries/{row.id}/resend", headers=admin)
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    requests: list[httpx.Request] = []
    working = httpx.MockTransport(lambda request: requests.append(request) or httpx.Response(200))
    assert (await deliver_due(app.state.sessions, fast(settings), transport=working)).delivered == 1
    history = (await client.get(f"{API}/deliveries/{row.id}", headers=admin)).json()["history"]
    assert [(a["number"], a["statusCode"]) for a in history] == [(1, 500), (2, 200)]
    missing = await client.post(f"{API}/deliveries/99999/resend", headers=admin)
    assert missing.status_code == 404


async def test_only_administrators_and_secrets_stay_masked(client: httpx.AsyncClient, session: AsyncSession,
                                                           app: Any, settings: Settings) -> None:
    await park(app, session, settings)
    assert (await client.get(f"{API}/deliveries")).status_code == 401
    beheerder = await client_headers(session, "beheer-0363", AMSTERDAM, ["beheerder"])
    assert (await client.get(f"{API}/deliveries", headers=beheerder)).status_code == 403
    admin = await curator(session)
    listing = await client.get(f"{API}/subscriptions", headers=admin)
    assert listing.status_code == 200
    [subscription] = listing.json()
    assert AUTH not in listing.text and AUTH[7:] not in listing.text
    assert subscription["auth"].startswith("Bearer abcd…")
    bad = await client.get(f"{API}/deliveries", params={"status": "kwijt"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["invalidParams"][0]["name"] == "status"
    too_big = await client.get(f"{API}/deliveries", params={"pageSize": 1000}, headers=admin)
    assert too_big.status_code == 400 and too_big.json()["invalidParams"][0]["name"] == "pageSize"
    document = (await client.get(f"{API}/openapi.json")).json()
    assert "/deliveries/{deliveryId}/resend" in document["paths"]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, session: AsyncSession, username: str, roles: list[tuple[str, str]]) -> None:
    await staff(session, username, roles)
    token = csrf_of((await client.get("/login")).text)
    response = await client.post("/login", data={"username": username, "password": "wachtwoord-123",
                                                 "csrf_token": token, "next": "/"})
    assert response.status_code == 303, response.text


async def test_the_page_lists_parked_deliveries_and_resends_them(client: httpx.AsyncClient, session: AsyncSession,
                                                                 app: Any, settings: Settings) -> None:
    await park(app, session, settings)
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    await log_in(client, session, "curator", [("plein", "curator")])
    page = await client.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert '<html lang="nl"' in text and "Niet afgeleverde notificaties" in text
    assert '<a class="plein-nav__link" href="/beheer/notificaties" aria-current="page">Notificaties</a>' in text
    assert "https://ontvanger.example/kapot" in text and "HTTP 500: interne fout" in text
    assert 'class="utrecht-table' in text and "Opnieuw versturen" in text
    assert AUTH not in text
    [row] = await deliveries(session)
    detail = await client.get(f"{PAGE}/{row.id}")
    assert detail.status_code == 200 and "Pogingen" in detail.text and "geen antwoord" not in detail.text
    action = f"{PAGE}/{row.id}/opnieuw-versturen"
    forged = await client.post(action, data={"csrf_token": "vals"})
    assert forged.status_code == 403
    done = await client.post(action, data={"csrf_token": csrf_of(text), "terug": PAGE})
    assert done.status_code == 303 and done.headers["location"] == PAGE
    after = (await client.get(PAGE)).text
    assert f"Notificatie {row.id} wordt opnieuw verstuurd." in after
    assert "Er zijn geen geparkeerde notificaties" in after
    [row] = await deliveries(session)
    assert row.status == "pending"


async def test_the_page_is_for_administrators_only(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await log_in(client, session, "beheerder", [(AMSTERDAM, "beheerder")])
    refused = await client.get(PAGE)
    assert refused.status_code == 403 and "Geen toegang" in refused.text
    assert 'href="/beheer/notificaties"' not in (await client.get("/")).text
