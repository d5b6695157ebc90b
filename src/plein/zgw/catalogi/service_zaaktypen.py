"""Zaaktypen: their fields and references, the rules for publishing one (ztc-012), the version valid on a date, and
their representation with the URLs of their parts and of the related types valid on that date."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.zgw.catalogi import fields
from plein.zgw.catalogi.common import (
    BESLUITTYPE,
    INFORMATIEOBJECTTYPE,
    ZAAKTYPE,
    Links,
    concept_clause,
    date_param,
    existing_names,
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
from plein.zgw.catalogi.correctie import Growing, by_key
from plein.zgw.catalogi.models import (
    Eigenschap,
    ResultaatType,
    RolType,
    StatusType,
    ZaakObjectType,
    ZaakType,
    ZaakTypeInformatieObjectType,
)
from plein.zgw.catalogi.versioned import TypeSpec

FIELDS = (
    fields.plain("identificatie", "identificatie"), fields.plain("omschrijving", "omschrijving"),
    fields.plain("omschrijvingGeneriek", "omschrijving_generiek"),
    fields.plain("vertrouwelijkheidaanduiding", "vertrouwelijkheidaanduiding"),
    fields.plain("doel", "doel"), fields.plain("aanleiding", "aanleiding"), fields.plain("toelichting", "toelichting"),
    fields.plain("indicatieInternOfExtern", "indicatie_intern_of_extern"),
    fields.plain("handelingInitiator", "handeling_initiator"), fields.plain("onderwerp", "onderwerp"),
    fields.plain("handelingBehandelaar", "handeling_behandelaar"), fields.plain("doorlooptijd", "doorlooptijd"),
    fields.Field("servicenorm", "servicenorm"),
    fields.Field("opschortingEnAanhoudingMogelijk", "opschorting_en_aanhouding_mogelijk", "bool"),
    fields.Field("verlengingMogelijk", "verlenging_mogelijk", "bool"),
    fields.Field("verlengingstermijn", "verlengingstermijn"),
    fields.plain("trefwoorden", "trefwoorden", "list"),
    fields.Field("publicatieIndicatie", "publicatie_indicatie", "bool"),
    fields.plain("publicatietekst", "publicatietekst"),
    fields.plain("verantwoordingsrelatie", "verantwoordingsrelatie", "list"),
    fields.plain("productenOfDiensten", "producten_of_diensten", "list"),
    fields.plain("selectielijstProcestype", "selectielijst_procestype"),
    fields.plain("referentieproces", "referentieproces", "dict"),
    fields.plain("verantwoordelijke", "verantwoordelijke"),
    fields.Field("broncatalogus", "broncatalogus", "json"), fields.Field("bronzaaktype", "bronzaaktype", "json"),
    fields.Field("beginGeldigheid", "begin_geldigheid", "date"),
    fields.Field("eindeGeldigheid", "einde_geldigheid", "date"),
    fields.Field("beginObject", "begin_object", "date"), fields.Field("eindeObject", "einde_object", "date"),
    fields.Field("versiedatum", "versiedatum", "date"),
)
PARTS: tuple[tuple[str, Any], ...] = (
    ("statustypen", StatusType), ("resultaattypen", ResultaatType), ("eigenschappen", Eigenschap),
    ("roltypen", RolType), ("zaakobjecttypen", ZaakObjectType),
)


async def _references(session: AsyncSession, links: Links, data: dict[str, Any],
                      catalogus_id: uuid.UUID) -> tuple[dict[str, Any], list[InvalidParam]]:
    """besluittypen by omschrijving, deelzaaktypen and gerelateerde zaaktypen by identificatie (or by URL)."""
    found: dict[str, Any] = {}
    problems: list[InvalidParam] = []
    if "besluittypen" in data:
        found["besluittypen"], more = await names_from_refs(session, links, BESLUITTYPE, data["besluittypen"],
                                                            "besluittypen", catalogus_id)
        problems += more
    if "deelzaaktypen" in data:
        found["deelzaaktypen"], more = await names_from_refs(session, links, ZAAKTYPE, data["deelzaaktypen"],
                                                             "deelzaaktypen", catalogus_id)
        problems += more
    if "gerelateerdeZaaktypen" in data:
        found["gerelateerde_zaaktypen"] = []
        for index, relatie in enumerate(data["gerelateerdeZaaktypen"]):
            target, more = await _related_zaaktype(session, links, relatie["zaaktype"], index, catalogus_id)
            problems += more
            found["gerelateerde_zaaktypen"].append({"zaaktype": target, "aardRelatie": relatie["aardRelatie"],
                                                    "toelichting": relatie.get("toelichting", "")})
    return found, problems


async def _related_zaaktype(session: AsyncSession, links: Links, value: str, index: int,
                            catalogus_id: uuid.UUID) -> tuple[str, list[InvalidParam]]:
    """A related zaaktype: an identificatie, a URL of ours (kept as its identificatie), or another catalogus' URL."""
    name = f"gerelateerdeZaaktypen.{index}.zaaktype"
    if urlparse(value).scheme not in ("http", "https"):
        return value, []
    if not links.is_local(value):
        return value, []
    try:
        row = await session.get(ZaakType, links.key(value, "zaaktypen", name))
    except InvalidInput as exc:
        return value, exc.invalid_params
    if row is None:
        return value, [InvalidParam(name, "bad-url", "there is no zaaktype at this URL")]
    return (row.identificatie if row.catalogus_id == catalogus_id else value), []


