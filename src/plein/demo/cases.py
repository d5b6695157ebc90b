"""The demo's cases: a few zaken of GBA-V test persons in Amsterdam, of the zaaktype that activating the app
verhuizing-doorgeven provided, and the ZGW autorisaties that let the demo client read and make them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.autorisaties import service as autorisaties
from plein.zgw.catalogi.models import RolType, StatusType, ZaakType
from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus
from plein.zgw.zaken import cases

MUNICIPALITY = "0363"
IDENTIFICATIE = "VERHUIZING"
APPLICANTS = [("999993653", "2026-11-02"), ("999991723", "2026-11-09"), ("999995078", "2026-11-16")]
DEMO_SCOPES = ["zaken.lezen", "zaken.aanmaken", "zaken.bijwerken", "zaken.statussen.toevoegen"]


async def _provided_zaaktype(session: AsyncSession,
                             catalogus_id: uuid.UUID) -> tuple[ZaakType, list[StatusType], RolType]:
    """The zaaktype "Verhuizing doorgeven" that activating the app verhuizing-doorgeven provided in the catalogus,
    with its statustypen in order and its initiator roltype."""
    zaaktype = await session.scalar(select(ZaakType).where(
        ZaakType.catalogus_id == catalogus_id, ZaakType.identificatie == IDENTIFICATIE, ZaakType.concept.is_(False),
        ZaakType.einde_geldigheid.is_(None)))
    if zaaktype is None:
        raise LookupError(f"no zaaktype {IDENTIFICATIE}: the demo activates verhuizing-doorgeven in {MUNICIPALITY} "
                          "before it makes zaken")
    statustypen = list(await session.scalars(select(StatusType).where(StatusType.zaaktype_id == zaaktype.id)
                                             .order_by(StatusType.volgnummer)))
    roltype = await session.scalar(select(RolType).where(RolType.zaaktype_id == zaaktype.id,
                                                         RolType.omschrijving_generiek == "initiator"))
    assert roltype is not None
    return zaaktype, statustypen, roltype


async def add_demo_cases(session: AsyncSession, base_url: str, client_id: str) -> int:
    """Three zaken (one per applicant) of Amsterdam's provided zaaktype, and the client's autorisaties."""
    base_url = base_url.rstrip("/")
    catalogus = await ensure_municipality_catalogus(session, MUNICIPALITY)
    zaaktype, statustypen, roltype = await _provided_zaaktype(session, catalogus.id)
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
