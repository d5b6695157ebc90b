"""Whole numbers from outside are bounded everywhere: a number too large for the database is a 400 that names the
parameter, never a 500 (store search pages, notification ids, ZGW query parameters; tokens: tests/auth)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.organisations.service import create_organisation
from tests.factories import client_headers

HUGE = str(10**30)
ENORMOUS = "9" * 5000  # beyond what int() parses by default


async def test_a_store_search_page_beyond_the_bound_is_a_400(client: httpx.AsyncClient) -> None:
    for page in ("100001", HUGE, ENORMOUS):
        api = await client.get("/api/store/v1/apps", params={"page": page})
        assert api.status_code == 400 and api.json()["invalidParams"][0]["name"] == "page"
        html = await client.get("/", params={"page": page})
        assert html.status_code == 400 and "1 tot en met 100.000" in html.text
    assert (await client.get("/api/store/v1/apps", params={"page": "100000"})).status_code == 200


async def test_a_notification_id_too_large_is_a_400(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    admin = await client_headers(session, "plein-beheer", "plein", ["curator"])
    api = "/api/notifications/v1"
    for path in (f"{api}/deliveries/{HUGE}", f"{api}/messages/{HUGE}", f"{api}/deliveries?after={HUGE}"):
        response = await client.get(path, headers=admin)
        assert response.status_code == 400, (path, response.text)
    assert (await client.post(f"{api}/deliveries/{HUGE}/resend", headers=admin)).status_code == 400
    assert (await client.get(f"{api}/deliveries/{2**63 - 1}", headers=admin)).status_code == 404


async def test_a_zgw_page_number_of_any_length_is_not_a_500(client: httpx.AsyncClient,
                                                            session: AsyncSession) -> None:
    headers = await client_headers(session, "alles", None, [], all_rights=True)
    for page in (HUGE, ENORMOUS):
        response = await client.get("/zaken/api/v1/zaken", params={"page": page},
                                    headers={**headers, "Accept-Crs": "EPSG:4326"})
        assert response.status_code in (400, 404), response.text
