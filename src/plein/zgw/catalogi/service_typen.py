"""Informatieobjecttypen and besluittypen: their fields, references by omschrijving, filters and representation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import InvalidParam
from plein.zgw.catalogi import fields
from plein.zgw.catalogi.common import (
    BESLUITTYPE,
    INFORMATIEOBJECTTYPE,
    Links,
    concept_clause,
    date_param,
    json_contains,
    local_key,
    names_from_refs,
    paged,
    status_param,
    url_param,
    urls_for,
    valid_on,
    valid_versions,
)
from plein.zgw.catalogi.correctie import Growing
from plein.zgw.catalogi.models import (
    BesluitType,
    InformatieObjectType,
    ResultaatType,
    ZaakType,
    ZaakTypeInformatieObjectType,
)
from plein.zgw.catalogi.versioned import TypeSpec

VALIDITY = (
    fields.Field("beginGeldigheid", "begin_geldigheid", "date"),
    fields.Field("eindeGeldigheid", "einde_geldigheid", "date"),
    fields.Field("beginObject", "begin_object", "date"), fields.Field("eindeObject", "einde_object", "date"),
)
IOT_FIELDS = (
    fields.plain("omschrijving", "omschrijving"),
    fields.plain("vertrouwelijkheidaanduiding", "vertrouwelijkheidaanduiding"),
    fields.plain("informatieobjectcategorie", "informatieobjectcategorie"),
    fields.plain("trefwoord", "trefwoord", "list"),
    fields.Field("omschrijvingGeneriek", "omschrijving_generiek", "json"),
    *VALIDITY,
)
BT_FIELDS = (
    fields.plain("omschrijving", "omschrijving"), fields.plain("omschrijvingGeneriek", "omschrijving_generiek"),
    fields.plain("besluitcategorie", "besluitcategorie"), fields.Field("reactietermijn", "reactietermijn"),
    fields.Field("publicatieIndicatie", "publicatie_indicatie", "bool"),
    fields.plain("publicatietekst", "publicatietekst"), fields.Field("publicatietermijn", "publicatietermijn"),
    fields.plain("toelichting", "toelichting"),
    *VALIDITY,
)


async def _besluittype_references(session: AsyncSession, links: Links, data: dict[str, Any],
                                  catalogus_id: uuid.UUID) -> tuple[dict[str, Any], list[InvalidParam]]:
    if "informatieobjecttypen" not in data:
        return {}, []
    names, problems = await names_from_refs(session, links, INFORMATIEOBJECTTYPE, data["informatieobjecttypen"],
                                            "informatieobjecttypen", catalogus_id)
    return {"informatieobjecttypen": names}, problems


IOT_SPEC = TypeSpec(INFORMATIEOBJECTTYPE, IOT_FIELDS, growing=(Growing("trefwoord", "trefwoord"),))
BT_SPEC = TypeSpec(BESLUITTYPE, BT_FIELDS, frozenset({"informatieobjecttypen"}), _besluittype_references,
                   growing=(Growing("informatieobjecttypen", "informatieobjecttypen"),))


# --- lists -----------------------------------------------------------------------------------------------------


def _common_filters(links: Links, model: Any, query: dict[str, str], found: Select[Any]) -> Select[Any]:
    catalogus = local_key(links, url_param(query, "catalogus"), "catalogussen")
    if catalogus is not None:
        found = found.where(model.catalogus_id == catalogus)
    if "omschrijving" in query:
        found = found.where(model.omschrijving == query["omschrijving"])
    clause = concept_clause(status_param(query), model.concept)
    if clause is not None:
        found = found.where(clause)
    day = date_param(query, "datumGeldigheid")
    if day is not None:
        found = found.where(valid_on(model.begin_geldigheid, model.einde_geldigheid, day))
    return found


async def list_informatieobjecttypen(session: AsyncSession, links: Links, query: dict[str, str], page: int,
                                     size: int) -> tuple[int, list[InformatieObjectType]]:
    found = _common_filters(links, InformatieObjectType, query, select(InformatieObjectType))
    return await paged(session, found, page, size, (InformatieObjectType.created_at, InformatieObjectType.id))


async def list_besluittypen(session: AsyncSession, links: Links, query: dict[str, str], page: int,
                            size: int) -> tuple[int, list[BesluitType]]:
    found = _common_filters(links, BesluitType, query, select(BesluitType))
    zaaktype_key = local_key(links, url_param(query, "zaaktypen"), "zaaktypen")
    if zaaktype_key is not None:
        zaaktype = await session.get(ZaakType, zaaktype_key)
        names = zaaktype.besluittypen if zaaktype is not None else []
        found = found.where(BesluitType.omschrijving.in_(names),
                            BesluitType.catalogus_id == (zaaktype.catalogus_id if zaaktype else None))
    iot_key = local_key(links, url_param(query, "informatieobjecttypen"), "informatieobjecttypen")
    if iot_key is not None:
        iot = await session.get(InformatieObjectType, iot_key)
        if iot is None:
            found = found.where(BesluitType.id.is_(None))
        else:
            found = found.where(BesluitType.catalogus_id == iot.catalogus_id,
                                json_contains(session, BesluitType.informatieobjecttypen, iot.omschrijving))
    return await paged(session, found, page, size, (BesluitType.created_at, BesluitType.id))


# --- representation --------------------------------------------------------------------------------------------


def _validity_and_base(links: Links, kind_collection: str, row: Any, own: tuple[fields.Field, ...]) -> dict[str, Any]:
    return {"url": links.url(kind_collection, row.id), "catalogus": links.url("catalogussen", row.catalogus_id),
            **fields.represent(own, row), "concept": row.concept}


async def _published_rows(session: AsyncSession, model: Any, catalogi: set[uuid.UUID], day: dt.date,
                          *columns: Any) -> list[Any]:
    return list(await session.execute(
        select(model.catalogus_id, model.id, *columns)
        .where(model.catalogus_id.in_(catalogi), model.concept.is_(False),
               valid_on(model.begin_geldigheid, model.einde_geldigheid, day))
        .order_by(model.begin_geldigheid, model.created_at)))


async def represent_informatieobjecttypen(session: AsyncSession, links: Links, rows: list[InformatieObjectType],
                                          day: dt.date | None = None) -> list[dict[str, Any]]:
    """Each with the zaaktypen (through zaaktype-informatieobjecttypen) and besluittypen that name it: their
    published versions valid on the day (today when not given)."""
    day = day or clock.today()
    catalogi = {row.catalogus_id for row in rows}
    zaaktypen: dict[tuple[uuid.UUID, str], list[str]] = {}
    for catalogus_id, key, name in await session.execute(
            select(ZaakType.catalogus_id, ZaakType.id, ZaakTypeInformatieObjectType.informatieobjecttype)
            .join(ZaakTypeInformatieObjectType, ZaakTypeInformatieObjectType.zaaktype_id == ZaakType.id)
            .where(ZaakType.catalogus_id.in_(catalogi), ZaakType.concept.is_(False),
                   valid_on(ZaakType.begin_geldigheid, ZaakType.einde_geldigheid, day))
            .order_by(ZaakType.begin_geldigheid, ZaakType.created_at)):
        urls = zaaktypen.setdefault((catalogus_id, name), [])
        if links.url("zaaktypen", key) not in urls:
            urls.append(links.url("zaaktypen", key))
    besluittypen = await _published_rows(session, BesluitType, catalogi, day, BesluitType.informatieobjecttypen)
    shown = []
    for row in rows:
        body = _validity_and_base(links, "informatieobjecttypen", row, IOT_FIELDS)
        if body["omschrijvingGeneriek"] is None:
            del body["omschrijvingGeneriek"]
        body["zaaktypen"] = zaaktypen.get((row.catalogus_id, row.omschrijving), [])
        body["besluittypen"] = [links.url("besluittypen", key) for catalogus_id, key, names in besluittypen
                                if catalogus_id == row.catalogus_id and row.omschrijving in names]
        shown.append(body)
    return shown


async def represent_besluittypen(session: AsyncSession, links: Links, rows: list[BesluitType],
                                 day: dt.date | None = None) -> list[dict[str, Any]]:
    """Each with its informatieobjecttypen (vastgelegdIn: their omschrijvingen), the zaaktypen that name it and the
    resultaattypen of those zaaktypen that name it; related versions as published and valid on the day."""
    day = day or clock.today()
    catalogi = {row.catalogus_id for row in rows}
    iots = await valid_versions(session, INFORMATIEOBJECTTYPE, catalogi,
                                {name for row in rows for name in row.informatieobjecttypen}, day)
    zaaktypen = await _published_rows(session, ZaakType, catalogi, day, ZaakType.besluittypen)
    zaaktype_ids = [key for _, key, _ in zaaktypen]
    resultaattypen = list(await session.execute(
        select(ResultaatType.zaaktype_id, ResultaatType.id, ResultaatType.omschrijving, ResultaatType.besluittypen)
        .where(ResultaatType.zaaktype_id.in_(zaaktype_ids)).order_by(ResultaatType.created_at)))
    catalogus_of = {key: catalogus_id for catalogus_id, key, _ in zaaktypen}
    shown = []
    for row in rows:
        body = _validity_and_base(links, "besluittypen", row, BT_FIELDS)
        own = [r for r in resultaattypen if catalogus_of[r[0]] == row.catalogus_id and row.omschrijving in r[3]]
        body |= {
            "informatieobjecttypen": urls_for(links, INFORMATIEOBJECTTYPE, iots, row.catalogus_id,
                                              row.informatieobjecttypen),
            "vastgelegdIn": list(row.informatieobjecttypen),
            "zaaktypen": [links.url("zaaktypen", key) for catalogus_id, key, names in zaaktypen
                          if catalogus_id == row.catalogus_id and row.omschrijving in names],
            "resultaattypen": [links.url("resultaattypen", r[1]) for r in own],
            "resultaattypenOmschrijving": list(dict.fromkeys(r[2] for r in own)),
        }
        shown.append(body)
    return shown

