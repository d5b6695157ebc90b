"""Enkelvoudiginformatieobjecten: create, change (a new version each time, under a lock: drc-009, drc-010), delete
(drc-008), lock and unlock, contents in one piece or in bestandsdelen, versions, and lists filtered at the source;
and the functions the Zaken and Besluiten APIs call to mirror their relations (zrc-005, brc-005).

Every write checks first, then changes rows, the audit trail and the notification in one transaction and commits;
files are written before (under fresh keys, removed again when the change is refused) and old files are removed
after the commit (see content.py).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.bounds import MAX_DIGITS
from plein.db import utcnow
from plein.errors import InvalidParam, NotFound
from plein.storage import FileStorage
from plein.zgw import audit, validation
from plein.zgw.auth import ZgwCaller, require_acts_for
from plein.zgw.catalogi import common as catalogi_common
from plein.zgw.catalogi.common import json_contains
from plein.zgw.documenten import content, represent
from plein.zgw.documenten.common import (
    AANMAKEN,
    API,
    BIJWERKEN,
    COMPONENT,
    FORCED_UNLOCK,
    LEZEN,
    LOCK,
    VERWIJDEREN,
    Links,
    allowed_clause,
    current_versions,
    get_current,
    informatieobjecttype_at,
    invalid,
    may,
    notify,
    parse_datetime,
    raise_if,
    record,
    require,
)
from plein.zgw.documenten.models import BestandsDeel, Informatieobject, InformatieobjectVersie, ObjectInformatieobject
from plein.zgw.documenten.upload import DocumentBody
from plein.zgw.identificatie import claim, next_identificatie

RESOURCE = "enkelvoudiginformatieobject"
RECEIVED_NOT_ALLOWED = ("in_bewerking", "ter_vaststelling")
COPIED = tuple(column.key for column in InformatieobjectVersie.__table__.columns
               if column.key not in ("id", "versie", "begin_registratie"))


@dataclass(frozen=True)
class Shown:
    """A document version with what its representation needs: the document, the parts of an upload in progress,
    and the lock (only right after a create that started an upload in bestandsdelen)."""

    document: Informatieobject
    versie: InformatieobjectVersie
    parts: list[BestandsDeel]
    lock: str | None = None

    def represent(self, links: Links) -> dict[str, Any]:
        return represent.document(links, self.document, self.versie, self.parts, self.lock)


@dataclass(frozen=True)
class ContentChange:
    """What a write does to the contents: keep them, take the new file, start an upload in parts, or clear them."""

    kind: str
    size: int | None


# --- reading ---------------------------------------------------------------------------------------------------


async def parts_of(session: AsyncSession, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[BestandsDeel]]:
    found: dict[uuid.UUID, list[BestandsDeel]] = {}
    rows = await session.scalars(select(BestandsDeel).where(BestandsDeel.informatieobject_id.in_(keys))
                                 .order_by(BestandsDeel.volgnummer))
    for part in rows:
        found.setdefault(part.informatieobject_id, []).append(part)
    return found


async def list_documents(session: AsyncSession, caller: ZgwCaller, links: Links, query: dict[str, str], page: int,
                         size: int, uuids: Sequence[uuid.UUID] | None = None) -> tuple[int, list[Shown]]:
    """One page of the current versions the caller may read (filtered in the database), oldest document first."""
    found = select(Informatieobject, InformatieobjectVersie).join(InformatieobjectVersie, (
        InformatieobjectVersie.informatieobject_id == Informatieobject.id)
        & (InformatieobjectVersie.versie == Informatieobject.versie))
    clause = allowed_clause(caller, links, LEZEN)
    if clause is not None:
        found = found.where(clause)
    if "identificatie" in query:
        found = found.where(Informatieobject.identificatie == query["identificatie"])
    if "bronorganisatie" in query:
        found = found.where(Informatieobject.bronorganisatie == query["bronorganisatie"])
    words = [word.strip() for word in query.get("trefwoorden", "").split(",") if word.strip()]
    if words:
        found = found.where(or_(*(json_contains(session, InformatieobjectVersie.trefwoorden, w) for w in words)))
    if uuids is not None:
        found = found.where(Informatieobject.id.in_(uuids))
    total = await session.scalar(select(func.count()).select_from(found.order_by(None).subquery())) or 0
    rows = list(await session.execute(found.order_by(Informatieobject.created_at, Informatieobject.id)
                                      .offset((page - 1) * size).limit(size)))
    parts = await parts_of(session, [document.id for document, _ in rows])
    return total, [Shown(document, versie, parts.get(document.id, [])) for document, versie in rows]


async def read(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID,
               query: dict[str, str] | None = None) -> Shown:
    """The current version, or the one `versie` and/or `registratieOp` (the version registered then) name; 403
    unless the caller may read the document, as it is now and as it was in that version."""
    found = await get_current(session, key)
    require(caller, links, LEZEN, found.versie)
    versie = found.versie
    query = query or {}
    if "versie" in query or "registratieOp" in query:
        wanted = select(InformatieobjectVersie).where(InformatieobjectVersie.informatieobject_id == key)
        if "versie" in query:
            text = query["versie"]
            number = int(text) if len(text) <= MAX_DIGITS else 0
            if not 0 < number < 2**31:
                raise NotFound("this enkelvoudiginformatieobject has no such version")
            wanted = wanted.where(InformatieobjectVersie.versie == number)
        if "registratieOp" in query:
            moment = parse_datetime(query["registratieOp"], "registratieOp")
            wanted = wanted.where(InformatieobjectVersie.begin_registratie <= moment)
        chosen = await session.scalar(wanted.order_by(InformatieobjectVersie.versie.desc()).limit(1))
        if chosen is None:
            raise NotFound("this enkelvoudiginformatieobject has no such version")
        require(caller, links, LEZEN, chosen)
        versie = chosen
    parts = (await parts_of(session, [key])).get(key, []) if versie.versie == found.document.versie else []
    return Shown(found.document, versie, parts)


# --- create and change -------------------------------------------------------------------------------------------


def checked(data: dict[str, Any], schema: str, partial: bool = False) -> dict[str, Any]:
    """The body checked against the standard's schema; an empty `link` (which the reference implementation gives for
    no link, and the document types as a URI) is taken as it is."""
    blank_link = data.get("link") == ""
    if blank_link:
        data = {name: value for name, value in data.items() if name != "link"}
    data = validation.check_body(API, schema, data, partial=partial)
    return data | {"link": ""} if blank_link else data


def rules(state: dict[str, Any]) -> list[InvalidParam]:
    problems = []
    if state.get("ontvangstdatum") and state.get("status") in RECEIVED_NOT_ALLOWED:
        problems.append(InvalidParam("status", "invalid_for_received",
                                     "a received document (ontvangstdatum) cannot be in bewerking or ter vaststelling "
                                     "(drc-005)"))
    problems += validation.rsin_problems(state, "bronorganisatie")
    return problems


def content_change(body: DocumentBody, data: dict[str, Any], before: InformatieobjectVersie | None,
                   own_url: str | None) -> ContentChange:
    """What the body does to the contents (see the module docstring of upload.py for how `inhoud` is read)."""
    size = data.get("bestandsomvang")
    if body.stored is not None:
        if size is not None and size != body.stored:
            raise invalid("bestandsomvang", "file-size", f"inhoud has {body.stored} bytes, bestandsomvang says {size}")
        return ContentChange("new", body.stored) if body.stored else ContentChange("none", 0)
    if body.inhoud_url is not None and (own_url is None or body.inhoud_url.split("?")[0] != own_url):
        raise invalid("inhoud", "invalid", "send the contents base64-encoded (a URL is only taken when it is this "
                      "document's own download URL, sent back unchanged)")
    cleared = "inhoud" in data and data["inhoud"] is None
    if before is not None and not cleared and ("bestandsomvang" not in data or size == before.bestandsomvang):
        return ContentChange("keep", before.bestandsomvang)
    if size and size > content.max_size():
        raise invalid("bestandsomvang", "max_value", f"Plein takes documents of at most {content.max_size()} bytes")
    if size:
        return ContentChange("parts", size)
    return ContentChange("none", size)


async def _unique_identificatie(session: AsyncSession, bronorganisatie: str, identificatie: str,
                                key: uuid.UUID) -> None:
    taken = await session.scalar(select(Informatieobject.id).where(
        Informatieobject.bronorganisatie == bronorganisatie, Informatieobject.identificatie == identificatie,
        Informatieobject.id != key))
    if taken is not None:
        raise invalid("identificatie", "identificatie-niet-uniek",
                      "this identificatie is taken within the bronorganisatie")


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if "identificatie" not in str(exc.orig):
            raise
        raise invalid("identificatie", "identificatie-niet-uniek",
                      "this identificatie is taken within the bronorganisatie") from exc


async def create(session: AsyncSession, caller: ZgwCaller, links: Links, storage: FileStorage, key: uuid.UUID,
                 body: DocumentBody, stored_key: str, toelichting: str = "") -> Shown:
    """A new document from a body read by upload.read_document_body (its contents, if any, under `stored_key`)."""
    stored = stored_key if body.stored is not None else None
    try:
        shown = await _create(session, caller, links, key, body, stored_key, toelichting)
    except BaseException:
        await session.rollback()
        await content.remove(storage, [stored])
        raise
    await content.remove(storage, [stored if shown.versie.inhoud_key != stored else None])
    return shown


async def _create(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID, body: DocumentBody,
                  stored_key: str, toelichting: str) -> Shown:
    shown = await add(session, caller, links, key, body, stored_key, toelichting)
    await _commit(session)
    return shown


async def add(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID, body: DocumentBody,
              stored_key: str, toelichting: str = "") -> Shown:
    """A new document in the caller's transaction (flushed, with its audit record and notification, not committed):
    what create does before it commits. Plein's own services add the documents of a zaak this way, in the
    transaction that makes the zaak; their contents are already stored under `stored_key`."""
    data = checked(body.data, "EnkelvoudigInformatieObjectCreateLockRequest")
    informatieobjecttype = await informatieobjecttype_at(session, links, data["informatieobjecttype"])
    vertrouwelijkheid = data.get("vertrouwelijkheidaanduiding") or informatieobjecttype.vertrouwelijkheidaanduiding
    caller.require_on(COMPONENT, AANMAKEN, links.informatieobjecttype(informatieobjecttype.id), vertrouwelijkheid)
    raise_if(rules(data))
    await require_acts_for(session, caller, data["bronorganisatie"], "bronorganisatie",
                           informatieobjecttype.catalogus_id)
    change = content_change(body, data, None, None)
    identificatie = data.get("identificatie")
    if identificatie:  # a generated one is free: claim keeps the counter past those chosen in its shape
        await _unique_identificatie(session, data["bronorganisatie"], identificatie, key)
        await claim(session, data["bronorganisatie"], "DOCUMENT", identificatie)
    else:
        identificatie = await next_identificatie(session, data["bronorganisatie"], "DOCUMENT")
    lock = secrets.token_hex(16) if change.kind == "parts" else ""
    document = Informatieobject(id=key, bronorganisatie=data["bronorganisatie"], identificatie=identificatie,
                                versie=1, lock=lock, created_at=utcnow())
    session.add(document)
    await session.flush()
    versie = InformatieobjectVersie(informatieobject_id=key, versie=1, begin_registratie=utcnow())
    represent.assign(versie, represent.FIELDS, data)
    versie.identificatie, versie.vertrouwelijkheidaanduiding = identificatie, vertrouwelijkheid
    versie.informatieobjecttype_id = informatieobjecttype.id
    versie.bestandsomvang = change.size
    versie.inhoud_key = stored_key if change.kind == "new" else None
    parts = content.plan_parts(key, change.size or 0) if change.kind == "parts" else []
    session.add_all([versie, *parts])
    await session.flush()
    await record(session, caller, links, key, actie="create", resultaat=201, resource=RESOURCE,
                 resource_url=links.document(key), weergave=represent.weergave(versie),
                 nieuw=Shown(document, versie, parts).represent(links), toelichting=toelichting)
    shown = Shown(document, versie, parts, lock or None)
    await notify(session, links, versie, RESOURCE, links.document(key), "create")
    return shown


def same_lock(given: str, lock: str) -> bool:
    """Compared in constant time (any text may be sent)."""
    return bool(lock) and secrets.compare_digest(given.encode(), lock.encode())


def check_lock(document: Informatieobject, given: str | None, name: str = "nonFieldErrors") -> None:
    """drc-009: a write needs the document locked, and the lock that was handed out."""
    if not document.lock:
        raise invalid(name, "unlocked", "lock the document first; an unlocked document cannot be changed (drc-009)")
    if not given:
        raise invalid(name, "missing-lock-id", "send the document's lock with the change (drc-009)")
    if not same_lock(given, document.lock):
        raise invalid(name, "incorrect-lock-id", "the lock does not match the document's lock (drc-009)")


async def authorize_update(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID) -> None:
    """404 or 403 before a change's body is read."""
    require(caller, links, BIJWERKEN, (await get_current(session, key)).versie)


