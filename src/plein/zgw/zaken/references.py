"""Relations of a zaak to resources of other APIs: zaakcontactmomenten and zaakverzoeken (URLs of external APIs, kept
as given) and zaakbesluiten (besluiten of this Plein's Besluiten API that name this zaak).

zrc-024 and zrc-025 ask to mirror verzoeken and contactmomenten in their own APIs; Plein has neither, so the URLs are
kept as given and nothing is mirrored. A zaakbesluit must point at a local besluit whose zaak is this zaak; the
Besluiten API makes and removes the zaakbesluiten of its besluiten itself (brc-006), so a zaakbesluit of a besluit
that still names the zaak cannot be deleted here (409).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from plein.errors import Conflict, InvalidInput, NotFound
from plein.zgw.auth import ZgwCaller
from plein.zgw.besluiten import service as besluiten
from plein.zgw.besluiten.models import Besluit
from plein.zgw.zaken import present_relations as shown
from plein.zgw.zaken.catalogus import invalid
from plein.zgw.zaken.models import Zaak, ZaakBesluit, ZaakContactMoment, ZaakVerzoek
from plein.zgw.zaken.relations import flush_unique, open_zaak_at, remove, written
from plein.zgw.zaken.service import Scope, get_zaak, require_open

PLATFORM = ZgwCaller("plein", all_rights=True, applicatie_label="Plein")  # to look a besluit up, not to show it


async def _unique(scope: Scope, model: Any, column: Any, zaak: Zaak, value: str, name: str) -> None:
    taken = await scope.session.scalar(select(model.id).where(model.zaak_id == zaak.id, column == value))
    if taken is not None:
        raise invalid(name, "unique", f"this zaak is related to this {name} already")


async def create_zaakcontactmoment(scope: Scope, data: dict[str, Any], scopes: frozenset[str]) -> ZaakContactMoment:
    zaak = await open_zaak_at(scope, data["zaak"], scopes)
    await _unique(scope, ZaakContactMoment, ZaakContactMoment.contactmoment, zaak, data["contactmoment"],
                  "contactmoment")
    row = ZaakContactMoment(id=uuid.uuid4(), zaak_id=zaak.id, contactmoment=data["contactmoment"])
    scope.session.add(row)
    await scope.session.flush()
    after = shown.zaakcontactmoment(scope.urls, row)
    await written(scope, zaak, "zaakcontactmoment", "create", after["url"], None, after)
    return row


async def create_zaakverzoek(scope: Scope, data: dict[str, Any], scopes: frozenset[str]) -> ZaakVerzoek:
    zaak = await open_zaak_at(scope, data["zaak"], scopes)
    await _unique(scope, ZaakVerzoek, ZaakVerzoek.verzoek, zaak, data["verzoek"], "verzoek")
    row = ZaakVerzoek(id=uuid.uuid4(), zaak_id=zaak.id, verzoek=data["verzoek"])
    scope.session.add(row)
    await scope.session.flush()
    after = shown.zaakverzoek(scope.urls, row)
    await written(scope, zaak, "zaakverzoek", "create", after["url"], None, after)
    return row


async def _besluit_at(scope: Scope, value: str) -> Besluit:
    """A besluit of this Plein (400 `bad-url` / `invalid-resource` naming `besluit` otherwise)."""
    return await besluiten.besluit_at(besluiten.Scope(scope.session, PLATFORM, scope.base_url), value, "besluit",
                                      besluiten.READ)


def _of_besluit(besluit_id: uuid.UUID) -> Any:
    """The zaakbesluiten of a besluit, whatever host made the URL they keep."""
    return ZaakBesluit.besluit.endswith(f"/besluiten/{besluit_id}")


async def create_zaakbesluit(scope: Scope, zaak_key: uuid.UUID, data: dict[str, Any],
                             scopes: frozenset[str]) -> ZaakBesluit:
    """Relate a besluit that names the zaak in the path to it (the Besluiten API does this for its besluiten)."""
    zaak = await get_zaak(scope, zaak_key, scopes)
    require_open(scope, zaak)
    besluit = await _besluit_at(scope, data["besluit"])
    if besluit.zaak_id != zaak.id:
        raise invalid("besluit", "inconsistent-relation", "the besluit is not an outcome of this zaak")
    if await scope.session.scalar(select(ZaakBesluit.id).where(ZaakBesluit.zaak_id == zaak.id,
                                                               _of_besluit(besluit.id))):
        raise invalid("besluit", "unique", "this zaak is related to this besluit already")
    return await _add_besluit(scope, zaak, data["besluit"])


async def _add_besluit(scope: Scope, zaak: Zaak, besluit: str) -> ZaakBesluit:
    row = ZaakBesluit(id=uuid.uuid4(), zaak_id=zaak.id, besluit=besluit)
    scope.session.add(row)
    await flush_unique(scope, "besluit", "this zaak is related to this besluit already")
    after = shown.zaakbesluit(scope.urls, row)
    await written(scope, zaak, "zaakbesluit", "create", after["url"], None, after)
    return row


class InconsistentRelation(Conflict):
    code = "inconsistent-relation"


async def destroy_zaakbesluit(scope: Scope, row: ZaakBesluit, zaak: Zaak) -> None:
    """Only for a besluit that no longer names this zaak (or is gone): the Besluiten side leads (409 otherwise)."""
    try:
        besluit = await _besluit_at(scope, row.besluit)
    except (InvalidInput, NotFound):
        besluit = None
    if besluit is not None and besluit.zaak_id == zaak.id:
        raise InconsistentRelation("the besluit still names this zaak; change or delete the besluit in the Besluiten "
                                   "API, which removes this relation too")
    before = shown.zaakbesluit(scope.urls, row)
    await remove(scope, row, zaak, "zaakbesluit", before["url"], before)
