"""Server-side web logins: the cookie holds only a token; logging out, the idle limit and the absolute limit end a login
for every copy of the cookie; activity is written at most once a minute; a login starts a fresh session."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import User
from tests.auth.helpers import COOKIE, Clock, cookie_contents, csrf_of, stored_logins
from tests.factories import AMSTERDAM, staff

PASSWORD = "wachtwoord-123"
USER = "beheerder@0363"


async def log_in(client: httpx.AsyncClient, session: AsyncSession, username: str = USER, *,
                 create: bool = True) -> None:
    if create:
        await staff(session, username, [(AMSTERDAM, "beheerder")])
    token = csrf_of((await client.get("/login")).text)
    response = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                                 "next": "/"})
    assert response.status_code == 303, response.text


async def test_the_cookie_holds_a_token_and_the_login_lives_in_the_database(
    client: httpx.AsyncClient, session: AsyncSession, whoami: str
) -> None:
    await log_in(client, session)
    assert set(cookie_contents(client)) <= {"login", "csrf", "flash"}
    assert (await client.get(whoami)).json() == {
        "kind": "staff", "id": USER, "name": "Beheerder@0363", "loa": None, "branch": None, "actingPerson": None,
        "roles": ["beheerder@0363"]}
    [login] = await stored_logins(session)
    user = await session.get(User, uuid.UUID(login.subject))
    assert user is not None and user.username == USER
    assert (login.kind, login.provider, login.ended_at) == ("staff", "password", None)
    assert login.id != cookie_contents(client)["login"]  # only the token's sha256 is stored


async def test_logging_out_ends_the_login_for_every_copy_of_the_cookie(
    client: httpx.AsyncClient, session: AsyncSession, whoami: str
) -> None:
    await log_in(client, session)
    copied = client.cookies.get(COOKIE)
    page = (await client.get("/")).text
    assert "Uitloggen" in page
    response = await client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303 and "U bent uitgelogd." in (await client.get("/")).text
    [login] = await stored_logins(session)
    assert login.ended_at is not None and login.ended_reason == "logout"
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url),
                                 cookies={COOKIE: copied or ""}) as replay:
        assert (await replay.get(whoami)).json() is None
        assert "Uitloggen" not in (await replay.get("/")).text


async def test_roles_come_fresh_from_the_users_table(client: httpx.AsyncClient, session: AsyncSession,
                                                     whoami: str) -> None:
    await log_in(client, session)
    await session.execute(update(User).where(User.username == USER).values(active=False))
    await session.commit()
    assert (await client.get(whoami)).json() is None
    [login] = await stored_logins(session)
    assert login.ended_reason == "account"


async def test_a_login_ends_after_the_idle_limit(client: httpx.AsyncClient, session: AsyncSession, clock: Clock,
                                                 whoami: str) -> None:
    await log_in(client, session)
    for _ in range(3):
        clock.move(minutes=14)
        assert (await client.get(whoami)).json()["kind"] == "staff"  # 14 minutes idle is not too long
    clock.move(minutes=15, seconds=30)
    expired = await client.get(whoami)
    assert expired.status_code == 303 and expired.headers["location"] == "/login?next=%2Ftest%2Fwie"
    assert (await client.get(whoami)).json() is None
    [login] = await stored_logins(session)
    assert login.ended_reason == "idle"


async def test_a_login_ends_at_the_absolute_limit_however_active(client: httpx.AsyncClient, session: AsyncSession,
                                                                 clock: Clock, whoami: str) -> None:
    await log_in(client, session)
    for _ in range(71):  # 11 hours 50 minutes, a request every 10 minutes
        clock.move(minutes=10)
        assert (await client.get(whoami)).status_code == 200
    assert (await client.get(whoami)).json() is not None
    clock.move(minutes=11)
    assert (await client.get(whoami)).status_code == 303
    [login] = await stored_logins(session)
    assert login.ended_reason == "max-age"


async def test_an_expired_page_goes_to_the_login_page_with_a_message(
    client: httpx.AsyncClient, session: AsyncSession, clock: Clock
) -> None:
    await log_in(client, session)
    clock.move(minutes=16)
    response = await client.get(f"/gemeenten/{AMSTERDAM}/apps")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fgemeenten%2F0363%2Fapps"
    page = (await client.get(response.headers["location"])).text
    assert "Uw sessie is verlopen: u was 15 minuten niet actief. Log opnieuw in." in page
    assert 'name="next" value="/gemeenten/0363/apps"' in page


async def test_activity_is_written_at_most_once_a_minute(client: httpx.AsyncClient, session: AsyncSession,
                                                         clock: Clock, whoami: str) -> None:
    await log_in(client, session)
    [login] = await stored_logins(session)
    first = login.last_seen_at
    for _ in range(5):
        clock.move(seconds=10)
        assert (await client.get(whoami)).json() is not None
    [login] = await stored_logins(session)
    assert login.last_seen_at == first
    clock.move(seconds=15)
    assert (await client.get(whoami)).json() is not None
    [login] = await stored_logins(session)
    assert login.last_seen_at > first


async def test_logging_in_starts_a_fresh_session_and_ends_the_previous_login(
    client: httpx.AsyncClient, session: AsyncSession, whoami: str
) -> None:
    before = csrf_of((await client.get("/login")).text)
    await log_in(client, session)
    after = csrf_of((await client.get("/")).text)
    assert after != before
    assert (await client.post("/logout", data={"csrf_token": before})).status_code == 403
    copied = client.cookies.get(COOKIE)
    await log_in(client, session, create=False)
    first, second = await stored_logins(session)
    assert first.ended_reason == "replaced" and second.ended_at is None
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url),
                                 cookies={COOKIE: copied or ""}) as replay:
        assert (await replay.get(whoami)).json() is None
    assert (await client.get(whoami)).json()["id"] == USER


async def test_an_api_call_with_an_expired_login_is_not_redirected(client: httpx.AsyncClient,
                                                                   session: AsyncSession, clock: Clock) -> None:
    await log_in(client, session)
    url = "/api/exchange/v1/clients"
    assert (await client.get(url)).status_code == 403  # logged in (a beheerder may not list clients)
    clock.move(hours=1)
    response = await client.get(url)
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
    [login] = await stored_logins(session)
    assert login.ended_reason == "idle"


async def test_an_error_page_still_shows_who_is_logged_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await log_in(client, session)
    missing = await client.get("/bestaat-niet")
    assert missing.status_code == 404 and "Beheerder@0363" in missing.text and "Uitloggen" in missing.text


async def test_logins_that_are_over_are_removed_a_day_later(client: httpx.AsyncClient, session: AsyncSession,
                                                            clock: Clock, settings) -> None:
    from plein.auth import logins

    await log_in(client, session)
    await log_in(client, session, "tweede@0363")  # ends the first login of this browser ("replaced")
    limits = logins.Limits.from_settings(settings)
    assert await logins.remove_old(session, limits) == 0  # just ended: kept a day
    clock.move(hours=25)
    assert await logins.remove_old(session, limits) == 1  # the replaced one
    assert len(await stored_logins(session)) == 1
    clock.move(hours=settings.session_max_hours)
    assert await logins.remove_old(session, limits) == 1  # past its absolute limit, and a day more
    assert await stored_logins(session) == []


async def test_an_api_write_is_not_authenticated_by_the_session_cookie(client: httpx.AsyncClient,
                                                                       session: AsyncSession) -> None:
    """Another site can make the browser send the cookie, and the APIs take no CSRF token: writes need a JWT."""
    await log_in(client, session)
    response = await client.post("/api/store/v1/municipalities/0363/adoptions", json={"app": "verhuizing-doorgeven"})
    assert response.status_code == 401 and "session cookie is not accepted" in response.json()["detail"]
    assert (await client.get("/api/store/v1/municipalities/0363/adoptions")).status_code == 200
