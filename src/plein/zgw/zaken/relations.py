"""Zaakobjecten, zaakeigenschappen and klantcontacten of a zaak: the checks against the zaaktype (zrc-018, the
zaakobjecttype), the polymorphic objectIdentificatie, the value of an eigenschap against its specificatie (`waarden`),
and the audit record and notification of each write (`written`), shared with the other relation modules.

Functions take a `Scope` and the scopes of the operation (the route passes the standard's), check the zaak with them
(zrc-006) and that it is open or the caller may force (zrc-007), and never commit.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError

from plein import clock
from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.zgw import audit, spec, validation
from plein.zgw.catalogi.models import Eigenschap, ZaakObjectType
from plein.zgw.http import parse_resource_url
from plein.zgw.identificatie import next_identificatie
from plein.zgw.zaken import present_relations as shown
from plein.zgw.zaken.catalogus import invalid, part_at
from plein.zgw.zaken.models import KlantContact, Zaak, ZaakEigenschap, ZaakObject
from plein.zgw.zaken.present import Urls
from plein.zgw.zaken.service import COMPONENT, Scope, changed, get_zaak, require_on, require_open, zaak_at
from plein.zgw.zaken.waarden import waarde_problems

API = "zaken"
RESULTAAT = {"create": 201, "update": 200, "partial_update": 200, "destroy": 204}
UPDATES = frozenset({"create", "update", "partial_update", "destroy"})
NOTIFIED: dict[str, frozenset[str]] = {  # the resources and actions the `zaken` kanaal lists in the standard
    "zaakobject": UPDATES, "zaakeigenschap": UPDATES, "zaakinformatieobject": frozenset({"create"}),
    "klantcontact": frozenset({"create"}), "zaakbesluit": frozenset({"create"}),
    "zaakcontactmoment": frozenset({"create"}), "zaakverzoek": frozenset({"create"}),
}


async def written(scope: Scope, zaak: Zaak, resource: str, actie: str, url: str, before: dict[str, Any] | None,
                  after: dict[str, Any] | None, weergave: str = "") -> None:
    """Every write goes into the zaak's audit trail; those the `zaken` kanaal lists are also notified."""
    if actie in NOTIFIED.get(resource, frozenset()):
        await changed(scope, zaak, actie, RESULTAAT[actie], before, resource, url, after, weergave=weergave)
        return
    await audit.record(scope.session, scope.caller, bron=COMPONENT, hoofd_object=zaak.id,
                       hoofd_object_url=scope.urls.zaak(zaak.id), actie=actie, resultaat=RESULTAAT[actie],
                       resource=resource, resource_url=url, resource_weergave=weergave or zaak.identificatie,
                       oud=before, nieuw=after)


async def open_zaak_at(scope: Scope, value: str, scopes: frozenset[str], name: str = "zaak") -> Zaak:
    """The zaak a body names, which the caller may change with these scopes and which is open (or forced)."""
    zaak = await zaak_at(scope, value, name, scopes)
    require_open(scope, zaak)
    return zaak


async def part_of(scope: Scope, model: Any, key: uuid.UUID, scopes: frozenset[str] = frozenset({"zaken.lezen"}),
                  zaak_key: uuid.UUID | None = None) -> tuple[Any, Zaak]:
    """A relation row with its zaak, when the caller holds the scopes for that zaak (404 when the row is not of the
    zaak in the path)."""
    row = await scope.session.get(model, key)
    if row is None or (zaak_key is not None and row.zaak_id != zaak_key):
        raise NotFound(f"there is no {model.__tablename__.removeprefix('zgw_')} resource {key}")
    zaak = await scope.session.get(Zaak, row.zaak_id)
    assert zaak is not None
    require_on(scope, scopes, zaak)
    return row, zaak


def same_zaak(scope: Scope, data: dict[str, Any], zaak: Zaak, name: str = "zaak") -> None:
    """A relation never moves to another zaak (400 `wijzigen-niet-toegelaten`)."""
    if name in data and parse_resource_url(scope.base_url, data[name], API, "zaken", name) != zaak.id:
        raise invalid(name, "wijzigen-niet-toegelaten", f"the {name} of this resource cannot be changed")


