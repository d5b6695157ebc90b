"""The SQL of each Haal Centraal query type, and loading the current rows of the persons found.

Every search starts from an index: BSN (primary key), current names (geslachtsnaam key + geboortedatum or
voornamen key), or the BAG address indexes joined to current residences. The filters that every query shares
(never suspended for 'fout' or 'wissen', deceased only when asked, gemeenteVanInschrijving, the permit's
municipalities) are applied to the few rows those indexes return.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from plein.registers.bag import service as bag
from plein.registers.bag.models import Address
from plein.registers.brp.lo3 import NOT_DELIVERED
from plein.registers.brp.models import Nationality, Person, PersonName, Relation, Residence
from plein.registers.brp.schemas import PersonenQuery
from plein.registers.keys import prefix_end, search_key

RELATION_FIELDS = ("partners", "ouders", "kinderen")


@dataclass
class PersonBundle:
    """The current rows of one person: what a response is made of."""

    person: Person
    name: PersonName | None = None
    residence: Residence | None = None
    address: Address | None = None
    relations: list[Relation] = field(default_factory=list)
    nationalities: list[Nationality] = field(default_factory=list)


@dataclass(frozen=True)
class Needs:
    """Which groups of rows the requested fields need (relations and nationalities only when asked for)."""

    relations: bool = True
    nationalities: bool = True

    @classmethod
    def for_fields(cls, paths: Collection[str]) -> Needs:
        tops = {path.split(".", 1)[0] for path in paths}
        return cls(relations=bool(tops & set(RELATION_FIELDS)), nationalities="nationaliteiten" in tops)


def key_matches(column: InstrumentedAttribute[str], value: str) -> ColumnElement[bool]:
    """Exact key, or a prefix range when the value ends in the wildcard *."""
    if value.endswith("*"):
        prefix = search_key(value[:-1])
        return and_(column >= prefix, column < prefix_end(prefix))
    return column == search_key(value)


def _name_conditions(query: PersonenQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.geslachtsnaam is not None:
        conditions.append(key_matches(PersonName.geslachtsnaam_key, query.geslachtsnaam))
    if query.voornamen is not None:
        conditions.append(key_matches(PersonName.voornamen_key, query.voornamen))
    if query.voorvoegsel is not None:
        conditions.append(PersonName.voorvoegsel_key == search_key(query.voorvoegsel))
    if query.geboortedatum is not None:
        conditions.append(PersonName.geboortedatum == query.geboortedatum)
    if query.geslacht is not None:
        conditions.append(Person.geslacht == query.geslacht)
    return conditions


def _address_condition(query: PersonenQuery) -> ColumnElement[bool] | None:
    """Current residence at the addresses the query names (via the BAG indexes), or None for name queries."""
    if query.postcode is not None and query.huisnummer is not None:
        conditions = bag.at_number(query.postcode, query.huisnummer, query.huisletter, query.huisnummertoevoeging)
    elif query.straat is not None and query.huisnummer is not None and query.gemeente_van_inschrijving:
        conditions = bag.in_street(query.gemeente_van_inschrijving, query.straat, query.huisnummer,
                                   query.huisletter, query.huisnummertoevoeging)
    elif query.nummeraanduiding_identificatie is not None:
        conditions = [Address.nummeraanduiding == query.nummeraanduiding_identificatie]
    elif query.adresseerbaar_object_identificatie is not None:
        conditions = [Address.adresseerbaar_object == query.adresseerbaar_object_identificatie]
    else:
        return None
    return Residence.address_id.in_(bag.address_ids(conditions))


def _registered_in(codes: Collection[str]) -> ColumnElement[bool]:
    """The municipality of registration as a filter, never as the way in: at 17.9 million persons one municipality
    holds up to 900,000, so the planners must start from a name or address index (COALESCE keeps them off
    ix_brp_residences_current_gemeente, which serves counting residents per municipality)."""
    return func.coalesce(Residence.gemeente_van_inschrijving, "").in_(sorted(codes))


def search_statement(query: PersonenQuery, municipalities: Collection[str] | None) -> Select[str]:
    """The BSNs a query finds, in BSN order.

    Raadplegen starts from the BSN, the name searches from the current-name indexes, the address searches from
    the BAG address indexes and then ix_brp_residences_current_address. The current residence is joined only when
    the query needs it (an address, or a municipality filter).
    """
    address = _address_condition(query)
    statement = select(Person.bsn).join(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None)))
    if address is not None or query.gemeente_van_inschrijving is not None or municipalities is not None:
        statement = statement.join(Residence, and_(Residence.bsn == Person.bsn, Residence.valid_to.is_(None)))
    if address is not None:
        statement = statement.where(address)
    statement = statement.where(
        or_(Person.opschorting_reden.is_(None), Person.opschorting_reden.not_in(sorted(NOT_DELIVERED))))
    if query.type == "RaadpleegMetBurgerservicenummer":
        statement = statement.where(Person.bsn.in_(query.burgerservicenummer))
    else:
        statement = statement.where(*_name_conditions(query))
        if not query.inclusief_overleden_personen:
            statement = statement.where(Person.overlijdensdatum.is_(None),
                                        or_(Person.opschorting_reden.is_(None), Person.opschorting_reden != "O"))
    if query.gemeente_van_inschrijving is not None:
        statement = statement.where(_registered_in([query.gemeente_van_inschrijving]))
    if municipalities is not None:
        statement = statement.where(_registered_in(municipalities))
    return statement.order_by(Person.bsn)


async def find_bsns(session: AsyncSession, query: PersonenQuery,
                    municipalities: Collection[str] | None = None) -> list[str]:
    return list((await session.scalars(search_statement(query, municipalities))).all())


async def load(session: AsyncSession, bsns: Sequence[str], needs: Needs | None = None) -> list[PersonBundle]:
    """The current rows of these persons, in the order given; relations and nationalities only when needed."""
    needs = needs or Needs()
    if not bsns:
        return []
    persons = {p.bsn: p for p in await session.scalars(select(Person).where(Person.bsn.in_(bsns)))}
    bundles = {bsn: PersonBundle(person=persons[bsn]) for bsn in bsns if bsn in persons}
    names = select(PersonName).where(PersonName.bsn.in_(bsns), PersonName.valid_to.is_(None))
    for name in await session.scalars(names):
        bundles[name.bsn].name = name
    residences = (select(Residence, Address).outerjoin(Address, Address.id == Residence.address_id)
                  .where(Residence.bsn.in_(bsns), Residence.valid_to.is_(None)))
    for residence, address in (await session.execute(residences)).all():
        bundles[residence.bsn].residence = residence
        bundles[residence.bsn].address = address
    if needs.relations:
        relations = (select(Relation).where(Relation.bsn.in_(bsns), Relation.valid_to.is_(None))
                     .order_by(Relation.bsn, Relation.soort, Relation.occurrence))
        for relation in await session.scalars(relations):
            bundles[relation.bsn].relations.append(relation)
    if needs.nationalities:
        nationalities = (select(Nationality).where(Nationality.bsn.in_(bsns), Nationality.valid_to.is_(None))
                         .order_by(Nationality.bsn, Nationality.id))
        for nationality in await session.scalars(nationalities):
            bundles[nationality.bsn].nationalities.append(nationality)
    return list(bundles.values())


async def find_persons(session: AsyncSession, query: PersonenQuery, municipalities: Collection[str] | None = None,
                       needs: Needs | None = None) -> list[PersonBundle]:
    """Run a query and load the persons it finds."""
    bsns = await find_bsns(session, query, municipalities)
    return await load(session, bsns, needs or Needs.for_fields(query.fields))
