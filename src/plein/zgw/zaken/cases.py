"""The internal Python API for Plein's own services: register and move cases without going over HTTP.

Bodies have the shape of the Zaken API's request bodies and pass the same checks (the standard's schema and
rules), so a service and an outside client are held to one standard. `register_zaak` makes a zaak with its rollen,
first status and resultaat in one transaction: either everything is stored, with its audit records and
notifications, or nothing is (a failure halfway rolls the whole registration back). `add_case` and `close_case` do
the same in the caller's transaction, for the service engine, which commits a case together with its own rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from plein.notifications import service as notifications
from plein.organisations.models import Organisation
from plein.zgw import audit, validation
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import provisioning
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
from plein.zgw.documenten import common as documenten_common
from plein.zgw.documenten import service as documenten
from plein.zgw.documenten.common import Links
from plein.zgw.documenten.upload import DocumentBody
from plein.zgw.zaken import catalogus as catalogus_parts
from plein.zgw.zaken import parts
from plein.zgw.zaken.catalogus import invalid
from plein.zgw.zaken.documents import create_zaakinformatieobject
from plein.zgw.zaken.models import Resultaat, Rol, Status, Zaak, ZaakInformatieObject
from plein.zgw.zaken.present import Urls
from plein.zgw.zaken.relations import save_zaakeigenschap
from plein.zgw.zaken.service import Scope, create_zaak, update_zaak

PLATFORM = ZgwCaller("plein", all_rights=True, applicatie_label="Plein")


ALL = frozenset({"zaken.aanmaken", "zaken.bijwerken"})


@dataclass
class Registration:
    """What one registration made."""

    zaak: Zaak
    rollen: list[Rol] = field(default_factory=list)
    status: Status | None = None
    documents: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class CaseDocument:
    """A document for a zaak: its Documenten body (an EnkelvoudigInformatieObject without inhoud), where its
    contents are stored already (key and size in the file storage), and the id it gets (new by default)."""

    data: dict[str, Any]
    stored_key: str
    size: int
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def _checked(schema: str, body: dict[str, Any]) -> dict[str, Any]:
    return validation.check_body("zaken", schema, body)


async def register_zaak(session: AsyncSession, base_url: str, zaak: dict[str, Any],
                        rollen: Sequence[dict[str, Any]] = (), status: dict[str, Any] | None = None,
                        resultaat: dict[str, Any] | None = None, caller: ZgwCaller = PLATFORM) -> Registration:
    """Register a zaak with its rollen, a status and optionally a resultaat, atomically, and commit.

    `rollen`, `status` and `resultaat` are bodies without the `zaak` field; it is filled in here. Any error (a bad
    field, a type that does not belong to the zaaktype, a missing autorisatie) rolls everything back and is raised.
    """
    scope = Scope(session, caller, base_url.rstrip("/"))
    try:
        made = Registration(await create_zaak(scope, _checked("Zaak", zaak)))
        url = scope.urls.zaak(made.zaak.id)
        for body in rollen:
            rol, _ = await parts.create_rol(scope, _checked("Rol", {**body, "zaak": url}))
            made.rollen.append(rol)
        if resultaat is not None:
            await parts.save_resultaat(scope, _checked("Resultaat", {**resultaat, "zaak": url}))
        if status is not None:
            made.status = await parts.create_status(scope, _checked("Status", {**status, "zaak": url}))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return made


@dataclass(frozen=True)
class CaseType:
    """A municipality's zaaktype in force, with the URLs of its parts by omschrijving: what a service needs to
    make and close a zaak of it."""

    zaaktype: str
    rsin: str
    doorlooptijd: str
    statustypen: list[str]  # in order; the last is the eindstatus
    roltypen: dict[str, str]  # omschrijving (and omschrijvingGeneriek) → URL
    resultaattypen: dict[str, str]
    informatieobjecttypen: dict[str, str]


async def case_type(session: AsyncSession, base_url: str, organisation: Organisation, identificatie: str,
                    day: dt.date) -> CaseType | None:
    """The zaaktype with this identificatie in force on the day in the municipality's catalogus (None: none)."""
    found = await provisioning.in_force(session, organisation, identificatie, day)
    if found is None:
        return None
    zaaktype, _catalogus = found  # held: the case type reads the catalogus from the session
    return await _case_type(session, Urls(base_url.rstrip("/")), zaaktype, day)