async def flush_unique(scope: Scope, name: str, reason: str) -> None:
    """Flush; the same relation made at the same moment by another request becomes a 400 `unique`, not a 500."""
    try:
        await scope.session.flush()
    except IntegrityError as exc:
        await scope.session.rollback()
        raise invalid(name, "unique", reason) from exc


async def remove(scope: Scope, row: Any, zaak: Zaak, resource: str, url: str, before: dict[str, Any]) -> None:
    """Delete a relation of an open zaak (the route checked the scopes), with its audit record."""
    require_open(scope, zaak)
    await scope.session.delete(row)
    await scope.session.flush()
    await written(scope, zaak, resource, "destroy", url, before, None)


# --- zaakobjecten -------------------------------------------------------------------------------------------------

def _object_rules(data: dict[str, Any]) -> list[InvalidParam]:
    """What the discriminator cannot say: an object by URL or by identification, and the `overige` type's fields."""
    problems: list[InvalidParam] = []
    identificatie, overige = data.get("objectIdentificatie"), data.get("objectType") == "overige"
    definitie = data.get("objectTypeOverigeDefinitie")
    if not data.get("object") and not identificatie:
        problems.append(InvalidParam("objectIdentificatie", "invalid-object",
                                     "give the object as a URL (object) or as objectIdentificatie"))
    if overige and not (data.get("objectTypeOverige") or definitie):
        problems.append(InvalidParam("objectTypeOverige", "missing-object-type-overige",
                                     "objectType overige needs objectTypeOverige or objectTypeOverigeDefinitie"))
    if not overige and (data.get("objectTypeOverige") or definitie):
        problems.append(InvalidParam("objectType", "invalid-object-type",
                                     "objectTypeOverige(Definitie) is only for objectType overige"))
    if definitie and (not data.get("object") or identificatie):
        problems.append(InvalidParam("objectTypeOverigeDefinitie", "invalid-object-type-overige-definitie",
                                     "with objectTypeOverigeDefinitie give an object URL and no objectIdentificatie"))
    return problems


def _request_shape(row: ZaakObject, urls: Urls) -> dict[str, Any]:
    """The stored zaakobject as a request body (without the values it does not have), to apply a PATCH to."""
    current = shown.zaakobject(urls, row)
    return {key: value for key, value in current.items() if key not in ("url", "uuid") and value not in ("", None)}


def _typed_schema(object_type: str) -> str:
    """The schema that checks objectIdentificatie for this objectType (the discriminator's mapping)."""
    name = f"{object_type}_ZaakObject"
    return name if name in spec.document(API)["components"]["schemas"] else "ZaakObject"


async def save_zaakobject(scope: Scope, data: dict[str, Any], scopes: frozenset[str],
                          existing: ZaakObject | None = None, partial: bool = False) -> tuple[ZaakObject, Zaak]:
    """Create a zaakobject or change one (zaak, object and objectType stay); objectIdentificatie is checked against
    the schema of its objectType, the zaakobjecttype must be one of the zaaktype."""
    before = shown.zaakobject(scope.urls, existing) if existing is not None else None
    if existing is None:
        data = validation.check_body(API, _typed_schema(data["objectType"]), data)
        zaak = await open_zaak_at(scope, data["zaak"], scopes)
    else:
        zaak = await _zaak_of(scope, existing.zaak_id, scopes)
        same_zaak(scope, data, zaak)
        for name, current in (("object", existing.object), ("objectType", existing.object_type)):
            if name in data and (data[name] or "") != current:
                raise invalid(name, "wijzigen-niet-toegelaten", f"the {name} of a zaakobject cannot be changed")
        data = (_request_shape(existing, scope.urls) | data) if partial else data
        data = validation.check_body(API, _typed_schema(existing.object_type), data)
    problems = _object_rules(data)
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)
    row = existing or ZaakObject(id=uuid.uuid4(), zaak_id=zaak.id, object_type=data["objectType"])
    row.zaakobjecttype_id = None
    if data.get("zaakobjecttype"):
        zaakobjecttype = await part_at(scope.session, scope.base_url, ZaakObjectType, "zaakobjecttypen",
                                       data["zaakobjecttype"], "zaakobjecttype", zaak.zaaktype_id)
        row.zaakobjecttype_id = zaakobjecttype.id
    row.object = data.get("object") or ""
    row.object_type_overige = data.get("objectTypeOverige") or ""
    row.object_type_overige_definitie = data.get("objectTypeOverigeDefinitie")
    row.relatieomschrijving = data.get("relatieomschrijving") or ""
    row.object_identificatie = data.get("objectIdentificatie")
    scope.session.add(row)
    await scope.session.flush()
    actie = "create" if existing is None else "partial_update" if partial else "update"
    after = shown.zaakobject(scope.urls, row)
    await written(scope, zaak, "zaakobject", actie, after["url"], before, after,
                  weergave=row.relatieomschrijving or row.object_type)
    return row, zaak


