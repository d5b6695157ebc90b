"""Besluiten: create, change, read and destroy with the standard's rules, authorisation per besluittype, the audit
trail and a notification on the `besluiten` kanaal, all in the caller's transaction; and `sync_zaakbesluit`, which
keeps the Zaken side's zaakbesluit in step with a besluit's zaak (brc-006).

Rules: the besluittype is a published one of this Plein and never changes (brc-001); the identificatie is unique per
verantwoordelijkeOrganisatie, generated when not given, and neither changes (brc-002); the besluittype belongs to
the zaaktype of the zaak (brc-007); the verantwoordelijkeOrganisatie is an RSIN; the datum is not in the future; the
vervaldatum is not before the ingangsdatum; a closed zaak gets, keeps or loses a besluit only with
zaken.geforceerd-bijwerken (as zrc-007 has it for everything of a zaak). Destroying a besluit removes its
besluitinformatieobjecten with their mirrors in the Documenten API, its zaakbesluit and its audit trail (brc-009).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.errors import Forbidden, InvalidInput, InvalidParam, NotFound
from plein.identifiers import oin_for_rsin, passes_elfproef
from plein.notifications import service as notifications
from plein.zgw import audit
from plein.zgw.auth import VERTROUWELIJKHEID, ZgwCaller, readers, require_acts_for
from plein.zgw.besluiten import present
from plein.zgw.besluiten.models import Besluit, BesluitInformatieObject
from plein.zgw.catalogi import common as catalogi_common
from plein.zgw.catalogi.models import BesluitType, ZaakType
from plein.zgw.documenten import service as documenten
from plein.zgw.http import parse_resource_url
from plein.zgw.identificatie import claim, next_identificatie
from plein.zgw.validation import rsin_problems
from plein.zgw.zaken.models import Zaak, ZaakBesluit
from plein.zgw.zaken.service import Scope as ZakenScope
from plein.zgw.zaken.service import changed as zaken_changed

COMPONENT = "brc"
KANAAL = "besluiten"
READ = frozenset({"besluiten.lezen"})
CREATE = frozenset({"besluiten.aanmaken"})
UPDATE = frozenset({"besluiten.bijwerken"})
DELETE = frozenset({"besluiten.verwijderen"})
AUDIT = frozenset({"audittrails.lezen"})
FORCED = frozenset({"zaken.geforceerd-bijwerken"})
TEXT = {"toelichting": "toelichting", "bestuursorgaan": "bestuursorgaan", "vervalreden": "vervalreden"}
DATES = {"datum": "datum", "ingangsdatum": "ingangsdatum", "vervaldatum": "vervaldatum",
         "publicatiedatum": "publicatiedatum", "verzenddatum": "verzenddatum",
         "uiterlijkeReactiedatum": "uiterlijke_reactiedatum"}
IMMUTABLE = "wijzigen-niet-toegelaten"


@dataclass(frozen=True)
class Scope:
    """Who works on besluiten, in which session, the base URL of resources' URLs and the audit toelichting."""

    session: AsyncSession
    caller: ZgwCaller
    base_url: str
    toelichting: str = ""

    @property
    def urls(self) -> present.Urls:
        return present.Urls(self.base_url)


