"""Helpers for the Zaken API tests: a published zaaktype with its parts, clients, and valid zaak bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.zgw.catalogi.helpers import catalogus, part_bodies, post, publish, zaaktype_body

BASE = "/zaken/api/v1"
CRS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
BRONORGANISATIE = "002220647"


@dataclass
class Zaaktype:
    """A published zaaktype and the URLs of its parts."""

    url: str
    statustypen: list[str]
    roltype: str
    resultaattype: str
    catalogus: str


async def published_zaaktype(client: httpx.AsyncClient, headers: dict[str, str], identificatie: str = "ZT-1",
                             catalogus_url: str | None = None, **extra: Any) -> Zaaktype:
    """A published zaaktype with two statustypen, a roltype and a resultaattype (archived after 10 years)."""
    catalogus_url = catalogus_url or await catalogus(client, headers)
    zaaktype = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url, identificatie, **extra))
    bodies = part_bodies(zaaktype["url"], catalogus_url)
    first = await post(client, headers, "statustypen", bodies["statustypen"])
    last = await post(client, headers, "statustypen",
                      bodies["statustypen"] | {"volgnummer": 2, "omschrijving": "Klaar"})
    roltype = await post(client, headers, "roltypen", bodies["roltypen"])
    resultaattype = await post(client, headers, "resultaattypen", bodies["resultaattypen"] | {
        "archiefnominatie": "vernietigen", "archiefactietermijn": "P10Y"})
    response = await publish(client, headers, zaaktype["url"])
    assert response.status_code == 200, response.text
    return Zaaktype(zaaktype["url"], [first["url"], last["url"]], roltype["url"], resultaattype["url"], catalogus_url)


def zaak_body(zaaktype: str, **extra: Any) -> dict[str, Any]:
    return {"zaaktype": zaaktype, "bronorganisatie": BRONORGANISATIE, "verantwoordelijkeOrganisatie": BRONORGANISATIE,
            "startdatum": "2026-11-01", "omschrijving": "Verhuizing doorgeven", **extra}


def local(url: str) -> str:
    return url.removeprefix("http://plein.test")