async def update(session: AsyncSession, caller: ZgwCaller, links: Links, storage: FileStorage, key: uuid.UUID,
                 body: DocumentBody, stored_key: str, partial: bool, toelichting: str = "") -> Shown:
    """A new version from a PUT or PATCH body (with the lock), read by upload.read_document_body."""
    stored = stored_key if body.stored is not None else None
    try:
        shown, obsolete = await _update(session, caller, links, key, body, stored_key, partial, toelichting)
    except BaseException:
        await session.rollback()
        await content.remove(storage, [stored])
        raise
    await content.remove(storage, [*obsolete, stored if shown.versie.inhoud_key != stored else None])
    return shown


async def _new_type(session: AsyncSession, caller: ZgwCaller, links: Links, data: dict[str, Any],
                    before: InformatieobjectVersie) -> tuple[uuid.UUID, str]:
    """The informatieobjecttype and vertrouwelijkheidaanduiding after a change (drc-001, drc-007)."""
    type_id, vertrouwelijkheid = before.informatieobjecttype_id, before.vertrouwelijkheidaanduiding
    if "informatieobjecttype" in data:
        type_id = (await informatieobjecttype_at(session, links, data["informatieobjecttype"])).id
    if data.get("vertrouwelijkheidaanduiding"):
        vertrouwelijkheid = data["vertrouwelijkheidaanduiding"]
    elif "vertrouwelijkheidaanduiding" in data or type_id != before.informatieobjecttype_id:
        vertrouwelijkheid = (await informatieobjecttype_at(
            session, links, links.informatieobjecttype(type_id))).vertrouwelijkheidaanduiding
    caller.require_on(COMPONENT, BIJWERKEN, links.informatieobjecttype(type_id), vertrouwelijkheid)
    return type_id, vertrouwelijkheid


