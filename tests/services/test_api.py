"""The services API: a municipal website submits a move for its logged-in citizen, reads it back, and a case worker
decides it; retries with an Idempotency-Key make one zaak."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plein import clock
from plein.zgw.zaken.models import Zaak
from tests.services.helpers import AMSTERDAM, adopt, citizen_headers, family, publish_app

URL = "/api/diensten/v1/aanvragen"


@pytest.fixture
async def world(session):
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    return await family(session)


def body(world, **answers):
    return {"gemeente": "0363", "dienst": "verhuizing-doorgeven", "antwoorden": {
        "verhuisdatum": clock.today().isoformat(),
        "nieuwAdres": {"postcode": "1019AB", "huisnummer": 10, "huisletter": None, "huisnummertoevoeging": None},
        "meeverhuizers": [world.kees], **answers}}


async def test_the_services_list_their_answers_schema_with_the_options_applied(client, world) -> None:
    answer = await client.get("/api/diensten/v1/gemeenten/0363/diensten")
    assert answer.status_code == 200, answer.text
    [dienst] = answer.json()
    schema = dienst["antwoorden"]
    assert "verhuisdatum" in schema["required"] and "nieuwAdres" in schema["required"]
    assert "bewijsstuk" not in schema["properties"]  # Amsterdam does not ask for proof


async def test_a_submission_makes_one_zaak_even_when_retried(client, session, world) -> None:
    headers = {**citizen_headers(world.anna), "Idempotency-Key": "abc-123"}
    first = await client.post(URL, json=body(world), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post(URL, json=body(world), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert await session.scalar(select(func.count()).select_from(Zaak)) == 1
    read = await client.get(f"{URL}/{first.json()['id']}", headers=citizen_headers(world.anna))
    assert read.status_code == 200 and read.json()["zaakIdentificatie"]
    other = await client.get(f"{URL}/{first.json()['id']}", headers=citizen_headers(world.jan))
    assert other.status_code == 404


async def test_bad_answers_name_the_question(client, world) -> None:
    answer = await client.post(URL, json=body(world, verhuisdatum="2020-13-45"), headers=citizen_headers(world.anna))
    assert answer.status_code == 400, answer.text
    assert [p["name"] for p in answer.json()["invalidParams"]] == ["antwoorden.verhuisdatum"]


@pytest.mark.parametrize(("options", "asked", "required"), [
    ({}, {"verhuisdatum", "nieuwAdres", "meeverhuizers"}, ["verhuisdatum", "nieuwAdres"]),
    ({"bewijsstukVereist": True}, {"verhuisdatum", "nieuwAdres", "meeverhuizers", "bewijsstuk"},
     ["verhuisdatum", "nieuwAdres", "bewijsstuk"]),
    ({"intake": "balie"}, {"verhuisdatum", "nieuwAdres", "meeverhuizers", "voorkeur", "telefoon"},
     ["verhuisdatum", "nieuwAdres", "voorkeur", "telefoon"]),
    ({"intake": "beide"}, {"verhuisdatum", "nieuwAdres", "meeverhuizers", "afhandeling", "voorkeur", "telefoon"},
     ["verhuisdatum", "nieuwAdres", "afhandeling"]),
])
async def test_each_municipalitys_options_shape_the_answers_it_takes(client, session, options, asked,
                                                                     required) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, **options)
    answer = await client.get("/api/diensten/v1/gemeenten/0363/diensten/verhuizing-doorgeven")
    schema = answer.json()["antwoorden"]
    assert set(schema["properties"]) == asked
    assert schema["required"] == required
