"""The Haal Centraal document shipped in the package: the single source of the field paths, served next to the API."""

from __future__ import annotations

import httpx
import pytest
import yaml

from plein.registers.brp import spec
from plein.registers.brp.schemas import GEZAG_PERSOON_BEPERKT, PERSOON, PERSOON_BEPERKT, allowed_fields
from plein.registers.fields import brp_fields, register_fields
from tests.conftest import SHARED_SPECS

PUBLISHED = SHARED_SPECS / "brp" / "personen-openapi-2.7.0.yaml"


def test_the_shipped_document_is_the_published_one() -> None:
    if not PUBLISHED.exists():
        pytest.skip("the published specification is not next to this checkout")
    assert spec.document_text() == PUBLISHED.read_text("utf-8")
    assert spec.document()["info"]["version"] == spec.VERSION


def test_field_paths_come_from_the_document() -> None:
    persoon = spec.schema_paths(PERSOON)
    assert {"aNummer", "naam.voornamen", "adressering.aanschrijfwijze.aanspreekvorm", "gezag.ouders.naam.volledigeNaam",
            "verblijfplaats.verblijfadres.regel1", "verblijfplaats.verblijfadres.postcode",
            "nationaliteiten.nationaliteit.code", "verblijfstitel.aanduiding.omschrijving", "rni.categorie",
            "europeesKiesrecht.einddatumUitsluiting.jaar"} <= persoon
    assert len(persoon) == 642 and len(spec.schema_paths(PERSOON_BEPERKT)) == 104
    assert spec.schema_paths(PERSOON_BEPERKT) < spec.schema_paths(GEZAG_PERSOON_BEPERKT)
    assert "aNummer" not in spec.schema_paths(PERSOON_BEPERKT)
    with pytest.raises(KeyError):
        spec.schema_paths("Bestaatniet")


def test_grants_and_fields_share_the_paths() -> None:
    assert brp_fields() == register_fields("brp") == spec.schema_paths(PERSOON) | {"verblijfplaatshistorie"}
    assert allowed_fields(PERSOON) <= brp_fields()
    assert {"geheimhoudingPersoonsgegevens", "rni", "verificatie", "naam.inOnderzoek"} <= brp_fields() - allowed_fields(
        PERSOON)


async def test_the_document_is_served_next_to_the_api(client: httpx.AsyncClient) -> None:
    as_yaml = await client.get("/haalcentraal/api/brp/openapi.yaml")
    assert as_yaml.status_code == 200 and as_yaml.headers["content-type"].startswith("application/yaml")
    assert as_yaml.text == spec.document_text() and as_yaml.headers["API-Version"] == "2.7.0"
    as_json = await client.get("/haalcentraal/api/brp/openapi.json")
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    assert as_json.json() == yaml.safe_load(spec.document_text())
    assert (await client.get("/haalcentraal/api/brp/openapi.xml")).status_code == 404
