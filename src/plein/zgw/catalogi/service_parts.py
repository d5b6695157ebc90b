"""What is particular to each part of a zaaktype: fields, references to sibling parts and to types by name, the
brondatumArchiefprocedure rules of a resultaattype (ztc-004 … ztc-008), the lengte of an eigenschap's datum and
datum_tijd (ztc-015), what a correctie may only extend, filters and derived values."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import InvalidParam
from plein.zgw.catalogi import fields
from plein.zgw.catalogi.common import (
    BESLUITTYPE,
    INFORMATIEOBJECTTYPE,
    Links,
    date_param,
    existing_names,
    invalid,
    local_key,
    names_from_refs,
    status_param,
    url_param,
    urls_for,
    valid_versions,
)
from plein.zgw.catalogi.correctie import CODE as CORRECTIE
from plein.zgw.catalogi.correctie import Growing, by_key
from plein.zgw.catalogi.models import (
    Eigenschap,
    InformatieObjectType,
    ResultaatType,
    RolType,
    StatusType,
    ZaakObjectType,
    ZaakType,
    ZaakTypeInformatieObjectType,
)
from plein.zgw.catalogi.parts import PartSpec, sibling_key, sibling_keys, zaaktype_published

# ztc-004 … ztc-008: per afleidingswijze, which parts of brondatumArchiefprocedure must be given (True) or must be
# empty (False); parts not named are free. einddatumBekend may not be true for afgehandeld and termijn (ztc-005).
BRONDATUM_RULES: dict[str, dict[str, bool]] = {
    "afgehandeld": {"datumkenmerk": False, "einddatumBekend": False, "objecttype": False, "registratie": False,
                    "procestermijn": False},
    "termijn": {"datumkenmerk": False, "einddatumBekend": False, "objecttype": False, "registratie": False,
                "procestermijn": True},
    "eigenschap": {"datumkenmerk": True, "objecttype": False, "registratie": False, "procestermijn": False},
    "zaakobject": {"datumkenmerk": True, "objecttype": True, "registratie": False, "procestermijn": False},
    "ander_datumkenmerk": {"datumkenmerk": True, "objecttype": True, "registratie": True, "procestermijn": False},
}
BRONDATUM_RULE_CODES = {"datumkenmerk": "ztc-004", "einddatumBekend": "ztc-005", "objecttype": "ztc-006",
                        "registratie": "ztc-007", "procestermijn": "ztc-008"}
OTHER_AFLEIDINGSWIJZE = {"datumkenmerk": False, "objecttype": False, "registratie": False, "procestermijn": False}
BRONDATUM_EMPTY = {"datumkenmerk": "", "einddatumBekend": False, "objecttype": "", "registratie": "",
                   "procestermijn": None}
# ztc-015 (Catalogi 1.3.2): the lengte an eigenschap's specificatie must have for each date formaat (YYYYMMDD,
# YYYYMMDDhhmmss); the 1.3.1 document spells the formaat datum_tijd (the 1.3.2 text writes datum-tijd).
DATE_LENGTE = {"datum": "8", "datum_tijd": "14"}


def _urls(links: Links, collection: str, keys: list[str], existing: set[uuid.UUID]) -> list[str]:
    return [links.url(collection, uuid.UUID(key)) for key in keys if uuid.UUID(key) in existing]


async def _existing(session: AsyncSession, model: Any, keys: set[str]) -> set[uuid.UUID]:
    wanted = {uuid.UUID(key) for key in keys}
    return set(await session.scalars(select(model.id).where(model.id.in_(wanted)))) if wanted else set()


# --- statustypen -----------------------------------------------------------------------------------------------


async def _statustype_references(session: AsyncSession, links: Links, data: dict[str, Any],
                                 zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    if "eigenschappen" not in data:
        return {}, []
    keys, problems = await sibling_keys(session, links, Eigenschap, "eigenschappen", data["eigenschappen"],
                                        "eigenschappen", zaaktype)
    return {"eigenschappen": keys}, problems


async def _zaakobjecttypen_of(session: AsyncSession, zaaktype_ids: set[uuid.UUID]) -> list[ZaakObjectType]:
    return list(await session.scalars(select(ZaakObjectType).where(ZaakObjectType.zaaktype_id.in_(zaaktype_ids))
                                      .order_by(ZaakObjectType.created_at)))


async def _statustype_extra(session: AsyncSession, links: Links, rows: list[StatusType],
                            zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    """isEindstatus (the highest volgnummer of the zaaktype), eigenschappen, and the zaakobjecttype that needs it
    (null when none does: a Catalogi 1.3.1 erratum, 1.3.2 drops the field)."""
    last = dict(list(await session.execute(select(StatusType.zaaktype_id, func.max(StatusType.volgnummer))
                                           .where(StatusType.zaaktype_id.in_(zaaktypen))
                                           .group_by(StatusType.zaaktype_id))))
    eigenschappen = await _existing(session, Eigenschap, {key for row in rows for key in row.eigenschappen})
    objecttypen = await _zaakobjecttypen_of(session, set(zaaktypen))
    return [{
        "isEindstatus": row.volgnummer == last.get(row.zaaktype_id),
        "eigenschappen": _urls(links, "eigenschappen", row.eigenschappen, eigenschappen),
        "zaakobjecttype": next((links.url("zaakobjecttypen", o.id) for o in objecttypen
                                if str(row.id) in o.statustypen), None),
    } for row in rows]


async def _statustype_correctie(session: AsyncSession, zaaktype: ZaakType, row: StatusType | None,
                                values: dict[str, Any]) -> list[InvalidParam]:
    """A correctie adds a statustype only after the last one, and leaves an existing one in its place."""
    volgnummer = values.get("volgnummer")
    if volgnummer is None or (row is not None and volgnummer == row.volgnummer):
        return []
    if row is not None:
        return [InvalidParam("volgnummer", CORRECTIE, f"a correctie may only extend; moving statustype "
                                                      f"{row.volgnummer} to {volgnummer} would change the order "
                                                      "existing zaken went through")]
    last = await session.scalar(select(func.max(StatusType.volgnummer)).where(StatusType.zaaktype_id == zaaktype.id))
    if last is not None and volgnummer <= last:
        return [InvalidParam("volgnummer", CORRECTIE, f"a correctie may only extend; a statustype is added after the "
                                                      f"last one, so its volgnummer must be above {last}")]
    return []


STATUSTYPE = PartSpec(
    "statustypen", StatusType, "statustype",
    (fields.plain("omschrijving", "omschrijving"), fields.plain("omschrijvingGeneriek", "omschrijving_generiek"),
     fields.plain("statustekst", "statustekst"), fields.Field("volgnummer", "volgnummer", "int"),
     fields.Field("informeren", "informeren", "bool", False), fields.Field("doorlooptijd", "doorlooptijd"),
     fields.Field("toelichting", "toelichting"),
     fields.plain("checklistitemStatustype", "checklistitem_statustype", "list")),
    references=_statustype_references, extras_of=_statustype_extra, unique=("volgnummer",),
    order=("volgnummer", "created_at"), correctie=_statustype_correctie,
    growing=(Growing("eigenschappen", "eigenschappen", collection="eigenschappen"),
             Growing("checklistitemStatustype", "checklistitem_statustype", by_key("itemnaam"))),
)


# --- roltypen --------------------------------------------------------------------------------------------------


async def _roltype_filters(session: AsyncSession, links: Links, query: dict[str, str],
                           found: Select[Any]) -> Select[Any]:
    if "omschrijvingGeneriek" in query:
        found = found.where(RolType.omschrijving_generiek == query["omschrijvingGeneriek"])
    return found


ROLTYPE = PartSpec(
    "roltypen", RolType, "roltype",
    (fields.plain("omschrijving", "omschrijving"), fields.plain("omschrijvingGeneriek", "omschrijving_generiek")),
    filters=_roltype_filters,
)


# --- resultaattypen --------------------------------------------------------------------------------------------


def brondatum_problems(procedure: dict[str, Any] | None) -> list[InvalidParam]:
    """ztc-004 … ztc-008 on brondatumArchiefprocedure, one problem per part that breaks its rule."""
    if not procedure:
        return []
    afleidingswijze = procedure.get("afleidingswijze", "")
    problems = []
    for part, needed in BRONDATUM_RULES.get(afleidingswijze, OTHER_AFLEIDINGSWIJZE).items():
        present = bool(procedure.get(part))
        if present == needed:
            continue
        rule = BRONDATUM_RULE_CODES[part]
        if needed:
            problems.append(InvalidParam(f"brondatumArchiefprocedure.{part}", "required",
                                         f"required when afleidingswijze is {afleidingswijze} ({rule})"))
        else:
            problems.append(InvalidParam(f"brondatumArchiefprocedure.{part}", "must-be-empty",
                                         f"must be empty when afleidingswijze is {afleidingswijze} ({rule})"))
    return problems


def _resultaattype_rules(state: dict[str, Any]) -> list[InvalidParam]:
    return brondatum_problems(state.get("brondatum_archiefprocedure"))


async def _resultaattype_references(session: AsyncSession, links: Links, data: dict[str, Any],
                                    zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    """besluittypen and informatieobjecttypen, named by omschrijving or URL, from the zaaktype's catalogus."""
    found: dict[str, Any] = {}
    problems: list[InvalidParam] = []
    for name, kind in (("besluittypen", BESLUITTYPE), ("informatieobjecttypen", INFORMATIEOBJECTTYPE)):
        if name in data:
            values = [value for value in data[name] if value is not None]
            found[name], more = await names_from_refs(session, links, kind, values, name, zaaktype.catalogus_id)
            problems += more
    if data.get("brondatumArchiefprocedure") is not None:
        found["brondatum_archiefprocedure"] = {**BRONDATUM_EMPTY, **data["brondatumArchiefprocedure"]}
    return found, problems


