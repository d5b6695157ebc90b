"""Statussen, resultaten and rollen of a zaak: closing through the eindstatus (zrc-007) with the archiving fields
derived from the resultaat (zrc-021), reopening with zaken.heropenen (zrc-008), and the checks that each type
belongs to the zaak's zaaktype (zrc-016, zrc-019, zrc-020)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import Forbidden, NotFound
from plein.zgw.catalogi.models import ResultaatType, RolType, StatusType
from plein.zgw.documenten import service as documenten
from plein.zgw.http import parse_resource_url
from plein.zgw.zaken import waarden
from plein.zgw.zaken.catalogus import invalid, is_eindstatus, part_at
from plein.zgw.zaken.models import Resultaat, Rol, RolIdentificatie, Status, Zaak, ZaakEigenschap, ZaakInformatieObject
from plein.zgw.zaken.service import COMPONENT, Scope, changed, require_on, require_open, zaak_at

WRITE = frozenset({"zaken.bijwerken", "zaken.geforceerd-bijwerken"})
STATUS_WRITE = frozenset({"zaken.aanmaken", "zaken.statussen.toevoegen", "zaken.heropenen", *WRITE})
REOPEN = frozenset({"zaken.heropenen"})
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$")


def add_duration(day: dt.date, duration: str) -> dt.date | None:
    """A date plus an ISO 8601 duration of years, months, weeks and days (None when it is not one)."""
    match = DURATION.match(duration or "")
    if not match:
        return None
    years, months, weeks, days = (int(part or 0) for part in match.groups())
    month_index = day.month - 1 + months + 12 * years
    year, month = day.year + month_index // 12, month_index % 12 + 1
    moved = day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
    return moved + dt.timedelta(weeks=weeks, days=days)


async def create_status(scope: Scope, data: dict[str, Any]) -> Status:
    """Give a zaak a status; the eindstatus closes it, a non-final status on a closed zaak reopens it."""
    zaak = await zaak_at(scope, data["zaak"], "zaak", STATUS_WRITE)
    statustype = await part_at(scope.session, scope.base_url, StatusType, "statustypen", data["statustype"],
                               "statustype", zaak.zaaktype_id)
    closing = await is_eindstatus(scope.session, statustype)
    if zaak.einddatum is not None and not closing:
        if not scope.caller.may(COMPONENT, REOPEN):
            raise Forbidden("reopening a closed zaak needs the scope zaken.heropenen (zrc-008)")
        zaak.einddatum = zaak.archiefactiedatum = zaak.archiefnominatie = None
    elif zaak.einddatum is not None:
        require_open(scope, zaak)
    status = Status(id=uuid.uuid4(), zaak_id=zaak.id, statustype_id=statustype.id,
                    datum_status_gezet=clock.parse(data["datumStatusGezet"]),
                    statustoelichting=data.get("statustoelichting", ""))
    if data.get("gezetdoor"):
        rol = await _rol_at(scope, data["gezetdoor"], "gezetdoor")
        status.gezetdoor_id = rol.id
    if closing:
        await _close(scope.session, zaak, clock.day_of(status.datum_status_gezet))
    scope.session.add(status)
    await scope.session.flush()
    # the newest by datumStatusGezet; a zaak without one had no status before (statussen are never removed)
    zaak.status_id = status.id if zaak.status_id is None else await _latest_status(scope.session, zaak.id)
    url = scope.urls.zaken("statussen", status.id)
    await changed(scope, zaak, "create", 201, None, "status", url, {"url": url}, weergave=statustype.omschrijving)
    return status


async def _latest_status(session: AsyncSession, zaak_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(select(Status.id).where(Status.zaak_id == zaak_id)
                                .order_by(Status.datum_status_gezet.desc(), Status.created_at.desc()).limit(1))


async def _close(session: AsyncSession, zaak: Zaak, einddatum: dt.date) -> None:
    """zrc-007: a resultaat first; zrc-021: archiefnominatie and archiefactiedatum from its resultaattype."""
    resultaat = await session.scalar(select(Resultaat).where(Resultaat.zaak_id == zaak.id))
    if resultaat is None:
        raise invalid("nonFieldErrors", "resultaat-does-not-exist",
                      "a zaak needs a resultaat before its eindstatus is set")
    await _check_gebruiksrechten(session, zaak)
    resultaattype = await session.get(ResultaatType, resultaat.resultaattype_id)
    assert resultaattype is not None
    zaak.einddatum = einddatum
    if zaak.archiefnominatie is None:
        zaak.archiefnominatie = resultaattype.archiefnominatie or None
    if resultaattype.archiefactietermijn:
        brondatum = await _brondatum(session, zaak, resultaattype)
        if brondatum is not None:
            zaak.archiefactiedatum = add_duration(brondatum, resultaattype.archiefactietermijn)


async def _check_gebruiksrechten(session: AsyncSession, zaak: Zaak) -> None:
    """zrc-007: every document of the zaak says whether gebruiksrechten apply (indicatieGebruiksrecht not null)."""
    keys = [key for url in await session.scalars(select(ZaakInformatieObject.informatieobject)
                                                 .where(ZaakInformatieObject.zaak_id == zaak.id))
            if (key := _document_key(url)) is not None]
    unset = await documenten.without_gebruiksrecht(session, keys)
    if unset:
        raise invalid("nonFieldErrors", "indicatiegebruiksrecht-unset",
                      f"{len(unset)} document(s) of the zaak have indicatieGebruiksrecht null; set it to true or false "
                      "before closing the zaak (zrc-007)")


def _document_key(url: str) -> uuid.UUID | None:
    """The uuid at the end of a zaakinformatieobject's informatieobject URL (always one of this Plein's)."""
    try:
        return uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return None


async def _brondatum(session: AsyncSession, zaak: Zaak, resultaattype: ResultaatType) -> dt.date | None:
    """The start of the archiving period, by the resultaattype's afleidingswijze (zrc-021)."""
    procedure = resultaattype.brondatum_archiefprocedure or {}
    way = procedure.get("afleidingswijze")
    if way == "afgehandeld":
        return zaak.einddatum
    if way == "termijn" and zaak.einddatum is not None:
        return add_duration(zaak.einddatum, procedure.get("procestermijn") or "")
    if way == "hoofdzaak" and zaak.hoofdzaak_id is not None:
        return await session.scalar(select(Zaak.einddatum).where(Zaak.id == zaak.hoofdzaak_id))
    if way == "eigenschap":
        value = await session.scalar(select(ZaakEigenschap.waarde).where(
            ZaakEigenschap.zaak_id == zaak.id, ZaakEigenschap.naam == procedure.get("datumkenmerk")))
        return waarden.as_date(value)
    return None  # ander_datumkenmerk is set by hand; the other ways need data this zaak does not carry yet


