"""The SQL of each Haal Centraal query type, and loading the current rows of the persons found.

Every search starts from an index: BSN (primary key), current names (geslachtsnaam key + geboortedatum or
voornamen key), or the BAG address indexes joined to current residences. The filters that every query shares
(never suspended for 'fout' or 'wissen', deceased only when asked, gemeenteVanInschrijving, the permit's
municipalities) are applied to the few rows those indexes return. A search finds at most 10 persons (30 when it
searches an address), as the BRP API allows; more is refused (TooManyResults) rather than cut off.

`load` fetches the current rows a response needs: relations and nationalities only when asked for, the RNI
participants only for persons registered in the RNI, and for gezag the minors concerned with their parents.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, String, and_, any_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from plein import clock, light
from plein.driver import Ready, rows_of
from plein.registers.bag import service as bag
from plein.registers.bag.models import Address
from plein.registers.brp import lo3
from plein.registers.brp.gezag import MAJORITY, GezagContext
from plein.registers.brp.lo3 import NOT_DELIVERED
from plein.registers.brp.models import (
    Nationality,
    Person,
    PersonName,
    Relation,
    Residence,
    RniDeelnemer,
    Verblijfstitel,
)
from plein.registers.brp.schemas import MAX_AT_ADDRESS, PERSOON, QUERY_TYPES, PersonenQuery, TooManyResults
from plein.registers.keys import prefix_end, search_key

RELATION_FIELDS = ("partners", "ouders", "kinderen")
NAME_FORMS = ("aanhef", "aanschrijfwijze", "gebruikInLopendeTekst")


@dataclass
class PersonBundle:
    """The current rows of one person: what a response is made of. The rows are read-only light copies with the
    models' attributes (see plein.light), typed as the models they mirror."""

    person: Person
    name: PersonName | None = None
    residence: Residence | None = None
    address: Address | None = None
    relations: list[Relation] = field(default_factory=list)
    nationalities: list[Nationality] = field(default_factory=list)
    verblijfstitel: Verblijfstitel | None = None
    rni: list[RniDeelnemer] = field(default_factory=list)
    gezag: GezagContext | None = None


def _uses_name_forms(paths: Collection[str]) -> bool:
    """Whether adressering's aanhef, aanschrijfwijze or gebruikInLopendeTekst (which need the partner) is asked."""
    for path in paths:
        parts = path.split(".")
        if parts[0] == "adressering" and (len(parts) == 1 or parts[1] in NAME_FORMS):
            return True
    return False


@dataclass(frozen=True)
class Needs:
    """Which groups of rows the requested fields need (relations, nationalities, gezag only when asked for)."""

    relations: bool = True
    partner_names: bool = True  # the name forms: the (ex-)partner's name, for the persons who may use it
    nationalities: bool = True
    verblijfstitel: bool = True
    gezag: bool = True

    @classmethod
    def for_fields(cls, paths: Collection[str], schema: str = PERSOON) -> Needs:
        """What these field paths of a response in `schema` need. Only a full Persoon has the name forms that use
        the partner's name: the searches' AdresseringBeperkt is address lines only."""
        tops = {path.split(".", 1)[0] for path in paths}
        gezag = "gezag" in tops
        return cls(relations=bool(tops & set(RELATION_FIELDS)) or gezag,
                   partner_names=schema == PERSOON and _uses_name_forms(paths),
                   nationalities="nationaliteiten" in tops, verblijfstitel="verblijfstitel" in tops, gezag=gezag)


def key_matches(column: InstrumentedAttribute[str], value: str) -> ColumnElement[bool]:
    """Exact key, or a prefix range when the value ends in the wildcard *."""
    if value.endswith("*"):
        prefix = search_key(value[:-1])
        return and_(column >= prefix, column < prefix_end(prefix))
    return column == search_key(value)


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _with_diacritics(query: PersonenQuery) -> list[tuple[str, str]]:
    """The text terms written with letters beyond ASCII, as (what they search, term): geslachtsnaam, voornamen or
    straat. The indexes find names and streets regardless of diacritics; as with the reference, a term with
    diacritics finds only the names or streets spelled with them (Käster finds Käster; Kaster finds Kaster and
    Käster; Moülin does not find Moulin; Bälkweg does not find Balkweg). voorvoegsel, huisletter and
    huisnummertoevoeging allow ASCII letters only."""
    terms = (("geslachtsnaam", query.geslachtsnaam), ("voornamen", query.voornamen), ("straat", query.straat))
    return [(attribute, term) for attribute, term in terms if term is not None and not term.isascii()]


