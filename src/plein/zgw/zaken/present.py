"""How zaken and their parts look in the Zaken API: URLs for every reference, the related resources of a page of
zaken fetched in one query per kind (never one per zaak)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import among
from plein.zgw import spec
from plein.zgw.auth import VERTROUWELIJKHEID
from plein.zgw.zaken.models import (
    Resultaat,
    Rol,
    Status,
    Zaak,
    ZaakEigenschap,
    ZaakInformatieObject,
    ZaakObject,
)

BETALING = {
    "": "", "nvt": "Er is geen sprake van te betalen, met de zaak gemoeide, kosten.",
    "nog_niet": "De met de zaak gemoeide kosten zijn (nog) niet betaald.",
    "gedeeltelijk": "De met de zaak gemoeide kosten zijn gedeeltelijk betaald.",
    "geheel": "De met de zaak gemoeide kosten zijn geheel betaald.",
}


@dataclass(frozen=True)
class Urls:
    """Makes the URLs of this Plein's ZGW resources from the request's base URL."""

    base_url: str

    def of(self, api: str, collection: str, key: uuid.UUID | None) -> str | None:
        if key is None:
            return None
        return f"{self.base_url}{spec.APIS[api].prefix}/{collection}/{key}"

    def zaak(self, key: uuid.UUID) -> str:
        return f"{self.base_url}/zaken/api/v1/zaken/{key}"

    def zaken(self, collection: str, key: uuid.UUID) -> str:
        return f"{self.base_url}/zaken/api/v1/{collection}/{key}"

    def catalogi(self, collection: str, key: uuid.UUID) -> str:
        return f"{self.base_url}/catalogi/api/v1/{collection}/{key}"


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_time(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def vertrouwelijkheidaanduiding(rank: int) -> str:
    return VERTROUWELIJKHEID[rank]


KINDS: dict[str, tuple[Any, Any]] = {
    "deelzaken": (Zaak, Zaak.hoofdzaak_id), "eigenschappen": (ZaakEigenschap, ZaakEigenschap.zaak_id),
    "rollen": (Rol, Rol.zaak_id), "informatieobjecten": (ZaakInformatieObject, ZaakInformatieObject.zaak_id),
    "objecten": (ZaakObject, ZaakObject.zaak_id), "resultaat": (Resultaat, Resultaat.zaak_id),
}


@dataclass
class Related:
    """The related resources of some zaken, by zaak id."""

    deelzaken: dict[uuid.UUID, list[uuid.UUID]]
    eigenschappen: dict[uuid.UUID, list[uuid.UUID]]
    rollen: dict[uuid.UUID, list[uuid.UUID]]
    informatieobjecten: dict[uuid.UUID, list[uuid.UUID]]
    objecten: dict[uuid.UUID, list[uuid.UUID]]
    resultaat: dict[uuid.UUID, uuid.UUID]


async def related(session: AsyncSession, zaak_ids: Sequence[uuid.UUID]) -> Related:
    """Fetch what the zaken of one page refer to, in one query (a UNION ALL over the six kinds)."""
    found: dict[str, dict[uuid.UUID, list[uuid.UUID]]] = {kind: defaultdict(list) for kind in KINDS}
    if zaak_ids:
        parts = [select(literal(kind), owner.label("owner"), model.id.label("key"), model.created_at.label("at"))
                 .where(among(session, owner, zaak_ids)) for kind, (model, owner) in KINDS.items()]
        rows = await session.execute(union_all(*parts).order_by("at", "key"))
        for kind, owner_id, key, _ in rows:
            found[kind][owner_id].append(key)
    return Related(
        deelzaken=found["deelzaken"], eigenschappen=found["eigenschappen"], rollen=found["rollen"],
        informatieobjecten=found["informatieobjecten"], objecten=found["objecten"],
        resultaat={owner: keys[0] for owner, keys in found["resultaat"].items()},
    )


def zaak(urls: Urls, row: Zaak, rel: Related) -> dict[str, Any]:
    """A zaak in the shape of the standard's Zaak schema."""
    return {
        "url": urls.zaak(row.id), "uuid": str(row.id), "identificatie": row.identificatie,
        "bronorganisatie": row.bronorganisatie, "omschrijving": row.omschrijving, "toelichting": row.toelichting,
        "zaaktype": urls.catalogi("zaaktypen", row.zaaktype_id),
        "registratiedatum": iso_date(row.registratiedatum),
        "verantwoordelijkeOrganisatie": row.verantwoordelijke_organisatie,
        "startdatum": iso_date(row.startdatum), "einddatum": iso_date(row.einddatum),
        "einddatumGepland": iso_date(row.einddatum_gepland),
        "uiterlijkeEinddatumAfdoening": iso_date(row.uiterlijke_einddatum_afdoening),
        "publicatiedatum": iso_date(row.publicatiedatum), "communicatiekanaal": row.communicatiekanaal,
        "productenOfDiensten": list(row.producten_of_diensten),
        "vertrouwelijkheidaanduiding": vertrouwelijkheidaanduiding(row.vertrouwelijkheid),
        "betalingsindicatie": row.betalingsindicatie,
        "betalingsindicatieWeergave": BETALING.get(row.betalingsindicatie, ""),
        "laatsteBetaaldatum": iso_time(row.laatste_betaaldatum), "zaakgeometrie": row.zaakgeometrie,
        "verlenging": row.verlenging, "opschorting": row.opschorting or {"indicatie": False, "reden": ""},
        "selectielijstklasse": row.selectielijstklasse,
        "hoofdzaak": urls.zaak(row.hoofdzaak_id) if row.hoofdzaak_id else None,
        "deelzaken": [urls.zaak(key) for key in rel.deelzaken.get(row.id, [])],
        "relevanteAndereZaken": list(row.relevante_andere_zaken),
        "eigenschappen": [urls.zaken(f"zaken/{row.id}/zaakeigenschappen", key)
                          for key in rel.eigenschappen.get(row.id, [])],
        "rollen": [urls.zaken("rollen", key) for key in rel.rollen.get(row.id, [])],
        "status": urls.zaken("statussen", row.status_id) if row.status_id else None,
        "zaakinformatieobjecten": [urls.zaken("zaakinformatieobjecten", key)
                                   for key in rel.informatieobjecten.get(row.id, [])],
        "zaakobjecten": [urls.zaken("zaakobjecten", key) for key in rel.objecten.get(row.id, [])],
        "kenmerken": list(row.kenmerken), "archiefnominatie": row.archiefnominatie,
        "archiefstatus": row.archiefstatus, "archiefactiedatum": iso_date(row.archiefactiedatum),
        "resultaat": urls.zaken("resultaten", rel.resultaat[row.id]) if row.id in rel.resultaat else None,
        "opdrachtgevendeOrganisatie": row.opdrachtgevende_organisatie,
        "processobjectaard": row.processobjectaard,
        "startdatumBewaartermijn": iso_date(row.startdatum_bewaartermijn), "processobject": row.processobject,
    }


