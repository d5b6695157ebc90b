"""What the Zaken API needs to know of the Catalogi: the zaaktype behind a URL and whether a status-, rol-,
resultaattype or eigenschap belongs to it (zrc-001, zrc-016, zrc-018, zrc-019, zrc-020)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from plein.driver import Ready
from plein.errors import InvalidInput, InvalidParam
from plein.zgw.catalogi.models import (
    Catalogus,
    Eigenschap,
    ResultaatType,
    RolType,
    StatusType,
    ZaakObjectType,
    ZaakType,
)
from plein.zgw.http import parse_resource_url

PartT = TypeVar("PartT", StatusType, RolType, ResultaatType, Eigenschap, ZaakObjectType)


def invalid(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


@dataclass(frozen=True, slots=True)
class ZaaktypeFacts:
    """What a new zaak needs of its zaaktype (read as five columns: a whole ZaakType is some forty)."""

    id: uuid.UUID
    concept: bool
    vertrouwelijkheidaanduiding: str
    producten_of_diensten: list[str]
    rsin: str  # the RSIN of the catalogus's organisation


_FACTS = Ready(select(ZaakType.id, ZaakType.concept, ZaakType.vertrouwelijkheidaanduiding,
                      ZaakType.producten_of_diensten, Catalogus.rsin)
               .join(Catalogus, Catalogus.id == ZaakType.catalogus_id).where(ZaakType.id == bindparam("id")))


async def zaaktype_at(session: AsyncSession, base_url: str, value: str, name: str = "zaaktype") -> ZaaktypeFacts:
    """The published local zaaktype a URL points at; 400 naming the field otherwise (zrc-001)."""
    key = parse_resource_url(base_url, value, "catalogi", "zaaktypen", name)
    found = await _FACTS.rows(session, {"id": key})
    if not found:
        raise invalid(name, "bad-url", "the URL does not resolve to a zaaktype here")
    zaaktype = ZaaktypeFacts(*found[0])
    if zaaktype.concept:
        raise invalid(name, "not-published", "the zaaktype is a concept; publish it before making zaken of it")
    return zaaktype


async def part_at(session: AsyncSession, base_url: str, model: type[PartT], collection: str, value: str,
                  name: str, zaaktype_id: uuid.UUID) -> PartT:
    """A part of the catalogus (statustype, roltype, …) that must belong to the zaak's zaaktype."""
    key = parse_resource_url(base_url, value, "catalogi", collection, name)
    part = await session.get(model, key)
    if part is None:
        raise invalid(name, "bad-url", f"the URL does not resolve to a {collection[:-2]} here")
    if part.zaaktype_id != zaaktype_id:
        raise invalid(name, "zaaktype-mismatch", f"the {collection[:-2]} does not belong to the zaaktype of the zaak")
    return part


async def is_eindstatus(session: AsyncSession, statustype: StatusType) -> bool:
    """The eindstatus of a zaaktype is its statustype with the highest volgnummer (zrc-007)."""
    highest = session.info.get(_KEPT, {}).get("highest", {}).get(statustype.zaaktype_id)
    if highest is None:
        highest = await session.scalar(select(func.max(StatusType.volgnummer))
                                       .where(StatusType.zaaktype_id == statustype.zaaktype_id))
    return bool(statustype.volgnummer == highest)


_KEPT = "plein.catalogus_parts"  # session.info: parts of published zaaktypen read in this transaction


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_parts(session: Session) -> None:
    session.info.pop(_KEPT, None)


def keep_parts(session: AsyncSession, zaaktype_id: uuid.UUID, statustypen: Sequence[StatusType],
               others: Sequence[Any]) -> None:
    """Hold a published zaaktype, its catalogus and its parts (they do not change) until the transaction ends:
    part_at and session.get then find them in the session without a query (its identity map holds rows only while
    something refers to them), and is_eindstatus knows the highest volgnummer. Making a zaak, closing it and
    adding documents to it each look several of them up."""
    kept = session.info.setdefault(_KEPT, {"rows": [], "highest": {}})
    kept["rows"].extend([*statustypen, *others])
    if statustypen:
        kept["highest"][zaaktype_id] = max(row.volgnummer for row in statustypen)