async def _update(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID, body: DocumentBody,
                  stored_key: str, partial: bool, toelichting: str) -> tuple[Shown, list[str | None]]:
    found = await get_current(session, key, for_update=True)
    document, before = found.document, found.versie
    require(caller, links, BIJWERKEN, before)
    data = checked(body.data, f"{'Patched' if partial else ''}EnkelvoudigInformatieObjectWithLockRequest", partial)
    check_lock(document, data.get("lock"))
    parts = (await parts_of(session, [key])).get(key, [])
    old = Shown(document, before, parts).represent(links)
    type_id, vertrouwelijkheid = await _new_type(session, caller, links, data, before)
    raise_if(rules({**old, **data}))
    change = content_change(body, data, before, f"{links.document(key)}/download")
    versie = InformatieobjectVersie(**{name: getattr(before, name) for name in COPIED})
    represent.assign(versie, represent.FIELDS, data)
    versie.versie, versie.begin_registratie = before.versie + 1, utcnow()
    versie.informatieobjecttype_id, versie.vertrouwelijkheidaanduiding = type_id, vertrouwelijkheid
    versie.identificatie = versie.identificatie or before.identificatie
    if (versie.bronorganisatie, versie.identificatie) != (document.bronorganisatie, document.identificatie):
        await _unique_identificatie(session, versie.bronorganisatie, versie.identificatie, key)
        await claim(session, versie.bronorganisatie, "DOCUMENT", versie.identificatie)
        document.bronorganisatie, document.identificatie = versie.bronorganisatie, versie.identificatie
    obsolete: list[str | None] = []
    if change.kind != "keep":
        versie.bestandsomvang = change.size
        versie.inhoud_key = stored_key if change.kind == "new" else None
        obsolete = [part.inhoud_key for part in parts]
        await session.execute(delete(BestandsDeel).where(BestandsDeel.informatieobject_id == key))
        parts = content.plan_parts(key, change.size or 0) if change.kind == "parts" else []
    document.versie = versie.versie
    session.add_all([versie, *parts])
    await session.flush()
    shown = Shown(document, versie, parts)
    actie = "partial_update" if partial else "update"
    await record(session, caller, links, key, actie=actie, resultaat=200, resource=RESOURCE,
                 resource_url=links.document(key), weergave=represent.weergave(versie), oud=old,
                 nieuw=shown.represent(links), toelichting=toelichting)
    await notify(session, links, versie, RESOURCE, links.document(key), actie)
    await _commit(session)
    return shown, obsolete


