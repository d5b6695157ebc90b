"""The demo's cases: new-build addresses to move to, aanvragen of GBA-V test persons made through the service engine
(Amsterdam decides one straight-through, Utrecht has one with a proof of residence for its case worker, Den Haag one
appointment request), death registrations of a funeral director in three states, an extract that is paid and made,
and the ZGW autorisaties that let the demo client read and make Amsterdam's zaken."""

from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock, werkdagen
from plein.auth.service import Principal
from plein.exchange.service import new_trace_id
from plein.organisations import service as organisations
from plein.payments import service as payments
from plein.payments import simulator
from plein.registers.bag.service import AddressData, ensure_address
from plein.registers.brp import service as brp
from plein.services import decisions, fees
from plein.services import service as engine
from plein.services.models import Aanvraag
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.zgw.autorisaties import service as autorisaties
from plein.zgw.zaken import cases

MUNICIPALITY = "0363"
IDENTIFICATIE = "VERHUIZING"
DEMO_SCOPES = ["zaken.lezen", "zaken.aanmaken", "zaken.bijwerken", "zaken.statussen.toevoegen"]
APP = "verhuizing-doorgeven"
# New-build addresses nobody lives at yet: (CBS code, street, postcode, place), house numbers 1 to 10.
NEW_BUILD = [("0363", "Nieuwbouwlaan", "1019ZX", "Amsterdam"), ("0344", "Leidsche Rijnlaan", "3541ZX", "Utrecht"),
             ("0518", "Binckhorstlaan", "2516ZX", "'s-Gravenhage")]
# GBA-V test persons to log in as with the simulator: (BSN, name, municipality, what to try).
CITIZENS = [
    ("999994542", "Gerrit Braber", "Amsterdam", "verhuis met uw gezin naar Nieuwbouwlaan 2-10, 1019 ZX: meteen "
                                                "verwerkt"),
    ("999996150", "Chantal Vries", "Utrecht", "verhuis naar Leidsche Rijnlaan 2-10, 3541 ZX, met een bewijsstuk"),
    ("999993380", "Nicole Petra Maassen", "Den Haag", "verhuizen gaat hier met een afspraak aan de balie"),
    ("999992995", "Jan Goedmut", "Amsterdam", "verhuis naar een bewoond adres: de hoofdbewoner geeft toestemming"),
    ("999993112", "Wilma Zon", "Amsterdam", "haar verhuizing is afgehandeld en haar uittreksel betaald en gemaakt: "
                                           "zie Mijn zaken"),
]
# The demo's funeral director (a company of the login simulator) and the employee who registers deaths.
FUNERAL_DIRECTOR = ("68750110", "Uitvaartzorg De Linde B.V.", "Marieke de Linde")
DEATHS = "aangifte-overlijden"
EXTRACT = "uittreksel-brp"
PROOF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
         b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


async def add_new_addresses(session: AsyncSession) -> int:
    """Ten empty new-build addresses in each of the demo's service municipalities."""
    for code, street, postcode, place in NEW_BUILD:
        for number in range(1, 11):
            await ensure_address(session, AddressData(
                openbare_ruimte=street, huisnummer=number, gemeentecode=code, postcode=postcode, woonplaats=place,
                nummeraanduiding=f"{code}20900000{number:04d}", adresseerbaar_object=f"{code}01900000{number:04d}"))
    await session.commit()
    return len(NEW_BUILD) * 10


def _citizen(bsn: str, name: str) -> Principal:
    return Principal("citizen", bsn, name, frozenset(), loa="midden")


def _move(postcode: str, movers: list[str], **more: object) -> dict[str, object]:
    return {"verhuisdatum": clock.today().isoformat(), "nieuwAdres": {"postcode": postcode, "huisnummer": 1},
            "meeverhuizers": movers, **more}


async def add_demo_cases(session: AsyncSession, settings: Settings, client_id: str) -> int:
    """Three aanvragen through the engine, as the demo's citizens would make them, and the client's autorisaties."""
    base_url, storage = settings.base_url.rstrip("/"), storage_from_settings(settings)
    made = []
    for code, bsn, name, answers in (
        ("0363", "999993112", "Wilma Zon", _move("1019ZX", [])),
        ("0344", "999996551", "Adriana Veekers", _move("3541ZX", [], bewijsstuk={
            "bestandsnaam": "huurcontract.pdf", "inhoud": base64.b64encode(PROOF).decode()})),
        ("0518", "999993069", "José Wiel", _move("2516ZX", [], voorkeur=["ochtend"], telefoon="0701234567")),
    ):
        offer = await engine.require_offer(session, code, APP)
        aanvraag, _ = await engine.submit_new(session, offer, _citizen(bsn, name), answers, base_url,
                                              new_trace_id(), storage)
        made.append(aanvraag)
    await decisions.decide_automatically(session, made[0].id, base_url, new_trace_id(), storage)
    made += await _deaths(session, settings)
    made.append(await _paid_extract(session, settings, "999993112", "Wilma Zon"))
    await _autorise(session, base_url, client_id)
    return len(made)