async def get_status(scope: Scope, key: uuid.UUID) -> tuple[Status, Zaak]:
    status = await scope.session.get(Status, key)
    if status is None:
        raise NotFound(f"there is no status {key}")
    zaak = await scope.session.get(Zaak, status.zaak_id)
    assert zaak is not None
    require_on(scope, frozenset({"zaken.lezen"}), zaak)
    return status, zaak


async def save_resultaat(scope: Scope, data: dict[str, Any], existing: Resultaat | None = None) -> Resultaat:
    """Give a zaak its resultaat (one per zaak), or change it; its type must belong to the zaaktype (zrc-020)."""
    zaak_url = data["zaak"] if existing is None else data.get("zaak") or scope.urls.zaak(existing.zaak_id)
    zaak = await zaak_at(scope, zaak_url, "zaak", WRITE)
    require_open(scope, zaak)
    if existing is not None and existing.zaak_id != zaak.id:
        raise invalid("zaak", "wijzigen-niet-toegelaten", "a resultaat cannot move to another zaak")
    resultaat = existing or Resultaat(id=uuid.uuid4(), zaak_id=zaak.id)
    if "resultaattype" in data:
        resultaattype = await part_at(scope.session, scope.base_url, ResultaatType, "resultaattypen",
                                      data["resultaattype"], "resultaattype", zaak.zaaktype_id)
        resultaat.resultaattype_id = resultaattype.id
    if "toelichting" in data:
        resultaat.toelichting = data["toelichting"]
    if existing is None:
        taken = await scope.session.scalar(select(Resultaat.id).where(Resultaat.zaak_id == zaak.id))
        if taken is not None:
            raise invalid("zaak", "unique", "this zaak already has a resultaat")
        scope.session.add(resultaat)
    await scope.session.flush()
    url = scope.urls.zaken("resultaten", resultaat.id)
    await changed(scope, zaak, "update" if existing else "create", 200 if existing else 201, None, "resultaat", url,
                  {"url": url})
    return resultaat


