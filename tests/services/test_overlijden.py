"""Aangifte overlijden: who may register a death, the rules of the law (the deceased known and not registered dead,
no date in the future or before the birth, 36 hours and the sixth working day with the holidays, the A-form and the
prosecutor's statement), the municipality where the person died handles it, the same-working-day deadline, and a
positive decision that makes the akte and the verlof, registers the death at the source and announces it, all or
nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import Conflict, Forbidden
from plein.exchange import log
from plein.exchange.models import LogRecord
from plein.notifications import service as notifications
from plein.notifications.models import Message
from plein.registers.brp.models import Person, Relation
from plein.services import decisions, verification
from plein.services import run as running
from plein.services import service as engine
from plein.services.models import AFGEWEZEN, INGEDIEND, TOEGEKEND, Aanvraag
from plein.services.verification import Verificatie
from plein.zgw.catalogi import provisioning
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak
from tests.services.deaths import (
    APP,
    DEN_HAAG,
    ROTTERDAM,
    adopt,
    deaths,
    funeral_director,
    pdf,
    register,
    registration,
)
from tests.services.helpers import AMSTERDAM, BASE_URL, behandelaar, citizen
from tests.store.helpers import STORAGE

YESTERDAY = running.today() - dt.timedelta(days=1)


@pytest.fixture
async def world(session: AsyncSession, monkeypatch: pytest.MonkeyPatch):
    found = await deaths(session)
    # the zaaktype is in force from before the days the tests below move the engine to
    monkeypatch.setattr(provisioning, "today", lambda: dt.date(2026, 1, 1))
    await adopt(session)
    return found


async def problems(session: AsyncSession, answers: dict[str, Any], code: str = AMSTERDAM) -> dict[str, str]:
    """The problems of a registration with these answers, by question (empty: it was accepted)."""
    try:
        await register(session, answers, code)
    except engine.Incomplete as exc:
        await session.rollback()
        return {problem.question: problem.message for problem in exc.problems}
    return {}


async def zaken(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Zaak)) or 0)


# --- who may register ---------------------------------------------------------------------------------------------


async def test_a_funeral_director_needs_eherkenning_at_eh3_with_a_machtiging(session, world) -> None:
    offer = await engine.require_offer(session, AMSTERDAM, APP)
    assert engine.check_principal(offer, funeral_director()).id == "68750110"
    with pytest.raises(Forbidden, match="machtiging"):
        engine.check_principal(offer, funeral_director(mandate=False))
    with pytest.raises(Forbidden, match="EH3"):
        engine.check_principal(offer, funeral_director(loa="EH2+"))
    with pytest.raises(Forbidden, match="eHerkenning"):  # relatives only where the municipality allows it
        engine.check_principal(offer, citizen(world.truus))


async def test_relatives_register_with_digid_where_the_municipality_allows_it(session, world) -> None:
    await adopt(session, DEN_HAAG, nabestaandenDigitaal=True)
    offer = await engine.require_offer(session, DEN_HAAG, APP)
    assert engine.check_principal(offer, citizen(world.truus, "Truus Smit")).id == world.truus
    with pytest.raises(Forbidden, match="midden"):
        engine.check_principal(offer, citizen(world.truus, "Truus Smit", loa="basis"))


# --- the deceased ------------------------------------------------------------------------------------------------


async def test_the_deceased_must_be_known_in_the_brp(session, world) -> None:
    found = await problems(session, registration("123456782"))
    assert "geen persoon met dit burgerservicenummer" in found["bsnOverledene"]
    assert await zaken(session) == 0


async def test_a_death_registered_already_cannot_be_registered_again(session, world) -> None:
    found = await problems(session, registration(world.gerrit))
    assert "al geregistreerd" in found["bsnOverledene"]


async def test_the_date_of_death_is_not_in_the_future_nor_before_the_birth(session, world) -> None:
    tomorrow = running.today() + dt.timedelta(days=1)
    assert "toekomst" in (await problems(session, registration(world.piet, died=tomorrow)))["datumOverlijden"]
    before_birth = dt.date(1940, 3, 11)
    found = await problems(session, registration(world.piet, died=before_birth, funeral=dt.date(1940, 3, 13)))
    assert "vóór de geboortedatum" in found["datumOverlijden"]


async def test_the_time_of_death_today_is_not_later_than_now(session, world, monkeypatch) -> None:
    today = running.today()
    monkeypatch.setattr(running, "now", lambda: dt.datetime.combine(today, dt.time(9, 0), clock.LOCAL_TIME))
    found = await problems(session, registration(world.piet, died=today, at="09:30",
                                                 funeral=today + dt.timedelta(days=3)))
    assert "toekomst" in found["tijdOverlijden"]
    assert "tijdOverlijden" not in await problems(session, registration(
        world.piet, died=today, at="08:30", funeral=today + dt.timedelta(days=3), toestemmingTermijn=pdf()))


# --- the documents -----------------------------------------------------------------------------------------------


async def test_the_a_form_is_required_and_must_be_a_pdf(session, world) -> None:
    answers = registration(world.piet)
    del answers["verklaringOverlijden"]
    assert "verklaringOverlijden" in await problems(session, answers)
    picture = registration(world.piet, verklaringOverlijden=pdf(b"\xff\xd8\xff\xe0 a photo", "a-formulier.jpg"))
    assert "verklaringOverlijden" in await problems(session, picture)


async def test_a_death_that_was_not_natural_needs_the_prosecutors_statement(session, world) -> None:
    found = await problems(session, registration(world.piet, natuurlijk=False))
    assert set(found) == {"verklaringGeenBezwaar"}
    made = await register(session, registration(world.piet, natuurlijk=False, verklaringGeenBezwaar=pdf()))
    assert made.status == INGEDIEND
    assert {check["id"] for check in made.checks} == {"nietNatuurlijk"}


# --- the term of the funeral -------------------------------------------------------------------------------------


async def test_a_funeral_within_36_hours_needs_permission(session, world) -> None:
    died = dt.date(2026, 11, 2)  # a Monday
    early = registration(world.piet, died=died, at="10:00", funeral=dt.date(2026, 11, 3), funeral_at="21:59")
    assert set(await problems(session, early)) == {"toestemmingTermijn"}
    after_36_hours = registration(world.piet, died=died, at="10:00", funeral=dt.date(2026, 11, 3),
                                  funeral_at="22:00")
    assert await problems(session, after_36_hours) == {}


async def test_a_funeral_after_the_sixth_working_day_needs_permission_and_holidays_do_not_count(session,
                                                                                             world) -> None:
    # Died on Friday 24 April 2026: King's Day (Monday 27 April) and 5 May are no working days, so the sixth working
    # day is Wednesday 6 May (without the holidays it would be Monday 4 May).
    died = dt.date(2026, 4, 24)
    on_time = registration(world.piet, died=died, funeral=dt.date(2026, 5, 6))
    assert await problems(session, on_time) == {}
    late = registration(world.truus, died=died, funeral=dt.date(2026, 5, 7))
    assert set(await problems(session, late)) == {"toestemmingTermijn"}
    made = await register(session, {**late, "toestemmingTermijn": pdf(name="toestemming-burgemeester.pdf")})
    assert {check["id"] for check in made.checks} == {"afwijkendeTermijn"}


async def test_the_funeral_cannot_be_before_the_death(session, world) -> None:
    found = await problems(session, registration(world.piet, died=YESTERDAY, funeral=YESTERDAY - dt.timedelta(2),
                                                 toestemmingTermijn=pdf()))
    assert "vóór de datum van overlijden" in found["datumUitvaart"]


# --- where it is handled, and by when -----------------------------------------------------------------------------


async def test_the_municipality_where_the_person_died_handles_the_registration(session, world) -> None:
    await adopt(session, DEN_HAAG)
    made = await register(session, registration(world.piet, place=DEN_HAAG))  # started on Amsterdam's page
    assert (made.municipality, made.entry_municipality) == (DEN_HAAG, AMSTERDAM)
    assert {check["id"] for check in made.checks} == {"andereGemeente"}  # he lived in Amsterdam
    found = await problems(session, registration(world.truus, place=ROTTERDAM))
    assert "Rotterdam" in found["gemeenteOverlijden"] and "nog niet digitaal" in found["gemeenteOverlijden"]


@pytest.mark.parametrize(("moment", "due"), [
    (dt.datetime(2026, 12, 7, 11, 59), dt.date(2026, 12, 7)),  # a Monday morning: the same day
    (dt.datetime(2026, 12, 7, 12, 0), dt.date(2026, 12, 8)),  # from noon: the next working day
    (dt.datetime(2026, 12, 24, 16, 0), dt.date(2026, 12, 28)),  # Christmas Eve afternoon: after both holidays
    (dt.datetime(2026, 12, 26, 9, 0), dt.date(2026, 12, 28)),  # a Saturday morning: the next working day
])
async def test_a_registration_received_before_noon_on_a_working_day_is_due_that_day(
        session, world, monkeypatch, moment: dt.datetime, due: dt.date) -> None:
    local = moment.replace(tzinfo=clock.LOCAL_TIME)
    monkeypatch.setattr(running, "now", lambda: local)
    monkeypatch.setattr(running, "today", local.date)
    died = moment.date() - dt.timedelta(days=1)
    made = await register(session, registration(world.piet, died=died, funeral=dt.date(2026, 12, 30),
                                                toestemmingTermijn=pdf()))
    assert made.due_on == due


# --- the decision ------------------------------------------------------------------------------------------------


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


async def test_a_positive_decision_makes_the_akte_and_the_verlof_and_registers_the_death(session, world) -> None:
    await notifications.ensure_standard_kanalen(session, ["brp"])
    made = await register(session, registration(world.piet, died=YESTERDAY, at="04:15"))
    decided = await decisions.decide(session, made, True, "", behandelaar(), BASE_URL, "trace-besluit", STORAGE)
    assert decided.status == TOEGEKEND

    piet = await session.get(Person, world.piet, populate_existing=True)
    assert piet is not None and piet.overlijdensdatum == YESTERDAY.strftime("%Y%m%d")
    assert (piet.opschorting_reden, piet.overlijdensplaats) == ("O", AMSTERDAM)
    ended = await session.scalar(select(Relation).where(Relation.bsn == world.truus, Relation.soort == "partner",
                                                        Relation.ontbinding_reden == "O"))
    assert ended is not None  # the surviving partner's marriage ended by the death
    [write] = list(await session.scalars(select(LogRecord).where(LogRecord.action == log.WRITE)))
    assert (write.subject, write.organisation, write.activity) == (world.piet, AMSTERDAM, "overlijden-registreren")
    assert (await log.verify(session)).ok
    [message] = list(await session.scalars(select(Message).where(Message.kanaal == "brp")))
    assert message.kenmerken["soort"] == "overlijden" and message.kenmerken["burgerservicenummer"] == world.piet
    assert message.hoofd_object == made.zaak_url

    files = {item.titel: item for item in await cases.documents(session, made.zaak_id)}
    assert set(files) == {"Verklaring van overlijden (A-formulier)", "Akte van overlijden", "Verlof tot begraven"}
    assert files["Akte van overlijden"].vertrouwelijkheidaanduiding == "vertrouwelijk"
    verlof = b"".join([chunk async for chunk in STORAGE.read(files["Verlof tot begraven"].storage_key or "")])
    text = text_of(verlof)
    assert "verlof tot het begraven" in text and "Pieter Smit" in text and "04:15" in text
    assert "Begraafplaats Zorgvlied" in text and made.zaak_identificatie in text
    akte = text_of(b"".join([chunk async for chunk in STORAGE.read(files["Akte van overlijden"].storage_key or "")]))
    assert "Pieter Smit" in akte and "Geertruida" in akte and "Uitvaartzorg De Linde" in akte
    codes = list(await session.scalars(select(Verificatie).where(Verificatie.zaak_id == made.zaak_id)))
    assert len(codes) == 2 and all(code.sha256 and code.document_id for code in codes)
    zaak = await session.get(Zaak, made.zaak_id, populate_existing=True)
    assert zaak is not None and zaak.einddatum is not None


async def test_without_digital_verlof_the_funeral_director_cannot_download_it(session, world) -> None:
    await adopt(session, DEN_HAAG, verlofDigitaal=False)
    made = await register(session, registration(world.piet, place=DEN_HAAG), DEN_HAAG)
    await decisions.decide(session, made, True, "", behandelaar(DEN_HAAG), BASE_URL, "t", STORAGE)
    files = {item.titel: item.vertrouwelijkheidaanduiding for item in await cases.documents(session, made.zaak_id)}
    assert files["Verlof tot begraven"] == "vertrouwelijk"
    assert not [item for item in made.effects if item.get("type") == "document" and item.get("voorAanvrager")]


async def test_a_registration_is_all_or_nothing(session, world) -> None:
    first = await register(session, registration(world.piet))
    second = await register(session, registration(world.piet))  # a double registration, both accepted at first
    second_id, second_zaak = second.id, second.zaak_id
    await decisions.decide(session, first, True, "", behandelaar(), BASE_URL, "t", STORAGE)
    before = set(await session.scalars(select(Verificatie.code)))
    folder = STORAGE.root / "services" / str(second_id)
    stored = {path.name for path in folder.iterdir()}  # the A-form only
    with pytest.raises(Conflict, match="already registered"):
        await decisions.decide(session, second, True, "", behandelaar(), BASE_URL, "t", STORAGE)
    again = await session.get(Aanvraag, second_id, populate_existing=True)
    assert again is not None and again.status == INGEDIEND and not again.effects
    assert set(await session.scalars(select(Verificatie.code))) == before  # no document of it is left
    assert [item.titel for item in await cases.documents(session, second_zaak)] == [
        "Verklaring van overlijden (A-formulier)"]
    assert {path.name for path in folder.iterdir()} == stored
    rejected = await decisions.decide(session, again, False, "Dubbele aangifte; het overlijden is al geregistreerd.",
                                      behandelaar(), BASE_URL, "t", STORAGE)
    assert rejected.status == AFGEWEZEN


async def test_a_verlof_verifies_and_a_changed_one_does_not(session, world) -> None:
    made = await register(session, registration(world.piet))
    await decisions.decide(session, made, True, "", behandelaar(), BASE_URL, "t", STORAGE)
    item = next(effect for effect in made.effects if effect.get("titel") == "Verlof tot begraven")
    found = await verification.look_up(session, item["verificatiecode"])
    files = {file.titel: file for file in await cases.documents(session, made.zaak_id)}
    content = b"".join([chunk async for chunk in STORAGE.read(files["Verlof tot begraven"].storage_key or "")])
    assert (await verification.compare(session, found, content)).outcome == verification.Outcome.GENUINE
    changed = bytearray(content)
    changed[len(changed) // 2] ^= 0x01  # one bit of the document changed
    assert (await verification.compare(session, found, bytes(changed))).outcome == verification.Outcome.CHANGED