def _matches(stored: str | None, term: str) -> bool:
    """Whether a stored text is the term (case-insensitive; a * at the end or the start matches the rest)."""
    value, wanted = _folded(stored or ""), _folded(term.strip("*"))
    if term.endswith("*"):
        return value.startswith(wanted)
    if term.startswith("*"):
        return value.endswith(wanted)
    return value == wanted


def _spelled_as(bundle: PersonBundle, terms: list[tuple[str, str]]) -> bool:
    """Whether the current name and address are spelled as each term: a street as its name of the openbare ruimte
    (the name the street search finds)."""
    for attribute, term in terms:
        if attribute == "straat":
            spelled = bundle.address is not None and _matches(bundle.address.openbare_ruimte, term)
        else:
            spelled = _matches(getattr(bundle.name, attribute, None), term)
        if not spelled:
            return False
    return True


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


def _registration() -> ColumnElement[str]:
    """The municipality of registration, for filters only, never as the way in: at 17.9 million persons one
    municipality holds up to 900,000, so the planners must start from a name or address index (COALESCE keeps them
    off ix_brp_residences_current_gemeente, which serves counting residents per municipality)."""
    return func.coalesce(Residence.gemeente_van_inschrijving, "")


def _registered_in(codes: Collection[str]) -> ColumnElement[bool]:
    return _registration().in_(sorted(codes))


@dataclass(frozen=True)
class _SearchPieces:
    """The parts every search shares, built once (building them is a good part of a lookup's cost)."""

    persons: Select[str]          # persons with their current name, deliverable (not suspended for F or W)
    with_residence: Select[str]   # the same with their current residence joined
    alive: tuple[ColumnElement[bool], ...]
    deliverable: ColumnElement[bool]  # not suspended for F or W


@cache
def _search_pieces() -> _SearchPieces:
    deliverable = or_(Person.opschorting_reden.is_(None),  # != each: a list IN would be expanded per run
                      and_(*(Person.opschorting_reden != reason for reason in sorted(NOT_DELIVERED))))
    persons = (select(Person.bsn)
               .join(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None)))
               .where(deliverable))
    with_residence = persons.join(Residence, and_(Residence.bsn == Person.bsn, Residence.valid_to.is_(None)))
    alive = (Person.overlijdensdatum.is_(None),
             or_(Person.opschorting_reden.is_(None), Person.opschorting_reden != "O"))
    return _SearchPieces(persons, with_residence, alive, deliverable)


def search_statement(query: PersonenQuery, municipalities: Collection[str] | None) -> Select[str]:
    """The BSNs a query finds, in BSN order.

    Raadplegen starts from the BSN, the name searches from the current-name indexes, the address searches from
    the BAG address indexes and then ix_brp_residences_current_address. The current residence is joined only when
    the query needs it (an address, or a municipality filter).
    """
    address = _address_condition(query)
    pieces = _search_pieces()
    if address is not None or query.gemeente_van_inschrijving is not None or municipalities is not None:
        statement = pieces.with_residence
    else:
        statement = pieces.persons
    if address is not None:
        statement = statement.where(address)
    if query.type == "RaadpleegMetBurgerservicenummer":
        statement = statement.where(Person.bsn.in_(query.burgerservicenummer))
    else:
        statement = statement.where(*_name_conditions(query), *(() if query.inclusief_overleden_personen
                                                                 else pieces.alive))
    if query.gemeente_van_inschrijving is not None:
        statement = statement.where(_registered_in([query.gemeente_van_inschrijving]))
    if municipalities is not None:
        statement = statement.where(_registered_in(municipalities))
    return statement.order_by(Person.bsn)


async def find_bsns(session: AsyncSession, query: PersonenQuery,
                    municipalities: Collection[str] | None = None) -> list[str]:
    """The BSNs a query finds, by the general search statement (find_persons uses prebuilt ones for the common
    queries; the two must agree); TooManyResults when a search finds more persons than the API may return."""
    limit = QUERY_TYPES[query.type].max_results
    terms = _with_diacritics(query)
    statement = search_statement(query, municipalities)
    if terms:
        found = _bundle_select().where(Person.bsn.in_(statement.order_by(None).scalar_subquery()))
        bsns = [bsn for bsn, bundle in (await _bundles(session, found)).items() if _spelled_as(bundle, terms)]
    else:
        bsns = list((await session.scalars(statement if limit is None else statement.limit(limit + 1))).all())
    if limit is not None and len(bsns) > limit:
        raise TooManyResults(limit)
    return bsns


