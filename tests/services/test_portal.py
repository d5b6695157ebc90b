"""The citizen's portal /mijn over HTTP: my cases with their history, documents and decision, my data read at the
source (and logged), who used my data in plain Dutch, consent asked of me, and what others may not see."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from plein.clock import LOCAL_TIME
from plein.exchange.models import Grant, LogRecord
from plein.services import decisions, own_data, tasks
from plein.services import run as running
from plein.services.models import GEGEVEN, Aanvraag, Toestemming
from tests.exchange.verifier import included, signature_holds
from tests.services.helpers import (
    AMSTERDAM,
    BASE_URL,
    Family,
    adopt,
    behandelaar,
    csrf_token,
    family,
    log_in_citizen,
    publish_app,
)

START = "/diensten/amsterdam/verhuizing-doorgeven"
PDF = b"%PDF-1.4 huurcontract Damstraat\n%%EOF\n"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


@pytest.fixture
async def world(session) -> Family:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    return await family(session)


@pytest.fixture
async def occupied_world(session) -> Family:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=True, automatischAfhandelen=True)
    return await family(session)


def browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app, with its own cookies (another person logging in)."""
    return httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))


async def report_move(http: httpx.AsyncClient, postcode: str, huisnummer: int, movers: list[str] | None = None,
                      document: bytes | None = PDF, submit: bool = True) -> uuid.UUID | None:
    """Report a move page by page as the logged-in citizen would (or stop at the summary); the aanvraag's id."""
    token = await csrf_token(http, START)
    started = await http.post(f"{START}/starten", data={"csrf_token": token})
    location = started.headers["location"]
    today = running.today()
    answers: dict[str, dict[str, Any]] = {
        "verhuizing": {"verhuisdatum.dag": str(today.day), "verhuisdatum.maand": str(today.month),
                       "verhuisdatum.jaar": str(today.year), "nieuwAdres.postcode": postcode,
                       "nieuwAdres.huisnummer": str(huisnummer)},
        "meeverhuizers": {"meeverhuizers": movers or []},
    }
    while "/stap/" in location:
        step = location.rsplit("/", 1)[-1]
        files = {"bewijsstuk": ("huurcontract.pdf", document or b"", "application/pdf")} if step == "bewijs" else None
        saved = await http.post(location, data={"csrf_token": token, **answers.get(step, {})}, files=files)
        assert saved.status_code == 303, saved.text[:3000]
        location = saved.headers["location"]
    assert location.endswith("/controleren")
    if not submit:
        return None
    sent = await http.post(location, data={"csrf_token": token})
    assert sent.status_code == 303, sent.text[:3000]
    return uuid.UUID(sent.headers["location"].rsplit("/", 1)[-1])


async def sent(http: httpx.AsyncClient, postcode: str, huisnummer: int, **options: Any) -> uuid.UUID:
    found = await report_move(http, postcode, huisnummer, **options)
    assert found is not None
    return found


async def concept_of(session, bsn_: str) -> uuid.UUID:
    found = await session.scalar(select(Aanvraag.id).where(Aanvraag.subject == bsn_, Aanvraag.status == "concept"))
    assert found is not None
    return found


async def decide(session, aanvraag_id: uuid.UUID, granted: bool, reason: str = "") -> Aanvraag:
    aanvraag = await session.get(Aanvraag, aanvraag_id, populate_existing=True)
    assert aanvraag is not None
    return await decisions.decide(session, aanvraag, granted, reason, behandelaar(), BASE_URL, "trace-besluit")


def document_link(page: str, aanvraag_id: uuid.UUID) -> str:
    found = re.search(rf'href="(/mijn/zaken/{aanvraag_id}/documenten/[0-9a-f-]{{36}})"', page)
    assert found, "the page links the document"
    return found.group(1)


# --- not logged in, and the frame -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/mijn", "/mijn/zaken", f"/mijn/zaken/{uuid.uuid4()}", "/mijn/gegevens",
                                  "/mijn/inzage?van=2026-01-01", "/mijn/toestemming",
                                  f"/mijn/zaken/{uuid.uuid4()}/documenten/{uuid.uuid4()}"])
async def test_without_a_login_every_page_goes_to_the_login(client, path) -> None:
    answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inloggen?" + urlencode({"next": path})


