"""Shared HTTP behaviour: problem+json for every error, the API-Version header."""

from __future__ import annotations

import httpx
from fastapi import FastAPI


async def test_unexpected_error_is_problem_json_without_details(app: FastAPI) -> None:
    @app.get("/api/test/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as client:
        response = await client.get("/api/test/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert response.json()["status"] == 500


async def test_unknown_api_path_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/store/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == "1.0.0"


async def test_oversized_request_headers_are_refused_with_431(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/store/v1/apps", headers={"X-Filler": "a" * 9000})
    assert response.status_code == 431 and "x-filler" in response.json()["detail"]
    many = {f"X-Filler-{number}": "a" * 4000 for number in range(5)}
    assert (await client.get("/", headers=many)).status_code == 431


async def test_an_oversized_token_is_refused_with_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/zaken/api/v1/zaken",
                                headers={"Authorization": "Bearer " + "a" * 5000})
    assert response.status_code == 401 and "longer than 4096" in response.json()["detail"]
