"""What a correctie may change: with catalogi.geforceerd-schrijven a published type, or a part of a published zaaktype,
is changed only by extending it (Catalogi 1.3, "Correctie": "Er mogen dus geen relaties of gerelateerde objecten
verwijderd worden"); a correctie that would remove something is refused with 400 `correctie-alleen-uitbreiden`.

How Plein reads the rule:

- Lists and relations only grow. Each kind names its `Growing` fields: a zaaktype's trefwoorden,
  verantwoordingsrelatie, productenOfDiensten, besluittypen, deelzaaktypen and gerelateerdeZaaktypen; an
  informatieobjecttype's trefwoord; a besluittype's informatieobjecttypen; and of the parts a statustype's eigenschappen
  and checklistitemStatustype, a resultaattype's besluittypen and informatieobjecttypen, a zaakobjecttype's statustypen
  and resultaattypen. Entries are compared by what identifies them (a gerelateerd zaaktype by its zaaktype, a
  checklistitem by its itemnaam), so the other values of an entry may still be corrected.
- A single reference (an eigenschap's statustype, a zaaktype-informatieobjecttype's informatieobjecttype and
  statustype) may be given when it is empty, but not changed or cleared: either removes the related object.
- An eigenschap's specificatie.waardenverzameling only grows too; an empty one allows every value, so a correctie may
  not give it values (existing zaakeigenschappen would no longer fit).
- Scalar fields (omschrijving, toelichting, doorlooptijd, an eigenschap's formaat and lengte, ...) may be corrected:
  they name no related object, and correcting a wrong text is what a correctie is for.
- A statustype is added only at the end: its volgnummer must be above those of the zaaktype's statustypen, and a
  correctie does not change the volgnummer of an existing one (that would change which status ends existing zaken).
- A part never leaves its published zaaktype: a correctie does not move it to another zaaktype, and DELETE of a part
  of a published zaaktype is refused (409) whatever the scopes, also with catalogi.geforceerd-verwijderen. ztc-010
  lists DELETE without the correctie exception that POST, PUT and PATCH have, the document says a part is deleted
  "alleen als het bijbehorende ZAAKTYPE een concept betreft", and zaken point at their statustypen, roltypen,
  resultaattypen and eigenschappen, which must stay valid. A whole published type can still be deleted with
  catalogi.geforceerd-verwijderen (ztc-009, the standard's scope for that): that ends the version, it does not
  correct it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from plein.errors import InvalidParam
from plein.zgw.catalogi.common import Links

CODE = "correctie-alleen-uitbreiden"


def _itself(entry: Any) -> Any:
    return entry


def by_key(name: str) -> Callable[[Any], Any]:
    """Entries that are objects, told apart by one of their values (the rest of the entry may be corrected)."""
    return lambda entry: entry.get(name) if isinstance(entry, dict) else entry


@dataclass(frozen=True)
class Growing:
    """A list or reference a correctie may extend but not shrink: API name, column, what identifies an entry, the
    list's key when it lives inside a JSON object column (`inner`), whether an empty list allows everything (so that
    giving it entries restricts rather than extends), and the collection of the parts it holds by uuid (shown as
    their URLs)."""

    api: str
    attr: str
    key: Callable[[Any], Any] = _itself
    inner: str | None = None
    empty_allows_all: bool = False
    collection: str | None = None


def entries(growing: Growing, value: Any) -> list[Any]:
    """The identities of the entries of a stored or given value: a list's entries, a single reference or nothing."""
    if growing.inner is not None:
        value = (value or {}).get(growing.inner) if isinstance(value, dict) else None
    if value is None or value == "":
        return []
    return [growing.key(entry) for entry in (value if isinstance(value, list) else [value])]


def removals(links: Links, growing: Iterable[Growing], row: Any, after: dict[str, Any]) -> list[InvalidParam]:
    """One problem per field the change gives that would lose entries the row has (fields not given stay)."""
    problems: list[InvalidParam] = []
    for field in growing:
        if field.attr not in after:
            continue
        before, kept = entries(field, getattr(row, field.attr)), entries(field, after[field.attr])
        gone = [entry for entry in before if entry not in kept]
        if gone:
            shown = [links.url(field.collection, uuid.UUID(str(entry))) if field.collection else entry
                     for entry in gone]
            problems.append(InvalidParam(field.api, CODE, f"a correctie may only extend; this would remove "
                                                          f"{_listed(shown)} from {field.api}"))
        elif field.empty_allows_all and kept and not before:
            problems.append(InvalidParam(field.api, CODE, f"a correctie may only extend; an empty {field.api} "
                                                          "allows everything, giving it entries would restrict "
                                                          "what exists"))
    return problems


def moved(resource: str) -> InvalidParam:
    return InvalidParam("zaaktype", CODE, f"a correctie may only extend; moving the {resource} to another zaaktype "
                                          "would remove it from its published zaaktype")


def _listed(values: list[Any]) -> str:
    return ", ".join(repr(str(value)) for value in values)