async def test_the_portal_wears_the_theme_of_the_users_municipality(client, session, world) -> None:
    await log_in_citizen(client, world.olga)
    neutral = await client.get("/mijn")
    assert neutral.status_code == 200
    assert "plein-theme--standaard" in neutral.text and "/thema/0363.css" not in neutral.text
    assert 'href="/mijn/gegevens"' in neutral.text  # the portal's navigation also in the neutral frame
    await client.get("/diensten/amsterdam")
    themed = await client.get("/mijn")
    assert "/thema/0363.css" in themed.text and "Gemeente Amsterdam" in themed.text
    async with browser(client) as anna:  # no visit to a service page in this browser: the latest aanvraag decides
        await log_in_citizen(anna, world.anna)
        assert "plein-theme--standaard" in (await anna.get("/mijn")).text
        await report_move(anna, "1019AB", 10)
        anna.cookies.clear()
        await log_in_citizen(anna, world.anna)
        assert "/thema/0363.css" in (await anna.get("/mijn/zaken")).text


async def test_a_business_sees_only_its_cases(client, session, world) -> None:
    token = await csrf_token(client, "/inloggen/simulator")
    answer = await client.post("/inloggen/simulator", data={
        "csrf_token": token, "soort": "ondernemer", "kvk": "12345678", "medewerker": "Els de Boer",
        "eh_niveau": "EH3", "next": "/"})
    assert answer.status_code == 303, answer.text[:2000]
    page = await client.get("/mijn")
    assert page.status_code == 200
    assert 'href="/mijn/zaken"' in page.text and 'href="/mijn/gegevens"' not in page.text
    assert (await client.get("/mijn/gegevens")).status_code == 403
    assert (await client.get("/mijn/inzage")).status_code == 403


# --- my cases -------------------------------------------------------------------------------------------------


