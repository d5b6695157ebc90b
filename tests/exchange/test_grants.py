"""Every register read is checked: live grants must cover every requested field for the activity the request names."""

from __future__ import annotations

import datetime as dt

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import make_jwt
from plein.exchange import service
from plein.exchange.models import LogRecord
from tests.exchange.helpers import (
    ADMIN,
    JAN,
    KLAAS,
    PERSONS_URL,
    PIET,
    SECRET,
    add_register_route,
    client_with_grant,
)

HEADER = service.ACTIVITY_HEADER


@pytest.fixture(autouse=True)
def register_route(app: FastAPI) -> None:
    add_register_route(app)


async def read(client: httpx.AsyncClient, headers: dict[str, str], fields: str, *bsns: str) -> httpx.Response:
    params = [("fields", fields), *[("burgerservicenummer", number) for number in bsns]]
    return await client.get(PERSONS_URL, params=params, headers=headers)


async def log_records(session: AsyncSession) -> list[LogRecord]:
    return list((await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all())


async def test_granted_fields_are_returned_and_logged(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    response = await read(client, headers, "naam,geboorte", JAN, KLAAS)
    assert response.status_code == 200, response.text
    people = response.json()["personen"]
    assert [p["naam"]["voornamen"] for p in people] == ["Jan", "Klaas"]
    assert all(set(p) == {"naam", "geboorte"} for p in people)
    trace = response.headers[service.TRANSACTION_HEADER]
    records = await log_records(session)
    assert [(r.subject, r.fields, r.trace_id) for r in records] == [
        (JAN, ["geboorte", "naam"], trace), (KLAAS, ["geboorte", "naam"], trace)]
    assert {(r.client_id, r.organisation, r.activity, r.register) for r in records} == {
        ("zaaksysteem", "0363", "verhuizing-verwerken", "brp")}


async def test_only_asked_fields_leave(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    response = await read(client, headers, "naam.voornamen", JAN)
    assert response.json()["personen"] == [{"naam": {"voornamen": "Jan"}}]
    assert [r.fields for r in await log_records(session)] == [["naam.voornamen"]]


async def test_a_grant_for_a_sub_path_does_not_cover_the_parent(client: httpx.AsyncClient,
                                                                session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session, fields=["naam.voornamen"])
    assert (await read(client, headers, "naam.voornamen", JAN)).status_code == 200
    response = await read(client, headers, "naam,geslacht", JAN)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [p["name"] for p in body["invalidParams"]] == ["naam", "geslacht"]
    assert body["ungrantedFields"] == ["naam", "geslacht"]
    assert "personen" not in body and "Jan" not in response.text


async def test_ungranted_fields_are_listed_and_nothing_is_logged(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    response = await read(client, headers, "naam,geslacht,burgerservicenummer", JAN)
    assert response.status_code == 403
    assert [p["name"] for p in response.json()["invalidParams"]] == ["geslacht", "burgerservicenummer"]
    assert await log_records(session) == []


async def test_revocation_takes_effect_on_the_next_request(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, grant_id = await client_with_grant(session)
    assert (await read(client, headers, "naam", JAN)).status_code == 200
    admin = await admin_headers(session)
    revoked = await client.delete(f"/api/exchange/v1/grants/{grant_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revokedAt"] and not revoked.json()["live"]
    response = await read(client, headers, "naam", JAN)
    assert response.status_code == 403
    assert [p["name"] for p in response.json()["invalidParams"]] == ["naam"]


async def admin_headers(session: AsyncSession) -> dict[str, str]:
    _, secret = await service.create_api_client(session, ADMIN, "beheer-plein", all_rights=True)
    return {"Authorization": f"Bearer {make_jwt('beheer-plein', secret)}"}


@pytest.mark.parametrize(("start", "end"), [(-3, -1), (1, 3)], ids=["expired", "not-yet-valid"])
async def test_grants_outside_their_validity_count_as_absent(client: httpx.AsyncClient, session: AsyncSession,
                                                              start: int, end: int) -> None:
    now = dt.datetime.now(dt.UTC)
    headers, _ = await client_with_grant(session, valid_from=now + dt.timedelta(days=start),
                                         valid_until=now + dt.timedelta(days=end))
    response = await read(client, headers, "naam", JAN)
    assert response.status_code == 403
    assert "Jan" not in response.text


async def test_a_grant_for_another_activity_does_not_count(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    await service.create_activity(session, ADMIN, "0363", "uittreksel-verstrekken", "Uittreksel", "Uittreksel maken",
                                  "Wet BRP artikel 3.6")
    response = await read(client, {**headers, HEADER: "uittreksel-verstrekken"}, "naam", JAN)
    assert response.status_code == 403
    assert "uittreksel-verstrekken" in response.json()["detail"]


async def test_the_activity_header_is_required(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    response = await read(client, {k: v for k, v in headers.items() if k != HEADER}, "naam", JAN)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == HEADER
    assert HEADER in response.json()["detail"]


async def test_an_unknown_activity_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    for value, code in (("bestaat-niet", "unknown"), ("Geen Id!", "pattern")):
        response = await read(client, {**headers, HEADER: value}, "naam", JAN)
        assert response.status_code == 400
        assert response.json()["invalidParams"][0] == {**response.json()["invalidParams"][0], "name": HEADER,
                                                       "code": code}


async def test_another_organisations_activity_is_unknown(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await client_with_grant(session, client_id="utrecht-zaken", organisation="0344")
    headers, _ = await client_with_grant(session, activity="bezwaar-behandelen")
    response = await read(client, {**headers, HEADER: "verhuizing-verwerken"}, "naam", JAN)
    assert response.status_code == 400


async def test_unknown_fields_are_bad_input(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    response = await read(client, headers, "naam,schoenmaat", JAN)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["code"] == "unknown-field"


async def test_a_municipality_scoped_grant_sees_only_its_residents(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session, municipality="0363")
    listing = await read(client, headers, "naam", JAN, PIET, KLAAS)
    assert [p["naam"]["voornamen"] for p in listing.json()["personen"]] == ["Jan", "Klaas"]
    outside = await read(client, headers, "naam", PIET)
    assert outside.status_code == 403
    assert "Piet" not in outside.text and "0363" in outside.json()["detail"]
    assert [r.subject for r in await log_records(session)] == [JAN, KLAAS]


async def test_scopes_combine_per_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session, fields=["naam"], municipality="0363")
    await service.create_grant(session, ADMIN, service.GrantRequest(
        "zaaksysteem", "brp", ["naam", "geboorte"], "verhuizing-verwerken", "0344"))
    both = await read(client, headers, "naam", JAN, PIET)
    assert len(both.json()["personen"]) == 2
    utrecht_only = await read(client, headers, "naam,geboorte", JAN, PIET)
    assert [p["naam"]["voornamen"] for p in utrecht_only.json()["personen"]] == ["Piet"]


async def test_reads_need_a_valid_client_token(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers, _ = await client_with_grant(session)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"client_id": "zaaksysteem", "iss": "zaaksysteem", "iat": now}
    tokens = {
        "none": "",
        "forged": make_jwt("zaaksysteem", "a-secret-that-is-not-the-clients-secret"),
        "alg-none": jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]
        "expired": jwt.encode({**claims, "iat": now - 7200}, SECRET, algorithm="HS256"),
        "not-a-jwt": "abc.def",
    }
    for name, token in tokens.items():
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        response = await read(client, {HEADER: headers[HEADER], **auth}, "naam", JAN)
        assert response.status_code == 401, name
        assert response.headers["content-type"] == "application/problem+json"
        assert "Jan" not in response.text
    assert await log_records(session) == []


async def test_every_api_response_carries_a_transaction_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/exchange/v1/processing-activities")
    second = await client.get("/api/store/v1/nothing-here")
    ids = {first.headers[service.TRANSACTION_HEADER], second.headers[service.TRANSACTION_HEADER]}
    assert len(ids) == 2 and all(len(value) == 32 for value in ids)
    assert service.TRANSACTION_HEADER not in (await client.get("/")).headers