def _rules(state: dict[str, Any]) -> list[InvalidParam]:
    """A verlengingstermijn goes with verlengingMogelijk, and only then."""
    if state.get("verlenging_mogelijk") and not state.get("verlengingstermijn"):
        return [InvalidParam("verlengingstermijn", "required", "required when verlengingMogelijk is true")]
    if state.get("verlenging_mogelijk") is False and state.get("verlengingstermijn"):
        return [InvalidParam("verlengingstermijn", "must-be-empty", "only when verlengingMogelijk is true")]
    return []


async def _publish_check(session: AsyncSession, row: ZaakType) -> list[InvalidParam]:
    """ztc-012: the related besluittypen, informatieobjecttypen and deelzaaktypen are published; and, as Open Zaak
    requires, the zaaktype has at least one roltype, one resultaattype (each with a selectielijstklasse) and two
    statustypen."""
    problems: list[InvalidParam] = []
    iot_names = set(await session.scalars(select(ZaakTypeInformatieObjectType.informatieobjecttype)
                                          .where(ZaakTypeInformatieObjectType.zaaktype_id == row.id)))
    for kind, names in ((BESLUITTYPE, row.besluittypen), (INFORMATIEOBJECTTYPE, iot_names),
                        (ZAAKTYPE, row.deelzaaktypen)):
        missing = set(names) - await existing_names(session, kind, row.catalogus_id, names, published=True)
        problems += [InvalidParam("nonFieldErrors", "concept-relation",
                                  f"{kind.resource} {name!r} has no published version; publish it first (ztc-012)")
                     for name in sorted(missing)]
    without_klasse = await session.scalar(select(func.count()).select_from(ResultaatType).where(
        ResultaatType.zaaktype_id == row.id, ResultaatType.selectielijstklasse == ""))
    if without_klasse:
        problems.append(InvalidParam("resultaattypen", "invalid",
                                     "every resultaattype needs a selectielijstklasse to publish the zaaktype"))
    for name, model, least in (("roltypen", RolType, 1), ("resultaattypen", ResultaatType, 1),
                               ("statustypen", StatusType, 2)):
        count = await session.scalar(select(func.count()).select_from(model).where(model.zaaktype_id == row.id)) or 0
        if count < least:
            problems.append(InvalidParam(name, "invalid", f"publishing a zaaktype needs at least {least} {name}"))
    return problems


GROWING = (
    Growing("trefwoorden", "trefwoorden"), Growing("verantwoordingsrelatie", "verantwoordingsrelatie"),
    Growing("productenOfDiensten", "producten_of_diensten"), Growing("besluittypen", "besluittypen"),
    Growing("deelzaaktypen", "deelzaaktypen"),
    Growing("gerelateerdeZaaktypen", "gerelateerde_zaaktypen", by_key("zaaktype")),
)
SPEC = TypeSpec(ZAAKTYPE, FIELDS, frozenset({"besluittypen", "deelzaaktypen", "gerelateerdeZaaktypen"}),
                _references, _rules, _publish_check, GROWING)


# --- reading ---------------------------------------------------------------------------------------------------


async def version_on(session: AsyncSession, row: ZaakType, day: dt.date) -> ZaakType:
    """The version of this zaaktype (same catalogus and identificatie) valid on a day, published ones first."""
    found = await session.scalar(
        select(ZaakType).where(ZaakType.catalogus_id == row.catalogus_id, ZaakType.identificatie == row.identificatie,
                               valid_on(ZaakType.begin_geldigheid, ZaakType.einde_geldigheid, day))
        .order_by(ZaakType.concept, ZaakType.begin_geldigheid.desc()).limit(1))
    if found is None:
        raise NotFound(f"zaaktype {row.identificatie!r} has no version valid on {day.isoformat()}")
    return found


def _filtered(session: AsyncSession, links: Links, query: dict[str, str]) -> Select[Any]:
    found = select(ZaakType)
    catalogus = local_key(links, url_param(query, "catalogus"), "catalogussen")
    if catalogus is not None:
        found = found.where(ZaakType.catalogus_id == catalogus)
    if "identificatie" in query:
        found = found.where(ZaakType.identificatie == query["identificatie"])
    for word in (w for w in query.get("trefwoorden", "").split(",") if w):
        found = found.where(json_contains(session, ZaakType.trefwoorden, word))
    clause = concept_clause(status_param(query), ZaakType.concept)
    if clause is not None:
        found = found.where(clause)
    day = date_param(query, "datumGeldigheid")
    if day is not None:
        found = found.where(valid_on(ZaakType.begin_geldigheid, ZaakType.einde_geldigheid, day))
    return found