async def test_a_citizen_follows_their_zaak_and_downloads_their_document(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    aanvraag_id = await sent(client, "1019AB", 10, movers=[world.kees])
    listing = await client.get("/mijn/zaken")
    assert listing.status_code == 200
    assert re.search(r"ZAAK-[0-9A-Za-z-]+", listing.text)
    assert "Verhuizing doorgeven" in listing.text and ">ontvangen<" in listing.text
    page = await client.get(f"/mijn/zaken/{aanvraag_id}")
    assert page.status_code == 200
    assert "Ontvangen" in page.text and "We hebben uw verhuizing ontvangen." in page.text
    assert "Nieuwbouwlaan 10" in page.text and "Kees Bakker" in page.text  # the answers as sent
    assert "Huurcontract, koopakte of verklaring van de hoofdbewoner" in page.text and "huurcontract.pdf" in page.text
    download = await client.get(document_link(page.text, aanvraag_id))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="huurcontract.pdf"')
    assert download.headers["cache-control"] == "no-store"

    await decide(session, aanvraag_id, True)
    decided = await client.get(f"/mijn/zaken/{aanvraag_id}")
    assert "toegekend" in decided.text
    assert "Uw verhuizing is verwerkt." in decided.text  # the eindstatus's statustekst in the history
    today = running.today()
    day = f"{today.day} {MONTHS[today.month - 1]} {today.year}"
    assert f"U staat vanaf {day} ingeschreven op het nieuwe adres, in gemeente Amsterdam." in decided.text
    assert f"Kees Bakker staat vanaf {day} ingeschreven" in decided.text
    assert ">toegekend<" in (await client.get("/mijn/zaken")).text


async def test_a_rejection_tells_the_reason(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    aanvraag_id = await sent(client, "1019AB", 10)
    await decide(session, aanvraag_id, False, "Het huurcontract is niet ondertekend.")
    page = await client.get(f"/mijn/zaken/{aanvraag_id}")
    assert "afgewezen" in page.text and "Het huurcontract is niet ondertekend." in page.text
    assert "We hebben uw verhuizing niet verwerkt." in page.text
    assert "Wat is er veranderd" not in page.text


async def test_a_half_finished_aanvraag_can_be_continued(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    await report_move(client, "1019AB", 10, submit=False)
    concept = await concept_of(session, world.anna)
    listing = await client.get("/mijn/zaken")
    assert "Nog niet verstuurd" in listing.text and f'href="{START}"' in listing.text
    page = await client.get(f"/mijn/zaken/{concept}")
    assert page.status_code == 200 and f'href="{START}"' in page.text


async def test_nobody_sees_another_citizens_aanvraag_or_document(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    anna_id = await sent(client, "1019AB", 10)
    link = document_link((await client.get(f"/mijn/zaken/{anna_id}")).text, anna_id)
    document_id = link.rsplit("/", 1)[-1]
    assert (await client.get(f"/mijn/zaken/{anna_id}/documenten/{uuid.uuid4()}")).status_code == 404
    async with browser(client) as jan:
        await log_in_citizen(jan, world.jan)
        assert (await jan.get(f"/mijn/zaken/{anna_id}")).status_code == 404
        assert (await jan.get(link)).status_code == 404
        assert "ZAAK-" not in (await jan.get("/mijn/zaken")).text
        await report_move(jan, "1019AB", 10, submit=False)  # his own aanvraag, with Anna's document id
        jan_id = await concept_of(session, world.jan)
        assert (await jan.get(f"/mijn/zaken/{jan_id}/documenten/{document_id}")).status_code == 404


# --- my data --------------------------------------------------------------------------------------------------


async def test_my_data_is_read_at_the_source_and_logged_for_me_only(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    page = await client.get("/mijn/gegevens")
    assert page.status_code == 200, page.text[:2000]
    for text in ("Anna Visser", world.anna, "15 maart 1980", "Damstraat 1, 1012 JL Amsterdam", "1 juni 2015",
                 "Nederlandse", "Jan Bakker, geboren 1 januari 1979", "Kees Bakker, geboren 1 januari 2016",
                 "Bram Bakker"):
        assert text in page.text, text
    assert page.headers["cache-control"] == "no-store"
    await client.get("/mijn/gegevens")
    records = list(await session.scalars(select(LogRecord).where(LogRecord.activity == own_data.ACTIVITY)))
    assert len(records) == 2
    assert {(r.subject, r.organisation, r.client_id, r.register) for r in records} == {
        (world.anna, "plein", own_data.CLIENT, "brp")}
    assert "naam" in records[0].fields and "kinderen" in records[0].fields
    grants = await session.scalar(select(func.count()).select_from(Grant).where(Grant.created_by ==
                                                                                own_data.GRANTED_BY))
    assert grants == 1  # registered on first use, once


async def test_registering_plein_own_processing_is_safe_when_requests_race(app, session) -> None:
    async def one() -> None:
        async with app.state.sessions() as other:
            await own_data.ensure_registered(other)

    await asyncio.gather(one(), one(), one())
    await own_data.ensure_registered(session)
    grants = list(await session.scalars(select(Grant).where(Grant.created_by == own_data.GRANTED_BY)))
    assert len(grants) == 1
    assert grants[0].municipality is None and grants[0].activity.code == own_data.ACTIVITY
    assert grants[0].client.client_id == own_data.CLIENT and grants[0].client.organisation.kind == "cooperation"


# --- who used my data -----------------------------------------------------------------------------------------


async def test_who_used_my_data_tells_the_moves_reads_and_write_in_dutch(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    aanvraag_id = await sent(client, "1019AB", 10, movers=[world.kees])
    before = await client.get("/mijn/inzage")
    assert before.status_code == 200
    assert "Gemeente Amsterdam bekeek uw" in before.text
    assert "Verwerken van een verhuizing binnen of naar de gemeente" in before.text
    assert "Wet BRP artikel 2.38 en 2.39" in before.text
    assert "wijzigde uw" not in before.text
    sentence = re.search(r"Gemeente Amsterdam bekeek uw ([^.<]+)\.", before.text)
    assert sentence and "naam" in sentence.group(1) and "adres" in sentence.group(1) \
        and "kinderen" in sentence.group(1)
    assert "verblijfplaats" not in before.text and "gemeenteVanInschrijving" not in before.text

    await decide(session, aanvraag_id, True)
    after = await client.get("/mijn/inzage")
    assert "en wijzigde uw adres en gemeente van inschrijving." in after.text
    write = await session.scalar(select(LogRecord).where(LogRecord.subject == world.anna, LogRecord.action == "write"))
    assert write is not None
    here = write.at.astimezone(LOCAL_TIME)
    assert f"{here.day} {MONTHS[here.month - 1]} {here.year} om {here:%H:%M}: gewijzigd: adres en gemeente van " \
           "inschrijving" in after.text
    assert "U bekeek zelf uw overzicht van wie uw gegevens gebruikte." in after.text  # the earlier look, logged


async def test_who_used_my_data_offers_a_proof_of_each_record(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    await sent(client, "1019AB", 10, movers=[world.kees])
    page = await client.get("/mijn/inzage")
    link = re.search(r'href="(/mijn/inzage/bewijs\?[^"]+)"', page.text)
    assert link is not None
    download = await client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    proof = download.json()
    checkpoint = proof["checkpoint"]
    assert signature_holds(checkpoint, proof["publicKey"])
    mine = (await session.scalars(select(LogRecord).where(LogRecord.subject == world.anna,
                                                          LogRecord.seq <= checkpoint["treeSize"]))).all()
    assert len(proof["records"]) == len(mine) > 1
    for item in proof["records"]:
        assert json.loads(item["record"])["subject"] == world.anna
        assert included(item["record"].encode(), item["leafIndex"], checkpoint["treeSize"],
                        [bytes.fromhex(h) for h in item["auditPath"]], bytes.fromhex(checkpoint["rootHash"]))
    looked = await session.scalar(select(func.count()).select_from(LogRecord).where(
        LogRecord.subject == world.anna, LogRecord.register == "log"))
    assert looked == 2  # the page and the proof: each look is logged


async def test_who_used_my_data_for_another_period(client, session, world) -> None:
    await log_in_citizen(client, world.anna)
    await client.get("/mijn/gegevens")
    empty = await client.get("/mijn/inzage", params={"van": "2000-01-01", "tot": "2000-12-31"})
    assert empty.status_code == 200
    assert "Van 1 januari 2000 tot en met 31 december 2000" in empty.text
    assert "niemand uw gegevens gebruikt" in empty.text
    today = running.today().isoformat()
    found = await client.get("/mijn/inzage", params={"van": today, "tot": today})
    assert "U bekeek zelf uw naam" in found.text
    wrong = await client.get("/mijn/inzage", params={"van": "2026-13-01"})
    assert wrong.status_code == 400 and "Kies bij ‘Van’ een bestaande datum." in wrong.text
    backwards = await client.get("/mijn/inzage", params={"van": "2026-02-01", "tot": "2026-01-01"})
    assert backwards.status_code == 400 and "ligt na de datum" in backwards.text


# --- consent --------------------------------------------------------------------------------------------------


async def test_the_main_occupant_gives_consent_in_their_portal(app, client, session, occupied_world) -> None:
    world = occupied_world
    await log_in_citizen(client, world.anna)
    aanvraag_id = await sent(client, "1016GV", 263, document=None)
    assert ">wacht op toestemming<" in (await client.get("/mijn/zaken")).text
    async with browser(client) as olga:
        await log_in_citizen(olga, world.olga)
        overview = await olga.get("/mijn")
        assert "Anna Visser wil op uw adres komen wonen." in overview.text
        page = await olga.get("/mijn/toestemming")
        assert "Anna Visser" in page.text and "Prinsengracht 263" in page.text
        today = running.today()
        assert f"{today.day} {MONTHS[today.month - 1]} {today.year}" in page.text
        consent = re.search(r'action="/mijn/toestemming/([0-9a-f-]{36})"', page.text)
        assert consent
        async with browser(client) as jan:  # someone else cannot answer it
            await log_in_citizen(jan, world.jan)
            token = await csrf_token(jan, "/mijn/toestemming")
            refused = await jan.post(f"/mijn/toestemming/{consent.group(1)}", data={"csrf_token": token,
                                                                                    "antwoord": "geven"})
            assert refused.status_code == 404
        forged = await olga.post(f"/mijn/toestemming/{consent.group(1)}", data={"antwoord": "geven"})
        assert forged.status_code == 403
        token = await csrf_token(olga, "/mijn/toestemming")
        app.state.decider = decider = tasks.Decider(app.state.sessions, app.state.settings)
        given = await olga.post(f"/mijn/toestemming/{consent.group(1)}", data={"csrf_token": token,
                                                                               "antwoord": "geven"})
        assert given.status_code == 303 and given.headers["location"] == "/mijn/toestemming"
        after = await olga.get("/mijn/toestemming")
        assert "U heeft toestemming gegeven." in after.text
        assert "Er wacht geen verzoek om toestemming" in after.text
    aanvraag = await session.get(Aanvraag, aanvraag_id, populate_existing=True)
    assert aanvraag is not None
    assert await decisions.pending_consent(session, aanvraag) == []
    status = await session.scalar(select(Toestemming.status).where(Toestemming.aanvraag_id == aanvraag_id)
                                  .execution_options(populate_existing=True))
    assert status == GEGEVEN
    assert ">ontvangen<" in (await client.get("/mijn/zaken")).text
    assert decider.wake.is_set()  # the decision loop was told: the straight-through decision is due now
    assert await decider.run_once() == 1
    assert ">toegekend<" in (await client.get("/mijn/zaken")).text

