"""Gezag (parental authority) over minors, derived from the BRP as far as its data allow, in the spec's shapes.

For a minor (under 18, alive, never married) the registered indicatie gezag minderjarige (LO3 11.32.10, a court
decision or the gezagsregister) decides: 12 both parents (GezamenlijkOuderlijkGezag), 1 or 2 one parent
(EenhoofdigOuderlijkGezag), 1D/2D a parent with a third person (GezamenlijkGezag; the third is the parent's current
partner when there is one, else unknown), D third persons (Voogdij, whom the BRP does not record). Without a
registration the law decides (Burgerlijk Wetboek 1:251 and 1:253b): parents who are or were married to each other
or registered partners have joint authority, as have parents whose second parenthood (recognition) dates from 2023
or later (Wet erkenning en gezag); otherwise the mother (or the only parent) has it alone. When those who
have authority have died, nobody has it for now (TijdelijkGeenGezag); when the data do not say (no parents
recorded, an unknown code) the type is GezagNietTeBepalen with the reason.

A person's `gezag` lists the authority over them while they are a minor, and the authority they have over their
minor children. A step-parent with authority (1D/2D) is not found from their own list, which does not hold the child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from plein.registers.brp import lo3, naam
from plein.registers.brp.models import Person, PersonName, Relation

Json = dict[str, Any]
MAJORITY = 18
JOINT_BY_RECOGNITION = "20230101"  # recognitions from this day give unmarried parents joint authority


@dataclass
class GezagContext:
    """The rows gezag is derived from: minors and their parents, with their parent and partner relations."""

    persons: dict[str, Person] = field(default_factory=dict)
    names: dict[str, PersonName] = field(default_factory=dict)
    ouders: dict[str, list[Relation]] = field(default_factory=dict)
    partners: dict[str, list[Relation]] = field(default_factory=dict)


def is_minor(person: Person, on: dt.date) -> bool:
    if person.overlijdensdatum is not None or person.opschorting_reden == "O":
        return False
    age = lo3.leeftijd(person.geboortedatum, on)
    return age is not None and age < MAJORITY


def _relation_naam(row: Relation) -> Json:
    full = naam.volledige_naam(naam.Naam(row.voornamen, row.adellijke_titel, row.voorvoegsel, row.geslachtsnaam),
                               row.geslacht)
    return {"volledigeNaam": full} if full else {}


def _ouder(row: Relation) -> Json:
    result: Json = {"naam": _relation_naam(row)}
    if row.related_bsn:
        result = {"burgerservicenummer": row.related_bsn, **result}
    return result


def _minderjarige(person: Person, ctx: GezagContext, on: dt.date) -> Json:
    result: Json = {"burgerservicenummer": person.bsn}
    name = ctx.names.get(person.bsn)
    full = naam.volledige_naam(naam.Naam(name.voornamen, name.adellijke_titel, name.voorvoegsel, name.geslachtsnaam),
                               person.geslacht) if name else None
    if full:
        result["naam"] = {"volledigeNaam": full}
    age = lo3.leeftijd(person.geboortedatum, on)
    if age is not None:
        result["leeftijd"] = age
    return result


def _alive(row: Relation, ctx: GezagContext) -> bool:
    """A parent not known to the register counts as alive (the child's list would record a death otherwise)."""
    parent = ctx.persons.get(row.related_bsn or "")
    return parent is None or (parent.overlijdensdatum is None and parent.opschorting_reden != "O")


def _were_partners(first: Relation, second: Relation, ctx: GezagContext) -> bool:
    if not first.related_bsn or not second.related_bsn:
        return False
    return any(row.related_bsn == second.related_bsn for row in ctx.partners.get(first.related_bsn, []))


def _current_partner(parent: Relation, ctx: GezagContext, other: Relation | None) -> Relation | None:
    for row in ctx.partners.get(parent.related_bsn or "", []):
        if row.ontbinding_datum is None and (other is None or row.related_bsn != other.related_bsn):
            return row
    return None


def _not_determinable(reason: str) -> Json:
    return {"type": "GezagNietTeBepalen", "toelichting": reason}


def _nobody(reason: str) -> Json:
    return {"type": "TijdelijkGeenGezag", "toelichting": reason}


def _by_parents(holders: list[Relation], ctx: GezagContext) -> Json:
    """Authority of these parents, those who died left out."""
    living = [row for row in holders if _alive(row, ctx)]
    if len(living) >= 2:
        return {"type": "GezamenlijkOuderlijkGezag", "ouders": [_ouder(row) for row in living[:2]]}
    if living:
        return {"type": "EenhoofdigOuderlijkGezag", "ouder": _ouder(living[0])}
    return _nobody("Tijdelijk geen gezag omdat de ouder of ouders met gezag zijn overleden.")


def _registered(code: str, ouders: dict[str, Relation], ctx: GezagContext) -> Json:
    """Authority as the indicatie gezag minderjarige (11.32.10) records it."""
    if code == "12" and "1" in ouders and "2" in ouders:
        return _by_parents([ouders["1"], ouders["2"]], ctx)
    if code in ("1", "2") and code in ouders:
        return _by_parents([ouders[code]], ctx)
    if code in ("1D", "2D") and code[0] in ouders:
        parent = ouders[code[0]]
        if not _alive(parent, ctx):
            return _nobody("Tijdelijk geen gezag omdat de ouder met gezag is overleden.")
        other = ouders.get("2" if code[0] == "1" else "1")
        partner = _current_partner(parent, ctx, other)
        derde: Json = {"type": "OnbekendeDerde"}
        if partner is not None:
            derde = {"type": "BekendeDerde", **_ouder(partner)}
        return {"type": "GezamenlijkGezag", "ouder": _ouder(parent), "derde": derde}
    if code == "D":
        return {"type": "Voogdij", "derden": []}
    return _not_determinable(f"Gezag kan niet worden bepaald: de indicatie gezag minderjarige {code} past niet bij "
                             "de ouders van de minderjarige.")


def _by_law(ouders: dict[str, Relation], ctx: GezagContext) -> Json:
    """Authority without a registration: joint for parents who married (or registered) each other, else the mother."""
    parents = [ouders[key] for key in sorted(ouders)]
    if not parents:
        return _not_determinable("Gezag kan niet worden bepaald omdat er geen ouders van de minderjarige bekend zijn.")
    if len(parents) >= 2 and (_were_partners(parents[0], parents[1], ctx) or max(
            row.familierechtelijke_betrekking or "" for row in parents[:2]) >= JOINT_BY_RECOGNITION):
        return _by_parents(parents[:2], ctx)
    if len(parents) == 1:
        return _by_parents(parents, ctx)
    mother = next((row for row in parents if row.geslacht == "V"), parents[0])
    return _by_parents([mother], ctx)


def gezag_over(bsn: str, ctx: GezagContext, on: dt.date) -> Json | None:
    """The Gezagsrelatie over this person while a minor; None for an adult or someone the register does not hold."""
    person = ctx.persons.get(bsn)
    if person is None or not is_minor(person, on):
        return None
    if ctx.partners.get(bsn):
        return None  # marriage or registered partnership makes a minor of age (BW 1:233)
    ouders = {row.ouder_aanduiding or str(row.occurrence): row for row in ctx.ouders.get(bsn, [])}
    relation = _registered(person.gezag_indicatie, ouders, ctx) if person.gezag_indicatie else _by_law(ouders, ctx)
    relation = {"type": relation.pop("type"), "minderjarige": _minderjarige(person, ctx, on), **relation}
    if person.onderzoek_gezag:
        relation["inOnderzoek"] = True
    return relation


def _holders(relation: Json) -> set[str]:
    people = [relation.get("ouder"), *relation.get("ouders", []), relation.get("derde"), *relation.get("derden", [])]
    return {item["burgerservicenummer"] for item in people if item and "burgerservicenummer" in item}


def gezag(bsn: str, children: Iterable[str], ctx: GezagContext, on: dt.date) -> list[Json]:
    """The authority over this person (as a minor) and the authority this person has over their minor children."""
    result: list[Json] = []
    own = gezag_over(bsn, ctx, on)
    if own is not None:
        result.append(own)
    for child in dict.fromkeys(children):
        relation = gezag_over(child, ctx, on)
        if relation is not None and bsn in _holders(relation):
            result.append(relation)
    return result


def indicatie(person: Person, on: dt.date) -> str | None:
    """The registered indicatie gezag minderjarige, while the person is a minor."""
    return person.gezag_indicatie if person.gezag_indicatie and is_minor(person, on) else None
