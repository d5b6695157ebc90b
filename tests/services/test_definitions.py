"""What a service definition can say beyond the built-in app, run by the engine: a question that starts from what
the register says, and conditions on the municipality's options; the definition is the app's, not Plein's code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.services import service as engine
from tests.factories import make_package
from tests.services.helpers import (
    AMSTERDAM,
    BASE_URL,
    adopt,
    citizen,
    csrf_token,
    family,
    log_in_citizen,
    move_answers,
)
from tests.store.helpers import STORAGE, publish_folder

TODAY = clock.today().isoformat()


def with_question(tmp_path: Path, question: dict) -> Path:
    """verhuizing-doorgeven 2.1.0 with one more question on its first step."""
    folder = make_package(tmp_path, version="2.1.0")
    path = folder / "service" / "service.yaml"
    definition = yaml.safe_load(path.read_text("utf-8"))
    definition["steps"][0]["questions"].append(question)
    path.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


@pytest.fixture
async def world(session: AsyncSession, tmp_path: Path):
    await publish_folder(session, with_question(tmp_path, {
        "id": "achternaam", "type": "text", "label": "Uw achternaam", "required": True,
        "prefill": {"var": "prefill.aanvrager.naam.geslachtsnaam"}}))
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    return await family(session)


async def test_an_answer_starts_from_the_register_and_can_be_left_out_of_an_api_call(session, world) -> None:
    offer = await engine.require_offer(session, AMSTERDAM, "verhuizing-doorgeven")
    made, _ = await engine.submit_new(session, offer, citizen(world.anna), move_answers(world, world.empty, TODAY),
                                      BASE_URL, "t", STORAGE)
    assert made.answers["achternaam"] == "Visser"


async def test_the_page_shows_the_register_value_to_check(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    start = "/diensten/amsterdam/verhuizing-doorgeven"
    token = await csrf_token(client, start)
    step = (await client.post(f"{start}/starten", data={"csrf_token": token})).headers["location"]
    page = await client.get(step)
    assert 'name="achternaam" value="Visser"' in page.text