# --- delete, lock, unlock, bestandsdelen --------------------------------------------------------------------------


async def destroy(session: AsyncSession, caller: ZgwCaller, links: Links, storage: FileStorage,
                  key: uuid.UUID) -> None:
    """drc-008: only without objectinformatieobjecten; the versions, contents, gebruiksrechten, verzendingen and
    the audit trail go with it."""
    found = await get_current(session, key, for_update=True)
    require(caller, links, VERWIJDEREN, found.versie)
    if await session.scalar(select(exists().where(ObjectInformatieobject.informatieobject_id == key))):
        raise invalid("nonFieldErrors", "pending-relations",
                      "the document is still related to a zaak or besluit; remove those relations first (drc-008)")
    files = list(await session.scalars(select(InformatieobjectVersie.inhoud_key)
                                       .where(InformatieobjectVersie.informatieobject_id == key)))
    files += list(await session.scalars(select(BestandsDeel.inhoud_key).where(BestandsDeel.informatieobject_id == key)))
    await notify(session, links, found.versie, RESOURCE, links.document(key), "destroy")
    await audit.forget(session, key)
    await session.execute(delete(Informatieobject).where(Informatieobject.id == key))
    await session.commit()
    await content.remove(storage, files)


async def lock(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID) -> str:
    """drc-009: hand out a lock that cannot be guessed; 400 when the document is locked already."""
    found = await get_current(session, key, for_update=True)
    require(caller, links, LOCK, found.versie)
    if found.document.lock:
        raise invalid("nonFieldErrors", "existing-lock", "the document is locked already")
    found.document.lock = secrets.token_hex(16)
    await session.commit()
    return found.document.lock


