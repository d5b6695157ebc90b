"""The error cases of the Haal Centraal BRP historie bevragen reference (verblijfplaatshistorie), answered field for
field as the reference answers them (data/brp_historie_reference_errors.yaml), and the inputs it accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.registers.helpers import assert_reference_problem, reader, reference_cases, send_case

HISTORIE = "/haalcentraal/api/brphistorie/verblijfplaatshistorie"
CASES = reference_cases(Path(__file__).parent / "data" / "brp_historie_reference_errors.yaml")


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    return await reader(session, ["verblijfplaatshistorie"])


@pytest.mark.parametrize("case", CASES, ids=[case["scenario"] for case in CASES])
async def test_each_reference_error_case_gets_the_reference_problem(client: httpx.AsyncClient,
                                                                    headers: dict[str, str],
                                                                    case: dict[str, Any]) -> None:
    response = await send_case(client, HISTORIE, headers, case)
    assert_reference_problem(response, HISTORIE, case)
    assert response.headers["API-Version"] == "2.0.0"


@pytest.mark.parametrize(("header", "value"), [
    ("Accept", "*/*"), ("Accept", "*/*; charset=utf-8"), ("Accept", "application/json;charset=Utf-8"), ("Accept", ""),
    ("Content-Type", "application/json"), ("Content-Type", "application/json; charset=UTF-8"), ("Content-Type", ""),
])
async def test_the_media_types_the_reference_accepts_reach_the_query(client: httpx.AsyncClient,
                                                                      headers: dict[str, str], header: str,
                                                                      value: str) -> None:
    body = b'{"type": "RaadpleegMetPeildatum", "burgerservicenummer": "555000123", "peildatum": "2018-09-15"}'
    response = await client.post(HISTORIE, headers={**headers, header: value}, content=body)
    assert response.status_code == 404, response.text  # read as a query: nobody has this number