async def _zaak_of(scope: Scope, key: uuid.UUID, scopes: frozenset[str]) -> Zaak:
    zaak = await get_zaak(scope, key, scopes)
    require_open(scope, zaak)
    return zaak


# --- zaakeigenschappen --------------------------------------------------------------------------------------------

async def save_zaakeigenschap(scope: Scope, zaak_key: uuid.UUID, data: dict[str, Any], scopes: frozenset[str],
                              existing: ZaakEigenschap | None = None, partial: bool = False,
                              flush: bool = True) -> ZaakEigenschap:
    """Give a zaak the value of an eigenschap of its zaaktype (zrc-018), or change that value. With flush False the
    row is only added to the session (a caller that gives several values flushes them together)."""
    zaak = await _zaak_of(scope, zaak_key, scopes)
    if "zaak" in data and parse_resource_url(scope.base_url, data["zaak"], API, "zaken", "zaak") != zaak.id:
        code = "wijzigen-niet-toegelaten" if existing is not None else "invalid"
        raise invalid("zaak", code, "the zaak must be the zaak in the path")
    before = shown.zaakeigenschap(scope.urls, existing) if existing is not None else None
    row = existing or ZaakEigenschap(id=uuid.uuid4(), zaak_id=zaak.id)
    if "eigenschap" in data:
        eigenschap = await part_at(scope.session, scope.base_url, Eigenschap, "eigenschappen", data["eigenschap"],
                                   "eigenschap", zaak.zaaktype_id)
        if existing is not None and eigenschap.id != existing.eigenschap_id:
            raise invalid("eigenschap", "wijzigen-niet-toegelaten", "the eigenschap of a zaakeigenschap stays")
    else:
        found = await scope.session.get(Eigenschap, row.eigenschap_id)
        assert found is not None
        eigenschap = found
    waarde = data.get("waarde", row.waarde)
    problems = waarde_problems(eigenschap.naam, eigenschap.specificatie or {}, waarde)
    if problems:
        raise InvalidInput("; ".join(f"waarde: {p.reason}" for p in problems), problems)
    row.eigenschap_id, row.naam, row.waarde = eigenschap.id, eigenschap.naam, waarde
    scope.session.add(row)
    if flush:
        await scope.session.flush()
    actie = "create" if existing is None else "partial_update" if partial else "update"
    after = shown.zaakeigenschap(scope.urls, row)
    await written(scope, zaak, "zaakeigenschap", actie, after["url"], before, after, weergave=row.naam)
    return row


# --- klantcontacten -----------------------------------------------------------------------------------------------

async def klantcontact_identificatie(scope: Scope, bronorganisatie: str) -> str:
    """`KC` + year + an 8-digit number from the counter of the zaak's bronorganisatie (the field holds 14)."""
    drawn = await next_identificatie(scope.session, bronorganisatie, "KLANTCONTACT")
    _, year, number = drawn.rsplit("-", 2)
    return f"KC{year}{int(number):08d}"


async def create_klantcontact(scope: Scope, data: dict[str, Any], scopes: frozenset[str]) -> KlantContact:
    """Record a contact with the customer about an open zaak; an identificatie is drawn when none is given."""
    zaak = await open_zaak_at(scope, data["zaak"], scopes)
    identificatie = data.get("identificatie") or await klantcontact_identificatie(scope, zaak.bronorganisatie)
    row = KlantContact(id=uuid.uuid4(), zaak_id=zaak.id, identificatie=identificatie,
                       datumtijd=clock.parse(data["datumtijd"]), kanaal=data.get("kanaal", ""),
                       onderwerp=data.get("onderwerp", ""), toelichting=data.get("toelichting", ""))
    scope.session.add(row)
    await scope.session.flush()
    after = shown.klantcontact(scope.urls, row)
    await written(scope, zaak, "klantcontact", "create", after["url"], None, after, weergave=identificatie)
    return row