def invalid(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


def require_on(scope: Scope, scopes: frozenset[str], besluit: Besluit) -> None:
    """403 unless one of the caller's autorisaties holds one of the scopes for this besluit's besluittype."""
    scope.caller.require_on(COMPONENT, scopes, scope.urls.besluittype(besluit.besluittype_id), None)


def may_read(scope: Scope, besluit: Besluit) -> bool:
    return scope.caller.may_on(COMPONENT, READ, scope.urls.besluittype(besluit.besluittype_id), None)


async def get_besluit(scope: Scope, key: uuid.UUID, scopes: frozenset[str] = READ) -> Besluit:
    """A besluit the caller may use (404 when there is none, 403 when its autorisaties do not reach it)."""
    besluit = await scope.session.get(Besluit, key)
    if besluit is None:
        raise NotFound(f"there is no besluit {key}")
    require_on(scope, scopes, besluit)
    return besluit


async def besluit_at(scope: Scope, value: str, name: str, scopes: frozenset[str]) -> Besluit:
    """The besluit a URL field points at, which the caller may use; 400 naming the field when it is not one."""
    key = parse_resource_url(scope.base_url, value, "besluiten", "besluiten", name)
    besluit = await scope.session.get(Besluit, key)
    if besluit is None:
        raise invalid(name, "bad-url", "the URL does not resolve to a besluit here")
    require_on(scope, scopes, besluit)
    return besluit


async def _besluittype_at(scope: Scope, value: str) -> BesluitType:
    """brc-001: a published besluittype of this Plein's Catalogi API."""
    key = parse_resource_url(scope.base_url, value, "catalogi", "besluittypen", "besluittype")
    besluittype = await scope.session.get(BesluitType, key)
    if besluittype is None:
        raise invalid("besluittype", "bad-url", "the URL does not resolve to a besluittype here")
    if besluittype.concept:
        raise invalid("besluittype", "not-published", "the besluittype is a concept; publish it before using it")
    return besluittype


async def _zaak_at(scope: Scope, value: str | None) -> Zaak | None:
    """The zaak a `zaak` field names (none for an empty value); 400 when it is no zaak of this Plein."""
    if not value:
        return None
    key = parse_resource_url(scope.base_url, value, "zaken", "zaken", "zaak")
    zaak = await scope.session.get(Zaak, key)
    if zaak is None:
        raise invalid("zaak", "bad-url", "the URL does not resolve to a zaak here")
    return zaak


async def _check_zaaktype(scope: Scope, zaak: Zaak, besluittype: BesluitType) -> None:
    """brc-007: the besluittype is one of the besluittypen of the zaak's zaaktype."""
    zaaktype = await scope.session.get(ZaakType, zaak.zaaktype_id)
    assert zaaktype is not None
    if zaaktype.catalogus_id != besluittype.catalogus_id or besluittype.omschrijving not in zaaktype.besluittypen:
        raise invalid("nonFieldErrors", "zaaktype-mismatch",
                      "the besluittype is not one of the besluittypen of the zaaktype of the zaak (brc-007)")


def require_open(scope: Scope, zaak: Zaak | None) -> None:
    """A closed zaak (it has an einddatum) changes only with zaken.geforceerd-bijwerken for its zaaktype."""
    if zaak is None or zaak.einddatum is None:
        return
    if not scope.caller.may_on("zrc", FORCED, scope.urls.zaaktype(zaak.zaaktype_id),
                               VERTROUWELIJKHEID[zaak.vertrouwelijkheid]):
        raise Forbidden("the zaak of this besluit is closed; changing it needs the scope zaken.geforceerd-bijwerken")


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {attr: data[name] or "" for name, attr in TEXT.items() if name in data}
    for name, attr in DATES.items():
        if name in data:
            found[attr] = dt.date.fromisoformat(data[name]) if data[name] else None
    return found


def _problems(besluit: Besluit) -> list[InvalidParam]:
    """The rules on a besluit's own values that the schema cannot say."""
    problems: list[InvalidParam] = []
    problems += rsin_problems({"verantwoordelijkeOrganisatie": besluit.verantwoordelijke_organisatie},
                              "verantwoordelijkeOrganisatie")
    if besluit.datum > clock.today():
        problems.append(InvalidParam("datum", "future_not_allowed", "the datum of a besluit cannot be in the future"))
    if besluit.vervaldatum is not None and besluit.vervaldatum < besluit.ingangsdatum:
        problems.append(InvalidParam("vervaldatum", "date-mismatch", "the vervaldatum cannot come before the "
                                     "ingangsdatum"))
    return problems


def _raise_if(problems: list[InvalidParam]) -> None:
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)


async def _identificatie_taken(session: AsyncSession, besluit: Besluit) -> bool:
    return bool(await session.scalar(select(exists().where(
        Besluit.verantwoordelijke_organisatie == besluit.verantwoordelijke_organisatie,
        Besluit.identificatie == besluit.identificatie, Besluit.id != besluit.id))))


def _not_unique() -> InvalidInput:
    return invalid("identificatie", "identificatie-niet-uniek",
                   "another besluit of the verantwoordelijkeOrganisatie has this identificatie already (brc-002)")


