"""The case worker's desk over HTTP: a municipality's werkvoorraad, the case page with its check at the source, and
approving or rejecting; nobody but that municipality's behandelaars sees or decides its cases."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange import service as exchange
from plein.exchange.models import LogRecord
from plein.registers.brp import service as brp
from plein.services import prefill, uploads, worklist
from plein.services import run as running
from plein.services import service as engine
from plein.services.models import AFGEWEZEN, INGEDIEND, TOEGEKEND, Aanvraag
from plein.zgw.zaken.models import Zaak
from tests.registers.helpers import CAUSE
from tests.services.helpers import (
    AMSTERDAM,
    APP,
    BASE_URL,
    UTRECHT,
    adopt,
    citizen,
    csrf_token,
    family,
    fill,
    log_in_staff,
    log_in_user,
    publish_app,
    submitted_move,
)

DESK = f"/werkvoorraad/{AMSTERDAM}"
UTRECHT_DESK = f"/werkvoorraad/{UTRECHT}"


@pytest.fixture
async def world(session: AsyncSession) -> Any:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    return await family(session)


async def _lives_at(session: AsyncSession, bsn: str) -> str:
    """The nummeraanduiding the BRP gives as the person's address now (read through the exchange layer)."""
    found = await prefill.persons(session, AMSTERDAM, "verhuizing-verwerken", [bsn], ["verblijfplaats"], "test")
    return str(found[0]["verblijfplaats"]["nummeraanduidingIdentificatie"])


async def _stored(session: AsyncSession, aanvraag: Aanvraag) -> Aanvraag:
    found = await session.get(Aanvraag, aanvraag.id, populate_existing=True)
    assert found is not None
    return found


async def _closed_on(session: AsyncSession, aanvraag: Aanvraag) -> dt.date | None:
    """The zaak's einddatum, read from the database now."""
    found: dt.date | None = await session.scalar(select(Zaak.einddatum).where(Zaak.id == aanvraag.zaak_id))
    return found


async def _decide(http: Any, path: str, **data: str) -> Any:
    token = await csrf_token(http, "/login")
    return await http.post(f"{path}/besluit", data={"csrf_token": token, **data})


async def test_a_behandelaar_sees_the_open_case_with_its_answers_and_signals_and_approves_it(client, session,
                                                                                             world) -> None:
    late = (running.today() - dt.timedelta(days=10)).isoformat()
    aanvraag = await submitted_move(session, world, day=late, movers=[world.kees])
    zaak = str(aanvraag.zaak_identificatie)
    await log_in_staff(client, session, AMSTERDAM)

    listing = await client.get(DESK)
    assert listing.status_code == 200, listing.text
    assert zaak in listing.text and "Anna Visser" in listing.text
    assert "Verhuizing doorgeven</a>: 1 open" in listing.text
    assert "later dan 5 dagen na de verhuisdatum" in listing.text
    assert zaak in (await client.get(DESK, params={"stand": "controle"})).text
    assert zaak not in (await client.get(DESK, params={"stand": "toestemming"})).text
    assert zaak not in (await client.get(DESK, params={"stand": "nieuw"})).text

    page = await client.get(f"{DESK}/{aanvraag.id}")
    assert page.status_code == 200, page.text
    for text in ("Nieuwbouwlaan 10, 1019 AB Amsterdam", "Kees Bakker (geboren 1 januari 2016)",
                 "Damstraat 1, 1012 JL Amsterdam", "Jan Bakker, geboren 1 januari 1979", "later dan 5 dagen",
                 "Controle bij de bron", "Ongewijzigd sinds het indienen"):
        assert text in page.text, text

    decided = await _decide(client, f"{DESK}/{aanvraag.id}", besluit="toekennen")
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"] == DESK
    after = await client.get(DESK)
    assert f"Zaak {zaak} is toegekend" in after.text
    assert "Er staan geen open zaken" in after.text
    assert (await _stored(session, aanvraag)).status == TOEGEKEND
    assert await _lives_at(session, world.anna) == world.empty.nummeraanduiding
    assert await _lives_at(session, world.kees) == world.empty.nummeraanduiding
    assert await _lives_at(session, world.jan) == world.home.nummeraanduiding
    done = await client.get(f"{DESK}/afgehandeld")
    assert zaak in done.text and "Toegekend" in done.text
    closed = await client.get(f"{DESK}/{aanvraag.id}")
    assert "Verhuizing ingeschreven in de BRP" in closed.text and "Besluit vastleggen" not in closed.text


