"""How the resources that relate a zaak to others look in the Zaken API: zaakobjecten, zaakeigenschappen,
klantcontacten, zaakinformatieobjecten, zaakcontactmomenten, zaakverzoeken and zaakbesluiten."""

from __future__ import annotations

from typing import Any

from plein.zgw.zaken.models import (
    KlantContact,
    ZaakBesluit,
    ZaakContactMoment,
    ZaakEigenschap,
    ZaakInformatieObject,
    ZaakObject,
    ZaakVerzoek,
)
from plein.zgw.zaken.present import Urls, iso_time

HOORT_BIJ = "Hoort bij, omgekeerd: kent"  # zrc-004: the objectType of the relation is zaak, so aardRelatie hoort_bij


def document_url(urls: Urls, key: str) -> str:
    """A zaakinformatieobject keeps the uuid of the local document; its URL follows the host the API is reached on."""
    return f"{urls.base_url}/documenten/api/v1/enkelvoudiginformatieobjecten/{key}"


def eigenschap_url(urls: Urls, row: ZaakEigenschap) -> str:
    return urls.zaken(f"zaken/{row.zaak_id}/zaakeigenschappen", row.id)


def besluit_url(urls: Urls, row: ZaakBesluit) -> str:
    return urls.zaken(f"zaken/{row.zaak_id}/besluiten", row.id)


def zaakobject(urls: Urls, row: ZaakObject) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "url": urls.zaken("zaakobjecten", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "object": row.object,
        "zaakobjecttype": urls.catalogi("zaakobjecttypen", row.zaakobjecttype_id) if row.zaakobjecttype_id else "",
        "objectType": row.object_type, "objectTypeOverigeDefinitie": row.object_type_overige_definitie,
        "relatieomschrijving": row.relatieomschrijving,
    }
    if row.object_type_overige:  # left out when empty: the document's pattern does not allow the empty string
        shown["objectTypeOverige"] = row.object_type_overige
    if row.object_identificatie is not None:
        shown["objectIdentificatie"] = row.object_identificatie
    return shown


def zaakeigenschap(urls: Urls, row: ZaakEigenschap) -> dict[str, Any]:
    return {
        "url": eigenschap_url(urls, row), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "eigenschap": urls.catalogi("eigenschappen", row.eigenschap_id), "naam": row.naam, "waarde": row.waarde,
    }


def klantcontact(urls: Urls, row: KlantContact) -> dict[str, Any]:
    return {
        "url": urls.zaken("klantcontacten", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
        "identificatie": row.identificatie, "datumtijd": iso_time(row.datumtijd), "kanaal": row.kanaal,
        "onderwerp": row.onderwerp, "toelichting": row.toelichting,
    }


def zaakinformatieobject(urls: Urls, row: ZaakInformatieObject) -> dict[str, Any]:
    return {
        "url": urls.zaken("zaakinformatieobjecten", row.id), "uuid": str(row.id),
        "informatieobject": document_url(urls, row.informatieobject), "zaak": urls.zaak(row.zaak_id),
        "aardRelatieWeergave": HOORT_BIJ, "titel": row.titel, "beschrijving": row.beschrijving,
        "registratiedatum": iso_time(row.registratiedatum), "vernietigingsdatum": iso_time(row.vernietigingsdatum),
        "status": urls.zaken("statussen", row.status_id) if row.status_id else None,
    }


def zaakcontactmoment(urls: Urls, row: ZaakContactMoment) -> dict[str, Any]:
    return {"url": urls.zaken("zaakcontactmomenten", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
            "contactmoment": row.contactmoment}


def zaakverzoek(urls: Urls, row: ZaakVerzoek) -> dict[str, Any]:
    return {"url": urls.zaken("zaakverzoeken", row.id), "uuid": str(row.id), "zaak": urls.zaak(row.zaak_id),
            "verzoek": row.verzoek}


def zaakbesluit(urls: Urls, row: ZaakBesluit) -> dict[str, Any]:
    return {"url": besluit_url(urls, row), "uuid": str(row.id), "besluit": row.besluit}
