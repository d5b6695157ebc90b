"""Helpers for the tests of what relates a zaak to others: a published zaaktype with every kind of part (eigenschappen,
a zaakobjecttype, an informatieobjecttype it allows), a zaak of it, documents, and clients with chosen scopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.models import Message
from plein.zgw.audit import AuditRecord
from plein.zgw.autorisaties import service as autorisaties
from tests.factories import client_headers
from tests.zgw.catalogi.helpers import bt_body, catalogus, part_bodies, post, publish, zaaktype_body
from tests.zgw.documenten.helpers import create_document, published_iot
from tests.zgw.helpers import all_rights, assert_spec
from tests.zgw.zaken.helpers import BASE, CRS, local, zaak_body


@dataclass
class Setting:
    """An all-rights client and a published zaaktype with all its parts, and documents' types."""

    admin: dict[str, str]
    catalogus: str
    zaaktype: str
    statustypen: list[str]
    roltype: str
    resultaattype: str
    eigenschap: str
    datum_eigenschap: str
    keuze_eigenschap: str
    zaakobjecttype: str
    iot: str
    other_iot: str
    besluittype: str


async def setting(client: httpx.AsyncClient, session: AsyncSession, identificatie: str = "ZT-REL",
                  first: Setting | None = None) -> Setting:
    """The first setting registers the admin client and a catalogus TEST; another one (`first` given) gets its own
    catalogus with the same admin."""
    admin = first.admin if first else await all_rights(session) | CRS
    catalogus_url = await catalogus(client, admin, domein=f"T{identificatie[-3:]}" if first else "TEST")
    iot = await published_iot(client, admin, catalogus_url, "Melding")
    other_iot = await published_iot(client, admin, catalogus_url, "Brief")
    besluittype = (await post(client, admin, "besluittypen", bt_body(catalogus_url, "Beschikking",
                                                                     informatieobjecttypen=["Brief"])))["url"]
    assert (await publish(client, admin, besluittype)).status_code == 200
    zaaktype = (await post(client, admin, "zaaktypen", zaaktype_body(catalogus_url, identificatie,
                                                                     besluittypen=["Beschikking"])))["url"]
    bodies = part_bodies(zaaktype, catalogus_url)
    first = await post(client, admin, "statustypen", bodies["statustypen"])
    last = await post(client, admin, "statustypen", bodies["statustypen"] | {"volgnummer": 2, "omschrijving": "Klaar"})
    roltype = await post(client, admin, "roltypen", bodies["roltypen"])
    resultaattype = await post(client, admin, "resultaattypen", bodies["resultaattypen"])
    eigenschap = await post(client, admin, "eigenschappen", bodies["eigenschappen"] | {
        "specificatie": {"formaat": "tekst", "lengte": "10", "kardinaliteit": "1", "groep": ""}})
    datum = await post(client, admin, "eigenschappen", bodies["eigenschappen"] | {
        "naam": "besluitdatum", "specificatie": {"formaat": "datum", "lengte": "8", "kardinaliteit": "1"}})
    keuze = await post(client, admin, "eigenschappen", bodies["eigenschappen"] | {
        "naam": "kleur", "specificatie": {"formaat": "tekst", "lengte": "10", "kardinaliteit": "1",
                                          "waardenverzameling": ["rood", "groen"]}})
    zaakobjecttype = await post(client, admin, "zaakobjecttypen", bodies["zaakobjecttypen"])
    await post(client, admin, "zaaktype-informatieobjecttypen", bodies["zaaktype-informatieobjecttypen"])
    response = await publish(client, admin, zaaktype)
    assert response.status_code == 200, response.text
    return Setting(admin, catalogus_url, zaaktype, [first["url"], last["url"]], roltype["url"], resultaattype["url"],
                   eigenschap["url"], datum["url"], keuze["url"], zaakobjecttype["url"], iot, other_iot, besluittype)


async def new_zaak(client: httpx.AsyncClient, ctx: Setting, **extra: Any) -> dict[str, Any]:
    response = await client.post(f"{BASE}/zaken", json=zaak_body(ctx.zaaktype, **extra), headers=ctx.admin)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def close(client: httpx.AsyncClient, ctx: Setting, zaak: dict[str, Any]) -> None:
    """Give the zaak a resultaat and its eindstatus."""
    resultaat = await client.post(f"{BASE}/resultaten", headers=ctx.admin, json={
        "zaak": zaak["url"], "resultaattype": ctx.resultaattype})
    assert resultaat.status_code == 201, resultaat.text
    closed = await client.post(f"{BASE}/statussen", headers=ctx.admin, json={
        "zaak": zaak["url"], "statustype": ctx.statustypen[1], "datumStatusGezet": "2026-11-20T10:00:00Z"})
    assert closed.status_code == 201, closed.text


async def document(client: httpx.AsyncClient, ctx: Setting, iot: str | None = None) -> str:
    """A document that says no gebruiksrechten apply (a zaak with it can be closed: zrc-007)."""
    url: str = (await create_document(client, ctx.admin, iot or ctx.iot, indicatieGebruiksrecht=False))["url"]
    return url


async def zaak_client(session: AsyncSession, client_id: str, zaaktype: str, scopes: list[str],
                      maximum: str = "zeer_geheim", extra: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """A client whose applicatie holds these zaken scopes for one zaaktype up to a confidentiality."""
    headers = await client_headers(session, client_id, None, [])
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": client_id, "autorisaties": [
        {"component": "zrc", "scopes": scopes, "zaaktype": zaaktype, "maxVertrouwelijkheidaanduiding": maximum},
        *(extra or [])]})
    return headers | CRS


async def trail(client: httpx.AsyncClient, ctx: Setting, zaak: dict[str, Any]) -> list[tuple[str, str]]:
    """(resource, actie) of each record in the zaak's audit trail."""
    response = await client.get(f"{local(zaak['url'])}/audittrail", headers=ctx.admin)
    return [(entry["resource"], entry["actie"])
            for entry in assert_spec("zaken", "get", "/zaken/{zaak_uuid}/audittrail", response)]


async def messages(session: AsyncSession, resource: str) -> list[tuple[str, str, str]]:
    """(resource, actie, hoofdObject) of the notifications on the zaken kanaal about one kind of resource."""
    rows = await session.scalars(select(Message).where(Message.kanaal == "zaken", Message.resource == resource)
                                 .order_by(Message.id))
    return [(m.resource, m.actie, m.hoofd_object) for m in rows]


async def count(session: AsyncSession, model: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def audit_count(session: AsyncSession) -> int:
    return await count(session, AuditRecord)


def problem(response: httpx.Response) -> dict[str, Any]:
    """A problem in the standard's Fout shape (for the few answers the 1.5.1 document does not list, such as 404 on
    the nested lists of a zaak that does not exist)."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert {"type", "code", "title", "status", "detail", "instance"} <= body.keys()
    assert response.headers.get("api-version") == "1.5.1"
    return body


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], p["code"]) for p in body.get("invalidParams", [])]