async def zaak_with_type(session: AsyncSession, base_url: str, zaak_id: uuid.UUID) -> tuple[Zaak, CaseType]:
    """A zaak with its own zaaktype's parts (to close it with types of its own zaaktype, zrc-020)."""
    zaak = await session.get(Zaak, zaak_id)
    if zaak is None:
        raise LookupError(f"no zaak {zaak_id}")
    zaaktype = await session.get(ZaakType, zaak.zaaktype_id)
    assert zaaktype is not None
    return zaak, await _case_type(session, Urls(base_url.rstrip("/")), zaaktype, zaak.startdatum)


_CASE_TYPES = "plein.case_types"  # session.info: the case types read in this transaction


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_case_types(session: Session) -> None:
    session.info.pop(_CASE_TYPES, None)


async def _case_type(session: AsyncSession, urls: Urls, zaaktype: ZaakType, day: dt.date) -> CaseType:
    """The case type, read once per transaction (making, paying and closing a zaak each need it; a published
    zaaktype's parts do not change, and a concept's are read each time)."""
    if zaaktype.concept:
        return await _read_case_type(session, urls, zaaktype, day)
    known: dict[tuple[uuid.UUID, dt.date, str], CaseType] = session.info.setdefault(_CASE_TYPES, {})
    key = (zaaktype.id, day, urls.base_url)
    if key not in known:
        known[key] = await _read_case_type(session, urls, zaaktype, day)
    return known[key]


async def _read_case_type(session: AsyncSession, urls: Urls, zaaktype: ZaakType, day: dt.date) -> CaseType:
    catalogus = await session.get(Catalogus, zaaktype.catalogus_id)
    assert catalogus is not None
    statustypen = list(await session.scalars(select(StatusType).where(StatusType.zaaktype_id == zaaktype.id)
                                             .order_by(StatusType.volgnummer)))
    roltypen: dict[str, str] = {}
    rolrows = list(await session.scalars(select(RolType).where(RolType.zaaktype_id == zaaktype.id)))
    for rol in rolrows:
        roltypen.setdefault(rol.omschrijving, urls.catalogi("roltypen", rol.id))
        roltypen.setdefault(rol.omschrijving_generiek, urls.catalogi("roltypen", rol.id))
    resultaatrows = list(await session.scalars(select(ResultaatType).where(ResultaatType.zaaktype_id == zaaktype.id)))
    resultaattypen = {row.omschrijving: urls.catalogi("resultaattypen", row.id) for row in resultaatrows}
    names = list(await session.scalars(select(ZaakTypeInformatieObjectType.informatieobjecttype).where(
        ZaakTypeInformatieObjectType.zaaktype_id == zaaktype.id)))
    iotrows = list(await session.scalars(
        select(InformatieObjectType).where(InformatieObjectType.catalogus_id == zaaktype.catalogus_id,
                                           InformatieObjectType.omschrijving.in_(names),
                                           InformatieObjectType.concept.is_(False),
                                           InformatieObjectType.begin_geldigheid <= day,
                                           or_(InformatieObjectType.einde_geldigheid.is_(None),
                                               InformatieObjectType.einde_geldigheid >= day))))
    documents = {row.omschrijving: urls.catalogi("informatieobjecttypen", row.id) for row in iotrows}
    if not zaaktype.concept:  # the published rows, kept for this transaction (the documents' checks look them up)
        catalogus_parts.keep_parts(session, zaaktype.id, statustypen,
                                   [*rolrows, *resultaatrows, *iotrows, zaaktype, catalogus])
    return CaseType(urls.catalogi("zaaktypen", zaaktype.id), catalogus.rsin, zaaktype.doorlooptijd,
                    [urls.catalogi("statustypen", row.id) for row in statustypen], roltypen, resultaattypen,
                    documents)


