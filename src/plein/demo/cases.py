"""The demo's cases: Amsterdam's catalogus with a published zaaktype, a few zaken of GBA-V test persons, and the
ZGW autorisaties that let the demo client read and make them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.autorisaties import service as autorisaties
from plein.zgw.catalogi.models import ResultaatType, RolType, StatusType, ZaakType
from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus
from plein.zgw.zaken import cases

MUNICIPALITY = "0363"
SELECTIELIJST = "https://selectielijst.openzaak.nl/api/v1"
REFERENTIELIJSTEN = "https://referentielijsten-api.vng.cloud/api/v1"
APPLICANTS = [("999993653", "2026-11-02"), ("999991723", "2026-11-09"), ("999995078", "2026-11-16")]
DEMO_SCOPES = ["zaken.lezen", "zaken.aanmaken", "zaken.bijwerken", "zaken.statussen.toevoegen"]


async def _zaaktype(session: AsyncSession, catalogus_id: uuid.UUID) -> tuple[ZaakType, list[StatusType], RolType]:
    """A published zaaktype "Verhuizing doorgeven" with two statustypen, a roltype and a resultaattype."""
    begin = dt.date(2026, 1, 1)
    zaaktype = ZaakType(
        catalogus_id=catalogus_id, identificatie="VERHUIZING", omschrijving="Verhuizing doorgeven",
        vertrouwelijkheidaanduiding="zaakvertrouwelijk", doel="Een verhuizing verwerken in de BRP",
        aanleiding="Een inwoner geeft een verhuizing door", indicatie_intern_of_extern="extern",
        handeling_initiator="Doorgeven", onderwerp="Verhuizing", handeling_behandelaar="Verwerken",
        doorlooptijd="P5D", opschorting_en_aanhouding_mogelijk=False, verlenging_mogelijk=False,
        publicatie_indicatie=False, verantwoordelijke="Burgerzaken", begin_geldigheid=begin, versiedatum=begin,
        concept=False)
    session.add(zaaktype)
    await session.flush()
    statustypen = [StatusType(zaaktype_id=zaaktype.id, omschrijving=name, volgnummer=number)
                   for number, name in ((1, "Ontvangen"), (2, "Verwerkt"))]
    roltype = RolType(zaaktype_id=zaaktype.id, omschrijving="Aanvrager", omschrijving_generiek="initiator")
    session.add_all([*statustypen, roltype, ResultaatType(
        zaaktype_id=zaaktype.id, omschrijving="Verwerkt", archiefnominatie="vernietigen",
        archiefactietermijn="P10Y", brondatum_archiefprocedure={"afleidingswijze": "afgehandeld"},
        resultaattypeomschrijving=f"{REFERENTIELIJSTEN}/resultaattypeomschrijvingen/1",
        selectielijstklasse=f"{SELECTIELIJST}/resultaten/1")])
    await session.flush()
    return zaaktype, statustypen, roltype


async def add_demo_cases(session: AsyncSession, base_url: str, client_id: str) -> int:
    """Amsterdam's catalogus and zaaktype, three zaken (one per applicant), and the client's autorisaties."""
    base_url = base_url.rstrip("/")
    catalogus = await ensure_municipality_catalogus(session, MUNICIPALITY)
    zaaktype, statustypen, roltype = await _zaaktype(session, catalogus.id)
    await session.commit()
    zaaktype_url = f"{base_url}/catalogi/api/v1/zaaktypen/{zaaktype.id}"
    for bsn, day in APPLICANTS:
        await cases.register_zaak(
            session, base_url,
            {"zaaktype": zaaktype_url, "bronorganisatie": catalogus.rsin,
             "verantwoordelijkeOrganisatie": catalogus.rsin, "startdatum": day, "omschrijving": "Verhuizing doorgeven"},
            rollen=[{"roltype": f"{base_url}/catalogi/api/v1/roltypen/{roltype.id}",
                     "betrokkeneType": "natuurlijk_persoon", "roltoelichting": "Aanvrager",
                     "betrokkeneIdentificatie": {"inpBsn": bsn}}],
            status={"statustype": f"{base_url}/catalogi/api/v1/statustypen/{statustypen[0].id}",
                    "datumStatusGezet": f"{day}T09:00:00Z"})
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": "Demo Amsterdam", "autorisaties": [
        {"component": "zrc", "scopes": DEMO_SCOPES, "zaaktype": zaaktype_url,
         "maxVertrouwelijkheidaanduiding": "zaakvertrouwelijk"},
        {"component": "ztc", "scopes": ["catalogi.lezen"]},
        {"component": "nrc", "scopes": ["notificaties.consumeren"]},
    ]})
    return len(APPLICANTS)