async def load(session: AsyncSession, bsns: Sequence[str], needs: Needs | None = None) -> list[PersonBundle]:
    """The current rows of these persons, in the order given; relations and nationalities only when needed."""
    if not bsns:
        return []
    found = await _bundles(session, _bundle_select().where(Person.bsn.in_(bsns)))
    bundles = [found[bsn] for bsn in dict.fromkeys(bsns) if bsn in found]
    await _load_lists(session, bundles, needs or Needs())
    return bundles


async def _bundles(session: AsyncSession, statement: Select[Any] | Ready, parameters: dict[str, Any] | None = None
                   ) -> dict[str, PersonBundle]:
    """The persons a _bundle_select statement finds, with their current name, residence and address, by BSN."""
    bundles: dict[str, PersonBundle] = {}
    for row in await rows_of(session, statement, parameters):
        person, name, residence, address = light.cut(row, *BUNDLE_MODELS)
        bundle = bundles.setdefault(person.bsn, PersonBundle(person=person))
        if name is not None:
            bundle.name = name
        if residence is not None:
            bundle.residence, bundle.address = residence, address
    return bundles


BUNDLE_MODELS = (Person, PersonName, Residence, Address)


@cache
def _bundle_select() -> Select[Any]:
    """The select of _bundles without its condition, built once (building a select of many columns is costly)."""
    return (
        select(*light.columns(*BUNDLE_MODELS)).select_from(Person)
        .outerjoin(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None)))
        .outerjoin(Residence, and_(Residence.bsn == Person.bsn, Residence.valid_to.is_(None)))
        .outerjoin(Address, Address.id == Residence.address_id)
        .order_by(Person.bsn)
    )


@cache
def _raadpleeg_select(gemeente: bool, scope: str | None, bsns: str) -> Ready:
    """RaadpleegMetBurgerservicenummer's whole statement, built once per shape: the BSNs, the
    gemeenteVanInschrijving and the permit's municipalities are its parameters (`scope` and `bsns` are list shapes,
    see _list_shape). Building and keying a statement costs more than running it.

    It selects the bundle's columns straight from the search's joins (each person has one current name and at most
    one current residence) instead of finding the BSNs first and joining them again: half the index lookups."""
    residence = and_(Residence.bsn == Person.bsn, Residence.valid_to.is_(None))
    found = (select(*light.columns(*BUNDLE_MODELS)).select_from(Person)
             .join(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None))))
    # a municipality filter needs the residence (as the search's with_residence); otherwise a person without one
    # is found all the same
    found = found.join(Residence, residence) if gemeente or scope else found.outerjoin(Residence, residence)
    found = (found.outerjoin(Address, Address.id == Residence.address_id)
             .where(_in_list(Person.bsn, "bsns", bsns), _search_pieces().deliverable))
    return Ready(_registration_filters(found, gemeente, scope).order_by(Person.bsn))


@cache
def _postcode_select(huisletter: bool, huisnummertoevoeging: bool, gemeente: bool, scope: str | None,
                     deceased: bool) -> Ready:
    """ZoekMetPostcodeEnHuisnummer's whole statement without its optional name filters, built once per shape like
    _raadpleeg_select and like it straight from the search's joins, from the BAG address index on: at most
    MAX_AT_ADDRESS + 1 persons, to tell when there are too many."""
    pieces = _search_pieces()
    found = (select(*light.columns(*BUNDLE_MODELS)).select_from(Address)
             .join(Residence, and_(Residence.address_id == Address.id, Residence.valid_to.is_(None)))
             .join(Person, Person.bsn == Residence.bsn)
             .join(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None)))
             .where(*bag.at_number_with_parameters(huisletter, huisnummertoevoeging), pieces.deliverable,
                    *(() if deceased else pieces.alive)))
    found = _registration_filters(found, gemeente, scope)
    return Ready(found.order_by(Person.bsn).limit(MAX_AT_ADDRESS + 1))


def _registration_filters(found: Select[Any], gemeente: bool, scope: str | None) -> Select[Any]:
    """The gemeenteVanInschrijving and permit filters of search_statement, as parameters."""
    registered = _registration()
    if gemeente:
        found = found.where(registered == bindparam("gemeente"))
    if scope is not None:
        found = found.where(_in_list(registered, "municipalities", scope))
    return found


ONE, ARRAY_OF, EXPANDING = "one", "array", "expanding"  # how a list parameter is written (_list_shape)


