"""Provisioning: the zaaktypen a service app's manifest describes, made and kept in a municipality's catalogus as the
app is activated, upgraded and ended there.

Each manifest zaaktype becomes a published version in the municipality's catalogus, with its statustypen (volgnummer
is the position), roltypen, resultaattypen and zaaktype-informatieobjecttypen; the informatieobjecttypen it names
are published beside it. A version remembers the app, the adoption and a hash of the normalised manifest item it
was made from (`definition_hash`), so providing again compares definitions, not rows.

Versions follow the Catalogi rules: one published version per identificatie is valid on any day (ztc-016); a new
version begins today (beginGeldigheid and versiedatum) and the one before it ends the day before (eindeGeldigheid).
Nothing is deleted: an ended version stays readable, and so do the zaken made with it.

- Same definition as the version in force (or about to be): kept as it is. When that version was ended today (the
  adoption ended earlier today and the app is activated again), its eindeGeldigheid is taken away again.
- Another definition: a new version. When the version in force began today (activated and upgraded on the same
  day), it cannot end the day before it began: it stays valid until the end of today and the new version begins
  tomorrow. A version that has not begun yet (left by such a same-day change) and is replaced or ended before it
  begins is withdrawn: its eindeGeldigheid becomes the day before its beginGeldigheid, so it is valid on no day.
- A zaaktype the new release no longer has, and every zaaktype of the app when the adoption ends, gets
  eindeGeldigheid today (withdrawn when it has not begun yet).
- A valid published zaaktype with the same identificatie that the app did not provide (made through the Catalogi
  API, or by another app) blocks provisioning with a Conflict naming the manifest path. Informatieobjecttypen are
  shared by omschrijving within a catalogus: one that is already valid is used as it is, whoever made it; the app's
  own get a new version when their definition changes, and are not ended with the adoption (other zaaktypen may
  name them).

Everything is written in the caller's transaction (flushed, never committed), with the notifications the Catalogi
API publishes for the same changes: create and publish for a new version, partial_update for a version whose
eindeGeldigheid changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import Conflict, InvalidParam
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.zgw.catalogi.common import (
    INFORMATIEOBJECTTYPE,
    ZAAKTYPE,
    Kind,
    Links,
    Versioned,
    check_no_overlap,
    hold_catalogus,
    notify,
    raise_if,
)
from plein.zgw.catalogi.models import (
    Catalogus,
    Eigenschap,
    InformatieObjectType,
    ResultaatType,
    RolType,
    StatusType,
    ZaakType,
    ZaakTypeInformatieObjectType,
)
from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus, municipality_domein
from plein.zgw.catalogi.service_parts import BRONDATUM_EMPTY
from plein.zgw.catalogi.service_zaaktypen import SPEC as ZAAKTYPE_SPEC

Provided = ZaakType | InformatieObjectType
ZAAKTYPE_DEFAULTS: dict[str, Any] = {"toelichting": "", "opschortingEnAanhoudingMogelijk": False,
                                     "verlengingMogelijk": False, "publicatieIndicatie": False,
                                     "informatieobjecttypen": []}
DATE_LENGTE = {"datum": 8, "datum_tijd": 14}  # ztc-015: a date eigenschap's lengte follows from its formaat


def today() -> dt.date:
    """The day provisioning works on, in the Netherlands (a function, so tests can move it)."""
    return clock.today()


@dataclass(frozen=True)
class Provision:
    """What provisioning did to one version: created, kept, reopened, ended, withdrawn or shared (an existing
    informatieobjecttype used as it is)."""

    resource: str
    name: str
    action: str
    key: uuid.UUID
    begin_geldigheid: dt.date
    einde_geldigheid: dt.date | None


@dataclass
class _Scope:
    session: AsyncSession
    links: Links
    catalogus: Catalogus
    app: str
    adoption_id: uuid.UUID | None
    day: dt.date
    done: list[Provision]

    async def notify(self, kind: Kind, row: Versioned, *acties: str) -> None:
        for actie in acties:
            await notify(self.session, self.links, kind, row, self.catalogus, actie)

    def record(self, kind: Kind, row: Versioned, action: str) -> None:
        self.done.append(Provision(kind.resource, getattr(row, kind.name_attr), action, row.id, row.begin_geldigheid,
                                   row.einde_geldigheid))


# --- definitions -----------------------------------------------------------------------------------------------


def normalised(item: dict[str, Any]) -> dict[str, Any]:
    """A manifest zaaktype with every default filled in, so that leaving out a default and writing it are equal.
    `fromOptions` is left out: the caller has already put the values it gives in the fields (store.adoptions)."""
    found = {**ZAAKTYPE_DEFAULTS, **{key: value for key, value in item.items() if key != "fromOptions"}}
    found["statustypen"] = [{"omschrijvingGeneriek": "", "statustekst": "", **s} for s in item["statustypen"]]
    found["resultaattypen"] = [
        {"toelichting": "", "archiefactietermijn": None, **r,
         "brondatumArchiefprocedure": {**BRONDATUM_EMPTY, **r["brondatumArchiefprocedure"]}}
        for r in item["resultaattypen"]]
    found["informatieobjecttypen"] = [_iot_definition(i) | {"richting": i["richting"]}
                                      for i in found["informatieobjecttypen"]]
    if found.get("eigenschappen"):  # only when there are any: definitions made before eigenschappen keep their hash
        found["eigenschappen"] = [{"toelichting": "", **e, "specificatie": eigenschap_specificatie(e)}
                                  for e in found["eigenschappen"]]
    return found


def eigenschap_specificatie(item: dict[str, Any]) -> dict[str, Any]:
    """The Catalogi specificatie of a manifest eigenschap (lengte as text, as the API has it; one value per zaak)."""
    lengte = DATE_LENGTE.get(item["formaat"], item.get("lengte", 255))
    return {"groep": "", "formaat": item["formaat"], "lengte": str(lengte), "kardinaliteit": "1",
            "waardenverzameling": list(item.get("waardenverzameling") or [])}


def _iot_definition(item: dict[str, Any]) -> dict[str, Any]:
    return {"omschrijving": item["omschrijving"], "vertrouwelijkheidaanduiding": item["vertrouwelijkheidaanduiding"],
            "informatieobjectcategorie": item.get("informatieobjectcategorie", "")}


def definition_hash(definition: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a definition (keys sorted, no spaces)."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_zaaktypen(manifest: dict[str, Any] | None) -> list[dict[str, Any]]:
    items = (manifest or {}).get("zaaktypen")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


# --- the public functions --------------------------------------------------------------------------------------


async def provide(session: AsyncSession, base_url: str, organisation_code: str, app: str,
                  adoption_id: uuid.UUID | None, manifest: dict[str, Any] | None) -> list[Provision]:
    """Make the catalogus of a municipality hold the zaaktypen of this manifest (on activation and on upgrade).

    Zaaktypen of the app that the manifest no longer has end today. Raises Conflict when a zaaktype the app did not
    provide holds an identificatie the manifest uses. Flushes, never commits."""
    items = manifest_zaaktypen(manifest)
    catalogus = await _catalogus(session, organisation_code, create=bool(items))
    if catalogus is None:
        return []
    await hold_catalogus(session, catalogus.id)
    scope = _Scope(session, Links(base_url.rstrip("/")), catalogus, app, adoption_id, today(), [])
    await _refuse_foreign(scope, items)
    iots = {i["omschrijving"]: _iot_definition(i) for item in items for i in item.get("informatieobjecttypen", [])}
    for name, definition in iots.items():
        await _provide_version(scope, INFORMATIEOBJECTTYPE, name, definition_hash(definition),
                               partial(_informatieobjecttype, scope, definition))
    verantwoordelijke = (await organisations.get_by_code(session, organisation_code)).name[:50]
    for item in items:
        definition = normalised(item)
        await _provide_version(scope, ZAAKTYPE, item["identificatie"], definition_hash(definition),
                               partial(_zaaktype, scope, item, verantwoordelijke))
    await _end_all(scope, keep={item["identificatie"] for item in items})
    await session.flush()
    return scope.done


async def end(session: AsyncSession, base_url: str, organisation_code: str, app: str) -> list[Provision]:
    """End today every zaaktype this app provided in the municipality's catalogus (when its adoption ends): no new
    zaken from tomorrow; existing zaken and the versions themselves stay. Flushes, never commits."""
    catalogus = await _catalogus(session, organisation_code, create=False)
    if catalogus is None:
        return []
    await hold_catalogus(session, catalogus.id)
    scope = _Scope(session, Links(base_url.rstrip("/")), catalogus, app, None, today(), [])
    await _end_all(scope, keep=set())
    await session.flush()
    return scope.done


async def in_force(session: AsyncSession, organisation: Organisation, identificatie: str, day: dt.date
                   ) -> tuple[ZaakType, Catalogus] | None:
    """The published version of a zaaktype in the municipality's catalogus that is valid on the day, with that
    catalogus (None: none is)."""
    catalogus = await _catalogus_of(session, organisation)
    if catalogus is None:
        return None
    einde = ZaakType.einde_geldigheid
    zaaktype = await session.scalar(
        select(ZaakType).where(ZaakType.catalogus_id == catalogus.id, ZaakType.identificatie == identificatie,
                               ZaakType.concept.is_(False), ZaakType.begin_geldigheid <= day,
                               or_(einde.is_(None), einde >= day))
        .order_by(ZaakType.begin_geldigheid.desc()).limit(1))
    return None if zaaktype is None else (zaaktype, catalogus)


# --- versions --------------------------------------------------------------------------------------------------


async def _catalogus(session: AsyncSession, code: str, create: bool) -> Catalogus | None:
    if create:
        return await ensure_municipality_catalogus(session, code)
    return await _catalogus_of(session, await organisations.get_by_code(session, code))


async def _catalogus_of(session: AsyncSession, organisation: Organisation) -> Catalogus | None:
    return await session.scalar(select(Catalogus).where(Catalogus.rsin == organisation.rsin,
                                                        Catalogus.domein == municipality_domein(organisation.slug)))


def _live_clause(model: type[Versioned], day: dt.date) -> Any:
    """Published, and valid today or later (a withdrawn version, which ends before it begins, is not)."""
    einde = model.einde_geldigheid
    return and_(model.concept.is_(False),
                or_(einde.is_(None), and_(einde >= day, einde >= model.begin_geldigheid)))


async def _live(scope: _Scope, kind: Kind, name: str) -> list[Any]:
    model = kind.model
    rows = await scope.session.scalars(
        select(model).where(model.catalogus_id == scope.catalogus.id, kind.name_column() == name,
                            _live_clause(model, scope.day))
        .order_by(model.begin_geldigheid, model.created_at))
    return list(rows)


async def _refuse_foreign(scope: _Scope, items: list[dict[str, Any]]) -> None:
    """Conflict for every manifest zaaktype whose identificatie a version the app did not provide holds."""
    problems = []
    for index, item in enumerate(items):
        foreign = [row for row in await _live(scope, ZAAKTYPE, item["identificatie"])
                   if row.provided_by_app != scope.app]
        if foreign:
            problems.append(InvalidParam(
                f"zaaktypen[{index}].identificatie", "taken",
                f"the catalogus already has a valid zaaktype {item['identificatie']!r} that this app did not "
                "provide; end that zaaktype (eindeGeldigheid) before activating the app"))
    if problems:
        raise Conflict("the municipality's catalogus already has zaaktypen with identificaties this app uses: "
                       + ", ".join(p.name for p in problems), problems)


async def _provide_version(scope: _Scope, kind: Kind, name: str, digest: str,
                           build: Callable[[dt.date], Awaitable[Provided]]) -> None:
    """Keep the version in force when its definition is the same, otherwise add a new one (see the module text)."""
    live = await _live(scope, kind, name)
    if any(row.provided_by_app != scope.app for row in live):
        scope.record(kind, live[-1], "shared")  # only informatieobjecttypen get here: zaaktypen were refused
        return
    current = next((row for row in live if row.begin_geldigheid <= scope.day), None)
    pending = [row for row in live if row.begin_geldigheid > scope.day]
    target = pending[-1] if pending else current
    if target is not None and target.definition_sha256 == digest:
        await _keep(scope, kind, target, pending[:-1])
        return
    begin = scope.day if current is None or current.begin_geldigheid < scope.day else scope.day + dt.timedelta(1)
    for row in pending:
        await _withdraw(scope, kind, row)
    if current is not None and (current.einde_geldigheid is None or current.einde_geldigheid >= begin):
        current.einde_geldigheid = begin - dt.timedelta(1)
        await scope.notify(kind, current, "partial_update")
        scope.record(kind, current, "ended")
    row = await build(begin)
    row.provided_by_app, row.provided_by_adoption, row.definition_sha256 = scope.app, scope.adoption_id, digest
    await scope.session.flush()
    await check_no_overlap(scope.session, kind, row)
    await scope.notify(kind, row, "create", "publish")
    scope.record(kind, row, "created")


async def _keep(scope: _Scope, kind: Kind, target: Provided, earlier_pending: list[Provided]) -> None:
    """Keep the version whose definition is the same; reopen it when it is in force but ends today (the adoption
    ended earlier today); an eindeGeldigheid after today, set through the Catalogi API, is left as it is."""
    for row in earlier_pending:
        await _withdraw(scope, kind, row)
    if target.begin_geldigheid <= scope.day and target.einde_geldigheid == scope.day:
        target.einde_geldigheid = None
        await scope.notify(kind, target, "partial_update")
        scope.record(kind, target, "reopened")
    else:
        scope.record(kind, target, "kept")


async def _withdraw(scope: _Scope, kind: Kind, row: Versioned) -> None:
    row.einde_geldigheid = row.begin_geldigheid - dt.timedelta(1)
    await scope.notify(kind, row, "partial_update")
    scope.record(kind, row, "withdrawn")


async def _end_all(scope: _Scope, keep: set[str]) -> None:
    """End today (or withdraw, when not begun) every live zaaktype version of the app not named in `keep`."""
    rows = await scope.session.scalars(
        select(ZaakType).where(ZaakType.catalogus_id == scope.catalogus.id, ZaakType.provided_by_app == scope.app,
                               _live_clause(ZaakType, scope.day))
        .order_by(ZaakType.identificatie, ZaakType.begin_geldigheid))
    for row in list(rows):
        if row.identificatie in keep:
            continue
        if row.begin_geldigheid > scope.day:
            await _withdraw(scope, ZAAKTYPE, row)
        elif row.einde_geldigheid is None or row.einde_geldigheid > scope.day:
            row.einde_geldigheid = scope.day
            await scope.notify(ZAAKTYPE, row, "partial_update")
            scope.record(ZAAKTYPE, row, "ended")


# --- rows ------------------------------------------------------------------------------------------------------


async def _informatieobjecttype(scope: _Scope, definition: dict[str, Any], begin: dt.date) -> InformatieObjectType:
    row = InformatieObjectType(
        id=uuid.uuid4(), catalogus_id=scope.catalogus.id, omschrijving=definition["omschrijving"],
        vertrouwelijkheidaanduiding=definition["vertrouwelijkheidaanduiding"],
        informatieobjectcategorie=definition["informatieobjectcategorie"], trefwoord=[], omschrijving_generiek=None,
        begin_geldigheid=begin, concept=False)
    scope.session.add(row)
    return row


async def _zaaktype(scope: _Scope, item: dict[str, Any], verantwoordelijke: str, begin: dt.date) -> ZaakType:
    """A published zaaktype version with its parts, as the manifest item describes it."""
    found = {**ZAAKTYPE_DEFAULTS, **item}
    row = ZaakType(
        id=uuid.uuid4(), catalogus_id=scope.catalogus.id, identificatie=found["identificatie"],
        omschrijving=found["omschrijving"], omschrijving_generiek="",
        vertrouwelijkheidaanduiding=found["vertrouwelijkheidaanduiding"], doel=found["doel"],
        aanleiding=found["aanleiding"], toelichting=found["toelichting"],
        indicatie_intern_of_extern=found["indicatieInternOfExtern"], handeling_initiator=found["handelingInitiator"],
        onderwerp=found["onderwerp"], handeling_behandelaar=found["handelingBehandelaar"],
        doorlooptijd=found["doorlooptijd"], servicenorm=None,
        opschorting_en_aanhouding_mogelijk=found["opschortingEnAanhoudingMogelijk"],
        verlenging_mogelijk=found["verlengingMogelijk"], verlengingstermijn=found.get("verlengingstermijn"),
        trefwoorden=[], publicatie_indicatie=found["publicatieIndicatie"], publicatietekst="",
        verantwoordingsrelatie=[], producten_of_diensten=[], selectielijst_procestype="",
        referentieproces={"naam": scope.app}, verantwoordelijke=found.get("verantwoordelijke", verantwoordelijke),
        broncatalogus=None, bronzaaktype=None, besluittypen=[], deelzaaktypen=[], gerelateerde_zaaktypen=[],
        begin_geldigheid=begin, versiedatum=scope.day, concept=False)
    scope.session.add(row)
    await scope.session.flush()
    scope.session.add_all(_parts(row.id, found))
    await scope.session.flush()
    raise_if(await ZAAKTYPE_SPEC.publish_check(scope.session, row))
    return row


def _parts(zaaktype_id: uuid.UUID, item: dict[str, Any]) -> list[Any]:
    statustypen = [StatusType(zaaktype_id=zaaktype_id, volgnummer=number, omschrijving=s["omschrijving"],
                              omschrijving_generiek=s.get("omschrijvingGeneriek", ""),
                              statustekst=s.get("statustekst", ""), informeren=False, checklistitem_statustype=[],
                              eigenschappen=[])
                   for number, s in enumerate(item["statustypen"], start=1)]
    roltypen = [RolType(zaaktype_id=zaaktype_id, omschrijving=r["omschrijving"],
                        omschrijving_generiek=r["omschrijvingGeneriek"]) for r in item["roltypen"]]
    resultaattypen = [ResultaatType(
        zaaktype_id=zaaktype_id, omschrijving=r["omschrijving"],
        resultaattypeomschrijving=r["resultaattypeomschrijving"], selectielijstklasse=r["selectielijstklasse"],
        toelichting=r.get("toelichting", ""),
        archiefnominatie=r["archiefnominatie"], archiefactietermijn=r.get("archiefactietermijn"),
        brondatum_archiefprocedure={**BRONDATUM_EMPTY, **r["brondatumArchiefprocedure"]},
        besluittypen=[], informatieobjecttypen=[]) for r in item["resultaattypen"]]
    links = [ZaakTypeInformatieObjectType(zaaktype_id=zaaktype_id, informatieobjecttype=i["omschrijving"],
                                          volgnummer=number, richting=i["richting"])
             for number, i in enumerate(item["informatieobjecttypen"], start=1)]
    eigenschappen = [Eigenschap(zaaktype_id=zaaktype_id, naam=e["naam"], definitie=e["definitie"],
                                specificatie=eigenschap_specificatie(e), toelichting=e.get("toelichting", ""))
                     for e in item.get("eigenschappen", [])]
    return [*statustypen, *roltypen, *resultaattypen, *links, *eigenschappen]
