"""Zaken: create, change, read and destroy, with the standard's rules, authorisation per zaaktype and
confidentiality (zrc-006), the audit trail and a notification on the `zaken` kanaal in the same transaction.

Functions take a `Scope` (session, caller, base URL) and never commit on their own unless their name says so
(`*_and_commit`); the internal Python API (`plein.zgw.zaken.cases`) composes them into one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
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
from plein.zgw.auth import VERTROUWELIJKHEID, ZgwCaller, confidentiality_rank, readers
from plein.zgw.catalogi import common as catalogi_common
from plein.zgw.catalogi.models import ZaakType
from plein.zgw.http import parse_resource_url
from plein.zgw.identificatie import claim, next_identificatie
from plein.zgw.validation import rsin_problems
from plein.zgw.zaken import mirror, present
from plein.zgw.zaken.catalogus import invalid, zaaktype_at
from plein.zgw.zaken.models import Zaak

COMPONENT = "zrc"
READ = frozenset({"zaken.lezen"})
FORCED = frozenset({"zaken.geforceerd-bijwerken"})
PLAIN_DATES = ("registratiedatum", "startdatum", "einddatumGepland", "uiterlijkeEinddatumAfdoening",
               "publicatiedatum", "archiefactiedatum", "startdatumBewaartermijn")
PLAIN = {
    "identificatie": "identificatie", "bronorganisatie": "bronorganisatie", "omschrijving": "omschrijving",
    "toelichting": "toelichting", "verantwoordelijkeOrganisatie": "verantwoordelijke_organisatie",
    "communicatiekanaal": "communicatiekanaal", "productenOfDiensten": "producten_of_diensten",
    "betalingsindicatie": "betalingsindicatie", "zaakgeometrie": "zaakgeometrie", "verlenging": "verlenging",
    "opschorting": "opschorting", "selectielijstklasse": "selectielijstklasse",
    "relevanteAndereZaken": "relevante_andere_zaken", "kenmerken": "kenmerken",
    "archiefnominatie": "archiefnominatie", "archiefstatus": "archiefstatus",
    "opdrachtgevendeOrganisatie": "opdrachtgevende_organisatie", "processobjectaard": "processobjectaard",
    "processobject": "processobject",
}
SNAKE = {"registratiedatum": "registratiedatum", "startdatum": "startdatum", "einddatumGepland": "einddatum_gepland",
         "uiterlijkeEinddatumAfdoening": "uiterlijke_einddatum_afdoening", "publicatiedatum": "publicatiedatum",
         "archiefactiedatum": "archiefactiedatum", "startdatumBewaartermijn": "startdatum_bewaartermijn"}
DEFAULTS: dict[str, Any] = {
    "omschrijving": "", "toelichting": "", "communicatiekanaal": "", "producten_of_diensten": [],
    "betalingsindicatie": "", "selectielijstklasse": "", "relevante_andere_zaken": [], "kenmerken": [],
    "archiefstatus": "nog_te_archiveren", "opdrachtgevende_organisatie": "",
}


@dataclass(frozen=True)
class Scope:
    """Who works on zaken, in which session, and the base URL that resources' URLs start with."""

    session: AsyncSession
    caller: ZgwCaller
    base_url: str

    @property
    def urls(self) -> present.Urls:
        return present.Urls(self.base_url)


def zaaktype_url(scope: Scope, zaaktype_id: uuid.UUID) -> str:
    return scope.urls.catalogi("zaaktypen", zaaktype_id)


def require_on(scope: Scope, scopes: frozenset[str], zaak: Zaak) -> None:
    """403 unless the caller holds one of the scopes for this zaak's zaaktype at its confidentiality (zrc-006)."""
    scope.caller.require_on(COMPONENT, scopes, zaaktype_url(scope, zaak.zaaktype_id),
                            VERTROUWELIJKHEID[zaak.vertrouwelijkheid])