async def unlock(session: AsyncSession, caller: ZgwCaller, links: Links, storage: FileStorage, key: uuid.UUID,
                 given: str | None) -> None:
    """drc-009: with the lock, or without it by a client with documenten.geforceerd-unlock. An upload in
    bestandsdelen is put together now; it must be complete, unless the unlock is forced (then it is dropped)."""
    found = await get_current(session, key, for_update=True)
    document, versie = found.document, found.versie
    require(caller, links, LOCK | FORCED_UNLOCK, versie)
    forced = not given
    if given and not same_lock(given, document.lock):
        raise invalid("nonFieldErrors", "incorrect-lock-id", "the lock does not match the document's lock (drc-009)")
    if forced and document.lock and not may(caller, links, FORCED_UNLOCK, versie):
        raise invalid("nonFieldErrors", "incorrect-lock-id",
                      "give the lock; only documenten.geforceerd-unlock unlocks without")
    parts = (await parts_of(session, [key])).get(key, [])
    assembled: str | None = None
    if parts and all(part.inhoud_key for part in parts):
        assembled, size = await content.assemble(storage, key, parts)
        versie.inhoud_key, versie.bestandsomvang = assembled, size
    elif parts and not forced:
        missing = ", ".join(str(part.volgnummer) for part in parts if not part.inhoud_key)
        raise invalid("nonFieldErrors", "incomplete-upload", f"bestandsdelen {missing} are not uploaded yet")
    await session.execute(delete(BestandsDeel).where(BestandsDeel.informatieobject_id == key))
    document.lock = ""
    try:
        await session.commit()
    except BaseException:
        await content.remove(storage, [assembled])
        raise
    await content.remove(storage, [part.inhoud_key for part in parts])


async def get_part(session: AsyncSession, caller: ZgwCaller, links: Links, key: uuid.UUID) -> BestandsDeel:
    """A bestandsdeel the caller may upload (documenten.bijwerken on its document)."""
    part = await session.get(BestandsDeel, key)
    if part is None:
        raise NotFound(f"there is no bestandsdeel {key}")
    require(caller, links, BIJWERKEN, (await get_current(session, part.informatieobject_id)).versie)
    return part


async def save_part(session: AsyncSession, links: Links, storage: FileStorage, key: uuid.UUID, lock_given: str | None,
                    stored: int | None, stored_key: str) -> dict[str, Any]:
    """Take an uploaded bestandsdeel (stored under `stored_key`): the lock must match and the size be the part's."""
    try:
        part, old = await _save_part(session, key, lock_given, stored, stored_key)
    except BaseException:
        await session.rollback()
        await content.remove(storage, [stored_key if stored is not None else None])
        raise
    await content.remove(storage, [old])
    return {"url": links.url("bestandsdelen", part.id), "lock": lock_given, "omvang": part.omvang,
            "volgnummer": part.volgnummer, "voltooid": True}


