"""Helpers for the Catalogi API tests: valid bodies, a catalogus to work in, clients with chosen scopes, and a
response check against the standard's document that names its three known errata.

The Catalogi 1.3.1 document types ZaakType.informatieobjecttypen and InformatieObjectType.zaaktypen as a single
string (1.3.2 corrects both to an array of URLs, which is what the API returns) and requires a non-null
StatusType.zaakobjecttype (1.3.2 drops the field; Plein gives null when no zaakobjecttype needs the statustype).
`check` validates every response against the document and accepts exactly these three differences.
"""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema.exceptions import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import stable_rsin
from plein.zgw.autorisaties import service as autorisaties
from tests.factories import client_headers
from tests.zgw.helpers import assert_spec

BASE = "/catalogi/api/v1"
HOST = "http://plein.test"
RSIN = stable_rsin("catalogi-test")
ERRATA = {"informatieobjecttypen": list, "zaaktypen": list, "zaakobjecttype": type(None)}
# Plein's own copy of the Selectielijst and Referentielijsten APIs (plein.zgw.remote), which the test settings check
# these references against: a procestype, one of its resultaten, and a resultaattypeomschrijving.
SELECTIELIJST = f"{HOST}/selectielijst/api/v1"
REFERENTIELIJSTEN = f"{HOST}/referentielijsten/api/v1"
PROCESTYPE = f"{SELECTIELIJST}/procestypen/5481c56e-f82a-53f4-b43f-ed356b2253e4"
RESULTAAT = f"{SELECTIELIJST}/resultaten/7d6acb81-3233-5c20-ad71-a24e997fa229"
RESULTAATTYPEOMSCHRIJVING = f"{REFERENTIELIJSTEN}/resultaattypeomschrijvingen/9c565b52-d01a-5383-b56f-86303e6c3355"


def _erratum(error: ValidationError) -> bool:
    path = list(error.absolute_path)
    name = path[-1] if path else None
    return isinstance(name, str) and name in ERRATA and isinstance(error.instance, ERRATA[name])


def check(method: str, path: str, response: httpx.Response) -> Any:
    """Status and body as the document has them (apart from the errata above), and the API-version header."""
    return assert_spec("catalogi", method, path, response, _erratum)


def local(url: str) -> str:
    return url.removeprefix(HOST)


async def scoped(session: AsyncSession, client_id: str, scopes: list[str],
                 organisation: str | None = None) -> dict[str, str]:
    """Headers of a client whose applicatie holds these catalogi scopes (component ztc)."""
    headers = await client_headers(session, client_id, organisation, [])
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": client_id, "autorisaties": [
        {"component": "ztc", "scopes": scopes}]})
    return headers


async def writer(session: AsyncSession) -> dict[str, str]:
    return await scoped(session, "ztc-beheer", ["catalogi.lezen", "catalogi.schrijven"])


def catalogus_body(rsin: str = RSIN, domein: str = "TEST") -> dict[str, Any]:
    return {"domein": domein, "rsin": rsin, "contactpersoonBeheerNaam": "Beheer", "naam": "Testcatalogus"}


def zaaktype_body(catalogus: str, identificatie: str = "ZT-1", **extra: Any) -> dict[str, Any]:
    return {
        "identificatie": identificatie, "omschrijving": "Melding openbare ruimte", "vertrouwelijkheidaanduiding":
        "openbaar", "doel": "Meldingen afhandelen", "aanleiding": "Een melding", "indicatieInternOfExtern": "extern",
        "handelingInitiator": "melden", "onderwerp": "Openbare ruimte", "handelingBehandelaar": "behandelen",
        "doorlooptijd": "P14D", "opschortingEnAanhoudingMogelijk": False, "verlengingMogelijk": False,
        "publicatieIndicatie": False, "productenOfDiensten": [], "referentieproces": {"naam": "Melding"},
        "verantwoordelijke": "Stadsbeheer", "catalogus": catalogus, "besluittypen": [], "deelzaaktypen": [],
        "gerelateerdeZaaktypen": [], "beginGeldigheid": "2026-01-01", "versiedatum": "2026-01-01",
        "trefwoorden": ["melding"], "selectielijstProcestype": PROCESTYPE, **extra,
    }