async def get_zaak(scope: Scope, key: uuid.UUID, scopes: frozenset[str] = READ) -> Zaak:
    """A zaak the caller may see (404 when there is none, 403 when its autorisaties do not reach it)."""
    zaak = await scope.session.get(Zaak, key)
    if zaak is None:
        raise NotFound(f"there is no zaak {key}")
    require_on(scope, scopes, zaak)
    return zaak


async def zaak_at(scope: Scope, value: str, name: str, scopes: frozenset[str] = READ) -> Zaak:
    """The zaak a URL field points at, which the caller may use; 400 naming the field when it is not one."""
    key = parse_resource_url(scope.base_url, value, "zaken", "zaken", name)
    zaak = await scope.session.get(Zaak, key)
    if zaak is None:
        raise invalid(name, "bad-url", "the URL does not resolve to a zaak here")
    require_on(scope, scopes, zaak)
    return zaak


def require_open(scope: Scope, zaak: Zaak) -> None:
    """A closed zaak (it has an einddatum) changes only with zaken.geforceerd-bijwerken (zrc-007)."""
    if zaak.einddatum is not None and not scope.caller.may(COMPONENT, FORCED):
        raise Forbidden("the zaak is closed; changing it needs the scope zaken.geforceerd-bijwerken")


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, attr in PLAIN.items():
        if name in data:
            found[attr] = data[name]
    for name, attr in SNAKE.items():
        if name in data:
            found[attr] = dt.date.fromisoformat(data[name]) if data[name] else None
    if "laatsteBetaaldatum" in data:
        raw = data["laatsteBetaaldatum"]
        found["laatste_betaaldatum"] = clock.parse(raw) if raw else None
    if data.get("vertrouwelijkheidaanduiding"):
        found["vertrouwelijkheid"] = confidentiality_rank(data["vertrouwelijkheidaanduiding"])
    return found


async def _check(scope: Scope, zaak: Zaak, data: dict[str, Any], products: Sequence[str] | None) -> None:
    """The rules that need more than the schema: zrc-011, zrc-013, zrc-014, zrc-015, zrc-022; `products` are the
    zaaktype's productenOfDiensten."""
    problems = rsin_problems(data, "bronorganisatie", "verantwoordelijkeOrganisatie", "opdrachtgevendeOrganisatie")
    if "hoofdzaak" in data:
        zaak.hoofdzaak_id = None
        if data["hoofdzaak"]:
            hoofdzaak = await zaak_at(scope, data["hoofdzaak"], "hoofdzaak")
            if hoofdzaak.id == zaak.id:
                problems.append(InvalidParam("hoofdzaak", "self-forbidden", "a zaak cannot be its own hoofdzaak"))
            elif hoofdzaak.hoofdzaak_id is not None:
                problems.append(InvalidParam("hoofdzaak", "deelzaak-als-hoofdzaak",
                                             "a deelzaak cannot be the hoofdzaak of another zaak"))
            else:
                zaak.hoofdzaak_id = hoofdzaak.id
    for index, relevant in enumerate(data.get("relevanteAndereZaken") or []):
        await zaak_at(scope, relevant["url"], f"relevanteAndereZaken.{index}.url")
    if zaak.betalingsindicatie == "nvt" and zaak.laatste_betaaldatum is not None:
        problems.append(InvalidParam("laatsteBetaaldatum", "betaling-nvt",
                                     "a zaak without costs (betalingsindicatie nvt) has no laatsteBetaaldatum"))
    unknown = [p for p in zaak.producten_of_diensten if p not in (products or [])]
    if unknown:
        problems.append(InvalidParam("productenOfDiensten", "invalid-products-services",
                                     "these are not products or services of the zaaktype: " + ", ".join(unknown)))
    if zaak.archiefstatus != "nog_te_archiveren" and (zaak.archiefnominatie is None or zaak.archiefactiedatum is None):
        problems.append(InvalidParam("archiefstatus", "archiefnominatie-not-set" if zaak.archiefnominatie is None
                                     else "archiefactiedatum-not-set",
                                     "archiefnominatie and archiefactiedatum must be set before archiving (zrc-022)"))
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)


