"""The service engine end to end in Python: a citizen reports a move with a co-mover, the zaak is made, a case
worker (or Plein itself) decides, and the BRP says where they live now."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.services import decisions
from plein.services import service as engine
from plein.services.models import INGEDIEND, TOEGEKEND
from tests.services.helpers import AMSTERDAM, BASE_URL, adopt, behandelaar, citizen, family, fill, publish_app


@pytest.fixture
async def world(session: AsyncSession):
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    return await family(session)


async def test_a_move_with_a_co_mover_becomes_a_zaak_and_a_decision_changes_the_brp(session, world) -> None:
    offer = await engine.require_offer(session, AMSTERDAM, "verhuizing-doorgeven")
    run = await engine.start(session, offer, citizen(world.anna), "trace-1")
    assert run.aanvraag.prefill["aanvrager"]["burgerservicenummer"] == world.anna
    mates = {p["burgerservicenummer"] for p in run.aanvraag.prefill["huisgenoten"]}
    assert mates == {world.jan, world.kees}
    day = clock.today().isoformat()
    await fill(session, run, {
        "verhuizing": {"verhuisdatum": day, "nieuwAdres": {"postcode": "1019 ab", "huisnummer": "10"}},
        "meeverhuizers": {"meeverhuizers": [world.kees]},
    })
    aanvraag = await engine.submit(session, run, BASE_URL, "trace-2")
    assert aanvraag.status == INGEDIEND
    assert aanvraag.zaak_identificatie
    decided = await decisions.decide(session, aanvraag, True, "", behandelaar(), BASE_URL, "trace-3")
    assert decided.status == TOEGEKEND
    assert {effect["burgerservicenummer"] for effect in decided.effects} == {world.anna, world.kees}