def _pdf(name: str) -> dict[str, str]:
    return {"bestandsnaam": name, "inhoud": base64.b64encode(PROOF).decode()}


async def _deaths(session: AsyncSession, settings: Settings) -> list[Aanvraag]:
    """Three deaths the funeral director registered: one the Amsterdam registrar approved (the verlof is in the
    business portal), one waiting for the registrar of Den Haag, one Amsterdam rejected."""
    base_url, storage = settings.base_url.rstrip("/"), storage_from_settings(settings)
    kvk, company, employee = FUNERAL_DIRECTOR
    director = Principal("business", kvk, company, frozenset(), loa="EH3", branch="000038509504",
                         acting_person=employee, mandates=frozenset({DEATHS}))
    died = clock.today() - dt.timedelta(days=1)
    made = []
    for (code, place), bsn in zip((("0363", "OLVG, Oosterpark 9, Amsterdam"), ("0518", "Thuis"),
                                   ("0363", "Thuis")), await _deceased(session), strict=True):
        offer = await engine.require_offer(session, code, DEATHS)
        answers = {"bsnOverledene": bsn, "gemeenteOverlijden": code, "locatieOverlijden": place,
                   "datumOverlijden": died.isoformat(), "tijdOverlijden": "06:40",
                   "verklaringOverlijden": _pdf("verklaring-van-overlijden.pdf"), "natuurlijk": True,
                   "wijze": "cremeren", "datumUitvaart": werkdagen.werkdag(died, 4).isoformat(),
                   "tijdUitvaart": "13:30", "plaatsUitvaart": "Crematorium Westgaarde, Amsterdam",
                   "contactNaam": employee, "contactTelefoon": "020 555 0123"}
        aanvraag, _ = await engine.submit_new(session, offer, director, answers, base_url, new_trace_id(), storage)
        made.append(aanvraag)
    registrar = Principal("staff", "burgerlijkestand.amsterdam", "Burgerlijke stand Amsterdam",
                          frozenset({("0363", "behandelaar")}))
    await decisions.decide(session, made[0], True, "", registrar, base_url, new_trace_id(), storage)
    await decisions.decide(session, made[2], False, "De verklaring van overlijden is niet leesbaar. Doe de aangifte "
                           "opnieuw met een goede scan van het A-formulier.", registrar, base_url, new_trace_id(),
                           storage)
    return made


async def _deceased(session: AsyncSession) -> list[str]:
    """Three GBA-V test persons who die in the demo: living, not one of the demo's citizens, and without a partner
    (so no other demo person's list changes)."""
    taken = {bsn for bsn, *_ in CITIZENS} | {"999996551", "999993069"}
    found = []
    for bsn, _ in reversed(await brp.simulator_persons(session, 400)):
        if bsn not in taken and not await brp.has_partner(session, bsn):
            found.append(bsn)
        if len(found) == 3:
            return found
    raise LookupError("the demo needs three living test persons without a partner in the BRP")


async def _paid_extract(session: AsyncSession, settings: Settings, bsn: str, name: str) -> Aanvraag:
    """An extract the citizen asked for and paid at the payment simulator: made at once, in Mijn zaken."""
    base_url, storage = settings.base_url.rstrip("/"), storage_from_settings(settings)
    offer = await engine.require_offer(session, "0363", EXTRACT)
    aanvraag, _ = await engine.submit_new(session, offer, _citizen(bsn, name), {"soort": "standaard"}, base_url,
                                          new_trace_id(), storage)
    run = await decisions.decision_run(session, aanvraag)
    payment = await fees.start_payment(session, run, settings, f"/mijn/zaken/{aanvraag.id}")
    await session.commit()
    if payment is not None:
        simulated = await simulator.find(session, payment.provider_id)
        assert simulated is not None
        await simulator.act(session, simulated, "betalen")
        await payments.refresh(session, payment, simulator.SimulatorProvider(), source="webhook")
        await session.commit()
    decided = await decisions.decide_automatically(session, aanvraag.id, base_url, new_trace_id(), storage)
    return decided or aanvraag


async def _autorise(session: AsyncSession, base_url: str, client_id: str) -> None:
    organisation = await organisations.get_by_code(session, MUNICIPALITY)
    kind = await cases.case_type(session, base_url, organisation, IDENTIFICATIE, clock.today())
    if kind is None:
        raise LookupError(f"no zaaktype {IDENTIFICATIE}: the demo activates {APP} in {MUNICIPALITY} first")
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": "Demo Amsterdam", "autorisaties": [
        {"component": "zrc", "scopes": DEMO_SCOPES, "zaaktype": kind.zaaktype,
         "maxVertrouwelijkheidaanduiding": "zaakvertrouwelijk"},
        {"component": "ztc", "scopes": ["catalogi.lezen"]},
        {"component": "nrc", "scopes": ["notificaties.consumeren"]},
    ]})