async def create_zaak(scope: Scope, data: dict[str, Any]) -> Zaak:
    """Add a zaak from a checked body (in the caller's transaction): zaaktype, confidentiality, identificatie."""
    return (await add_zaak(scope, data))[0]


async def add_zaak(scope: Scope, data: dict[str, Any]) -> tuple[Zaak, dict[str, Any]]:
    """create_zaak, also giving the new zaak as the standard shows it (made once: for the audit trail and the
    response)."""
    zaaktype = await zaaktype_at(scope.session, scope.base_url, data["zaaktype"])
    zaak = Zaak(id=uuid.uuid4(), zaaktype_id=zaaktype.id, **(DEFAULTS | _columns(data)))
    if "vertrouwelijkheid" not in _columns(data):
        zaak.vertrouwelijkheid = confidentiality_rank(zaaktype.vertrouwelijkheidaanduiding)  # zrc-009
    if zaak.registratiedatum is None:
        zaak.registratiedatum = clock.today()
    require_on(scope, frozenset({"zaken.aanmaken"}), zaak)
    if not scope.caller.may_act_for(zaak.bronorganisatie, zaaktype.rsin):
        raise Forbidden("bronorganisatie: this client may only create zaken for the organisation it acts for "
                        f"(RSIN {scope.caller.rsin or zaaktype.rsin})")
    await _check(scope, zaak, data, zaaktype.producten_of_diensten)
    if not zaak.identificatie:
        zaak.identificatie = await next_identificatie(scope.session, zaak.bronorganisatie, "ZAAK")
    elif await _identificatie_taken(scope.session, zaak):
        raise invalid("identificatie", "identificatie-niet-uniek",
                      "this identificatie is already used by another zaak of the bronorganisatie (zrc-002)")
    else:
        await claim(scope.session, zaak.bronorganisatie, "ZAAK", zaak.identificatie)
    scope.session.add(zaak)
    await flush_unique(scope.session)
    body = present.new_zaak(scope.urls, zaak)
    await changed(scope, zaak, "create", 201, None, after=body)
    return zaak, body


async def _identificatie_taken(session: AsyncSession, zaak: Zaak) -> bool:
    other = await session.scalar(select(Zaak.id).where(Zaak.bronorganisatie == zaak.bronorganisatie,
                                                       Zaak.identificatie == zaak.identificatie, Zaak.id != zaak.id))
    return other is not None


async def flush_unique(session: AsyncSession) -> None:
    """Flush; a concurrent create that took the same identificatie becomes the standard's 400, not a 500."""
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise invalid("identificatie", "identificatie-niet-uniek",
                      "this identificatie is already used by another zaak of the bronorganisatie (zrc-002)") from exc


async def update_zaak(scope: Scope, zaak: Zaak, data: dict[str, Any], partial: bool) -> Zaak:
    """Change a zaak (PUT or PATCH body, already checked); the zaaktype of a zaak never changes."""
    require_on(scope, frozenset({"zaken.bijwerken", "zaken.geforceerd-bijwerken"}), zaak)
    require_open(scope, zaak)
    if "zaaktype" in data and data["zaaktype"] != zaaktype_url(scope, zaak.zaaktype_id):
        raise invalid("zaaktype", "wijzigen-niet-toegelaten", "the zaaktype of a zaak cannot be changed")
    if "identificatie" in data and data["identificatie"] != zaak.identificatie:
        raise invalid("identificatie", "wijzigen-niet-toegelaten", "the identificatie of a zaak cannot be changed")
    rel = await present.related(scope.session, [zaak.id])  # rows that refer to the zaak: a change keeps them
    before = present.zaak(scope.urls, zaak, rel)
    for attr, value in _columns(data).items():
        setattr(zaak, attr, value)
    require_on(scope, frozenset({"zaken.bijwerken", "zaken.geforceerd-bijwerken"}), zaak)
    zaaktype = await scope.session.get(ZaakType, zaak.zaaktype_id)
    assert zaaktype is not None
    await _check(scope, zaak, data, zaaktype.producten_of_diensten)
    await scope.session.flush()
    await changed(scope, zaak, "partial_update" if partial else "update", 200, before,
                  after=present.zaak(scope.urls, zaak, rel))
    return zaak