async def test_a_rejection_needs_a_reason_then_closes_the_zaak_and_leaves_the_brp_as_it_was(client, session,
                                                                                           world) -> None:
    aanvraag = await submitted_move(session, world, movers=[world.kees])
    await log_in_staff(client, session, AMSTERDAM)
    path = f"{DESK}/{aanvraag.id}"

    refused = await _decide(client, path, besluit="afwijzen", reden="   ")
    assert refused.status_code == 400
    assert "Schrijf op waarom u de aanvraag afwijst" in refused.text
    assert (await _stored(session, aanvraag)).status == INGEDIEND
    assert await _closed_on(session, aanvraag) is None

    reason = "Op dit adres mag niet worden gewoond: het is een bedrijfspand."
    rejected = await _decide(client, path, besluit="afwijzen", reden=reason)
    assert rejected.status_code == 303, rejected.text
    stored = await _stored(session, aanvraag)
    assert (stored.status, stored.reason) == (AFGEWEZEN, reason)
    assert await _closed_on(session, aanvraag) == running.today()
    assert await _lives_at(session, world.anna) == world.home.nummeraanduiding
    assert await _lives_at(session, world.kees) == world.home.nummeraanduiding
    again = await _decide(client, path, besluit="toekennen")
    assert again.status_code == 409
    assert "al besloten" in again.text


async def test_a_behandelaar_of_utrecht_neither_sees_nor_decides_an_amsterdam_case(client, session, world) -> None:
    aanvraag = await submitted_move(session, world)
    await log_in_user(client, session, "behandelaar.0344", [(UTRECHT, "behandelaar")])
    own = await client.get(UTRECHT_DESK)
    assert own.status_code == 200
    assert str(aanvraag.zaak_identificatie) not in own.text
    assert (await client.get(f"{UTRECHT_DESK}/{aanvraag.id}")).status_code == 404
    assert (await client.get(f"{DESK}/{aanvraag.id}")).status_code == 403
    for path in (f"{UTRECHT_DESK}/{aanvraag.id}", f"{DESK}/{aanvraag.id}"):
        answer = await _decide(client, path, besluit="toekennen")
        assert answer.status_code in (403, 404), path
    assert (await _stored(session, aanvraag)).status == INGEDIEND
    assert await _lives_at(session, world.anna) == world.home.nummeraanduiding


async def test_only_a_behandelaar_of_the_municipality_gets_in(client, session, world) -> None:
    aanvraag = await submitted_move(session, world)
    anonymous = await client.get(DESK)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fwerkvoorraad%2F0363"
    await log_in_user(client, session, "beheerder.0363", [(AMSTERDAM, "beheerder")])
    for path in (DESK, f"{DESK}/afgehandeld", f"{DESK}/{aanvraag.id}"):
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert "behandelaar" in answer.text
    assert (await _decide(client, f"{DESK}/{aanvraag.id}", besluit="toekennen")).status_code == 403
    assert (await _stored(session, aanvraag)).status == INGEDIEND


async def test_a_concept_is_not_on_the_desk(client, session, world) -> None:
    offer = await engine.require_offer(session, AMSTERDAM, APP)
    concept = (await engine.start(session, offer, citizen(world.olga, "Olga Jansen"), "trace")).aanvraag
    await log_in_staff(client, session, AMSTERDAM)
    start = await client.get("/werkvoorraad")
    assert (start.status_code, start.headers["location"]) == (303, DESK)
    assert (await client.get(f"{DESK}/{concept.id}")).status_code == 404
    assert "Olga Jansen" not in (await client.get(DESK)).text


async def _reads(session: AsyncSession) -> Counter[str]:
    rows = await session.scalars(select(LogRecord.subject).where(
        LogRecord.client_id == exchange.platform_client_id(AMSTERDAM), LogRecord.action == "read"))
    return Counter(rows)


async def test_the_check_at_the_source_reads_the_persons_again_logs_it_and_says_what_changed(client, session,
                                                                                             world) -> None:
    aanvraag = await submitted_move(session, world, movers=[world.kees])
    moved = brp.NewResidence(running.today().strftime("%Y%m%d"), world.occupied.nummeraanduiding)
    await brp.register_move(session, world.kees, moved, CAUSE)
    await session.commit()
    await log_in_staff(client, session, AMSTERDAM)
    before = await _reads(session)
    page = await client.get(f"{DESK}/{aanvraag.id}")
    assert page.status_code == 200, page.text
    after = await _reads(session)
    assert after[world.anna] == before[world.anna] + 1
    assert after[world.kees] == before[world.kees] + 1
    assert after[world.jan] == before[world.jan]  # not chosen: not read again
    assert "Is verhuisd: woont nu op Prinsengracht 263, 1016 GV Amsterdam" in page.text
    assert "Woont nu niet op hetzelfde adres als de aanvrager" in page.text


