"""What a submission and a decision write, and that they write all of it or nothing: the zaak with its parts and
outbox, the BRP change under a write grant with its write records in the processing log, the notification on the
`brp` kanaal only for subscribers who may read the person, the background loop, and the retention of concepts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.db import utcnow
from plein.exchange import log
from plein.exchange.models import Grant, LogRecord
from plein.notifications import service as notifications
from plein.notifications.models import Delivery, Message
from plein.registers.brp.models import Residence
from plein.services import decisions, tasks
from plein.services import service as engine
from plein.services.models import CONCEPT, INGEDIEND, TOEGEKEND, Aanvraag, Bestand
from plein.settings import Settings
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak
from tests.factories import client_headers
from tests.registers.helpers import reader
from tests.services.helpers import (
    AMSTERDAM,
    BASE_URL,
    UTRECHT,
    adopt,
    citizen,
    citizen_headers,
    family,
    fill,
    move_answers,
    publish_app,
)
from tests.store.helpers import STORAGE

TODAY = clock.today().isoformat()
PROOF = b"%PDF-1.4 a proof of residence"


@pytest.fixture
async def world(session: AsyncSession):
    await publish_app(session)
    return await family(session)


async def submit(session: AsyncSession, world: Any, target: Any, code: str = AMSTERDAM,
                 movers: list[str] | None = None) -> Aanvraag:
    offer = await engine.require_offer(session, code, "verhuizing-doorgeven")
    aanvraag, _ = await engine.submit_new(session, offer, citizen(world.anna),
                                          move_answers(world, target, TODAY, movers), BASE_URL, "t", STORAGE)
    return aanvraag


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_failure_half_way_through_a_submission_leaves_nothing(session, world, monkeypatch) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    run = await engine.start(session, await engine.require_offer(session, AMSTERDAM, "verhuizing-doorgeven"),
                             citizen(world.anna), "t")
    step = run.definition.step("bewijs")
    assert step is not None
    answer, problem = await engine.uploads.store(session, run.aanvraag, step.questions[0], "huur.pdf", PROOF,
                                                 STORAGE)
    assert problem is None
    await session.commit()
    await fill(session, run, {"verhuizing": {"verhuisdatum": TODAY, "nieuwAdres": {"postcode": "1019AB",
                                                                                 "huisnummer": "10"}},
                              "bewijs": {"bewijsstuk": answer}})
    messages, zaken, key = await count(session, Message), await count(session, Zaak), run.aanvraag.id

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(cases, "save_zaakeigenschap", broken)
    with pytest.raises(RuntimeError):
        await engine.submit(session, run, BASE_URL, "t")
    session.expire_all()
    assert (await count(session, Zaak), await count(session, Message)) == (zaken, messages)
    aanvraag = await session.get(Aanvraag, key, populate_existing=True)
    assert aanvraag is not None and aanvraag.status == CONCEPT and aanvraag.zaak_id is None
    assert await session.scalar(select(Bestand.document_id)) is None


async def test_a_straight_through_move_writes_the_brp_and_logs_each_write(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    made = await submit(session, world, world.empty, movers=[world.kees])
    decided = await decisions.decide_automatically(session, made.id, BASE_URL, "trace-decision")
    assert decided is not None and decided.status == TOEGEKEND
    writes = list(await session.scalars(select(LogRecord).where(LogRecord.action == log.WRITE)))
    assert {(record.subject, record.organisation, record.activity) for record in writes} == {
        (world.anna, AMSTERDAM, "verhuizing-verwerken"), (world.kees, AMSTERDAM, "verhuizing-verwerken")}
    assert all(record.fields == ["gemeenteVanInschrijving", "verblijfplaats"] for record in writes)
    assert (await log.verify(session)).ok
    zaak = await session.get(Zaak, made.zaak_id, populate_existing=True)
    assert zaak is not None and zaak.einddatum is not None


async def test_without_a_write_grant_nothing_changes_and_a_case_worker_decides(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    made = await submit(session, world, world.empty)
    home_id = world.home.id
    await session.execute(update(Grant).where(Grant.access == "write").values(revoked_at=utcnow()))
    await session.commit()
    decided = await decisions.decide_automatically(session, made.id, BASE_URL, "t")
    assert decided is not None and decided.status == INGEDIEND and not decided.automatic
    assert decided.automatic_note and "write grant" in decided.automatic_note
    home = await session.scalar(select(Residence.address_id).where(Residence.bsn == world.anna,
                                                                   Residence.valid_to.is_(None)))
    assert home == home_id
    zaak = await session.get(Zaak, made.zaak_id, populate_existing=True)
    assert zaak is not None and zaak.einddatum is None


async def test_the_brp_notification_goes_only_to_subscribers_who_may_read_the_person(session, world) -> None:
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    await adopt(session, UTRECHT, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    await notifications.ensure_standard_kanalen(session, ["brp"])
    await reader(session, ["burgerservicenummer"], client_id="amsterdam-brp", organisation=AMSTERDAM,
                 municipality=AMSTERDAM)
    await reader(session, ["naam"], client_id="amsterdam-namen", organisation=AMSTERDAM)
    subscribed = {}
    for owner in ("amsterdam-brp", "amsterdam-namen", None):
        made = await notifications.create_abonnement(
            session, callback_url=f"https://{owner or 'anoniem'}.example/callback", auth="Bearer secret-token-123",
            kanalen=[notifications.KanaalFilter("brp", {"vorigeGemeente": AMSTERDAM})], owner=owner)
        subscribed[made.id] = owner
    await session.commit()
    made = await submit(session, world, world.utrecht)
    await decisions.decide_automatically(session, made.id, BASE_URL, "t")
    [message] = list(await session.scalars(select(Message).where(Message.kanaal == "brp")))
    assert message.kenmerken == {"gemeente": UTRECHT, "vorigeGemeente": AMSTERDAM, "soort": "verhuizing",
                                 "burgerservicenummer": world.anna}
    delivered = {subscribed[row] for row in await session.scalars(
        select(Delivery.abonnement_id).where(Delivery.message_id == message.id))}
    assert delivered == {"amsterdam-brp"}


async def test_the_background_loop_decides_what_is_due(session, world, settings: Settings, app: Any) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    made = await submit(session, world, world.empty)
    decider = tasks.Decider(app.state.sessions, settings)
    assert await decider.run_once() == 1
    await session.refresh(made)
    assert made.status == TOEGEKEND
    assert await decider.run_once() == 0


async def test_half_finished_forms_are_removed_after_the_retention_period(session, world, settings, app) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    run = await engine.start(session, await engine.require_offer(session, AMSTERDAM, "verhuizing-doorgeven"),
                             citizen(world.anna), "t")
    step = run.definition.step("bewijs")
    assert step is not None
    await engine.uploads.store(session, run.aanvraag, step.questions[0], "huur.pdf", PROOF, STORAGE)
    await session.commit()
    key = await session.scalar(select(Bestand.storage_key))
    assert key is not None and await STORAGE.exists(key)
    assert await tasks.remove_old_concepts(app.state.sessions, settings, STORAGE) == 0  # still fresh
    old = utcnow() - dt.timedelta(days=settings.services_concept_days + 1)
    await session.execute(update(Aanvraag).values(updated_at=old))
    await session.commit()
    assert await tasks.remove_old_concepts(app.state.sessions, settings, STORAGE) == 1
    assert await count(session, Aanvraag) == 0 and not await STORAGE.exists(key)


async def test_a_client_with_the_behandelaar_role_decides_through_the_api(client, session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    await adopt(session, UTRECHT, toestemmingHoofdbewoner=False)
    made = await client.post("/api/diensten/v1/aanvragen", headers=citizen_headers(world.anna), json={
        "gemeente": AMSTERDAM, "dienst": "verhuizing-doorgeven",
        "antwoorden": move_answers(world, world.empty, TODAY)})
    assert made.status_code == 201, made.text
    url = f"/api/diensten/v1/aanvragen/{made.json()['id']}/besluit"
    utrecht = await client_headers(session, "utrecht-zaaksysteem", UTRECHT, ["behandelaar"])
    refused = await client.post(url, headers=utrecht, json={"besluit": "toegekend"})
    assert refused.status_code == 403
    citizen_refused = await client.post(url, headers=citizen_headers(world.anna), json={"besluit": "toegekend"})
    assert citizen_refused.status_code == 403
    amsterdam = await client_headers(session, "amsterdam-zaaksysteem", AMSTERDAM, ["behandelaar"])
    no_reason = await client.post(url, headers=amsterdam, json={"besluit": "afgewezen"})
    assert no_reason.status_code == 400 and no_reason.json()["invalidParams"][0]["name"] == "reden"
    granted = await client.post(url, headers=amsterdam, json={"besluit": "toegekend"})
    assert granted.status_code == 200, granted.text
    assert granted.json()["besluit"]["uitkomst"] == "toegekend"
    assert [effect["burgerservicenummer"] for effect in granted.json()["effecten"]] == [world.anna]