def new_zaak(urls: Urls, row: Zaak) -> dict[str, Any]:
    """A zaak just added in this transaction: nothing can refer to it yet, so no query is needed."""
    return zaak(urls, row, Related({}, {}, {}, {}, {}, {}))


async def zaken(session: AsyncSession, urls: Urls, rows: Sequence[Zaak]) -> list[dict[str, Any]]:
    rel = await related(session, [row.id for row in rows])
    return [zaak(urls, row, rel) for row in rows]


def status(urls: Urls, row: Status, current: uuid.UUID | None, documents: Sequence[uuid.UUID]) -> dict[str, Any]:
    return {
        "url": urls.zaken("statussen", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "statustype": urls.catalogi("statustypen", row.statustype_id),
        "datumStatusGezet": iso_time(row.datum_status_gezet), "statustoelichting": row.statustoelichting,
        "indicatieLaatstGezetteStatus": row.id == current,
        "gezetdoor": urls.zaken("rollen", row.gezetdoor_id) if row.gezetdoor_id else "",
        "zaakinformatieobjecten": [urls.zaken("zaakinformatieobjecten", key) for key in documents],
    }


def resultaat(urls: Urls, row: Resultaat) -> dict[str, Any]:
    return {
        "url": urls.zaken("resultaten", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "resultaattype": urls.catalogi("resultaattypen", row.resultaattype_id), "toelichting": row.toelichting,
    }


def rol(urls: Urls, row: Rol, omschrijving: str, generiek: str, statussen: Sequence[uuid.UUID]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "url": urls.zaken("rollen", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "betrokkene": row.betrokkene, "betrokkeneType": row.betrokkene_type,
        "afwijkendeNaamBetrokkene": row.afwijkende_naam_betrokkene,
        "roltype": urls.catalogi("roltypen", row.roltype_id), "omschrijving": omschrijving,
        "omschrijvingGeneriek": generiek, "roltoelichting": row.roltoelichting,
        "registratiedatum": iso_time(row.registratiedatum), "indicatieMachtiging": row.indicatie_machtiging,
        "contactpersoonRol": row.contactpersoon_rol,
        "statussen": [urls.zaken("statussen", key) for key in statussen],
    }
    if row.betrokkene_identificatie is not None:
        shown["betrokkeneIdentificatie"] = row.betrokkene_identificatie
    return shown
