"""Plein's own OpenAPI documents: the committed ones equal the code and pass the NL API Design Rules."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from plein.app import create_app
from plein.openapi import API_DOCUMENTS, api_document, render
from plein.settings import Settings
from plein.store.spectral import lint_openapi

DOCS = Path(__file__).resolve().parents[1] / "docs" / "openapi"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("openapi") / "x.db"
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{db}"))
    return {api.name: render(api_document(app, api)) for api in API_DOCUMENTS}


@pytest.mark.parametrize("api", [api.name for api in API_DOCUMENTS])
def test_committed_document_equals_the_code(documents: dict[str, str], api: str) -> None:
    committed = (DOCS / f"{api}.json").read_text("utf-8")
    assert committed == documents[api], f"docs/openapi/{api}.json is out of date: run `plein openapi`"


@pytest.mark.parametrize("api", [api.name for api in API_DOCUMENTS])
def test_document_passes_the_api_design_rules(documents: dict[str, str], api: str) -> None:
    findings = lint_openapi(documents[api].encode(), f"{api}.json")
    errors = [f"{f.rule}: {f.message}" for f in findings if f.severity == "error"]
    assert errors == []


async def test_document_is_served_next_to_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/store/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["API-Version"] == "1.0.0"
    document = response.json()
    assert document["servers"][0]["url"].endswith("/api/store/v1")
    assert "/apps" in document["paths"]
    assert json.dumps(document).count("HTTPValidationError") == 0