async def _save_part(session: AsyncSession, key: uuid.UUID, lock_given: str | None, stored: int | None,
                     stored_key: str) -> tuple[BestandsDeel, str | None]:
    part = await session.get(BestandsDeel, key, populate_existing=True, with_for_update=True)
    if part is None:
        raise NotFound(f"there is no bestandsdeel {key} (any more)")
    if lock_given is None:
        raise invalid("lock", "required", "send the document's lock with the bestandsdeel")
    check_lock((await get_current(session, part.informatieobject_id)).document, lock_given)
    if stored is None:
        raise invalid("inhoud", "required", "send the bytes of this bestandsdeel as the field inhoud")
    if stored != part.omvang:
        raise invalid("inhoud", "file-size", f"this bestandsdeel has {part.omvang} bytes, {stored} were sent")
    old, part.inhoud_key = part.inhoud_key, stored_key
    await session.commit()
    return part, old


# --- for the Zaken and Besluiten APIs -------------------------------------------------------------------------


class DocumentRef(NamedTuple):
    """What another API needs to know of a document to relate to it and to authorize that."""

    informatieobjecttype_id: uuid.UUID
    vertrouwelijkheidaanduiding: str
    bronorganisatie: str
    identificatie: str
    titel: str


RelationSource = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[bool | None]]
"""`check(session, object uuid, informatieobject uuid)`: None when the object does not exist, else whether its API
holds the relation to the informatieobject (a zaakinformatieobject, a besluitinformatieobject)."""

RELATION_SOURCES: dict[str, RelationSource] = {}


def register_relation_source(object_type: str, check: RelationSource) -> None:
    """The Zaken API registers its check for objectType `zaak`, the Besluiten API for `besluit` (drc-002, drc-004)."""
    RELATION_SOURCES[object_type] = check


async def get_document_ref(session: AsyncSession, key: uuid.UUID) -> DocumentRef | None:
    """The current type, confidentiality and names of a document; None when there is no such document."""
    found = await session.scalar(current_versions().where(Informatieobject.id == key))
    return None if found is None else document_ref(found)


def document_ref(versie: InformatieobjectVersie) -> DocumentRef:
    """The DocumentRef of a document's current version."""
    return DocumentRef(versie.informatieobjecttype_id, versie.vertrouwelijkheidaanduiding, versie.bronorganisatie,
                       versie.identificatie, versie.titel)


async def without_gebruiksrecht(session: AsyncSession, keys: list[uuid.UUID]) -> list[uuid.UUID]:
    """Of these documents, the ones whose current version has indicatieGebruiksrecht null (zrc-007)."""
    if not keys:
        return []
    found = await session.scalars(current_versions().where(Informatieobject.id.in_(keys),
                                                           InformatieobjectVersie.indicatie_gebruiksrecht.is_(None)))
    return [versie.informatieobject_id for versie in found]


async def link_object(session: AsyncSession, informatieobject_id: uuid.UUID, object_url: str,
                      object_type: str) -> ObjectInformatieobject:
    """Mirror a new zaakinformatieobject or besluitinformatieobject (in the caller's transaction, no commit); an
    existing mirror is returned as it is."""
    existing = await session.scalar(select(ObjectInformatieobject).where(
        ObjectInformatieobject.informatieobject_id == informatieobject_id, ObjectInformatieobject.object == object_url))
    if existing is not None:
        return existing
    if await session.get(Informatieobject, informatieobject_id) is None:
        raise NotFound(f"there is no enkelvoudiginformatieobject {informatieobject_id}")
    row = ObjectInformatieobject(informatieobject_id=informatieobject_id, object=object_url, object_type=object_type,
                                 created_at=utcnow())
    session.add(row)
    await session.flush()
    return row


async def unlink_object(session: AsyncSession, informatieobject_id: uuid.UUID, object_url: str) -> None:
    """Remove the mirror of a removed relation (in the caller's transaction, no commit)."""
    await session.execute(delete(ObjectInformatieobject).where(
        ObjectInformatieobject.informatieobject_id == informatieobject_id, ObjectInformatieobject.object == object_url))


async def informatieobjecttype_in_use(session: AsyncSession, iot_id: uuid.UUID) -> bool:
    """Whether any version of any document has this informatieobjecttype (then the Catalogi API does not delete it)."""
    return bool(await session.scalar(select(exists().where(InformatieobjectVersie.informatieobjecttype_id == iot_id))))


catalogi_common.register_type_user("informatieobjecttypen", informatieobjecttype_in_use)