@asynccontextmanager
async def writes_together(session: AsyncSession) -> AsyncIterator[None]:
    """Many case writes in one transaction (a zaak with its parts, a decision with its effects): their audit records
    and notifications written together at the end of the block, each kanaal's abonnementen read once."""
    async with audit.batched(session), notifications.batched(session):
        yield


def due_date(start: dt.date, doorlooptijd: str) -> dt.date | None:
    """The uiterlijke einddatum afdoening of a zaak that starts on `start`, with the zaaktype's doorlooptijd."""
    return parts.add_duration(start, doorlooptijd)


async def add_case(session: AsyncSession, base_url: str, zaak: dict[str, Any], rollen: Sequence[dict[str, Any]] = (),
                   status: dict[str, Any] | None = None, eigenschappen: Mapping[str, str] | None = None,
                   documents: Sequence[CaseDocument] = (), caller: ZgwCaller = PLATFORM) -> Registration:
    """A zaak with its rollen, first status, eigenschappen (by name: eigenschappen of its zaaktype) and documents,
    in the caller's transaction: flushed with their audit records and notifications, not committed. The caller
    commits it together with its own rows, or rolls everything back."""
    scope = Scope(session, caller, base_url.rstrip("/"))
    async with writes_together(session):
        made = Registration(await create_zaak(scope, _checked("Zaak", zaak)))
        url = scope.urls.zaak(made.zaak.id)
        for body in rollen:
            rol, _ = await parts.create_rol(scope, _checked("Rol", {**body, "zaak": url}), flush=False)
            made.rollen.append(rol)
        if status is not None:
            made.status = await parts.create_status(scope, _checked("Status", {**status, "zaak": url}))
        await _eigenschappen(scope, made.zaak, eigenschappen or {})
        made.documents = await _documents(scope, made.zaak, documents)
    return made


async def add_documents(session: AsyncSession, base_url: str, zaak: Zaak, documents: Sequence[CaseDocument],
                        caller: ZgwCaller = PLATFORM) -> list[uuid.UUID]:
    """Documents added to a zaak (each an enkelvoudiginformatieobject related to it), in the caller's transaction;
    their ids."""
    return await _documents(Scope(session, caller, base_url.rstrip("/")), zaak, documents)


async def _documents(scope: Scope, zaak: Zaak, documents: Sequence[CaseDocument]) -> list[uuid.UUID]:
    links, url, made = Links(scope.base_url), scope.urls.zaak(zaak.id), []
    for document in documents:
        key = document.id
        shown = await documenten.add(scope.session, scope.caller, links, key,
                                     DocumentBody(document.data, stored=document.size), document.stored_key)
        await create_zaakinformatieobject(scope, _checked("ZaakInformatieObject", {
            "zaak": url, "informatieobject": links.document(key), "titel": document.data.get("titel", "")}), ALL,
            made=documenten.document_ref(shown.versie))  # `shown` holds the document for the mirror's check
        made.append(key)
    return made


async def _eigenschappen(scope: Scope, zaak: Zaak, values: Mapping[str, str]) -> None:
    if not values:
        return
    found = {row.naam: row for row in await scope.session.scalars(
        select(Eigenschap).where(Eigenschap.zaaktype_id == zaak.zaaktype_id, Eigenschap.naam.in_(sorted(values))))}
    missing = sorted(set(values) - set(found))
    if missing:
        raise invalid("eigenschap", "unknown", f"the zaaktype has no eigenschap {', '.join(missing)}")
    for naam, waarde in values.items():
        url = scope.urls.catalogi("eigenschappen", found[naam].id)
        await save_zaakeigenschap(scope, zaak.id, {"eigenschap": url, "waarde": waarde}, ALL, flush=False)
    await scope.session.flush()