async def create_besluit(scope: Scope, data: dict[str, Any]) -> Besluit:
    """Add a besluit from a checked body (in the caller's transaction), mirrored as a zaakbesluit when it has a zaak."""
    besluittype = await _besluittype_at(scope, data["besluittype"])
    besluit = Besluit(id=uuid.uuid4(), besluittype_id=besluittype.id,
                      verantwoordelijke_organisatie=data["verantwoordelijkeOrganisatie"],
                      identificatie=data.get("identificatie") or "",
                      **({"toelichting": "", "bestuursorgaan": "", "vervalreden": ""} | _columns(data)))
    require_on(scope, CREATE, besluit)
    _raise_if(_problems(besluit))
    await require_acts_for(scope.session, scope.caller, besluit.verantwoordelijke_organisatie,
                           "verantwoordelijkeOrganisatie", besluittype.catalogus_id)
    zaak = await _zaak_at(scope, data.get("zaak"))
    if zaak is not None:
        await _check_zaaktype(scope, zaak, besluittype)
        require_open(scope, zaak)
        besluit.zaak_id = zaak.id
    if not besluit.identificatie:
        besluit.identificatie = await next_identificatie(scope.session, besluit.verantwoordelijke_organisatie,
                                                         "BESLUIT")
    elif await _identificatie_taken(scope.session, besluit):
        raise _not_unique()
    else:
        await claim(scope.session, besluit.verantwoordelijke_organisatie, "BESLUIT", besluit.identificatie)
    scope.session.add(besluit)
    await _flush_unique(scope.session)
    await sync_zaakbesluit(scope, besluit, None, besluit.zaak_id, scope.urls.besluit(besluit.id))
    await changed(scope, besluit, "create", 201, None)
    return besluit


async def _flush_unique(session: AsyncSession) -> None:
    """Flush; a concurrent create that took the same identificatie becomes the standard's 400, not a 500."""
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise _not_unique() from exc


def _immutable(scope: Scope, besluit: Besluit, data: dict[str, Any]) -> list[InvalidParam]:
    """brc-001, brc-002 and brc-006: besluittype, identificatie, verantwoordelijkeOrganisatie and zaak stay as they
    are (a PUT may repeat them)."""
    current = {"besluittype": scope.urls.besluittype(besluit.besluittype_id), "identificatie": besluit.identificatie,
               "verantwoordelijkeOrganisatie": besluit.verantwoordelijke_organisatie,
               "zaak": scope.urls.zaak(besluit.zaak_id) if besluit.zaak_id is not None else ""}
    return [InvalidParam(name, IMMUTABLE, f"the {name} of a besluit cannot be changed")
            for name, value in current.items() if name in data and (data[name] or "") != value]


async def update_besluit(scope: Scope, besluit: Besluit, data: dict[str, Any], partial: bool) -> Besluit:
    """Change a besluit (PUT or PATCH body, already checked); its zaak stays (brc-006)."""
    require_on(scope, UPDATE, besluit)
    _raise_if(_immutable(scope, besluit, data))
    old_zaak = await scope.session.get(Zaak, besluit.zaak_id) if besluit.zaak_id is not None else None
    require_open(scope, old_zaak)
    before = present.besluit(scope.urls, besluit)
    new_zaak = await _zaak_at(scope, data["zaak"]) if "zaak" in data else old_zaak
    if new_zaak is not None and new_zaak is not old_zaak:
        besluittype = await scope.session.get(BesluitType, besluit.besluittype_id)
        assert besluittype is not None
        await _check_zaaktype(scope, new_zaak, besluittype)
        require_open(scope, new_zaak)
    for attr, value in _columns(data).items():
        setattr(besluit, attr, value)
    _raise_if(_problems(besluit))
    old_zaak_id, besluit.zaak_id = besluit.zaak_id, new_zaak.id if new_zaak is not None else None
    await scope.session.flush()
    await sync_zaakbesluit(scope, besluit, old_zaak_id, besluit.zaak_id, scope.urls.besluit(besluit.id))
    await changed(scope, besluit, "partial_update" if partial else "update", 200, before)
    return besluit


async def destroy_besluit(scope: Scope, besluit: Besluit) -> None:
    """brc-009: the besluit goes with its besluitinformatieobjecten (and their mirrors), zaakbesluit and trail."""
    require_on(scope, DELETE, besluit)
    zaak = await scope.session.get(Zaak, besluit.zaak_id) if besluit.zaak_id is not None else None
    require_open(scope, zaak)
    url = scope.urls.besluit(besluit.id)
    await notify(scope, besluit, "besluit", url, "destroy")
    documents = list(await scope.session.scalars(select(BesluitInformatieObject.informatieobject_id)
                                                 .where(BesluitInformatieObject.besluit_id == besluit.id)))
    for document in documents:
        await documenten.unlink_object(scope.session, document, url)
    await scope.session.execute(delete(BesluitInformatieObject).where(BesluitInformatieObject.besluit_id == besluit.id))
    await sync_zaakbesluit(scope, besluit, besluit.zaak_id, None, url)
    await audit.forget(scope.session, besluit.id)
    await scope.session.delete(besluit)
    await scope.session.flush()


