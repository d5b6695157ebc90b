"""Citizen insight: a citizen sees only their own processing records, grouped, and looking is itself logged."""

from __future__ import annotations

import datetime as dt

import httpx
import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.auth.service import make_jwt
from plein.exchange import log, service
from plein.exchange.insight import make_citizen_token
from plein.exchange.models import LogRecord
from plein.settings import Settings
from tests.exchange.helpers import ADMIN, JAN, KLAAS, bsn

URL = "/api/inzage/v1/verwerkingen"


@pytest.fixture
async def processed(session: AsyncSession) -> None:
    """Amsterdam read Jan twice and Klaas once for a move; Utrecht read Jan once for an objection."""
    await service.create_activity(session, ADMIN, "0363", "verhuizing-verwerken", "Verhuizing",
                                  "Verwerken van een verhuizing", "Wet BRP artikel 2.38")
    await service.create_activity(session, ADMIN, "0344", "bezwaar-behandelen", "Bezwaar",
                                  "Behandelen van een bezwaar", "Awb artikel 7:1")

    def read(organisation: str, activity: str, subject: str, fields: tuple[str, ...]) -> log.Entry:
        return log.Entry("a" * 32, f"zaken-{organisation}", organisation, activity, "brp", subject, fields)

    await log.write(session, [read("0363", "verhuizing-verwerken", JAN, ("naam",)),
                              read("0363", "verhuizing-verwerken", KLAAS, ("naam",))])
    await log.write(session, [read("0363", "verhuizing-verwerken", JAN, ("geboorte", "naam.voornamen"))])
    await log.write(session, [read("0344", "bezwaar-behandelen", JAN, ("verblijfplaats",))])


def citizen(settings: Settings, number: str, minutes: int = 10) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_citizen_token(number, settings.secret_key.get_secret_value(), minutes)}"}


@pytest.mark.usefixtures("processed")
async def test_a_citizen_sees_their_own_records_grouped(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get(URL, headers=citizen(settings, JAN))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["periodEnd"] == clock.today().isoformat()
    organisations = {item["organisation"]: item for item in body["organisations"]}
    assert set(organisations) == {"0344", "0363"}
    assert organisations["0363"]["name"] == "Amsterdam"
    (move,) = organisations["0363"]["purposes"]
    assert move["purpose"] == "Verwerken van een verhuizing" and move["legalBasis"] == "Wet BRP artikel 2.38"
    assert move["fields"] == ["geboorte", "naam", "naam.voornamen"]
    assert len(move["records"]) == 2
    assert organisations["0344"]["purposes"][0]["fields"] == ["verblijfplaats"]


@pytest.mark.usefixtures("processed")
async def test_looking_is_logged(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> None:
    response = await client.get(URL, headers=citizen(settings, JAN))
    trace = response.headers[service.TRANSACTION_HEADER]
    look = await session.scalar(select(LogRecord).where(LogRecord.trace_id == trace))
    assert look is not None
    assert (look.subject, look.client_id, look.organisation, look.activity) == (
        JAN, "plein-inzage", "plein", "inzage-verwerkingen")
    again = (await client.get(URL, headers=citizen(settings, JAN))).json()
    plein = next(item for item in again["organisations"] if item["organisation"] == "plein")
    assert plein["purposes"][0]["activity"] == "inzage-verwerkingen"
    assert "inzage" in plein["purposes"][0]["purpose"].lower()
    assert (await log.verify(session)).ok


@pytest.mark.usefixtures("processed")
async def test_nobody_sees_another_persons_records(client: httpx.AsyncClient, settings: Settings) -> None:
    klaas = await client.get(URL, params={"bsn": JAN, "burgerservicenummer": JAN}, headers=citizen(settings, KLAAS))
    assert klaas.status_code == 200
    body = klaas.json()
    assert [item["organisation"] for item in body["organisations"]] == ["0363"]
    assert [len(p["records"]) for p in body["organisations"][0]["purposes"]] == [1]
    assert "0344" not in klaas.text and "verblijfplaats" not in klaas.text
    stranger = await client.get(URL, headers=citizen(settings, bsn("stranger")))
    assert stranger.json()["organisations"] == []


@pytest.mark.usefixtures("processed")
async def test_the_period_filters(client: httpx.AsyncClient, settings: Settings) -> None:
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    empty = await client.get(URL, params={"from": yesterday, "to": yesterday}, headers=citizen(settings, JAN))
    assert empty.status_code == 200 and empty.json()["organisations"] == []
    backwards = await client.get(URL, params={"from": "2026-02-01", "to": "2026-01-01"},
                                 headers=citizen(settings, JAN))
    assert backwards.status_code == 400 and backwards.json()["invalidParams"][0]["name"] == "from"
    malformed = await client.get(URL, params={"from": "gisteren"}, headers=citizen(settings, JAN))
    assert malformed.status_code == 400



async def test_the_period_is_in_dutch_days(client: httpx.AsyncClient, session: AsyncSession, settings: Settings,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A read at 23:30 UTC on 19 November is one of 20 November in the Netherlands (00:30), as the portal shows it."""
    await service.create_activity(session, ADMIN, "0363", "verhuizing-verwerken", "Verhuizing",
                                  "Verwerken van een verhuizing", "Wet BRP artikel 2.38")
    monkeypatch.setattr(log, "utcnow", lambda: dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC))
    await log.write(session, [log.Entry("a" * 32, "zaken-0363", "0363", "verhuizing-verwerken", "brp", JAN,
                                        ("naam",))])
    monkeypatch.undo()

    async def organisations(day: str) -> list[str]:
        found = await client.get(URL, params={"from": day, "to": day}, headers=citizen(settings, JAN))
        assert found.status_code == 200, found.text
        return [item["organisation"] for item in found.json()["organisations"]]

    assert await organisations("2026-11-20") == ["0363"]
    assert await organisations("2026-11-19") == []


@pytest.mark.usefixtures("processed")
async def test_bad_tokens_are_refused(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> None:
    secret = settings.secret_key.get_secret_value()
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"sub": JAN, "kind": "citizen", "iat": now, "exp": now + 600}
    _, client_secret = await service.create_api_client(session, ADMIN, "zaaksysteem", organisation="0363")
    tokens = {
        "missing": None,
        "expired": jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, secret, algorithm="HS256"),
        "forged": jwt.encode(claims, "not-the-secret-key-of-this-plein-instance", algorithm="HS256"),
        "alg-none": jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]
        "not-citizen": jwt.encode({**claims, "kind": "client"}, secret, algorithm="HS256"),
        "no-bsn": jwt.encode({**claims, "sub": "123456789"}, secret, algorithm="HS256"),
        "no-exp": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256"),
        "client-jwt": make_jwt("zaaksysteem", client_secret),
    }
    for name, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get(URL, headers=headers)
        assert response.status_code == 401, name
        assert response.headers["content-type"] == "application/problem+json"
        assert "verhuizing" not in response.text
    looks = await session.scalars(select(LogRecord).where(LogRecord.activity == "inzage-verwerkingen"))
    assert list(looks) == []
