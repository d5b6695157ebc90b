"""The reference implementation's behaviour, as scenarios: each file in tests/zgw/scenarios/ is a sequence of requests
to Plein's ZGW APIs with the status, error codes and values that vng-api-common (Open Zaak) gives for them.

The scenarios are written in Plein's own words and values after the behaviour rules in ../shared/specs/zgw/rules/ and
the reference's source; docs/deviations.md explains where Plein, like the reference, accepts more than a document's
letter. A scenario file has a `name`, the `rules` it shows, optional `clients` (applicaties with autorisaties) and
`steps`. A step is

    request: METHOD /path or METHOD {{ saved.url }}
    body: JSON (optional; strings may hold {{ name.path }} references)
    client: admin (the default: an all-rights client), none (no Authorization header) or a name from `clients`
    keep: a name for the response body, to refer to later
    expect: {status: 400, code: invalid, invalidParams: [{name: …, code: …}], body: {a subset of the answer},
             length: the number of items of a list answer}

References name the setting of tests/zgw/zaken/relation_helpers.py (`zaaktype`, `statustypen.1`, `resultaattype`,
`iot`, `besluittype`, `catalogus`, …), the kept bodies, `rsin` (000000000, as the ecosystem's test material uses)
and `host`. The clock-skew file (clock_skew.yaml) lists token ages instead of steps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.auth.service import create_client
from plein.zgw.autorisaties import service as autorisaties
from tests.factories import client_headers
from tests.zgw.zaken.helpers import CRS
from tests.zgw.zaken.relation_helpers import setting

FOLDER = Path(__file__).parent / "scenarios"
SCENARIOS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
             for path in sorted(FOLDER.glob("*.yaml")) if path.name != "clock_skew.yaml"}
HOST = "http://plein.test"
REFERENCE = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


def _lookup(names: dict[str, Any], dotted: str) -> Any:
    value: Any = names
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def fill(value: Any, names: dict[str, Any]) -> Any:
    """The value with each {{ reference }} replaced; a string that is one reference becomes the value itself."""
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value.strip())
        if whole:
            return _lookup(names, whole.group(1))
        return REFERENCE.sub(lambda match: str(_lookup(names, match.group(1))), value)
    if isinstance(value, list):
        return [fill(item, names) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, names) for key, item in value.items()}
    return value


def contains(actual: Any, expected: Any) -> bool:
    """Expected is a part of actual: dicts by their keys, lists item by item, anything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            contains(a, e) for a, e in zip(actual, expected, strict=True))
    return bool(actual == expected)


def check(step: dict[str, Any], response: httpx.Response, names: dict[str, Any]) -> None:
    expect = fill(step.get("expect", {}), names)
    where = f"{step['request']}: {response.status_code} {response.text[:600]}"
    if "status" in expect:
        assert response.status_code == expect["status"], where
    assert response.status_code < 500, where
    body = response.json() if response.content and "json" in response.headers.get("content-type", "") else None
    if "code" in expect:
        assert body is not None and body.get("code") == expect["code"], where
    if "invalidParams" in expect:
        found = [{"name": p["name"], "code": p["code"]} for p in (body or {}).get("invalidParams", [])]
        for wanted in expect["invalidParams"]:
            assert wanted in found, (wanted, where)
    if "body" in expect:
        assert contains(body, expect["body"]), (expect["body"], where)
    if "length" in expect:  # of a list answer, or of a page's results
        items = body.get("results") if isinstance(body, dict) else body
        assert isinstance(items, list) and len(items) == expect["length"], where


async def clients_of(session: AsyncSession, scenario: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, Any] = {"admin": names["admin"], "none": CRS}
    for name, definition in (scenario.get("clients") or {}).items():
        made = await client_headers(session, f"scenario-{name}", None, [])
        await autorisaties.save_applicatie(session, {"clientIds": [f"scenario-{name}"], "label": name,
                                                     "autorisaties": fill(definition["autorisaties"], names)})
        headers[name] = made | CRS
    return headers


@pytest.mark.parametrize("name", SCENARIOS)
async def test_scenario(name: str, client: httpx.AsyncClient, session: AsyncSession) -> None:
    scenario = SCENARIOS[name]
    ctx = await setting(client, session)
    names: dict[str, Any] = {**dataclasses.asdict(ctx), "rsin": "000000000", "host": HOST,
                             "today": clock.today().isoformat()}
    headers = await clients_of(session, scenario, names)
    for step in scenario["steps"]:
        method, _, target = fill(step["request"], names).partition(" ")
        body = fill(step["body"], names) if "body" in step else None
        response = await client.request(method, target.removeprefix(HOST), json=body,
                                        headers=headers[step.get("client", "admin")])
        check(step, response, names)
        if "keep" in step:
            names[step["keep"]] = response.json()


CLOCK = yaml.safe_load((FOLDER / "clock_skew.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CLOCK["tokens"], ids=lambda case: case["name"])
async def test_clock_skew(case: dict[str, Any], client: httpx.AsyncClient, session: AsyncSession) -> None:
    _, secret = await create_client(session, "klok", None, [], all_rights=True)
    issued = int(dt.datetime.now(dt.UTC).timestamp()) + case["iatOffsetSeconds"]
    token = jwt.encode({"iss": "klok", "client_id": "klok", "iat": issued}, secret, algorithm="HS256")
    response = await client.get("/zaken/api/v1/zaken", headers={"Authorization": f"Bearer {token}"} | CRS)
    assert response.status_code == case["status"], response.text
    if case["status"] == 401:
        assert response.json()["code"] == "not_authenticated"