async def close_case(session: AsyncSession, base_url: str, zaak: Zaak, resultaat: dict[str, Any],
                     status: dict[str, Any], caller: ZgwCaller = PLATFORM) -> tuple[Resultaat, Status]:
    """Give a zaak its resultaat and its eindstatus (which closes it), in the caller's transaction (not committed)."""
    scope = Scope(session, caller, base_url.rstrip("/"))
    url = scope.urls.zaak(zaak.id)
    async with writes_together(session):
        made = await parts.save_resultaat(scope, _checked("Resultaat", {**resultaat, "zaak": url}))
        closed = await parts.create_status(scope, _checked("Status", {**status, "zaak": url}))
    return made, closed


@dataclass(frozen=True)
class StatusEntry:
    """One status a zaak had: when, its statustype's omschrijving, the text for the citizen, and the note."""

    gezet: dt.datetime
    omschrijving: str
    statustekst: str
    toelichting: str


@dataclass(frozen=True)
class CaseFile:
    """A document of a zaak (its current version), with where its contents are stored."""

    id: uuid.UUID
    titel: str
    bestandsnaam: str
    formaat: str
    bestandsomvang: int | None
    vertrouwelijkheidaanduiding: str
    storage_key: str | None
    registratiedatum: dt.datetime


async def history(session: AsyncSession, zaak_id: uuid.UUID) -> list[StatusEntry]:
    """The statuses of a zaak in the order they were set, with their statustype's texts."""
    rows = await session.execute(
        select(Status.datum_status_gezet, StatusType.omschrijving, StatusType.statustekst, Status.statustoelichting)
        .join(StatusType, StatusType.id == Status.statustype_id).where(Status.zaak_id == zaak_id)
        .order_by(Status.datum_status_gezet, StatusType.volgnummer))
    return [StatusEntry(*row) for row in rows.all()]


async def documents(session: AsyncSession, zaak_id: uuid.UUID) -> list[CaseFile]:
    """The documents related to a zaak (zaakinformatieobjecten), each in its current version, oldest first."""
    links = list(await session.execute(
        select(ZaakInformatieObject.informatieobject, ZaakInformatieObject.registratiedatum)
        .where(ZaakInformatieObject.zaak_id == zaak_id).order_by(ZaakInformatieObject.registratiedatum)))
    found = []
    for key, registered in links:
        current = await documenten_common.find_current(session, uuid.UUID(key))
        if current is None:
            continue
        versie = current.versie
        found.append(CaseFile(current.document.id, versie.titel, versie.bestandsnaam, versie.formaat,
                              versie.bestandsomvang, versie.vertrouwelijkheidaanduiding, versie.inhoud_key,
                              registered))
    return found


async def record_payment(session: AsyncSession, base_url: str, zaak: Zaak, paid_at: dt.datetime,
                         caller: ZgwCaller = PLATFORM) -> Zaak:
    """The zaak is paid in full: betalingsindicatie geheel and laatsteBetaaldatum, changed as a PATCH would (audit
    record and notification), in the caller's transaction (not committed)."""
    scope = Scope(session, caller, base_url.rstrip("/"))
    body = {"betalingsindicatie": "geheel", "laatsteBetaaldatum": paid_at.astimezone(dt.UTC).isoformat()}
    return await update_zaak(scope, zaak, body, partial=True)


async def set_status(session: AsyncSession, base_url: str, zaak: Zaak, status: dict[str, Any],
                     caller: ZgwCaller = PLATFORM) -> Status:
    """Give a zaak its next status (closing it when it is the eindstatus) and commit."""
    scope = Scope(session, caller, base_url.rstrip("/"))
    try:
        made = await parts.create_status(scope, _checked("Status", {**status, "zaak": scope.urls.zaak(zaak.id)}))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return made
