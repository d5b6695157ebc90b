"""Business aanvragen for the tests of /zakelijk: made directly as rows (no business service exists yet) with a real
zaak of the verhuizing zaaktype through plein.zgw.zaken.cases, its documents in the file storage, and optionally its
decision; and logging in as a company's employee through the simulator."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.db import utcnow
from plein.organisations import service as organisations
from plein.services.models import AFGEWEZEN, INGEDIEND, TOEGEKEND, Aanvraag
from plein.storage import FileStorage
from plein.store import adoptions
from plein.zgw.zaken import cases
from tests.services.helpers import AMSTERDAM, APP, BASE_URL, csrf_token

ZAAKTYPE = "VERHUIZING"  # the zaaktype of verhuizing-doorgeven, which the tests adopt
LINDE, MEER = "68750110", "71623145"  # two demo funeral directors (KvK numbers)
NAMES = {LINDE: "Uitvaartzorg De Linde B.V.", MEER: "Uitvaartverzorging Van der Meer"}
PDF = b"%PDF-1.4 verlof tot begraven\n%%EOF\n"


@dataclass(frozen=True)
class Document:
    """A document for the zaak: title, file name, confidentiality and contents."""

    titel: str
    bestandsnaam: str
    vertrouwelijkheid: str = "zaakvertrouwelijk"
    inhoud: bytes = PDF


async def business_case(session: AsyncSession, storage: FileStorage, kvk: str, acting_person: str,
                        code: str = AMSTERDAM, documents: Sequence[Document] = (), decided: str | None = None,
                        reason: str = "", branch: str | None = None) -> Aanvraag:
    """A sent aanvraag of the company (subject_kind business, subject its KvK number) by one of its employees, with
    its zaak in the municipality's catalogus; decided (toegekend or afgewezen) when asked."""
    adoption = await adoptions.active_adoption(session, code, APP)
    assert adoption is not None, f"adopt {APP} in {code} first"
    today = clock.today()
    kind = await cases.case_type(session, BASE_URL, await organisations.get_by_code(session, code), ZAAKTYPE, today)
    assert kind is not None
    aanvraag = Aanvraag(app=APP, release_id=adoption.release_id, municipality=code, entry_municipality=code,
                        subject_kind="business", subject=kvk, branch=branch, acting_person=acting_person,
                        display_name=NAMES.get(kvk, f"KvK-nummer {kvk}"), status=INGEDIEND, answers={}, prefill={},
                        submitted_at=utcnow())
    session.add(aanvraag)
    await session.flush()
    zaak = {"zaaktype": kind.zaaktype, "bronorganisatie": kind.rsin, "verantwoordelijkeOrganisatie": kind.rsin,
            "startdatum": today.isoformat(), "registratiedatum": today.isoformat(),
            "omschrijving": "Aangifte van een bedrijf", "kenmerken": [{"kenmerk": str(aanvraag.id), "bron": "Plein"}]}
    rol = {"roltype": kind.roltypen["initiator"], "roltoelichting": "Aanvrager",
           "betrokkeneType": "niet_natuurlijk_persoon",
           "betrokkeneIdentificatie": {"annIdentificatie": kvk, "statutaireNaam": aanvraag.display_name}}
    status = {"statustype": kind.statustypen[0], "datumStatusGezet": utcnow().isoformat(),
              "statustoelichting": "Ontvangen via Plein"}
    made = await cases.add_case(session, BASE_URL, zaak, [rol], status,
                                documents=[await _stored(storage, kind, item, today) for item in documents])
    aanvraag.zaak_id, aanvraag.zaak_identificatie = made.zaak.id, made.zaak.identificatie
    aanvraag.zaak_url = f"{BASE_URL}/zaken/api/v1/zaken/{made.zaak.id}"
    aanvraag.due_on = today + dt.timedelta(days=5)
    if decided is not None:
        await _decide(session, kind, made.zaak, aanvraag, decided, reason)
    await session.commit()
    return aanvraag


async def _stored(storage: FileStorage, kind: cases.CaseType, item: Document, day: dt.date) -> cases.CaseDocument:
    key = f"tests/zakelijk/{uuid.uuid4()}"
    await storage.put(key, item.inhoud)
    data: dict[str, Any] = {
        "bronorganisatie": kind.rsin, "creatiedatum": day.isoformat(), "titel": item.titel, "auteur": "Gemeente",
        "taal": "nld", "informatieobjecttype": next(iter(kind.informatieobjecttypen.values())),
        "bestandsnaam": item.bestandsnaam, "formaat": "application/pdf", "indicatieGebruiksrecht": False,
        "vertrouwelijkheidaanduiding": item.vertrouwelijkheid}
    return cases.CaseDocument(data, key, len(item.inhoud))


async def _decide(session: AsyncSession, kind: cases.CaseType, zaak: Any, aanvraag: Aanvraag, outcome: str,
                  reason: str) -> None:
    assert outcome in (TOEGEKEND, AFGEWEZEN)
    resultaattype = kind.resultaattypen["Verwerkt" if outcome == TOEGEKEND else "Afgewezen"]
    text = f"De aanvraag is {outcome}. {reason}".strip()
    await cases.close_case(session, BASE_URL, zaak, {"resultaattype": resultaattype, "toelichting": text},
                           {"statustype": kind.statustypen[-1], "datumStatusGezet": utcnow().isoformat(),
                            "statustoelichting": text})
    aanvraag.status, aanvraag.reason, aanvraag.decided_at = outcome, reason or None, utcnow()
    aanvraag.decided_by = "behandelaar.0363"


async def log_in_business(http: Any, kvk: str, employee: str, mandates: Sequence[str] = (),
                          branch: str = "") -> None:
    """An employee of the company logs in through the login simulator (eHerkenning EH3)."""
    token = await csrf_token(http, "/inloggen/simulator")
    answer = await http.post("/inloggen/simulator", data={
        "csrf_token": token, "soort": "ondernemer", "kvk": kvk, "vestiging": branch, "medewerker": employee,
        "eh_niveau": "EH3", "machtiging": list(mandates), "next": "/"})
    assert answer.status_code == 303, answer.text[:2000]
