"""The rules of moving and the municipality's choices, each held by a test: the date window, co-movers from the BRP,
the municipality of the new address, the main occupant's consent, and every option of the app."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict
from plein.registers.brp import service as brp
from plein.registers.brp.models import Residence
from plein.services import decisions
from plein.services import run as running
from plein.services import service as engine
from plein.services.models import AFGEWEZEN, INGEDIEND, TOEGEKEND, Aanvraag, Toestemming
from plein.services.run import Run
from plein.zgw.catalogi.models import ZaakType
from plein.zgw.zaken.models import Zaak
from tests.registers.helpers import CAUSE
from tests.services.helpers import (
    AMSTERDAM,
    BASE_URL,
    UTRECHT,
    Family,
    adopt,
    behandelaar,
    citizen,
    family,
    move_answers,
    publish_app,
)
from tests.store.helpers import STORAGE

TODAY = running.today()


@pytest.fixture
async def world(session: AsyncSession) -> Family:
    await publish_app(session)
    return await family(session)


async def offer(session: AsyncSession, code: str = AMSTERDAM) -> engine.Offer:
    return await engine.require_offer(session, code, "verhuizing-doorgeven")


async def submit(session: AsyncSession, f: Family, answers: dict, code: str = AMSTERDAM, who: str | None = None,
                 key: str | None = None) -> Aanvraag:
    aanvraag, _ = await engine.submit_new(session, await offer(session, code), citizen(who or f.anna), answers,
                                          BASE_URL, "trace", STORAGE, key)
    return aanvraag


def problems_of(error: engine.Incomplete) -> dict[str, str]:
    return {problem.question: problem.message for problem in error.problems}


async def residence(session: AsyncSession, bsn: str) -> Residence:
    found = await session.scalar(select(Residence).where(Residence.bsn == bsn, Residence.valid_to.is_(None))
                                 .execution_options(populate_existing=True))
    assert found is not None
    return found


# --- the date window --------------------------------------------------------------------------------------------


async def test_a_move_can_be_reported_four_weeks_ahead_but_not_more(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    ahead = await submit(session, world, move_answers(world, world.empty, (TODAY + dt.timedelta(28)).isoformat()))
    assert ahead.status == INGEDIEND
    with pytest.raises(engine.Incomplete) as refused:
        await submit(session, world, move_answers(world, world.empty, (TODAY + dt.timedelta(29)).isoformat()),
                     who=world.jan)
    assert "4 weken" in problems_of(refused.value)["verhuisdatum"]


async def test_a_late_report_is_accepted_and_flagged_for_the_case_worker(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    on_time = await submit(session, world, move_answers(world, world.empty, (TODAY - dt.timedelta(5)).isoformat()))
    assert on_time.checks == [] and on_time.automatic
    late = await submit(session, world, move_answers(world, world.occupied, (TODAY - dt.timedelta(6)).isoformat()),
                        who=world.jan)
    assert late.status == INGEDIEND
    assert [check["id"] for check in late.checks] == ["teLaat"]
    assert not late.automatic  # the rule of the app: a late report goes to a case worker


async def test_a_move_cannot_start_before_the_current_residence(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    with pytest.raises(engine.Incomplete) as refused:
        await submit(session, world, move_answers(world, world.empty, "2015-05-31"))
    assert "huidige adres" in problems_of(refused.value)["verhuisdatum"]


# --- co-movers -----------------------------------------------------------------------------------------------------


async def test_only_the_partner_and_children_living_at_the_address_can_move_along(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    day = TODAY.isoformat()
    with pytest.raises(engine.Incomplete) as refused:  # Bram is their son, but lives elsewhere
        await submit(session, world, move_answers(world, world.empty, day, [world.kees, world.bram]))
    assert "meeverhuizers" in problems_of(refused.value)
    with pytest.raises(engine.Incomplete):  # a stranger
        await submit(session, world, move_answers(world, world.empty, day, [world.olga]))
    made = await submit(session, world, move_answers(world, world.empty, day, [world.jan, world.kees]))
    assert made.answers["meeverhuizers"] == [world.jan, world.kees]


async def test_a_co_mover_is_checked_at_the_source_at_submission(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    run = await engine.start(session, await offer(session), citizen(world.anna), "t")
    run.aanvraag.answers = {**move_answers(world, world.empty, TODAY.isoformat(), [world.kees])}
    await brp.register_move(session, world.kees, brp.NewResidence(TODAY.strftime("%Y%m%d"),
                                                                  world.utrecht.nummeraanduiding), CAUSE)
    await session.commit()
    with pytest.raises(engine.Incomplete) as refused:
        await engine.submit(session, run, BASE_URL, "t")
    assert "meeverhuizers" in problems_of(refused.value)


# --- the municipality of the new address ---------------------------------------------------------------------------


async def test_a_move_into_another_municipality_is_handled_there(session, world) -> None:
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    await adopt(session, UTRECHT, toestemmingHoofdbewoner=False, behandeltermijnDagen=10)
    made = await submit(session, world, move_answers(world, world.utrecht, TODAY.isoformat()))
    assert made.municipality == UTRECHT and made.entry_municipality == AMSTERDAM
    zaak = await session.get(Zaak, made.zaak_id)
    assert zaak is not None and zaak.bronorganisatie != (await offer(session)).organisation.rsin
    assert made.due_on == TODAY + dt.timedelta(days=10)


async def test_a_municipality_without_the_service_sends_the_citizen_there(session, world) -> None:
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    with pytest.raises(engine.Incomplete) as refused:
        await submit(session, world, move_answers(world, world.rotterdam, TODAY.isoformat()))
    message = problems_of(refused.value)["nieuwAdres"]
    assert "Rotterdam" in message and "website van de gemeente" in message
    assert await session.scalar(select(func.count()).select_from(Aanvraag)) == 0


async def test_an_address_that_is_not_in_the_bag_is_refused(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    answers = move_answers(world, world.empty, TODAY.isoformat())
    answers["nieuwAdres"] = {"postcode": "9999ZZ", "huisnummer": 1}
    with pytest.raises(engine.Incomplete) as refused:
        await submit(session, world, answers)
    assert "niet in de Basisregistratie Adressen" in problems_of(refused.value)["nieuwAdres"]


# --- consent of the main occupant ------------------------------------------------------------------------------------


async def test_moving_in_with_others_waits_for_the_main_occupants_consent(session, world) -> None:
    await adopt(session, automatischAfhandelen=True, toestemmingHoofdbewoner=True)
    made = await submit(session, world, move_answers(world, world.occupied, TODAY.isoformat()))
    consent = await session.scalar(select(Toestemming).where(Toestemming.aanvraag_id == made.id))
    assert consent is not None and consent.asked_bsn == world.olga
    assert made.automatic and made.decide_after is None  # not due before the consent
    with pytest.raises(Conflict):
        await decisions.decide(session, made, True, "", behandelaar(), BASE_URL, "t")
    await decisions.answer_consent(session, citizen(world.olga, "Olga Jansen"), consent.id, True)
    await session.refresh(made)
    assert made.decide_after is not None
    decided = await decisions.decide_automatically(session, made.id, BASE_URL, "t")
    assert decided is not None and decided.status == TOEGEKEND
    assert (await residence(session, world.anna)).address_id == world.occupied.id


async def test_no_consent_is_asked_when_the_municipality_does_not_want_it(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    made = await submit(session, world, move_answers(world, world.occupied, TODAY.isoformat()))
    assert await session.scalar(select(func.count()).select_from(Toestemming)) == 0
    assert made.status == INGEDIEND


async def test_no_consent_is_asked_for_an_empty_address(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=True)
    await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    assert await session.scalar(select(func.count()).select_from(Toestemming)) == 0


# --- the municipality's options -------------------------------------------------------------------------------------


async def test_the_handling_time_option_sets_the_zaaktype_and_the_zaak_deadline(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, behandeltermijnDagen=28)
    zaaktype = await session.scalar(select(ZaakType).where(ZaakType.identificatie == "VERHUIZING"))
    assert zaaktype is not None and zaaktype.doorlooptijd == "P28D"
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    zaak = await session.get(Zaak, made.zaak_id)
    assert zaak is not None and zaak.uiterlijke_einddatum_afdoening == TODAY + dt.timedelta(28)


async def test_changing_the_handling_time_gives_the_municipality_a_new_zaaktype_version(session, world) -> None:
    from plein.store import adoptions
    from tests.store.helpers import SYSTEM

    await adopt(session, toestemmingHoofdbewoner=False)
    await adopt(session, UTRECHT, toestemmingHoofdbewoner=False)
    adoption = await adoptions.active_adoption(session, AMSTERDAM, "verhuizing-doorgeven")
    assert adoption is not None
    await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), SYSTEM,
                                    options={**adoption.options, "behandeltermijnDagen": 21}, base_url=BASE_URL)
    found = {(row.catalogus_id, row.doorlooptijd) for row in await session.scalars(
        select(ZaakType).where(ZaakType.identificatie == "VERHUIZING"))}
    assert {doorlooptijd for _, doorlooptijd in found} == {"P5D", "P21D"}
    assert len({catalogus for catalogus, value in found if value == "P5D"}) == 2  # Utrecht's stays as it was


async def test_automatic_handling_decides_at_once_and_moves_everyone(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=True)
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat(), [world.kees]))
    assert made.automatic and made.decide_after is not None
    decided = await decisions.decide_automatically(session, made.id, BASE_URL, "t")
    assert decided is not None and decided.status == TOEGEKEND and decided.decided_by == decisions.AUTOMATIC
    for bsn in (world.anna, world.kees):
        assert (await residence(session, bsn)).address_id == world.empty.id
    assert (await residence(session, world.jan)).address_id == world.home.id


async def test_without_automatic_handling_a_case_worker_decides(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, automatischAfhandelen=False)
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    assert not made.automatic
    assert await decisions.decide_automatically(session, made.id, BASE_URL, "t") is None
    assert (await residence(session, world.anna)).address_id == world.home.id


async def test_proof_of_residence_is_asked_only_where_the_municipality_wants_it(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    with pytest.raises(engine.Incomplete) as refused:
        await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    assert "bewijsstuk" in problems_of(refused.value)
    run = Run(await offer(session), engine.new_aanvraag(await offer(session), citizen(world.anna)))
    assert "bewijs" in [step.id for step in run.steps()]


async def test_desk_only_intake_ends_in_an_appointment_request(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False, intake="balie", automatischAfhandelen=True)
    answers = {**move_answers(world, world.empty, TODAY.isoformat()), "voorkeur": ["middag"],
               "telefoon": "020 123 4567"}
    made = await submit(session, world, answers)
    assert made.appointment and not made.automatic
    with pytest.raises(engine.Incomplete) as refused:  # the appointment questions are required then
        await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()), who=world.jan)
    assert {"voorkeur", "telefoon"} <= set(problems_of(refused.value))


# --- decisions --------------------------------------------------------------------------------------------------------


async def test_a_rejection_changes_nothing_in_the_brp_and_says_why(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    decided = await decisions.decide(session, made, False, "U woont hier niet.", behandelaar(), BASE_URL, "t")
    assert decided.status == AFGEWEZEN and decided.reason == "U woont hier niet."
    assert (await residence(session, world.anna)).address_id == world.home.id
    zaak = await session.get(Zaak, made.zaak_id)
    assert zaak is not None and zaak.einddatum is not None


async def test_a_decision_is_made_once(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    await decisions.decide(session, made, True, "", behandelaar(), BASE_URL, "t")
    with pytest.raises(Conflict):
        await decisions.decide(session, made, False, "te laat", behandelaar(), BASE_URL, "t")


async def test_a_case_worker_of_another_municipality_may_not_decide(session, world) -> None:
    await adopt(session, toestemmingHoofdbewoner=False)
    made = await submit(session, world, move_answers(world, world.empty, TODAY.isoformat()))
    assert decisions.may_decide(behandelaar(AMSTERDAM), made)
    assert not decisions.may_decide(behandelaar(UTRECHT), made)
