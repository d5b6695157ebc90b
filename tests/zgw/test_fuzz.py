"""Schemathesis against each ZGW document: requests generated from the standard never get a 5xx from Plein.

Runs on SQLite with a bounded number of examples per operation (the suite must stay fast); the app runs in
schemathesis's ASGI client, with a client that holds every right, so generated requests reach the domain logic.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from plein.app import create_app
from plein.auth.service import create_client, make_jwt
from plein.db import make_engine, make_session_factory
from plein.settings import Settings
from plein.zgw import spec

CLIENT_ID = "fuzzer"
EXAMPLES = 8


async def _register(settings_: Settings) -> str:
    engine = make_engine(settings_)
    async with make_session_factory(engine)() as session:
        _, secret = await create_client(session, CLIENT_ID, None, [], all_rights=True)
    await engine.dispose()
    return secret


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Settings, str]:
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, folder / "plein.db")
    fuzz = Settings(env="test", database_url=f"sqlite+aiosqlite:///{folder / 'plein.db'}", data_dir=folder / "data")
    return fuzz, asyncio.run(_register(fuzz))


def _schema(api_name: str, fuzz: Settings, secret: str) -> schemathesis.Schema:
    api = spec.APIS[api_name]
    loaded = schemathesis.openapi.from_asgi(f"{api.prefix}/openapi.json", create_app(fuzz))
    loaded.config.update(base_url=f"http://plein.test{api.prefix}",
                         headers={"Authorization": f"Bearer {make_jwt(CLIENT_ID, secret)}",
                                  "Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"})
    return loaded


@pytest.mark.parametrize("api_name", sorted(spec.APIS))
def test_no_generated_request_gets_a_server_error(api_name: str, fuzz_settings: tuple[Settings, str]) -> None:
    schema = _schema(api_name, *fuzz_settings)
    server_errors: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            response = case.call()
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} {case.query} -> "
                                     f"{response.status_code} {response.text[:300]}")

        call()
    assert not server_errors, "\n".join(server_errors[:10])
