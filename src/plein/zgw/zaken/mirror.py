"""The Documenten side of zaakinformatieobjecten (zrc-005): the check the Documenten API asks before it keeps an
objectinformatieobject of a zaak (drc-002, drc-004), and removing the mirrors when zaken are destroyed (zrc-023).

A zaakinformatieobject keeps the uuid of the local document in its `informatieobject` column (its URL is made when
shown). This module reads only zaken tables and the Documenten service, so service.py can use it without a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.documenten import service as documenten
from plein.zgw.zaken.models import Zaak, ZaakInformatieObject
from plein.zgw.zaken.present import Urls


async def holds_relation(session: AsyncSession, zaak_key: uuid.UUID, document_key: uuid.UUID) -> bool | None:
    """None when there is no such zaak; else whether it has a zaakinformatieobject for the document."""
    if await session.get(Zaak, zaak_key) is None:
        return None
    found = await session.scalar(select(exists().where(ZaakInformatieObject.zaak_id == zaak_key,
                                                       ZaakInformatieObject.informatieobject == str(document_key))))
    return bool(found)


async def forget_documents(session: AsyncSession, urls: Urls, zaak_ids: Sequence[uuid.UUID]) -> None:
    """Before zaken are destroyed: remove the objectinformatieobjecten that mirror their documents (in the caller's
    transaction), so those documents can be destroyed later (drc-008)."""
    rows = await session.execute(select(ZaakInformatieObject.zaak_id, ZaakInformatieObject.informatieobject)
                                 .where(ZaakInformatieObject.zaak_id.in_(zaak_ids)))
    for zaak_id, document in rows.all():
        await documenten.unlink_object(session, uuid.UUID(document), urls.zaak(zaak_id))


documenten.register_relation_source("zaak", holds_relation)
