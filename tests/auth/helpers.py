"""Auth test helpers: CSRF tokens from pages, the session cookie's contents, stored logins and a movable clock."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import WebLogin

COOKIE = "plein_session"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def cookie_contents(client: httpx.AsyncClient) -> dict[str, object]:
    """What the signed session cookie holds (Starlette: base64 JSON, then the signature)."""
    value = client.cookies.get(COOKIE)
    assert value, "no session cookie"
    payload = value.split(".")[0]
    data: dict[str, object] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


async def stored_logins(session: AsyncSession) -> list[WebLogin]:
    session.expire_all()
    return list(await session.scalars(select(WebLogin).order_by(WebLogin.created_at)))


class Clock:
    """Stands in for plein.auth.logins.now: the real time plus however far a test has moved it."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def move(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


async def through_broker(client: httpx.AsyncClient, start: str, *, tamper_state: bool = False) -> httpx.Response:
    """Log in through a broker as a browser would: Plein sends the browser to the broker, the broker sends it back
    with a code, and Plein answers that (over real HTTP to the fake broker; Plein itself in-process)."""
    first = await client.get(start)
    assert first.status_code == 303, first.text
    async with httpx.AsyncClient() as browser:
        at_broker = await browser.get(first.headers["location"])
    assert at_broker.status_code == 302, at_broker.text
    back = urlsplit(at_broker.headers["location"])
    query = back.query.replace("state=", "state=x") if tamper_state else back.query
    return await client.get(f"{back.path}?{query}")