async def list_zaaktypen(session: AsyncSession, links: Links, query: dict[str, str], page: int,
                         size: int) -> tuple[int, list[ZaakType]]:
    return await paged(session, _filtered(session, links, query), page, size, (ZaakType.created_at, ZaakType.id))


async def _parts(session: AsyncSession, keys: list[uuid.UUID]) -> dict[tuple[str, uuid.UUID], list[uuid.UUID]]:
    found: dict[tuple[str, uuid.UUID], list[uuid.UUID]] = {}
    for collection, model in PARTS:
        order = (model.volgnummer,) if model is StatusType else (model.created_at, model.id)
        rows = await session.execute(select(model.zaaktype_id, model.id).where(model.zaaktype_id.in_(keys))
                                     .order_by(*order))
        for zaaktype_id, key in rows:
            found.setdefault((collection, zaaktype_id), []).append(key)
    return found


async def represent_many(session: AsyncSession, links: Links, rows: list[ZaakType],
                         day: dt.date | None = None) -> list[dict[str, Any]]:
    """Zaaktypen in the standard's shape; related types as the URLs of their published versions valid on `day`
    (today when not given), as Catalogi 1.3.2 specifies for these version-independent references."""
    day = day or clock.today()
    keys = [row.id for row in rows]
    catalogi = {row.catalogus_id for row in rows}
    parts = await _parts(session, keys)
    iot_names: dict[uuid.UUID, list[str]] = {}
    for zaaktype_id, name in await session.execute(
            select(ZaakTypeInformatieObjectType.zaaktype_id, ZaakTypeInformatieObjectType.informatieobjecttype)
            .where(ZaakTypeInformatieObjectType.zaaktype_id.in_(keys))
            .order_by(ZaakTypeInformatieObjectType.volgnummer)):
        iot_names.setdefault(zaaktype_id, []).append(name)
    zaaktype_names = {name for row in rows for name in row.deelzaaktypen} | {
        relatie["zaaktype"] for row in rows for relatie in row.gerelateerde_zaaktypen}
    besluittypen = await valid_versions(session, BESLUITTYPE, catalogi, {n for r in rows for n in r.besluittypen}, day)
    iots = await valid_versions(session, INFORMATIEOBJECTTYPE, catalogi,
                                {n for names in iot_names.values() for n in names}, day)
    zaaktypen = await valid_versions(session, ZAAKTYPE, catalogi, zaaktype_names, day)
    shown = []
    for row in rows:
        body: dict[str, Any] = {"url": links.url("zaaktypen", row.id), **fields.represent(FIELDS, row)}
        for name in ("broncatalogus", "bronzaaktype"):
            if body[name] is None:
                del body[name]
        body |= {collection: [links.url(collection, key) for key in parts.get((collection, row.id), [])]
                 for collection, _ in PARTS}
        body |= {
            "catalogus": links.url("catalogussen", row.catalogus_id), "concept": row.concept,
            "besluittypen": urls_for(links, BESLUITTYPE, besluittypen, row.catalogus_id, row.besluittypen),
            "informatieobjecttypen": list(dict.fromkeys(
                urls_for(links, INFORMATIEOBJECTTYPE, iots, row.catalogus_id, iot_names.get(row.id, [])))),
            "deelzaaktypen": urls_for(links, ZAAKTYPE, zaaktypen, row.catalogus_id, row.deelzaaktypen),
            "gerelateerdeZaaktypen": _related(links, zaaktypen, row),
        }
        shown.append(body)
    return shown


def _related(links: Links, versions: dict[tuple[uuid.UUID, str], list[uuid.UUID]],
             row: ZaakType) -> list[dict[str, Any]]:
    """Each relation with the URL of the related zaaktype: given URLs as they are, identificaties resolved to the
    version valid on the day (a relation whose zaaktype has no valid published version is left out)."""
    shown = []
    for relatie in row.gerelateerde_zaaktypen:
        target = relatie["zaaktype"]
        if urlparse(target).scheme not in ("http", "https"):
            keys = versions.get((row.catalogus_id, target), [])
            if not keys:
                continue
            target = links.url("zaaktypen", keys[-1])
        shown.append({"zaaktype": target, "aardRelatie": relatie["aardRelatie"],
                      "toelichting": relatie.get("toelichting", "")})
    return shown


async def represent(session: AsyncSession, links: Links, row: ZaakType, day: dt.date | None = None) -> dict[str, Any]:
    return (await represent_many(session, links, [row], day))[0]
