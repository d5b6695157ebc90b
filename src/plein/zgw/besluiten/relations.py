"""Besluitinformatieobjecten: the documents in which a besluit is recorded, mirrored in the Documenten API.

Creating one checks that the document exists (brc-003) and that its informatieobjecttype is one of the besluittype's
(brc-008); the relation is `legt_vast` by definition (brc-004) and the Documenten side gets its objectinformatieobject
in the same transaction (brc-005); deleting one removes that mirror too. Each is authorised through its besluit's
besluittype and written to the besluit's audit trail.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, select

from plein.errors import NotFound
from plein.zgw.besluiten import present
from plein.zgw.besluiten.models import Besluit, BesluitInformatieObject
from plein.zgw.besluiten.service import (
    CREATE,
    DELETE,
    READ,
    Scope,
    besluit_at,
    changed,
    invalid,
    may_read,
    require_on,
)
from plein.zgw.catalogi.models import BesluitType, InformatieObjectType
from plein.zgw.documenten import service as documenten
from plein.zgw.http import parse_resource_url

RESOURCE = "besluitinformatieobject"
DOCUMENTEN = "enkelvoudiginformatieobjecten"


async def get_relation(scope: Scope, key: uuid.UUID, scopes: frozenset[str] = READ,
                       ) -> tuple[BesluitInformatieObject, Besluit]:
    """A besluitinformatieobject with its besluit, when the caller may use that besluit."""
    row = await scope.session.get(BesluitInformatieObject, key)
    if row is None:
        raise NotFound(f"there is no besluitinformatieobject {key}")
    besluit = await scope.session.get(Besluit, row.besluit_id)
    assert besluit is not None
    require_on(scope, scopes, besluit)
    return row, besluit


async def list_relations(scope: Scope, query: dict[str, str]) -> list[BesluitInformatieObject]:
    """The besluitinformatieobjecten of besluiten the caller may read, filtered by `besluit` and `informatieobject`."""
    found = select(BesluitInformatieObject, Besluit).join(Besluit, Besluit.id == BesluitInformatieObject.besluit_id)
    if query.get("besluit"):
        key = parse_resource_url(scope.base_url, query["besluit"], "besluiten", "besluiten", "besluit")
        found = found.where(BesluitInformatieObject.besluit_id == key)
    if query.get("informatieobject"):
        key = parse_resource_url(scope.base_url, query["informatieobject"], "documenten", DOCUMENTEN,
                                 "informatieobject")
        found = found.where(BesluitInformatieObject.informatieobject_id == key)
    rows = await scope.session.execute(found.order_by(BesluitInformatieObject.created_at, BesluitInformatieObject.id))
    return [row for row, besluit in rows if may_read(scope, besluit)]


async def _document_type(scope: Scope, value: str) -> tuple[uuid.UUID, InformatieObjectType]:
    """brc-003: the document a URL names exists here; with its informatieobjecttype."""
    key = parse_resource_url(scope.base_url, value, "documenten", DOCUMENTEN, "informatieobject")
    ref = await documenten.get_document_ref(scope.session, key)
    if ref is None:
        raise invalid("informatieobject", "bad-url", "the URL does not resolve to an enkelvoudiginformatieobject here")
    iot = await scope.session.get(InformatieObjectType, ref.informatieobjecttype_id)
    assert iot is not None
    return key, iot


async def create_relation(scope: Scope, data: dict[str, Any]) -> BesluitInformatieObject:
    """Record a besluit in a document (a checked body), with its mirror in the Documenten API."""
    besluit = await besluit_at(scope, data["besluit"], "besluit", CREATE)
    document, iot = await _document_type(scope, data["informatieobject"])
    besluittype = await scope.session.get(BesluitType, besluit.besluittype_id)
    assert besluittype is not None
    if iot.catalogus_id != besluittype.catalogus_id or iot.omschrijving not in besluittype.informatieobjecttypen:
        raise invalid("nonFieldErrors", "missing-besluittype-informatieobjecttype-relation",
                      "the informatieobjecttype of the document is not one of the besluittype's (brc-008)")
    if await scope.session.scalar(select(exists().where(BesluitInformatieObject.besluit_id == besluit.id,
                                                        BesluitInformatieObject.informatieobject_id == document))):
        raise invalid("nonFieldErrors", "unique", "this document already records this besluit")
    row = BesluitInformatieObject(id=uuid.uuid4(), besluit_id=besluit.id, informatieobject_id=document)
    scope.session.add(row)
    await scope.session.flush()
    await documenten.link_object(scope.session, document, scope.urls.besluit(besluit.id), "besluit")
    shown = present.besluitinformatieobject(scope.urls, row)
    await changed(scope, besluit, "create", 201, None, RESOURCE, shown["url"], shown)
    return row


async def delete_relation(scope: Scope, row: BesluitInformatieObject, besluit: Besluit) -> None:
    """Remove a besluitinformatieobject and its mirror in the Documenten API."""
    require_on(scope, DELETE, besluit)
    shown = present.besluitinformatieobject(scope.urls, row)
    await scope.session.delete(row)
    await scope.session.flush()
    await documenten.unlink_object(scope.session, row.informatieobject_id, scope.urls.besluit(besluit.id))
    await changed(scope, besluit, "destroy", 204, shown, RESOURCE, shown["url"])