async def sync_zaakbesluit(scope: Scope, besluit: Besluit, old_zaak_id: uuid.UUID | None,
                           new_zaak_id: uuid.UUID | None, besluit_url: str) -> None:
    """brc-006: the zaakbesluit on the Zaken side follows the besluit's zaak (in the caller's transaction).

    The old zaak loses the zaakbesluit of this besluit (found by the besluit's uuid, whatever host made its URL) and
    the new zaak gets one, unless it has it already; the new one is recorded in that zaak's audit trail and
    published on the `zaken` kanaal (`zaakbesluit` create), as the Zaken API would for its own. The Besluiten side
    leads: nothing else writes these rows for besluiten of this Plein.
    """
    session = scope.session
    if old_zaak_id == new_zaak_id:
        return
    if old_zaak_id is not None:
        await session.execute(delete(ZaakBesluit).where(
            ZaakBesluit.zaak_id == old_zaak_id, ZaakBesluit.besluit.endswith(f"/besluiten/{besluit.id}")))
    if new_zaak_id is not None:
        present_already = await session.scalar(select(exists().where(
            ZaakBesluit.zaak_id == new_zaak_id, ZaakBesluit.besluit.endswith(f"/besluiten/{besluit.id}"))))
        if not present_already:
            zaakbesluit = ZaakBesluit(id=uuid.uuid4(), zaak_id=new_zaak_id, besluit=besluit_url)
            session.add(zaakbesluit)
            await session.flush()
            await _zaakbesluit_made(scope, zaakbesluit)
    await session.flush()


async def _zaakbesluit_made(scope: Scope, zaakbesluit: ZaakBesluit) -> None:
    zaak = await scope.session.get(Zaak, zaakbesluit.zaak_id)
    assert zaak is not None
    zaken = ZakenScope(scope.session, scope.caller, scope.base_url)
    url = f"{zaken.urls.zaak(zaak.id)}/besluiten/{zaakbesluit.id}"
    await zaken_changed(zaken, zaak, "create", 201, None, "zaakbesluit", url,
                        {"url": url, "besluit": zaakbesluit.besluit})


async def changed(scope: Scope, besluit: Besluit, actie: str, resultaat: int, before: dict[str, Any] | None,
                  resource: str = "besluit", resource_url: str | None = None,
                  after: dict[str, Any] | None = None) -> None:
    """Record a write in the besluit's audit trail; a write on the besluit itself is also published on the kanaal."""
    url = scope.urls.besluit(besluit.id)
    if resource == "besluit" and after is None and actie != "destroy":
        after = present.besluit(scope.urls, besluit)
    await audit.record(scope.session, scope.caller, bron=COMPONENT, hoofd_object=besluit.id, hoofd_object_url=url,
                       actie=actie, resultaat=resultaat, resource=resource, resource_url=resource_url or url,
                       resource_weergave=besluit.identificatie, oud=before, nieuw=after, toelichting=scope.toelichting)
    if resource == "besluit":
        await notify(scope, besluit, resource, url, actie)


async def notify(scope: Scope, besluit: Besluit, resource: str, resource_url: str, actie: str) -> None:
    """A notification with the kenmerken of the `besluiten` kanaal: verantwoordelijkeOrganisatie and besluittype."""
    rsin = besluit.verantwoordelijke_organisatie
    await notifications.publish(
        scope.session, kanaal=KANAAL, hoofd_object=scope.urls.besluit(besluit.id), resource=resource,
        resource_url=resource_url, actie=actie,
        kenmerken={"verantwoordelijkeOrganisatie": rsin, "besluittype": scope.urls.besluittype(besluit.besluittype_id)},
        source_oin=oin_for_rsin(rsin) if passes_elfproef(rsin) else None,
        readers=readers(COMPONENT, "besluiten.lezen", scope.urls.besluittype(besluit.besluittype_id), None),
    )


async def relation_exists(session: AsyncSession, besluit_id: uuid.UUID, informatieobject_id: uuid.UUID) -> bool | None:
    """For the Documenten API (drc-002, drc-004): None when there is no such besluit, else whether it holds a
    besluitinformatieobject for the document."""
    if await session.get(Besluit, besluit_id) is None:
        return None
    return bool(await session.scalar(select(exists().where(
        BesluitInformatieObject.besluit_id == besluit_id,
        BesluitInformatieObject.informatieobject_id == informatieobject_id))))


documenten.register_relation_source("besluit", relation_exists)


async def besluittype_in_use(session: AsyncSession, besluittype_id: uuid.UUID) -> bool:
    """Whether any besluit has this besluittype (then the Catalogi API does not delete it)."""
    return bool(await session.scalar(select(exists().where(Besluit.besluittype_id == besluittype_id))))


catalogi_common.register_type_user("besluittypen", besluittype_in_use)