async def destroy_zaak(scope: Scope, zaak: Zaak) -> None:
    """Remove a zaak with everything that belongs to it, its deelzaken and its audit trail (zrc-023)."""
    require_on(scope, frozenset({"zaken.verwijderen"}), zaak)
    url = scope.urls.zaak(zaak.id)
    await notify(scope, zaak, "zaak", url, "destroy")
    deelzaken = list(await scope.session.scalars(select(Zaak.id).where(Zaak.hoofdzaak_id == zaak.id)))
    for key in [*deelzaken, zaak.id]:
        await audit.forget(scope.session, key)
    await mirror.forget_documents(scope.session, scope.urls, [*deelzaken, zaak.id])  # zrc-023: their mirrors go too
    await scope.session.execute(delete(Zaak).where(Zaak.id.in_(deelzaken)))
    await scope.session.delete(zaak)
    await scope.session.flush()


async def represent(scope: Scope, zaak: Zaak) -> dict[str, Any]:
    return (await present.zaken(scope.session, scope.urls, [zaak]))[0]


async def changed(scope: Scope, zaak: Zaak, actie: str, resultaat: int, before: dict[str, Any] | None,
                  resource: str = "zaak", resource_url: str | None = None, after: dict[str, Any] | None = None,
                  weergave: str = "") -> None:
    """Record a write in the zaak's audit trail and publish it on the `zaken` kanaal (same transaction)."""
    url = scope.urls.zaak(zaak.id)
    resource_url = resource_url or url
    if after is None and resource == "zaak":
        after = await represent(scope, zaak)
    await audit.record(scope.session, scope.caller, bron=COMPONENT, hoofd_object=zaak.id, hoofd_object_url=url,
                       actie=actie, resultaat=resultaat, resource=resource, resource_url=resource_url,
                       resource_weergave=weergave or zaak.identificatie, oud=before, nieuw=after)
    await notify(scope, zaak, resource, resource_url, actie)


async def notify(scope: Scope, zaak: Zaak, resource: str, resource_url: str, actie: str) -> None:
    """A notification with the kenmerken the `zaken` kanaal has: bronorganisatie, zaaktype, confidentiality."""
    await notifications.publish(
        scope.session, kanaal="zaken", hoofd_object=scope.urls.zaak(zaak.id), resource=resource,
        resource_url=resource_url, actie=actie,
        kenmerken={"bronorganisatie": zaak.bronorganisatie, "zaaktype": zaaktype_url(scope, zaak.zaaktype_id),
                   "vertrouwelijkheidaanduiding": VERTROUWELIJKHEID[zaak.vertrouwelijkheid]},
        source_oin=oin_for_rsin(zaak.bronorganisatie) if passes_elfproef(zaak.bronorganisatie) else None,
        readers=readers(COMPONENT, "zaken.lezen", zaaktype_url(scope, zaak.zaaktype_id),
                        VERTROUWELIJKHEID[zaak.vertrouwelijkheid]),
    )


async def zaaktype_in_use(session: AsyncSession, zaaktype_id: uuid.UUID) -> bool:
    """Whether any zaak has this zaaktype (then the Catalogi API does not delete it)."""
    return bool(await session.scalar(select(exists().where(Zaak.zaaktype_id == zaaktype_id))))


catalogi_common.register_type_user("zaaktypen", zaaktype_in_use)