def _list_shape(values: Collection[str], arrays: bool) -> str:
    """One value is written `= :value`; more as an array (`= ANY`, PostgreSQL) or an expanding IN. PostgreSQL keeps
    one generic plan for `=`, but plans `= ANY` of an array of unknown length afresh on every run."""
    if len(values) == 1:
        return ONE
    return ARRAY_OF if arrays else EXPANDING


def _list_value(values: Collection[str], shape: str) -> str | list[str]:
    return next(iter(values)) if shape == ONE else sorted(values)


def _in_list(column: ColumnElement[str] | InstrumentedAttribute[str], name: str, shape: str) -> ColumnElement[bool]:
    """`column IN (:name)` in the list shape given (see _list_shape)."""
    if shape == ONE:
        return column == bindparam(name)
    if shape == ARRAY_OF:
        return column == any_(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


def _ready_statement(query: PersonenQuery, municipalities: Collection[str] | None, arrays: bool = False
                     ) -> tuple[Ready, dict[str, Any]] | None:
    """The prebuilt statement and its parameters for the common queries; None for the others (search_statement).
    `arrays`: lists of more than one value as arrays (PostgreSQL)."""
    scope = None if municipalities is None else _list_shape(municipalities, arrays)
    parameters: dict[str, Any] = {"gemeente": query.gemeente_van_inschrijving}
    if scope is not None:
        parameters["municipalities"] = _list_value(municipalities or (), scope)
    gemeente = query.gemeente_van_inschrijving is not None
    if query.type == "RaadpleegMetBurgerservicenummer":
        bsns = _list_shape(query.burgerservicenummer, arrays)
        return (_raadpleeg_select(gemeente, scope, bsns),
                {**parameters, "bsns": _list_value(query.burgerservicenummer, bsns)})
    names = (query.geslachtsnaam, query.voornamen, query.voorvoegsel, query.geboortedatum, query.geslacht)
    if (query.type == "ZoekMetPostcodeEnHuisnummer" and query.postcode is not None and query.huisnummer is not None
            and all(value is None for value in names)):
        statement = _postcode_select(query.huisletter is not None, query.huisnummertoevoeging is not None, gemeente,
                                     scope, query.inclusief_overleden_personen)
        return statement, {**parameters, **bag.at_number_parameters(query.postcode, query.huisnummer,
                                                                     query.huisletter, query.huisnummertoevoeging)}
    return None


@cache
def _current_of(model: type[Relation] | type[Nationality], bsns: str) -> Ready:
    """The light-row select of the current rows (valid_to empty) of the persons `bsns` (a list shape), in order."""
    order = ((Relation.bsn, Relation.soort, Relation.occurrence) if model is Relation
             else (Nationality.bsn, Nationality.id))
    return Ready(light.select_of(model).where(model.valid_to.is_(None), _in_list(model.bsn, "bsns", bsns))
                 .order_by(*order))


async def _load_lists(session: AsyncSession, bundles: Sequence[PersonBundle], needs: Needs) -> None:
    """Add the current relations, nationalities, verblijfstitel, RNI participants and the gezag context to the
    bundles, each only when the requested fields (or, for the RNI, the registration) need them."""
    by_bsn = {bundle.person.bsn: bundle for bundle in bundles}
    bsns = list(by_bsn)
    if not bsns:
        return
    arrays = session.get_bind().dialect.name == "postgresql"
    if needs.relations:
        related = bsns
    elif needs.partner_names:
        related = [bsn for bsn in bsns if _may_use_partner_name(by_bsn[bsn])]
    else:
        related = []
    if related:
        shape = _list_shape(related, arrays)
        parameters = {"bsns": _list_value(related, shape)}
        for relation in await light.rows(session, Relation, _current_of(Relation, shape), parameters):
            by_bsn[relation.bsn].relations.append(relation)
    if needs.nationalities:
        shape = _list_shape(bsns, arrays)
        parameters = {"bsns": _list_value(bsns, shape)}
        for nationality in await light.rows(session, Nationality, _current_of(Nationality, shape), parameters):
            by_bsn[nationality.bsn].nationalities.append(nationality)
    if needs.verblijfstitel:
        titels = select(Verblijfstitel).where(Verblijfstitel.bsn.in_(bsns), Verblijfstitel.valid_to.is_(None))
        for titel in await session.scalars(titels):
            by_bsn[titel.bsn].verblijfstitel = titel
    await _load_rni(session, by_bsn)
    if needs.gezag:
        context = await load_gezag(session, bundles)
        for bundle in bundles:
            bundle.gezag = context


def _may_use_partner_name(bundle: PersonBundle) -> bool:
    """Whether the name forms of this person can depend on a partner (naam.Aanschrijving): a naamgebruik other than
    E (own name), or a title or predicate, whose form follows from having a partner."""
    name = bundle.name
    return name is not None and (name.naamgebruik in ("P", "V", "N") or bool(name.adellijke_titel))


async def _load_rni(session: AsyncSession, bundles: dict[str, PersonBundle]) -> None:
    """The RNI participants of the persons registered in the RNI (municipality 1999), the only ones that have them."""
    registered = [bsn for bsn, bundle in bundles.items()
                  if bundle.residence is not None and bundle.residence.gemeente_van_inschrijving == lo3.RNI]
    if registered:
        rows = select(RniDeelnemer).where(RniDeelnemer.bsn.in_(registered)).order_by(RniDeelnemer.id)
        for row in await session.scalars(rows):
            bundles[row.bsn].rni.append(row)


def _maybe_minor(geboortedatum: str | None, cutoff: str) -> bool:
    return bool(geboortedatum) and (geboortedatum or "") >= cutoff


async def _relations(session: AsyncSession, bsns: Collection[str], soort: str) -> dict[str, list[Relation]]:
    found: dict[str, list[Relation]] = defaultdict(list)
    if bsns:
        statement = (select(Relation).where(Relation.bsn.in_(sorted(bsns)), Relation.soort == soort,
                                            Relation.valid_to.is_(None)).order_by(Relation.bsn, Relation.occurrence))
        for row in await session.scalars(statement):
            found[row.bsn].append(row)
    return found


async def load_gezag(session: AsyncSession, bundles: Iterable[PersonBundle], on: dt.date | None = None) -> GezagContext:
    """The rows gezag needs: the persons who may be minors (themselves or their children), their parents, and the
    parent and partner relations that decide who has authority."""
    day = on or clock.today()
    cutoff = f"{day.year - MAJORITY - 1:04d}{day:%m%d}"  # born on or after this day: perhaps a minor
    context = GezagContext()
    minors: set[str] = set()
    for bundle in bundles:
        context.persons[bundle.person.bsn] = bundle.person
        if bundle.name is not None:
            context.names[bundle.person.bsn] = bundle.name
        if _maybe_minor(bundle.person.geboortedatum, cutoff):
            minors.add(bundle.person.bsn)
        minors |= {row.related_bsn for row in bundle.relations
                   if row.soort == "kind" and row.related_bsn and _maybe_minor(row.geboortedatum, cutoff)}
    if not minors:
        return context
    missing = minors - context.persons.keys()
    if missing:
        for person in await session.scalars(select(Person).where(Person.bsn.in_(sorted(missing)))):
            context.persons[person.bsn] = person
        names = select(PersonName).where(PersonName.bsn.in_(sorted(missing)), PersonName.valid_to.is_(None))
        for name in await session.scalars(names):
            context.names[name.bsn] = name
    context.ouders = await _relations(session, minors, "ouder")
    parents = {row.related_bsn for rows in context.ouders.values() for row in rows if row.related_bsn}
    unknown = parents - context.persons.keys()
    if unknown:
        for person in await session.scalars(select(Person).where(Person.bsn.in_(sorted(unknown)))):
            context.persons[person.bsn] = person
    context.partners = await _relations(session, minors | parents, "partner")
    return context


async def find_persons(session: AsyncSession, query: PersonenQuery, municipalities: Collection[str] | None = None,
                       needs: Needs | None = None) -> list[PersonBundle]:
    """Run a query and load the persons it finds (in BSN order): the search and the current rows in one statement,
    relations and nationalities in one more each when the fields need them. A search that finds more persons than
    its type allows raises TooManyResults."""
    limit = QUERY_TYPES[query.type].max_results
    ready = _ready_statement(query, municipalities, session.get_bind().dialect.name == "postgresql")
    if ready is not None:
        bundles = list((await _bundles(session, *ready)).values())
    else:
        found = search_statement(query, municipalities).order_by(None).correlate(None)
        terms = _with_diacritics(query)
        if limit is not None and not terms:
            found = found.limit(limit + 1)  # one more than allowed tells that there are too many
        which = Person.bsn.in_(found.scalar_subquery())
        bundles = list((await _bundles(session, _bundle_select().where(which))).values())
        if terms:
            bundles = [bundle for bundle in bundles if _spelled_as(bundle, terms)]
    if limit is not None and len(bundles) > limit:
        raise TooManyResults(limit)
    await _load_lists(session, bundles, needs or Needs.for_fields(query.fields, query.response_schema))
    return bundles
