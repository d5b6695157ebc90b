"""Schemathesis against the Haal Centraal BRP Personen and BRP Historie APIs: requests generated from their request
schemas never get a 5xx from Plein.

Runs on SQLite with a bounded number of examples per operation, in schemathesis's ASGI client, with a client that
holds a grant for every field (and a few persons in the register), so generated requests reach the checks and the
searches. Personen is generated from the document Plein serves, and from the same with each query type spelled out
(`_typed_personen`); Historie, whose document Plein does not ship, from the request schema below (its two query
types and their parameters, in Plein's own words).
"""

from __future__ import annotations

import asyncio
import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from plein.app import create_app
from plein.db import make_engine, make_session_factory
from plein.registers.brp import spec
from plein.settings import Settings
from tests.registers.helpers import ALL_FIELDS, reader, world

EXAMPLES = 60
FIELDS = ["burgerservicenummer", "naam", "geboorte", "verblijfplaats", "adressering", "partners", "kinderen",
          "leeftijd", "naam.voornamen", "verblijfplaats.verblijfadres.officieleStraatnaam"]
DATE = {"type": "string", "format": "date"}
BSN = {"type": "string", "pattern": "^[0-9]{9}$"}
HISTORIE_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "BRP Historie (request schema for generated requests)", "version": "2.0.0"},
    "paths": {"/verblijfplaatshistorie": {"post": {
        "operationId": "verblijfplaatshistorie",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            {"type": "object", "required": ["type", "burgerservicenummer", "peildatum"], "properties": {
                "type": {"type": "string", "enum": ["RaadpleegMetPeildatum"]}, "burgerservicenummer": BSN,
                "peildatum": DATE}},
            {"type": "object", "required": ["type", "burgerservicenummer", "datumVan", "datumTot"], "properties": {
                "type": {"type": "string", "enum": ["RaadpleegMetPeriode"]}, "burgerservicenummer": BSN,
                "datumVan": DATE, "datumTot": DATE}},
        ]}}}},
        "responses": {"200": {"description": "De verblijfplaatsen"}, "400": {"description": "Foute parameters"}},
    }}},
}


async def _register(fuzz: Settings) -> dict[str, str]:
    """A few persons, and the headers of a client with a grant for every field and the residence history."""
    engine = make_engine(fuzz)
    async with make_session_factory(engine)() as session:
        await world(session)
        headers = await reader(session, [*ALL_FIELDS, "verblijfplaatshistorie"])
    await engine.dispose()
    return headers


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Settings, dict[str, str]]:
    folder = tmp_path_factory.mktemp("brp-fuzz")
    shutil.copy(sqlite_template, folder / "plein.db")
    fuzz = Settings(env="test", database_url=f"sqlite+aiosqlite:///{folder / 'plein.db'}", data_dir=folder / "data")
    return fuzz, asyncio.run(_register(fuzz))


def _typed_personen() -> dict[str, Any]:
    """The Personen document with its request schema as the union of the seven query types, each with its own
    `type` and field paths that exist: the served document leaves `type` open (a discriminator, which generators
    ignore), so requests generated from it alone stop at the type check."""
    document = copy.deepcopy(spec.document())
    schemas = document["components"]["schemas"]
    union = []
    for name, target in schemas["PersonenQuery"]["discriminator"]["mapping"].items():
        schemas[f"Typed{name}"] = {"allOf": [{"$ref": target}, {"type": "object", "properties": {
            "type": {"type": "string", "enum": [name]},
            "fields": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"type": "string", "enum": FIELDS}},
        }}]}
        union.append({"$ref": f"#/components/schemas/Typed{name}"})
    for content in document["paths"]["/personen"]["post"]["requestBody"]["content"].values():
        content["schema"] = {"oneOf": union}
    return document


def _schema(api: str, fuzz: Settings, headers: dict[str, str]) -> schemathesis.Schema:
    app = create_app(fuzz)
    if api == "personen":
        loaded = schemathesis.openapi.from_asgi("/haalcentraal/api/brp/openapi.json", app)
    else:
        loaded = schemathesis.openapi.from_dict(_typed_personen() if api == "personen-typed" else HISTORIE_DOCUMENT)
        loaded.app = app
    base = "/haalcentraal/api/brphistorie" if api == "historie" else "/haalcentraal/api/brp"
    loaded.config.update(base_url=f"http://plein.test{base}", headers=headers)
    return loaded


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
@pytest.mark.parametrize("api", ["personen", "personen-typed", "historie"])
def test_no_generated_request_gets_a_server_error(api: str, mode: GenerationMode,
                                                  fuzz_settings: tuple[Settings, dict[str, str]]) -> None:
    schema = _schema(api, *fuzz_settings)
    server_errors: list[str] = []
    answered: set[int] = set()
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            response = case.call()
            answered.add(response.status_code)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} {case.body!r:.300} -> "
                                     f"{response.status_code} {response.text[:300]}")

        call()
    assert not server_errors, "\n".join(server_errors[:10])
    if api != "personen" and mode is GenerationMode.POSITIVE:
        assert answered & {200, 404}, answered  # some requests got past the checks to a search or a person