async def _resultaattype_extra(session: AsyncSession, links: Links, rows: list[ResultaatType],
                               zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    """The besluittypen and informatieobjecttypen valid today with their omschrijvingen, the zaakobjecttypen that
    name the resultaattype; omschrijvingGeneriek would come from the referentielijsten API, which Plein does not
    call (it stays empty)."""
    today = clock.today()
    catalogi = {z.catalogus_id for z in zaaktypen.values()}
    besluittypen = await valid_versions(session, BESLUITTYPE, catalogi, {n for r in rows for n in r.besluittypen},
                                        today)
    iots = await valid_versions(session, INFORMATIEOBJECTTYPE, catalogi,
                                {n for r in rows for n in r.informatieobjecttypen}, today)
    objecttypen = await _zaakobjecttypen_of(session, set(zaaktypen))
    shown = []
    for row in rows:
        catalogus_id = zaaktypen[row.zaaktype_id].catalogus_id
        shown.append({
            "omschrijvingGeneriek": "",
            "besluittypen": urls_for(links, BESLUITTYPE, besluittypen, catalogus_id, row.besluittypen),
            "besluittypeOmschrijving": list(row.besluittypen),
            "informatieobjecttypen": urls_for(links, INFORMATIEOBJECTTYPE, iots, catalogus_id,
                                              row.informatieobjecttypen),
            "informatieobjecttypeOmschrijving": list(row.informatieobjecttypen),
            "zaakobjecttypen": [links.url("zaakobjecttypen", o.id) for o in objecttypen
                                if str(row.id) in o.resultaattypen],
        })
    return shown


RESULTAATTYPE = PartSpec(
    "resultaattypen", ResultaatType, "resultaattype",
    (fields.plain("omschrijving", "omschrijving"),
     fields.plain("resultaattypeomschrijving", "resultaattypeomschrijving"),
     fields.plain("selectielijstklasse", "selectielijstklasse"), fields.plain("toelichting", "toelichting"),
     fields.plain("archiefnominatie", "archiefnominatie"), fields.Field("archiefactietermijn", "archiefactietermijn"),
     fields.Field("brondatumArchiefprocedure", "brondatum_archiefprocedure", "json"),
     fields.Field("procesobjectaard", "procesobjectaard"), fields.Field("indicatieSpecifiek", "indicatie_specifiek"),
     fields.Field("procestermijn", "procestermijn")),
    references=_resultaattype_references, extras_of=_resultaattype_extra, rules=_resultaattype_rules,
    unique=("omschrijving",),
    growing=(Growing("besluittypen", "besluittypen"), Growing("informatieobjecttypen", "informatieobjecttypen")),
)


# --- eigenschappen ---------------------------------------------------------------------------------------------


async def _eigenschap_references(session: AsyncSession, links: Links, data: dict[str, Any],
                                 zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    if "statustype" not in data:
        return {}, []
    key, problem = await sibling_key(session, links, StatusType, "statustypen", data["statustype"], "statustype",
                                     zaaktype)
    return {"statustype_id": key}, [problem] if problem else []


async def _eigenschap_extra(session: AsyncSession, links: Links, rows: list[Eigenschap],
                            zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    return [{"statustype": links.url("statustypen", row.statustype_id) if row.statustype_id else None}
            for row in rows]


def specificatie_problems(specificatie: dict[str, Any] | None) -> list[InvalidParam]:
    """ztc-015: an eigenschap whose formaat is datum has lengte 8, one whose formaat is datum_tijd has lengte 14."""
    formaat, lengte = (specificatie or {}).get("formaat"), (specificatie or {}).get("lengte")
    wanted = DATE_LENGTE.get(formaat) if isinstance(formaat, str) else None
    if wanted is None or lengte == wanted:
        return []
    return [InvalidParam("specificatie.lengte", "invalid-lengte",
                         f"lengte must be {wanted} when formaat is {formaat} (ztc-015)")]


def _eigenschap_rules(state: dict[str, Any]) -> list[InvalidParam]:
    return specificatie_problems(state.get("specificatie"))


EIGENSCHAP = PartSpec(
    "eigenschappen", Eigenschap, "eigenschap",
    (fields.plain("naam", "naam"), fields.plain("definitie", "definitie"),
     fields.plain("specificatie", "specificatie", "dict"), fields.plain("toelichting", "toelichting")),
    references=_eigenschap_references, extras_of=_eigenschap_extra, rules=_eigenschap_rules, unique=("naam",),
    growing=(Growing("statustype", "statustype_id", collection="statustypen"),
             Growing("specificatie.waardenverzameling", "specificatie", inner="waardenverzameling",
                     empty_allows_all=True)),
)


# --- zaakobjecttypen -------------------------------------------------------------------------------------------


async def _zaakobjecttype_references(session: AsyncSession, links: Links, data: dict[str, Any],
                                     zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    found: dict[str, Any] = {}
    problems: list[InvalidParam] = []
    for name, model in (("statustypen", StatusType), ("resultaattypen", ResultaatType)):
        if name in data:
            found[name], more = await sibling_keys(session, links, model, name, data[name], name, zaaktype)
            problems += more
    return found, problems


async def _zaakobjecttype_extra(session: AsyncSession, links: Links, rows: list[ZaakObjectType],
                                zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    statustypen = await _existing(session, StatusType, {key for row in rows for key in row.statustypen})
    resultaattypen = await _existing(session, ResultaatType, {key for row in rows for key in row.resultaattypen})
    return [{"statustypen": _urls(links, "statustypen", row.statustypen, statustypen),
             "resultaattypen": _urls(links, "resultaattypen", row.resultaattypen, resultaattypen)} for row in rows]


async def _zaakobjecttype_filters(session: AsyncSession, links: Links, query: dict[str, str],
                                  found: Select[Any]) -> Select[Any]:
    if "anderObjecttype" in query:
        if query["anderObjecttype"] not in ("true", "false"):
            raise invalid("anderObjecttype", "invalid", "give true or false")
        found = found.where(ZaakObjectType.ander_objecttype.is_(query["anderObjecttype"] == "true"))
    catalogus = local_key(links, url_param(query, "catalogus"), "catalogussen")
    if catalogus is not None:
        found = found.where(ZaakType.catalogus_id == catalogus)
    for name, column in (("datumBeginGeldigheid", ZaakType.begin_geldigheid),
                         ("datumEindeGeldigheid", ZaakType.einde_geldigheid)):
        day = date_param(query, name)
        if day is not None:
            found = found.where(column == day)
    if url_param(query, "objecttype") is not None:
        found = found.where(ZaakObjectType.objecttype == query["objecttype"])
    if "relatieOmschrijving" in query:
        found = found.where(ZaakObjectType.relatie_omschrijving == query["relatieOmschrijving"])
    return found


ZAAKOBJECTTYPE = PartSpec(
    "zaakobjecttypen", ZaakObjectType, "zaakobjecttype",
    (fields.Field("anderObjecttype", "ander_objecttype", "bool"), fields.plain("objecttype", "objecttype"),
     fields.plain("relatieOmschrijving", "relatie_omschrijving")),
    references=_zaakobjecttype_references, extras_of=_zaakobjecttype_extra, filters=_zaakobjecttype_filters,
    status_filter=False,
    growing=(Growing("statustypen", "statustypen", collection="statustypen"),
             Growing("resultaattypen", "resultaattypen", collection="resultaattypen")),
)


# --- zaaktype-informatieobjecttypen ----------------------------------------------------------------------------


async def _ztiot_references(session: AsyncSession, links: Links, data: dict[str, Any],
                            zaaktype: ZaakType) -> tuple[dict[str, Any], list[InvalidParam]]:
    """The informatieobjecttype by omschrijving (or URL) from the zaaktype's catalogus; a statustype of the zaaktype."""
    found: dict[str, Any] = {}
    problems: list[InvalidParam] = []
    if "informatieobjecttype" in data:
        names, more = await names_from_refs(session, links, INFORMATIEOBJECTTYPE, [data["informatieobjecttype"]],
                                            "informatieobjecttype", zaaktype.catalogus_id)
        problems += [InvalidParam("informatieobjecttype", p.code, p.reason) for p in more]
        found["informatieobjecttype"] = names[0] if names else ""
    if "statustype" in data:
        key, problem = await sibling_key(session, links, StatusType, "statustypen", data["statustype"], "statustype",
                                         zaaktype)
        found["statustype_id"] = key
        problems += [problem] if problem else []
    return found, problems


async def _ztiot_frozen(session: AsyncSession, zaaktype: ZaakType, state: dict[str, Any]) -> str | None:
    """ztc-010 (1.3.1): frozen only when both the zaaktype and the informatieobjecttype are published."""
    if await zaaktype_published(session, zaaktype, state) is None:
        return None
    name = state.get("informatieobjecttype", "")
    published = await existing_names(session, INFORMATIEOBJECTTYPE, zaaktype.catalogus_id, [name], published=True)
    return "non-concept-relation" if published else None


def _iot_published() -> Any:
    return select(InformatieObjectType.id).where(
        InformatieObjectType.catalogus_id == ZaakType.catalogus_id,
        InformatieObjectType.omschrijving == ZaakTypeInformatieObjectType.informatieobjecttype,
        InformatieObjectType.concept.is_(False)).exists()


async def _ztiot_filters(session: AsyncSession, links: Links, query: dict[str, str],
                         found: Select[Any]) -> Select[Any]:
    """informatieobjecttype (URL or omschrijving), richting, and status on both sides: definitief when the zaaktype
    and the informatieobjecttype are published, concept when either is not."""
    value = query.get("informatieobjecttype")
    if value is not None:
        key = local_key(links, value, "informatieobjecttypen") if "://" in value else None
        iot = await session.get(InformatieObjectType, key) if key is not None else None
        if key is not None:
            found = found.where(and_(ZaakTypeInformatieObjectType.informatieobjecttype == (iot.omschrijving if iot
                                                                                             else None),
                                     ZaakType.catalogus_id == (iot.catalogus_id if iot else None)))
        else:
            found = found.where(ZaakTypeInformatieObjectType.informatieobjecttype == value)
    if "richting" in query:
        found = found.where(ZaakTypeInformatieObjectType.richting == query["richting"])
    status = status_param(query)
    if status == "definitief":
        found = found.where(ZaakType.concept.is_(False), _iot_published())
    elif status == "concept":
        found = found.where(or_(ZaakType.concept.is_(True), ~_iot_published()))
    return found


async def _ztiot_extra(session: AsyncSession, links: Links, rows: list[ZaakTypeInformatieObjectType],
                       zaaktypen: dict[uuid.UUID, ZaakType]) -> list[dict[str, Any]]:
    """The informatieobjecttype as the URL of its published version valid today (Catalogi 1.3.2), else of its latest
    version; only when no version is left, the omschrijving itself."""
    catalogi = {z.catalogus_id for z in zaaktypen.values()}
    names = {row.informatieobjecttype for row in rows}
    valid = await valid_versions(session, INFORMATIEOBJECTTYPE, catalogi, names, clock.today())
    latest: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    for catalogus_id, name, key in await session.execute(
            select(InformatieObjectType.catalogus_id, InformatieObjectType.omschrijving, InformatieObjectType.id)
            .where(InformatieObjectType.catalogus_id.in_(catalogi), InformatieObjectType.omschrijving.in_(names))
            .order_by(InformatieObjectType.begin_geldigheid, InformatieObjectType.created_at)):
        latest[(catalogus_id, name)] = key
    shown = []
    for row in rows:
        place = (zaaktypen[row.zaaktype_id].catalogus_id, row.informatieobjecttype)
        keys = valid.get(place) or ([latest[place]] if place in latest else [])
        shown.append({
            "informatieobjecttype": links.url("informatieobjecttypen", keys[-1]) if keys else row.informatieobjecttype,
            "statustype": links.url("statustypen", row.statustype_id) if row.statustype_id else None,
        })
    return shown


ZAAKTYPE_INFORMATIEOBJECTTYPE = PartSpec(
    "zaaktype-informatieobjecttypen", ZaakTypeInformatieObjectType, "zaaktype-informatieobjecttype",
    (fields.Field("volgnummer", "volgnummer", "int"), fields.plain("richting", "richting")),
    references=_ztiot_references, extras_of=_ztiot_extra, filters=_ztiot_filters, frozen=_ztiot_frozen,
    unique=("volgnummer",), order=("volgnummer", "created_at"), validity=False, status_filter=False,
    names=frozenset({"informatieobjecttype"}),
    growing=(Growing("informatieobjecttype", "informatieobjecttype"),
             Growing("statustype", "statustype_id", collection="statustypen")),
)

PARTS = {spec.collection: spec for spec in (STATUSTYPE, ROLTYPE, RESULTAATTYPE, EIGENSCHAP, ZAAKOBJECTTYPE,
                                             ZAAKTYPE_INFORMATIEOBJECTTYPE)}
