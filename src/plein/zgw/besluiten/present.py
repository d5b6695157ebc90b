"""How besluiten and besluitinformatieobjecten look in the Besluiten API: every reference as a URL of this Plein."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from plein.zgw import spec
from plein.zgw.besluiten.models import Besluit, BesluitInformatieObject

VERVALREDENEN = {
    "tijdelijk": "Besluit met tijdelijke werking",
    "ingetrokken_overheid": "Besluit ingetrokken door overheid",
    "ingetrokken_belanghebbende": "Besluit ingetrokken o.v.v. belanghebbende",
}


@dataclass(frozen=True)
class Urls:
    """Makes the URLs of this Plein's ZGW resources from the request's base URL."""

    base_url: str

    def of(self, api: str, collection: str, key: uuid.UUID) -> str:
        return f"{self.base_url}{spec.APIS[api].prefix}/{collection}/{key}"

    def besluit(self, key: uuid.UUID) -> str:
        return self.of("besluiten", "besluiten", key)

    def besluitinformatieobject(self, key: uuid.UUID) -> str:
        return self.of("besluiten", "besluitinformatieobjecten", key)

    def besluittype(self, key: uuid.UUID) -> str:
        return self.of("catalogi", "besluittypen", key)

    def zaaktype(self, key: uuid.UUID) -> str:
        return self.of("catalogi", "zaaktypen", key)

    def zaak(self, key: uuid.UUID) -> str:
        return self.of("zaken", "zaken", key)

    def document(self, key: uuid.UUID) -> str:
        return self.of("documenten", "enkelvoudiginformatieobjecten", key)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def besluit(urls: Urls, row: Besluit) -> dict[str, Any]:
    """A besluit in the shape of the standard's Besluit schema.

    Without a vervalreden, `vervalreden` and `vervalredenWeergave` are left out: the document allows neither an
    empty string nor null there (the reference implementation's "" breaks clients generated from the document).
    """
    shown: dict[str, Any] = {
        "url": urls.besluit(row.id), "identificatie": row.identificatie,
        "verantwoordelijkeOrganisatie": row.verantwoordelijke_organisatie,
        "besluittype": urls.besluittype(row.besluittype_id),
        "zaak": urls.zaak(row.zaak_id) if row.zaak_id is not None else "",
        "datum": row.datum.isoformat(), "toelichting": row.toelichting, "bestuursorgaan": row.bestuursorgaan,
        "ingangsdatum": row.ingangsdatum.isoformat(), "vervaldatum": _date(row.vervaldatum),
    }
    if row.vervalreden:
        shown["vervalreden"] = row.vervalreden
        shown["vervalredenWeergave"] = VERVALREDENEN.get(row.vervalreden, row.vervalreden)
    shown |= {"publicatiedatum": _date(row.publicatiedatum), "verzenddatum": _date(row.verzenddatum),
              "uiterlijkeReactiedatum": _date(row.uiterlijke_reactiedatum)}
    return shown


def besluitinformatieobject(urls: Urls, row: BesluitInformatieObject) -> dict[str, Any]:
    return {"url": urls.besluitinformatieobject(row.id), "informatieobject": urls.document(row.informatieobject_id),
            "besluit": urls.besluit(row.besluit_id)}