def iot_body(catalogus: str, omschrijving: str = "Melding", **extra: Any) -> dict[str, Any]:
    return {"catalogus": catalogus, "omschrijving": omschrijving, "vertrouwelijkheidaanduiding": "openbaar",
            "informatieobjectcategorie": "Formulier", "beginGeldigheid": "2026-01-01", **extra}


def bt_body(catalogus: str, omschrijving: str = "Beschikking", **extra: Any) -> dict[str, Any]:
    return {"catalogus": catalogus, "omschrijving": omschrijving, "publicatieIndicatie": False,
            "informatieobjecttypen": [], "beginGeldigheid": "2026-01-01", **extra}


def part_bodies(zaaktype: str, catalogus: str) -> dict[str, dict[str, Any]]:
    """A valid body for each part of a zaaktype."""
    return {
        "statustypen": {"zaaktype": zaaktype, "omschrijving": "Ontvangen", "volgnummer": 1},
        "roltypen": {"zaaktype": zaaktype, "omschrijving": "Melder", "omschrijvingGeneriek": "initiator"},
        "resultaattypen": {
            "zaaktype": zaaktype, "omschrijving": "Afgehandeld", "besluittypen": [],
            "resultaattypeomschrijving": RESULTAATTYPEOMSCHRIJVING,
            "selectielijstklasse": RESULTAAT,
            "brondatumArchiefprocedure": {"afleidingswijze": "afgehandeld"},
        },
        "eigenschappen": {"zaaktype": zaaktype, "naam": "locatie", "definitie": "Waar",
                          "specificatie": {"formaat": "tekst", "lengte": "100", "kardinaliteit": "1"}},
        "zaakobjecttypen": {"zaaktype": zaaktype, "catalogus": catalogus, "anderObjecttype": False,
                            "objecttype": "https://objecttypen.example/api/v2/objecttypes/1",
                            "relatieOmschrijving": "Locatie", "beginGeldigheid": "2026-01-01"},
        "zaaktype-informatieobjecttypen": {"zaaktype": zaaktype, "informatieobjecttype": "Melding", "volgnummer": 1,
                                           "richting": "inkomend"},
    }


async def post(client: httpx.AsyncClient, headers: dict[str, str], collection: str,
               body: dict[str, Any]) -> dict[str, Any]:
    """Create a resource and check the answer; returns its body."""
    response = await client.post(f"{BASE}/{collection}", json=body, headers=headers)
    created = check("post", f"/{collection}", response)
    assert response.status_code in (200, 201), response.text
    assert isinstance(created, dict)
    return created


async def publish(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> httpx.Response:
    return await client.post(f"{local(url)}/publish", headers=headers)


async def catalogus(client: httpx.AsyncClient, headers: dict[str, str], domein: str = "TEST") -> str:
    url: str = (await post(client, headers, "catalogussen", catalogus_body(domein=domein)))["url"]
    return url


async def publishable_zaaktype(client: httpx.AsyncClient, headers: dict[str, str], catalogus_url: str,
                               identificatie: str = "ZT-1", **extra: Any) -> dict[str, Any]:
    """A concept zaaktype with what publishing needs: two statustypen, a roltype and a resultaattype."""
    zaaktype = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url, identificatie, **extra))
    bodies = part_bodies(zaaktype["url"], catalogus_url)
    for collection in ("statustypen", "roltypen", "resultaattypen"):
        await post(client, headers, collection, bodies[collection])
    await post(client, headers, "statustypen", bodies["statustypen"] | {"volgnummer": 2, "omschrijving": "Klaar"})
    return zaaktype
