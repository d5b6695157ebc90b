"""Zaakinformatieobjecten: a local enkelvoudiginformatieobject related to a zaak (zrc-003) whose type the zaaktype
allows (zrc-017), with aardRelatie hoort_bij and the registratiedatum set by Plein (zrc-004), mirrored as an
objectinformatieobject in the Documenten API in the same transaction (zrc-005)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, select

from plein import clock
from plein.db import utcnow
from plein.zgw.catalogi.models import InformatieObjectType, ZaakType, ZaakTypeInformatieObjectType
from plein.zgw.documenten import service as documenten
from plein.zgw.http import parse_resource_url
from plein.zgw.zaken import present_relations as shown
from plein.zgw.zaken.catalogus import invalid
from plein.zgw.zaken.models import Status, Zaak, ZaakInformatieObject
from plein.zgw.zaken.relations import flush_unique, open_zaak_at, remove, same_zaak, written
from plein.zgw.zaken.service import Scope, require_open

RESOURCE = "zaakinformatieobject"


async def _document(scope: Scope, value: str) -> tuple[uuid.UUID, documenten.DocumentRef]:
    """zrc-003: the URL of an enkelvoudiginformatieobject of this Plein that exists."""
    key = parse_resource_url(scope.base_url, value, "documenten", "enkelvoudiginformatieobjecten", "informatieobject")
    ref = await documenten.get_document_ref(scope.session, key)
    if ref is None:
        raise invalid("informatieobject", "bad-url", "the URL does not resolve to an enkelvoudiginformatieobject here")
    return key, ref


async def _check_type(scope: Scope, zaak: Zaak, ref: documenten.DocumentRef) -> None:
    """zrc-017: the document's informatieobjecttype is one of the zaaktype's (through its
    zaaktype-informatieobjecttypen, which name it by omschrijving within the zaaktype's catalogus)."""
    iot = await scope.session.get(InformatieObjectType, ref.informatieobjecttype_id)
    zaaktype = await scope.session.get(ZaakType, zaak.zaaktype_id)
    allowed = iot is not None and zaaktype is not None and iot.catalogus_id == zaaktype.catalogus_id and bool(
        await scope.session.scalar(select(exists().where(
            ZaakTypeInformatieObjectType.zaaktype_id == zaak.zaaktype_id,
            ZaakTypeInformatieObjectType.informatieobjecttype == iot.omschrijving))))
    if not allowed:
        raise invalid("informatieobject", "missing-zaaktype-informatieobjecttype-relation",
                      "the informatieobjecttype of the document is not one of the zaaktype (zrc-017)")


async def _status(scope: Scope, zaak: Zaak, value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    key = parse_resource_url(scope.base_url, value, "zaken", "statussen", "status")
    status = await scope.session.get(Status, key)
    if status is None:
        raise invalid("status", "bad-url", "the URL does not resolve to a status here")
    if status.zaak_id != zaak.id:
        raise invalid("status", "zaak-mismatch", "the status is not a status of this zaak")
    return status.id


def _assign(row: ZaakInformatieObject, data: dict[str, Any]) -> None:
    for name in ("titel", "beschrijving"):
        if name in data:
            setattr(row, name, data[name])
    if "vernietigingsdatum" in data:
        row.vernietigingsdatum = clock.parse(data["vernietigingsdatum"]) if data["vernietigingsdatum"] else None


async def create_zaakinformatieobject(scope: Scope, data: dict[str, Any], scopes: frozenset[str],
                                      made: documenten.DocumentRef | None = None) -> ZaakInformatieObject:
    """Relate a document to an open zaak that is not archived yet, once, and mirror it on the Documenten side.
    `made`: the document's ref when the caller made it in this transaction (else it is looked up)."""
    zaak = await open_zaak_at(scope, data["zaak"], scopes)
    if zaak.archiefstatus != "nog_te_archiveren":
        raise invalid("zaak", "zaak-archiefstatus", "documents are related only to zaken with archiefstatus "
                      "nog_te_archiveren")
    if made is None:
        key, ref = await _document(scope, data["informatieobject"])
    else:
        key, ref = parse_resource_url(scope.base_url, data["informatieobject"], "documenten",
                                      "enkelvoudiginformatieobjecten", "informatieobject"), made
    await _check_type(scope, zaak, ref)
    if made is None and await scope.session.scalar(select(exists().where(  # a document just made has no relations
            ZaakInformatieObject.zaak_id == zaak.id, ZaakInformatieObject.informatieobject == str(key)))):
        raise invalid("nonFieldErrors", "unique", "this informatieobject is related to this zaak already")
    row = ZaakInformatieObject(id=uuid.uuid4(), zaak_id=zaak.id, informatieobject=str(key), titel="",
                               beschrijving="", registratiedatum=utcnow(),
                               status_id=await _status(scope, zaak, data.get("status")))
    _assign(row, data)
    scope.session.add(row)
    await flush_unique(scope, "nonFieldErrors", "this informatieobject is related to this zaak already")
    await documenten.link_object(scope.session, key, scope.urls.zaak(zaak.id), "zaak")
    after = shown.zaakinformatieobject(scope.urls, row)
    await written(scope, zaak, RESOURCE, "create", after["url"], None, after, weergave=ref.titel)
    return row


async def update_zaakinformatieobject(scope: Scope, row: ZaakInformatieObject, zaak: Zaak, data: dict[str, Any],
                                      partial: bool) -> ZaakInformatieObject:
    """Change what is said of the relation; the relation itself (zaak, informatieobject) stays (zrc-004)."""
    require_open(scope, zaak)
    same_zaak(scope, data, zaak)
    if "informatieobject" in data:
        key = parse_resource_url(scope.base_url, data["informatieobject"], "documenten",
                                 "enkelvoudiginformatieobjecten", "informatieobject")
        if str(key) != row.informatieobject:
            raise invalid("informatieobject", "wijzigen-niet-toegelaten",
                          "the informatieobject of a zaakinformatieobject cannot be changed")
    before = shown.zaakinformatieobject(scope.urls, row)
    if not partial:
        data = {"titel": "", "beschrijving": "", "vernietigingsdatum": None} | data
    _assign(row, data)
    if "status" in data or not partial:
        row.status_id = await _status(scope, zaak, data.get("status"))
    await scope.session.flush()
    after = shown.zaakinformatieobject(scope.urls, row)
    await written(scope, zaak, RESOURCE, "partial_update" if partial else "update", after["url"], before, after)
    return row


async def destroy_zaakinformatieobject(scope: Scope, row: ZaakInformatieObject, zaak: Zaak) -> None:
    """Remove the relation and its mirror on the Documenten side together."""
    before = shown.zaakinformatieobject(scope.urls, row)
    require_open(scope, zaak)
    await documenten.unlink_object(scope.session, uuid.UUID(row.informatieobject), scope.urls.zaak(zaak.id))
    await remove(scope, row, zaak, RESOURCE, before["url"], before)
