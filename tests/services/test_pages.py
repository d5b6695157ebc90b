"""The service pages as a citizen uses them, over HTTP without JavaScript: start, one step per page, the summary
with its change links, the confirmation with the zaak's number."""

from __future__ import annotations

import re

import pytest

from plein import clock
from tests.services.helpers import AMSTERDAM, adopt, csrf_token, family, log_in_citizen, publish_app

START = "/diensten/amsterdam/verhuizing-doorgeven"


@pytest.fixture
async def world(session):
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    return await family(session)


async def test_a_citizen_reports_a_move_page_by_page(client, session, world) -> None:
    listing = await client.get("/diensten/amsterdam")
    assert listing.status_code == 200
    assert "Verhuizing doorgeven" in listing.text
    page = await client.get(START)
    assert "Inloggen met DigiD" in page.text
    await log_in_citizen(client, world.anna)
    token = await csrf_token(client, START)
    started = await client.post(f"{START}/starten", data={"csrf_token": token})
    assert started.status_code == 303
    step = await client.get(started.headers["location"])
    assert step.status_code == 200, step.text
    assert "Anna" in step.text and "Damstraat 1" in step.text
    today = clock.today()
    wrong = await client.post(started.headers["location"], data={
        "csrf_token": token, "verhuisdatum.dag": "31", "verhuisdatum.maand": "2", "verhuisdatum.jaar": "2026",
        "nieuwAdres.postcode": "1019AB", "nieuwAdres.huisnummer": "10"})
    assert wrong.status_code == 400
    assert "bestaande datum" in wrong.text
    saved = await client.post(started.headers["location"], data={
        "csrf_token": token, "verhuisdatum.dag": str(today.day), "verhuisdatum.maand": str(today.month),
        "verhuisdatum.jaar": str(today.year), "nieuwAdres.postcode": "1019 ab", "nieuwAdres.huisnummer": "10"})
    assert saved.status_code == 303, saved.text
    mates = await client.get(saved.headers["location"])
    assert "Kees" in mates.text and "Jan" in mates.text and "Bram" not in mates.text
    saved = await client.post(saved.headers["location"], data={"csrf_token": token, "meeverhuizers": world.kees})
    assert saved.headers["location"].endswith("/controleren")
    summary = await client.get(saved.headers["location"])
    assert "Nieuwbouwlaan 10" in summary.text and "Wijzigen" in summary.text
    sent = await client.post(saved.headers["location"], data={"csrf_token": token})
    assert sent.status_code == 303, sent.text
    confirmation = await client.get(sent.headers["location"])
    assert re.search(r"zaaknummer <strong>ZAAK-", confirmation.text), confirmation.text
    again = await client.post(saved.headers["location"], data={"csrf_token": token})
    assert again.headers["location"] == sent.headers["location"]


async def test_with_both_intakes_the_citizen_chooses_the_desk_and_asks_for_an_appointment(client, session) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, intake="beide")
    world = await family(session)
    await log_in_citizen(client, world.anna)
    token = await csrf_token(client, START)
    step = (await client.post(f"{START}/starten", data={"csrf_token": token})).headers["location"]
    today = clock.today()
    saved = await client.post(step, data={
        "csrf_token": token, "verhuisdatum.dag": str(today.day), "verhuisdatum.maand": str(today.month),
        "verhuisdatum.jaar": str(today.year), "nieuwAdres.postcode": "1019AB", "nieuwAdres.huisnummer": "10"})
    saved = await client.post(saved.headers["location"], data={"csrf_token": token})
    assert saved.headers["location"].endswith("/stap/afronden")
    saved = await client.post(saved.headers["location"], data={"csrf_token": token, "afhandeling": "balie"})
    assert saved.headers["location"].endswith("/stap/afspraak")
    wrong = await client.post(saved.headers["location"], data={"csrf_token": token, "telefoon": "12"})
    assert wrong.status_code == 400
    assert "Kies een antwoord" in wrong.text and "geldig telefoonnummer" in wrong.text
    saved = await client.post(saved.headers["location"], data={"csrf_token": token, "voorkeur": ["ochtend", "avond"],
                                                               "telefoon": "06-12345678"})
    summary = await client.get(saved.headers["location"])
    assert "Afspraak aanvragen" in summary.text and "Versturen" not in summary.text
    sent = await client.post(saved.headers["location"], data={"csrf_token": token})
    confirmation = await client.get(sent.headers["location"])
    assert "Uw verzoek om een afspraak is ontvangen" in confirmation.text
    assert "identiteitsbewijs" in confirmation.text


async def test_a_proof_of_residence_is_uploaded_on_its_own_step(client, session) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False, bewijsstukVereist=True)
    world = await family(session)
    await log_in_citizen(client, world.anna)
    token = await csrf_token(client, START)
    await client.post(f"{START}/starten", data={"csrf_token": token})
    step = f"{START}/stap/bewijs"
    page = await client.get(step)
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    wrong = await client.post(step, data={"csrf_token": token},
                              files={"bewijsstuk": ("huur.pdf", b"just text, not a PDF", "application/pdf")})
    assert wrong.status_code == 400 and "geen PDF" in wrong.text
    saved = await client.post(step, data={"csrf_token": token},
                              files={"bewijsstuk": ("huur contract.pdf", b"%PDF-1.4 proof", "application/pdf")})
    assert saved.status_code == 303, saved.text
    again = await client.get(step)
    assert "huur contract.pdf" in again.text  # kept: the citizen need not upload it again
