"""Uittreksel BRP: the fee is the municipality's option and is paid before anything is made; a paid extract is made
once however the payment is reported (the return page, the webhook alone, the webhook twice), an unpaid, cancelled or
failed one never; the PDF holds the citizen's data as of now (with the addresses of the past when asked, in four
languages when international), its making is logged, and nobody else gets it."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import Any

import httpx
import pypdf
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.apps import package_path
from plein.db import utcnow
from plein.errors import Conflict
from plein.exchange.models import LogRecord
from plein.payments import service as payments
from plein.payments.models import PAID, Payment
from plein.payments.simulator import SimulatorProvider
from plein.registers.brp import service as brp
from plein.services import decisions, fees, tasks
from plein.services import service as engine
from plein.services.models import AFGEWEZEN, INGEDIEND, TOEGEKEND, Aanvraag
from plein.store import adoptions
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak
from tests.payments.helpers import pay_at_provider
from tests.registers.helpers import CAUSE, dam_singel_oudegracht, person
from tests.services.helpers import AMSTERDAM, BASE_URL, UTRECHT, behandelaar, citizen, csrf_token, log_in_citizen
from tests.store.helpers import STORAGE, SYSTEM, publish_folder

APP = "uittreksel-brp"
WEBHOOK = "/api/betalingen/v1/webhooks/simulator"


@pytest.fixture
async def world(session: AsyncSession) -> dict[str, str]:
    """Els, who lived on the Dam, then the Singel and now lives on the Oudegracht in Utrecht; and Joop."""
    await publish_folder(session, package_path(APP), AMSTERDAM)
    dam, singel, oudegracht = await dam_singel_oudegracht(session)
    els = await person(session, "els", "Dekker", "Els Maria", "19850704", dam, since="20100101")
    await brp.register_move(session, els, brp.NewResidence("20150601", singel.nummeraanduiding), CAUSE)
    await brp.register_move(session, els, brp.NewResidence("20200301", oudegracht.nummeraanduiding), CAUSE)
    joop = await person(session, "joop", "Meijer", "Joop", "19700101", dam, geslacht="M")
    await session.commit()
    return {"els": els, "joop": joop}


async def adopt(session: AsyncSession, code: str = UTRECHT, **options: Any) -> None:
    await adoptions.adopt(session, code, APP, {"legesEur": 12.5, **options}, SYSTEM, activate=True,
                          base_url=BASE_URL)


async def requested(session: AsyncSession, who: str, soort: str = "standaard", settings: Any = None
                    ) -> tuple[Aanvraag, Payment | None]:
    """An extract asked for through the engine, with the payment started as the pages start it."""
    offer = await engine.require_offer(session, UTRECHT, APP)
    made, _ = await engine.submit_new(session, offer, citizen(who, "Els Dekker"), {"soort": soort}, BASE_URL, "t",
                                      STORAGE)
    run = await decisions.decision_run(session, made)
    payment = await fees.start_payment(session, run, settings, f"/mijn/zaken/{made.id}")
    await session.commit()
    return made, payment


async def decide_due(session: AsyncSession, aanvraag_id: uuid.UUID) -> Aanvraag:
    """What the decision loop does with the aanvraag now (nothing when it is not due)."""
    aanvraag = await session.get(Aanvraag, aanvraag_id, populate_existing=True)
    assert aanvraag is not None
    if aanvraag.decide_after is not None:
        await decisions.decide_automatically(session, aanvraag_id, BASE_URL, "trace-uittreksel", STORAGE)
    found = await session.get(Aanvraag, aanvraag_id, populate_existing=True)
    assert found is not None
    return found


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


async def extract_text(session: AsyncSession, aanvraag: Aanvraag) -> str:
    [item] = [file for file in await cases.documents(session, aanvraag.zaak_id) if file.titel.startswith(
        ("Uittreksel", "Internationaal"))]
    return text_of(b"".join([chunk async for chunk in STORAGE.read(item.storage_key or "")]))


async def documents(session: AsyncSession, aanvraag: Aanvraag) -> int:
    return len(await cases.documents(session, aanvraag.zaak_id))


# --- the payment cases -------------------------------------------------------------------------------------------


async def test_an_extract_is_made_once_paid_and_not_before(session, settings, world) -> None:
    await adopt(session)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is not None and payment.amount_cents == 1250 and payment.status == payments.OPEN
    zaak = await session.get(Zaak, made.zaak_id)
    assert zaak is not None and zaak.betalingsindicatie == "nog_niet"
    assert (await decide_due(session, made.id)).status == INGEDIEND  # not paid: not due
    with pytest.raises(Conflict, match="niet betaald"):  # nor can a case worker grant it
        await decisions.decide(session, made, True, "", behandelaar(), BASE_URL, "t", STORAGE)
    await pay_at_provider(session, payment)
    assert (await decide_due(session, made.id)).status == INGEDIEND  # paid, but Plein was not told yet
    await payments.refresh(session, await payments.get(session, payment.id), SimulatorProvider(), source="return")
    await session.commit()
    decided = await decide_due(session, made.id)
    assert decided.status == TOEGEKEND and await documents(session, decided) == 1
    zaak = await session.get(Zaak, made.zaak_id, populate_existing=True)
    assert zaak is not None and zaak.betalingsindicatie == "geheel" and zaak.laatste_betaaldatum is not None


async def test_the_webhook_alone_makes_the_extract_and_twice_makes_it_once(session, settings, client,
                                                                           world) -> None:
    await adopt(session)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is not None
    await pay_at_provider(session, payment)
    for _ in range(2):  # the browser never comes back; the provider tells twice
        assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    decided = await decide_due(session, made.id)
    again = await decide_due(session, made.id)
    assert decided.status == again.status == TOEGEKEND
    assert await documents(session, decided) == 1
    paid = await session.scalar(select(func.count()).select_from(Payment).where(Payment.status == PAID))
    assert paid == 1


@pytest.mark.parametrize("action", ["annuleren", "mislukken"])
async def test_a_cancelled_or_failed_payment_makes_no_extract_until_paid_again(session, settings, client, world,
                                                                               action: str) -> None:
    await adopt(session)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is not None
    await pay_at_provider(session, payment, action)
    assert (await client.post(WEBHOOK, data={"id": payment.provider_id})).status_code == 200
    assert (await payments.get(session, payment.id)).status in (payments.CANCELED, payments.FAILED)
    assert (await decide_due(session, made.id)).status == INGEDIEND
    assert await documents(session, made) == 0
    # the citizen pays again: a new payment, and this one is paid
    run = await decisions.decision_run(session, made)
    second = await fees.start_payment(session, run, settings, f"/mijn/zaken/{made.id}")
    await session.commit()
    assert second is not None and second.id != payment.id
    await pay_at_provider(session, second)
    assert (await client.post(WEBHOOK, data={"id": second.provider_id})).status_code == 200
    decided = await decide_due(session, made.id)
    assert decided.status == TOEGEKEND and await documents(session, decided) == 1


async def _submitted_days_ago(session: AsyncSession, aanvraag: Aanvraag, days: int) -> None:
    await session.execute(update(Aanvraag).where(Aanvraag.id == aanvraag.id)
                          .values(submitted_at=utcnow() - dt.timedelta(days=days)))
    await session.commit()


async def test_an_aanvraag_never_paid_is_closed_after_the_set_days_with_the_reason(session, settings, client, app,
                                                                                 world) -> None:
    await adopt(session)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is not None
    await pay_at_provider(session, payment, "annuleren")
    await client.post(WEBHOOK, data={"id": payment.provider_id})
    await _submitted_days_ago(session, made, settings.services_unpaid_days - 1)
    assert await tasks.close_unpaid(app.state.sessions, settings) == 0  # not yet
    await _submitted_days_ago(session, made, settings.services_unpaid_days + 1)
    assert await tasks.close_unpaid(app.state.sessions, settings) == 1
    closed = await session.get(Aanvraag, made.id, populate_existing=True)
    assert closed is not None and closed.status == AFGEWEZEN and closed.decided_by == decisions.AUTOMATIC
    assert closed.reason is not None and "€ 12,50" in closed.reason and "30 dagen" in closed.reason
    zaak = await session.get(Zaak, made.zaak_id, populate_existing=True)
    assert zaak is not None and zaak.einddatum is not None
    assert await documents(session, closed) == 0


async def test_an_aanvraag_with_a_payment_still_open_or_paid_is_not_closed(session, settings, client, app,
                                                                        world) -> None:
    await adopt(session)
    waiting, payment = await requested(session, world["els"], settings=settings)  # open at the provider
    paid, second = await requested(session, world["els"], settings=settings)
    assert payment is not None and second is not None
    await _submitted_days_ago(session, waiting, 60)
    await _submitted_days_ago(session, paid, 60)
    await pay_at_provider(session, second)
    await client.post(WEBHOOK, data={"id": second.provider_id})
    assert await tasks.close_unpaid(app.state.sessions, settings) == 0
    for made in (waiting, paid):
        assert (await session.get(Aanvraag, made.id, populate_existing=True)).status != AFGEWEZEN


async def test_a_free_extract_needs_no_payment(session, settings, world) -> None:
    await adopt(session, legesEur=0)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is None
    assert (await decide_due(session, made.id)).status == TOEGEKEND


# --- the document ------------------------------------------------------------------------------------------------


async def test_the_extract_holds_the_data_of_now_and_its_making_is_logged(session, settings, client, world) -> None:
    await adopt(session)
    made, payment = await requested(session, world["els"], settings=settings)
    assert payment is not None
    await pay_at_provider(session, payment)
    before = await session.scalar(select(func.count()).select_from(LogRecord).where(LogRecord.subject == world["els"]))
    await client.post(WEBHOOK, data={"id": payment.provider_id})
    decided = await decide_due(session, made.id)
    text = await extract_text(session, decided)
    assert "Els Maria" in text and "Dekker" in text and world["els"] in text and "4 juli 1985" in text
    assert "Oudegracht 10" in text and "Singel" not in text  # standard: today's address only
    logged = list(await session.scalars(select(LogRecord).where(LogRecord.subject == world["els"])
                                        .order_by(LogRecord.id)))
    assert len(logged) > (before or 0)
    assert logged[-1].activity == "uittreksel-verstrekken" and logged[-1].trace_id == "trace-uittreksel"


async def test_the_extract_with_history_lists_the_addresses_of_the_past(session, settings, client, world) -> None:
    await adopt(session, legesEur=0)
    made, _ = await requested(session, world["els"], "historie", settings=settings)
    text = await extract_text(session, await decide_due(session, made.id))
    assert "Adreshistorie" in text
    positions = [text.index(street) for street in ("Oudegracht 10", "Singel 5", "Dam 1")]
    assert positions == sorted(positions)  # newest first
    assert "1 juni 2015" in text and "1 maart 2020" in text


async def test_only_the_history_extract_reads_the_addresses_of_the_past(session, settings, world) -> None:
    await adopt(session, legesEur=0)
    await requested(session, world["els"], "standaard", settings=settings)
    fields = [record.fields for record in await session.scalars(
        select(LogRecord).where(LogRecord.subject == world["els"]))]
    assert fields and not any("verblijfplaatshistorie" in (found or []) for found in fields)


async def test_the_international_extract_speaks_four_languages(session, settings, world) -> None:
    await adopt(session, legesEur=0)
    made, _ = await requested(session, world["els"], "internationaal", settings=settings)
    text = await extract_text(session, await decide_due(session, made.id))
    assert "Geboortedatum" in text and "Date of birth" in text and "Date de naissance" in text
    assert "Geburtsdatum" in text


async def test_options_the_municipality_does_not_offer_are_refused(session, settings, world) -> None:
    await adopt(session, historie=False, internationaal=False)
    offer = await engine.require_offer(session, UTRECHT, APP)
    with pytest.raises(engine.Incomplete) as refused:
        await engine.submit_new(session, offer, citizen(world["els"]), {"soort": "historie"}, BASE_URL, "t",
                                STORAGE)
    assert [problem.question for problem in refused.value.problems] == ["soort"]


# --- the citizen's pages, and nobody else -------------------------------------------------------------------------


async def test_a_citizen_pays_downloads_the_extract_and_nobody_else_can(session, client: httpx.AsyncClient,
                                                                        world) -> None:
    await adopt(session)
    await log_in_citizen(client, world["els"])
    start = "/diensten/utrecht/uittreksel-brp"
    token = await csrf_token(client, start)
    assert (await client.post(f"{start}/starten", data={"csrf_token": token})).status_code == 303
    step = await client.post(f"{start}/stap/uittreksel", data={"csrf_token": token, "soort": "standaard"})
    assert step.status_code == 303
    sent = await client.post(f"{start}/controleren", data={"csrf_token": token})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/betalen/simulator/")
    checkout = sent.headers["location"]
    assert "€ 12,50" in (await client.get(checkout)).text
    back = await client.post(checkout, data={"csrf_token": token, "actie": "betalen"})
    returned = await client.get(back.headers["location"])  # the return page asks the provider, then goes on
    assert returned.status_code == 303 and "/ontvangen/" in returned.headers["location"]
    page = await client.get(returned.headers["location"])
    assert "U heeft € 12,50 betaald" in page.text
    link = re.search(r'href="(/mijn/zaken/[^"]+/documenten/[^"]+)"', page.text)
    assert link, page.text
    pdf = await client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "Dekker" in text_of(pdf.content)

    await client.post("/uitloggen", data={"csrf_token": token})
    await log_in_citizen(client, world["joop"])
    assert (await client.get(link.group(1))).status_code == 404
    aanvraag_id = link.group(1).split("/")[3]
    assert (await client.get(f"/mijn/zaken/{aanvraag_id}")).status_code == 404


async def test_a_citizen_who_cancels_the_payment_can_pay_again_from_the_page(session, client: httpx.AsyncClient,
                                                                               world) -> None:
    await adopt(session)
    await log_in_citizen(client, world["els"])
    start = "/diensten/utrecht/uittreksel-brp"
    token = await csrf_token(client, start)
    await client.post(f"{start}/starten", data={"csrf_token": token})
    await client.post(f"{start}/stap/uittreksel", data={"csrf_token": token, "soort": "standaard"})
    checkout = (await client.post(f"{start}/controleren", data={"csrf_token": token})).headers["location"]
    back = await client.post(checkout, data={"csrf_token": token, "actie": "annuleren"})
    received = (await client.get(back.headers["location"])).headers["location"]
    page = await client.get(received)
    assert page.status_code == 200 and "U heeft de betaling afgebroken" in page.text
    assert "pas als u € 12,50 heeft betaald" in page.text and "downloaden" not in page.text
    again = await client.post(f"{received}/betalen", data={"csrf_token": token})
    assert again.status_code == 303 and again.headers["location"].startswith("/betalen/simulator/")
    assert again.headers["location"] != checkout  # a new payment at the provider


async def test_a_municipality_gives_extracts_to_its_own_inhabitants_only(session, settings, world) -> None:
    await adopt(session)  # Els lives in Utrecht since 2020; Joop in Amsterdam
    offer = await engine.require_offer(session, UTRECHT, APP)
    with pytest.raises(engine.Incomplete) as refused:
        await engine.submit_new(session, offer, citizen(world["joop"]), {"soort": "standaard"}, BASE_URL, "t",
                                STORAGE)
    assert "niet ingeschreven in deze gemeente" in refused.value.problems[0].message
    made, _ = await engine.submit_new(session, offer, citizen(world["els"]), {"soort": "standaard"}, BASE_URL, "t",
                                      STORAGE)
    assert made.status == INGEDIEND