async def get_part(scope: Scope, model: Any, key: uuid.UUID, scopes: frozenset[str] = frozenset({"zaken.lezen"}),
                   ) -> tuple[Any, Zaak]:
    """A resultaat, rol, … with its zaak, when the caller may see that zaak."""
    row = await scope.session.get(model, key)
    if row is None:
        raise NotFound(f"there is no {model.__tablename__.removeprefix('zgw_')[:-2]} {key}")
    zaak = await scope.session.get(Zaak, row.zaak_id)
    assert zaak is not None
    require_on(scope, scopes, zaak)
    return row, zaak


async def destroy_part(scope: Scope, row: Any, zaak: Zaak, resource: str, collection: str) -> None:
    require_on(scope, WRITE | {"zaken.verwijderen"}, zaak)
    require_open(scope, zaak)
    await scope.session.delete(row)
    await scope.session.flush()
    await changed(scope, zaak, "destroy", 204, {"url": scope.urls.zaken(collection, row.id)}, resource,
                  scope.urls.zaken(collection, row.id), None)


def _identifiers(kind: str, identificatie: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The betrokkene's identifiers that list filters look for, e.g. (`natuurlijkPersoon__inpBsn`, BSN)."""
    prefix = {"natuurlijk_persoon": "natuurlijkPersoon", "niet_natuurlijk_persoon": "nietNatuurlijkPersoon",
              "vestiging": "vestiging", "organisatorische_eenheid": "organisatorischeEenheid",
              "medewerker": "medewerker"}.get(kind)
    if prefix is None or not identificatie:
        return []
    return [(f"{prefix}__{key}", str(value)[:200]) for key, value in identificatie.items()
            if isinstance(value, str | int) and value != ""]


async def create_rol(scope: Scope, data: dict[str, Any], flush: bool = True) -> tuple[Rol, RolType]:
    """Add a rol; its roltype must belong to the zaaktype (zrc-019); the betrokkene by URL and/or identification.
    With flush False the rol is only added to the session (a caller that adds several flushes them together)."""
    zaak = await zaak_at(scope, data["zaak"], "zaak", WRITE | {"zaken.aanmaken"})
    require_open(scope, zaak)
    roltype = await part_at(scope.session, scope.base_url, RolType, "roltypen", data["roltype"], "roltype",
                            zaak.zaaktype_id)
    identificatie = data.get("betrokkeneIdentificatie")
    if not data.get("betrokkene") and not identificatie:
        raise invalid("betrokkeneIdentificatie", "invalid-betrokkene",
                      "give the betrokkene as a URL or as betrokkeneIdentificatie")
    rol = Rol(id=uuid.uuid4(), zaak_id=zaak.id, roltype_id=roltype.id, betrokkene=data.get("betrokkene") or "",
              betrokkene_type=data["betrokkeneType"],
              afwijkende_naam_betrokkene=data.get("afwijkendeNaamBetrokkene", ""),
              roltoelichting=data.get("roltoelichting", ""), indicatie_machtiging=data.get("indicatieMachtiging", ""),
              contactpersoon_rol=data.get("contactpersoonRol"), betrokkene_identificatie=identificatie)
    scope.session.add(rol)
    if flush:
        await scope.session.flush()
    for name, value in _identifiers(rol.betrokkene_type, identificatie):
        scope.session.add(RolIdentificatie(rol_id=rol.id, zaak_id=zaak.id, name=name, value=value))
    url = scope.urls.zaken("rollen", rol.id)
    await changed(scope, zaak, "create", 201, None, "rol", url, {"url": url}, weergave=roltype.omschrijving)
    return rol, roltype


async def _rol_at(scope: Scope, value: str, name: str) -> Rol:
    key = parse_resource_url(scope.base_url, value, "zaken", "rollen", name)
    rol = await scope.session.get(Rol, key)
    if rol is None:
        raise invalid(name, "bad-url", "the URL does not resolve to a rol here")
    return rol