async def test_a_case_waiting_for_consent_cannot_be_approved(client, session) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=True)
    world = await family(session)
    aanvraag = await submitted_move(session, world, target=world.occupied)
    await log_in_staff(client, session, AMSTERDAM)
    waiting = await client.get(DESK, params={"stand": "toestemming"})
    assert str(aanvraag.zaak_identificatie) in waiting.text
    answer = await _decide(client, f"{DESK}/{aanvraag.id}", besluit="toekennen")
    assert answer.status_code == 409
    assert "Het besluit is niet vastgelegd" in answer.text and "toestemming" in answer.text
    assert (await _stored(session, aanvraag)).status == INGEDIEND
    assert await _lives_at(session, world.anna) == world.home.nummeraanduiding


async def test_the_documents_of_the_case_download_for_its_municipality_only(app, client, session) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    world = await family(session)
    offer = await engine.require_offer(session, AMSTERDAM, APP)
    run = await engine.start(session, offer, citizen(world.anna), "trace")
    content = b"%PDF-1.4 huurcontract Nieuwbouwlaan 10"
    answer, problem = await uploads.store(session, run.aanvraag, run.definition.questions["bewijsstuk"],
                                          "huurcontract.pdf", content, app.state.storage)
    assert problem is None
    await session.commit()
    await fill(session, run, {
        "verhuizing": {"verhuisdatum": running.today().isoformat(),
                       "nieuwAdres": {"postcode": "1019AB", "huisnummer": "10"}},
        "meeverhuizers": {"meeverhuizers": []}, "bewijs": {"bewijsstuk": answer}})
    aanvraag = await engine.submit(session, run, BASE_URL, "trace")
    await log_in_staff(client, session, AMSTERDAM)
    page = await client.get(f"{DESK}/{aanvraag.id}")
    link = re.search(rf'href="({DESK}/{aanvraag.id}/documenten/[0-9a-f-]+)"', page.text)
    assert link, page.text
    download = await client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    other = f"{DESK}/{aanvraag.id}/documenten/00000000-0000-0000-0000-000000000000"
    assert (await client.get(other)).status_code == 404
    document = link.group(1).rsplit("/", 1)[1]
    await client.post("/logout", data={"csrf_token": await csrf_token(client, "/login")})
    await log_in_user(client, session, "behandelaar.0344", [(UTRECHT, "behandelaar")])
    assert (await client.get(f"{UTRECHT_DESK}/{aanvraag.id}/documenten/{document}")).status_code == 404
    assert (await client.get(link.group(1))).status_code == 403


async def test_due_dates_are_said_in_words_and_the_list_sorts_by_them(client, session, world) -> None:
    first = await submitted_move(session, world)
    second = await submitted_move(session, world, applicant=world.olga, name="Olga Jansen")
    today = running.today()
    first.due_on, second.due_on = today + dt.timedelta(days=30), today - dt.timedelta(days=3)
    await session.commit()
    await log_in_staff(client, session, AMSTERDAM)
    oldest = (await client.get(DESK)).text
    assert oldest.index(str(first.zaak_identificatie)) < oldest.index(str(second.zaak_identificatie))
    assert "Termijn verstreken (3 dagen te laat)" in oldest
    assert "1 zaak is over de termijn" in oldest
    by_due = (await client.get(DESK, params={"sorteer": "einddatum"})).text
    assert by_due.index(str(second.zaak_identificatie)) < by_due.index(str(first.zaak_identificatie))


def test_working_days_and_urgency() -> None:
    friday, monday, tuesday = dt.date(2026, 12, 4), dt.date(2026, 12, 7), dt.date(2026, 12, 8)
    assert worklist.working_days_between(friday, monday) == 1
    assert worklist.working_days_between(friday, tuesday) == 2
    assert worklist.working_days_between(monday, friday) == -1
    assert worklist.working_days_between(friday, friday + dt.timedelta(days=14)) == 10
    soon = worklist.urgency(tuesday, friday)
    assert soon is not None and soon.text == "Bijna verlopen (nog 2 werkdagen)"
    assert worklist.urgency(tuesday + dt.timedelta(days=1), friday) is None
    late = worklist.urgency(friday, monday)
    assert late is not None and late.kind == "verlopen"
    today = worklist.urgency(monday, monday)
    assert today is not None and today.text == "Vandaag uiterlijk afhandelen"
