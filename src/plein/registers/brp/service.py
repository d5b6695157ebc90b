"""BRP register logic: reads through the exchange layer, and every mutation (with its reason and its case).

Reads: `read_personen` checks the client's grant (exchange.authorize_read), runs the query, cuts each person down to
the granted fields and writes the processing log (exchange.log_reads) before anything is returned;
`read_verblijfplaatshistorie` does the same for one person's residences in a period (registers.brp.historie).

Mutations: register_person, register_birth, register_move, register_partnership, dissolve_partnership,
register_death, set_geheimhouding, change_name and import_persons. Each takes a Cause (reason + case), keeps
history by closing the current row and adding the next one, writes relations on both persons, and records a
brp_mutations row. They flush but do not commit: the caller (a case, the importer, a test) owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from plein import clock
from plein.auth.service import Principal
from plein.db import Base
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.exchange import service as exchange
from plein.identifiers import passes_elfproef
from plein.registers.bag import service as bag
from plein.registers.bag.models import Address
from plein.registers.brp import historie, lo3, present
from plein.registers.brp import query as brp_query
from plein.registers.brp.models import (
    Mutation,
    Nationality,
    Person,
    PersonName,
    Relation,
    Residence,
    RniDeelnemer,
    Verblijfstitel,
)
from plein.registers.brp.schemas import PersonenQuery
from plein.registers.fields import VERBLIJFPLAATSHISTORIE, brp_fields
from plein.registers.keys import search_key

REGISTER = "brp"
AUTOMATIC_PATHS = present.AUTOMATIC  # geheimhouding, opschorting, rni and verificatie: with a grant for all four


@dataclass(frozen=True)
class Cause:
    """Why a person's data changes: the reason, and the case (zaak URL or identification) that caused it."""

    reason: str
    case: str

    def __post_init__(self) -> None:
        if not self.reason.strip() or not self.case.strip():
            raise InvalidInput("a change to the BRP needs a reason and the case that caused it", [
                InvalidParam("cause", "required", "give both the reason and the case")])


# ---------------------------------------------------------------------------------------------- reads


def grant_path(path: str) -> str:
    """The path as the exchange layer knows it: the path itself, or its nearest ancestor in the field list."""
    known = brp_fields()
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in known:
            return candidate
    return path


def _covered(path: str, granted: Collection[str]) -> bool:
    return any(path == held or path.startswith(held + ".") for held in granted)


def permitted_paths(requested: Iterable[str], granted: Collection[str]) -> list[str]:
    """The requested paths a permit covers, plus the granted parts of requested paths it covers only in part."""
    result: list[str] = []
    for path in requested:
        if _covered(path, granted):
            result.append(path)
        else:
            result += [held for held in granted if held.startswith(path + ".")]
    return list(dict.fromkeys(result))


@dataclass
class PersonenResult:
    """The persons as delivered (already logged) and the permit they were read under."""

    personen: list[dict[str, Any]]
    permit: exchange.ReadPermit
    delivered: list[tuple[str, list[str]]] = field(default_factory=list)


async def _permit(session: AsyncSession, principal: Principal | None, query: PersonenQuery, activity: str | None,
                  trace_id: str, reader: exchange.ClientReader | None) -> exchange.ReadPermit:
    """The permit for the requested fields; widened to the automatic fields when the client holds those too."""
    requested = list(dict.fromkeys(grant_path(path) for path in query.fields))
    return await exchange.authorize_read(session, principal, REGISTER, requested, activity, trace_id,
                                         automatic=AUTOMATIC_PATHS, reader=reader)


async def read_personen(session: AsyncSession, principal: Principal | None, query: PersonenQuery,
                        activity: str | None, trace_id: str, on: dt.date | None = None,
                        reader: exchange.ClientReader | None = None) -> PersonenResult:
    """Find persons for a checked query, deliver only granted fields, and log every person before returning.

    `reader` is the client as exchange.authenticate_reader read it with its rights (saves reading them again)."""
    permit = await _permit(session, principal, query, activity, trace_id, reader)
    paths = permitted_paths(query.fields, permit.fields)
    automatic = [path for path in AUTOMATIC_PATHS if _covered(path, permit.fields)]
    bundles = await brp_query.find_persons(session, query, permit.municipalities,
                                           brp_query.Needs.for_fields(paths, query.response_schema))
    personen, delivered = [], []
    for bundle in bundles:
        body, fields = present.render(bundle, query.response_schema, paths, on or clock.today(), automatic)
        personen.append(body)
        delivered.append((bundle.person.bsn, fields))
    await exchange.log_reads(session, permit, delivered)
    return PersonenResult(personen, permit, delivered)


async def read_verblijfplaatshistorie(session: AsyncSession, principal: Principal | None, bsn: str,
                                     activity: str | None, trace_id: str, *, van: dt.date | str | None = None,
                                     tot: dt.date | str | None = None, peildatum: dt.date | str | None = None,
                                     reader: exchange.ClientReader | None = None) -> list[dict[str, Any]]:
    """The residences of one person from `van` until `tot` (or on `peildatum`), newest first, in the shape of Haal
    Centraal BRP Historie 2.0, under a grant for `verblijfplaatshistorie`; the read is logged before they are returned.

    Raises InvalidInput (naming the parameter), Forbidden (no grant, or the person is registered outside the grant's
    municipalities) or NotFound."""
    query = historie.query_for(bsn, van=van, tot=tot, peildatum=peildatum)
    permit = await exchange.authorize_read(session, principal, REGISTER, [VERBLIJFPLAATSHISTORIE], activity, trace_id,
                                           reader=reader)
    rows = await historie.residences(session, query.burgerservicenummer)
    exchange.check_municipality(permit, historie.current_gemeente(rows))
    verblijfplaatsen = historie.in_period(rows, query)
    await exchange.log_reads(session, permit, [(query.burgerservicenummer, [VERBLIJFPLAATSHISTORIE])])
    return verblijfplaatsen


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class NameData:
    geslachtsnaam: str
    voornamen: str | None = None
    voorvoegsel: str | None = None
    adellijke_titel: str | None = None
    naamgebruik: str = "E"


@dataclass(frozen=True)
class NewResidence:
    """Where a person comes to live: a BAG address (by nummeraanduiding), a location, abroad, or unknown."""

    datum: str  # LO3 date the residence starts (datum aanvang adreshouding)
    nummeraanduiding: str | None = None
    gemeente_van_inschrijving: str | None = None  # from the address when not given
    functie_adres: str = "W"
    locatiebeschrijving: str | None = None
    land: str | None = None
    regels: tuple[str | None, str | None, str | None] = (None, None, None)


@dataclass(frozen=True)
class NewPerson:
    bsn: str
    geslacht: str
    geboortedatum: str
    naam: NameData
    geboorteplaats: str | None = None
    geboorteland: str | None = lo3.NEDERLAND
    a_nummer: str | None = None
    nationaliteiten: tuple[str, ...] = ("0001",)
    geheimhouding: int = 0


def _bad(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


def _check_date(value: str, name: str) -> str:
    try:
        return lo3.check_date(value)
    except lo3.Lo3DateError as exc:
        raise _bad(name, "date", str(exc)) from exc


def _check_new_person(person: NewPerson) -> None:
    if not passes_elfproef(person.bsn):
        raise _bad("bsn", "elfproef", f"'{person.bsn}' is not a BSN (nine digits passing the 11-check)")
    if person.geslacht not in lo3.GESLACHT:
        raise _bad("geslacht", "enum", "M, V or O")
    if not person.naam.geslachtsnaam.strip():
        raise _bad("naam.geslachtsnaam", "required", "a person has a geslachtsnaam")
    _check_date(person.geboortedatum, "geboortedatum")


async def _mutation(session: AsyncSession, bsn: str, action: str, cause: Cause, **details: Any) -> None:
    session.add(Mutation(bsn=bsn, action=action, reason=cause.reason, case_ref=cause.case, details=details))


async def get_person(session: AsyncSession, bsn: str) -> Person:
    person = await session.get(Person, bsn)
    if person is None:
        raise NotFound(f"no person with BSN {bsn} in the register")
    return person


def name_row(bsn: str, geboortedatum: str, naam: NameData, valid_from: str,
              valid_to: str | None = None) -> PersonName:
    return PersonName(
        bsn=bsn, voornamen=naam.voornamen, adellijke_titel=naam.adellijke_titel, voorvoegsel=naam.voorvoegsel,
        geslachtsnaam=naam.geslachtsnaam, naamgebruik=naam.naamgebruik,
        geslachtsnaam_key=search_key(naam.geslachtsnaam), voornamen_key=search_key(naam.voornamen or ""),
        voorvoegsel_key=search_key(naam.voorvoegsel or ""), geboortedatum=geboortedatum, valid_from=valid_from,
        valid_to=valid_to)


async def _residence_row(session: AsyncSession, bsn: str, new: NewResidence, previous: Residence | None,
                         addresses: dict[str, Address | None] | None = None) -> Residence:
    """The new residence row (not added); `addresses` keeps the BAG addresses looked up for a change of several
    persons."""
    datum = _check_date(new.datum, "datum")
    row = Residence(bsn=bsn, valid_from=datum, functie_adres=None, land=None)
    if new.nummeraanduiding:
        addresses = {} if addresses is None else addresses
        if new.nummeraanduiding not in addresses:
            addresses[new.nummeraanduiding] = await bag.get_address(session, new.nummeraanduiding)
        address = addresses[new.nummeraanduiding]
        if address is None:
            raise _bad("nummeraanduiding", "unknown", f"no BAG address {new.nummeraanduiding}")
        row.soort, row.address_id, row.functie_adres = "Adres", address.id, new.functie_adres
        gemeente = new.gemeente_van_inschrijving or address.gemeentecode
    elif new.locatiebeschrijving:
        row.soort, row.locatiebeschrijving, row.functie_adres = "Locatie", new.locatiebeschrijving, new.functie_adres
        gemeente = new.gemeente_van_inschrijving or ""
    else:
        land = new.land or lo3.LAND_ONBEKEND
        row.soort = "VerblijfplaatsOnbekend" if land == lo3.LAND_ONBEKEND else "VerblijfplaatsBuitenland"
        row.land, (row.regel1, row.regel2, row.regel3) = land, new.regels
        gemeente = new.gemeente_van_inschrijving or lo3.RNI
    if len(gemeente) != 4 or not gemeente.isdigit():
        raise _bad("gemeenteVanInschrijving", "required", "the municipality of registration (4 digits)")
    row.gemeente_van_inschrijving = gemeente
    same_municipality = previous is not None and previous.gemeente_van_inschrijving == gemeente
    row.datum_inschrijving = previous.datum_inschrijving if same_municipality and previous else datum
    return row


async def _current_residence(session: AsyncSession, bsn: str) -> Residence | None:
    return await session.scalar(select(Residence).where(Residence.bsn == bsn, Residence.valid_to.is_(None)))


async def _current_name(session: AsyncSession, bsn: str) -> PersonName:
    name = await session.scalar(select(PersonName).where(PersonName.bsn == bsn, PersonName.valid_to.is_(None)))
    if name is None:
        raise NotFound(f"person {bsn} has no current name")
    return name


# ---------------------------------------------------------------------------------------------- mutations


async def register_person(session: AsyncSession, person: NewPerson, residence: NewResidence | None,
                          cause: Cause, valid_from: str | None = None) -> Person:
    """Add a person (inschrijving): the persoonslijst, the name, nationalities and the first residence."""
    _check_new_person(person)
    if await session.get(Person, person.bsn) is not None:
        raise Conflict(f"BSN {person.bsn} is already in the register",
                       [InvalidParam("bsn", "unique", "already registered")])
    start = valid_from or person.geboortedatum
    row = Person(bsn=person.bsn, a_nummer=person.a_nummer, geslacht=person.geslacht,
                 geboortedatum=person.geboortedatum, geboorteplaats=person.geboorteplaats,
                 geboorteland=person.geboorteland, datum_eerste_inschrijving=start, geheimhouding=person.geheimhouding)
    session.add(row)
    await session.flush()
    session.add(name_row(person.bsn, person.geboortedatum, person.naam, start))
    session.add_all(Nationality(bsn=person.bsn, nationaliteit=code, valid_from=start)
                    for code in person.nationaliteiten)
    if residence is not None:
        session.add(await _residence_row(session, person.bsn, residence, None))
    await _mutation(session, person.bsn, "register-person", cause)
    await session.flush()
    return row


async def _relation_from(session: AsyncSession, bsn: str, about: str, soort: str, valid_from: str,
                         **values: Any) -> Relation:
    """A relation on `bsn`'s list about person `about`, with about's current data copied in."""
    other = await get_person(session, about)
    name = await _current_name(session, about)
    occurrences = await session.scalars(select(Relation.occurrence).where(Relation.bsn == bsn,
                                                                          Relation.soort == soort))
    return Relation(
        bsn=bsn, soort=soort, occurrence=max(occurrences.all(), default=0) + 1, related_bsn=about,
        related_a_nummer=other.a_nummer, voornamen=name.voornamen, adellijke_titel=name.adellijke_titel,
        voorvoegsel=name.voorvoegsel, geslachtsnaam=name.geslachtsnaam, geslacht=other.geslacht,
        geboortedatum=other.geboortedatum, geboorteplaats=other.geboorteplaats, geboorteland=other.geboorteland,
        valid_from=valid_from, **values)


async def register_birth(session: AsyncSession, child: NewPerson, parents: Sequence[str], cause: Cause,
                         residence: NewResidence | None = None) -> Person:
    """A birth: the child with its parents on its list, and the child on each parent's list (same transaction)."""
    if len(parents) > 2 or len(set(parents)) != len(parents):
        raise _bad("ouders", "maxItems", "at most two different parents")
    for parent in parents:
        await get_person(session, parent)
    if residence is None and parents:
        home = await _current_residence(session, parents[0])
        if home is not None and home.address_id is not None:
            address = await session.get(Address, home.address_id)
            residence = NewResidence(child.geboortedatum, address.nummeraanduiding if address else None,
                                     home.gemeente_van_inschrijving)
    person = await register_person(session, child, residence, cause)
    for number, parent in enumerate(parents, start=1):
        session.add(await _relation_from(session, child.bsn, parent, "ouder", child.geboortedatum,
                                         ouder_aanduiding=str(number),
                                         familierechtelijke_betrekking=child.geboortedatum))
        session.add(await _relation_from(session, parent, child.bsn, "kind", child.geboortedatum))
        await session.flush()
        await _mutation(session, parent, "add-child", cause, child=child.bsn)
    await session.flush()
    return person


async def register_move(session: AsyncSession, bsn: str, residence: NewResidence, cause: Cause) -> Residence:
    """A move: the current residence is closed on the day the new one starts; the new one becomes current."""
    move = await _plan_move(session, bsn, residence, {})
    await _apply_moves(session, [move], cause)
    return move.new


@dataclass(frozen=True)
class _Move:
    person: Person
    current: Residence | None
    new: Residence


async def _plan_move(session: AsyncSession, bsn: str, residence: NewResidence,
                     addresses: dict[str, Address | None]) -> _Move:
    """A move checked and its new residence made, nothing written yet."""
    person = await get_person(session, bsn)
    current = await _current_residence(session, bsn)
    datum = _check_date(residence.datum, "datum")
    if current is not None and datum < current.valid_from:
        raise _bad("datum", "after", f"the move must start on or after {current.valid_from}, when the current "
                   "residence started")
    return _Move(person, current, await _residence_row(session, bsn, residence, current, addresses))


async def _apply_moves(session: AsyncSession, moves: Sequence[_Move], cause: Cause) -> None:
    """Write planned moves of different persons: the current residences closed first (one flush, so that the new
    ones can be current), then the new residences, the list suspended or resumed, and the mutations (one flush)."""
    for move in moves:
        if move.current is not None:
            move.current.valid_to = move.new.valid_from
    if any(move.current is not None for move in moves):
        await session.flush()
    for move in moves:
        new, person, datum = move.new, move.person, move.new.valid_from
        session.add(new)
        before = person.opschorting_reden
        if new.soort == "VerblijfplaatsBuitenland" and person.opschorting_reden is None:
            person.opschorting_reden, person.opschorting_datum = "E", datum  # emigration suspends the list
        elif new.soort in ("Adres", "Locatie") and person.opschorting_reden == "E":
            person.opschorting_reden = person.opschorting_datum = None  # back in the Netherlands
        await _mutation(session, person.bsn, "move", cause, previous=move.current.id if move.current else None,
                        soort=new.soort, gemeente=new.gemeente_van_inschrijving, datum=datum,
                        opschorting={"before": before, "after": person.opschorting_reden})
    await session.flush()


@dataclass(frozen=True)
class Moved:
    """One person's move as written: the municipality they were registered in before, and the new residence."""

    bsn: str
    previous_gemeente: str | None
    residence: Residence


async def write_moves(session: AsyncSession, permit: exchange.WritePermit, moves: Sequence[tuple[str, NewResidence]],
                      cause: Cause) -> list[Moved]:
    """Moves of different persons under a write grant for `verhuizing`: each person's new residence must lie in a
    municipality of the grant (a municipality registers moves into itself), checked before anything is written, and
    the processing log gets a write record per person in this transaction, after the changes. Raises Forbidden
    (nothing changes), or InvalidInput when a person is named twice."""
    _check_permit(permit, "verhuizing")
    if len({bsn for bsn, _ in moves}) != len(moves):
        raise _bad("burgerservicenummer", "unique", "a person moves once in one change")
    addresses: dict[str, Address | None] = {}
    planned = [await _plan_move(session, bsn, residence, addresses) for bsn, residence in moves]
    for move in planned:
        exchange.check_write_municipality(permit, move.new.gemeente_van_inschrijving)
    await _apply_moves(session, planned, cause)
    await exchange.log_writes(session, permit, [(bsn, MOVE_FIELDS) for bsn, _ in moves])
    return [Moved(move.person.bsn, move.current.gemeente_van_inschrijving if move.current else None, move.new)
            for move in planned]


MOVE_FIELDS = ("verblijfplaats", "gemeenteVanInschrijving")
DEATH_FIELDS = ("overlijden", "opschortingBijhouding")


@dataclass(frozen=True)
class Died:
    """A death as written: the person and the municipality they were registered in (which their death concerns)."""

    bsn: str
    gemeente: str | None
    person: Person


async def write_death(session: AsyncSession, permit: exchange.WritePermit, bsn: str, datum: str, plaats: str,
                      cause: Cause) -> Died:
    """A death under a write grant for `overlijden`: registered by the municipality where the person died (the
    grant's municipality: `plaats` is its CBS code), whatever the person's own municipality; the processing log gets
    the write record in this transaction, after the change. A person whose death is registered already is refused
    (Conflict); nothing changes then."""
    _check_permit(permit, "overlijden")
    exchange.check_write_municipality(permit, plaats)
    residence = await _current_residence(session, bsn)
    person = await register_death(session, bsn, datum, cause, plaats=plaats)
    await exchange.log_writes(session, permit, [(bsn, DEATH_FIELDS)])
    return Died(bsn, residence.gemeente_van_inschrijving if residence else None, person)


def _check_permit(permit: exchange.WritePermit, mutation: str) -> None:
    if permit.register != REGISTER or permit.mutation != mutation:
        raise Forbidden(f"a write grant for {permit.register} {permit.mutation} does not cover {REGISTER} {mutation}")


async def has_partner(session: AsyncSession, bsn: str) -> bool:
    """Whether the person has a current marriage or partnership (for setting up demo data, not a read for a
    purpose: it bypasses the exchange layer like simulator_persons)."""
    return await _current_partner(session, bsn) is not None


async def _current_partner(session: AsyncSession, bsn: str, other: str | None = None) -> Relation | None:
    statement = select(Relation).where(Relation.bsn == bsn, Relation.soort == "partner", Relation.valid_to.is_(None),
                                       Relation.ontbinding_datum.is_(None))
    if other is not None:
        statement = statement.where(Relation.related_bsn == other)
    return await session.scalar(statement.limit(1))


async def register_partnership(session: AsyncSession, first: str, second: str, datum: str, cause: Cause,
                               soort: str = "H", plaats: str | None = None, land: str = lo3.NEDERLAND) -> None:
    """A marriage (H) or registered partnership (P), written on both persons' lists."""
    if first == second or soort not in lo3.SOORT_VERBINTENIS:
        raise _bad("partner", "invalid", "two different persons and soort H or P")
    datum = _check_date(datum, "datum")
    for bsn in (first, second):
        await get_person(session, bsn)
        if await _current_partner(session, bsn) is not None:
            raise Conflict(f"{bsn} already has a current marriage or partnership")
    for bsn, other in ((first, second), (second, first)):
        session.add(await _relation_from(session, bsn, other, "partner", datum, soort_verbintenis=soort,
                                         aangaan_datum=datum, aangaan_plaats=plaats, aangaan_land=land))
        await session.flush()
        await _mutation(session, bsn, "partnership", cause, partner=other, datum=datum)
    await session.flush()


async def dissolve_partnership(session: AsyncSession, first: str, second: str, datum: str, cause: Cause,
                               reden: str = "S", sides: Sequence[str] | None = None) -> None:
    """End a partnership: on each side the current version is closed and a version with the ontbinding added."""
    datum = _check_date(datum, "datum")
    for bsn, other in ((first, second), (second, first)):
        if sides is not None and bsn not in sides:
            continue
        current = await _current_partner(session, bsn, other)
        if current is None:
            raise NotFound(f"{bsn} has no current partnership with {other}")
        current.valid_to = datum
        await session.flush()
        session.add(Relation(
            bsn=bsn, soort="partner", occurrence=current.occurrence, related_bsn=current.related_bsn,
            related_a_nummer=current.related_a_nummer, voornamen=current.voornamen,
            adellijke_titel=current.adellijke_titel, voorvoegsel=current.voorvoegsel,
            geslachtsnaam=current.geslachtsnaam, geslacht=current.geslacht, geboortedatum=current.geboortedatum,
            geboorteplaats=current.geboorteplaats, geboorteland=current.geboorteland,
            soort_verbintenis=current.soort_verbintenis, ontbinding_datum=datum, ontbinding_reden=reden,
            valid_from=datum))
        await _mutation(session, bsn, "dissolve-partnership", cause, partner=other, datum=datum, reden=reden)
    await session.flush()


async def register_death(session: AsyncSession, bsn: str, datum: str, cause: Cause, plaats: str | None = None,
                         land: str = lo3.NEDERLAND) -> Person:
    """A death: overlijden is recorded, the list is suspended (O), and a surviving partner's partnership ends."""
    person = await get_person(session, bsn)
    if person.overlijdensdatum is not None:
        raise Conflict(f"the death of {bsn} is already registered")
    datum = _check_date(datum, "datum")
    before = {"opschorting": person.opschorting_reden}
    person.overlijdensdatum, person.overlijdensplaats, person.overlijdensland = datum, plaats, land
    person.opschorting_reden, person.opschorting_datum = "O", datum
    partner = await _current_partner(session, bsn)
    survivor = partner.related_bsn if partner is not None else None
    if survivor is not None and await session.get(Person, survivor) is not None:
        await dissolve_partnership(session, bsn, survivor, datum, cause, reden="O", sides=[survivor])
    await _mutation(session, bsn, "death", cause, datum=datum, before=before)
    await session.flush()
    return person


async def set_geheimhouding(session: AsyncSession, bsn: str, indicatie: int, cause: Cause) -> Person:
    """The citizen's request that their data is not given to third parties (0 = none, 1-7 = LO3 indicatie)."""
    if not 0 <= indicatie <= 7:
        raise _bad("geheimhouding", "range", "an indicatie geheim from 0 to 7")
    person = await get_person(session, bsn)
    before, person.geheimhouding = person.geheimhouding, indicatie
    await _mutation(session, bsn, "geheimhouding", cause, before=before, after=indicatie)
    await session.flush()
    return person


async def change_name(session: AsyncSession, bsn: str, naam: NameData, datum: str, cause: Cause) -> PersonName:
    """A new name (or naamgebruik) from datum: the current name row is closed, the new one added."""
    person = await get_person(session, bsn)
    datum = _check_date(datum, "datum")
    current = await _current_name(session, bsn)
    current.valid_to = datum
    await session.flush()
    row = name_row(bsn, person.geboortedatum, naam, datum)
    session.add(row)
    await _mutation(session, bsn, "change-name", cause, before=current.geslachtsnaam, datum=datum)
    await session.flush()
    return row


# ---------------------------------------------------------------------------------------------- consistency


@dataclass(frozen=True)
class RelationProblem:
    bsn: str
    soort: str
    related_bsn: str
    problem: str


BACK = {"partner": "partner", "ouder": "kind", "kind": "ouder"}


async def simulator_persons(session: AsyncSession, limit: int = 50) -> list[tuple[str, str]]:
    """(BSN, name) of the first `limit` living, not suspended persons, ordered by BSN: the people the login simulator
    offers to log in as. It serves the simulator only (dev, demo and test; production refuses the simulator): it is
    no read of anyone's data for a purpose, so it bypasses the exchange layer and must not be used for anything else."""
    rows = await session.execute(
        select(Person.bsn, PersonName.voornamen, PersonName.voorvoegsel, PersonName.geslachtsnaam)
        .join(PersonName, and_(PersonName.bsn == Person.bsn, PersonName.valid_to.is_(None)))
        .where(Person.overlijdensdatum.is_(None), Person.opschorting_reden.is_(None))
        .order_by(Person.bsn).limit(limit))
    return [(bsn, " ".join(part for part in (voornamen, voorvoegsel, geslachtsnaam) if part))
            for bsn, voornamen, voorvoegsel, geslachtsnaam in rows]


async def count_inhabitants(session: AsyncSession, gemeente: str) -> int:
    """How many living, not suspended persons are registered in the municipality now (a current residence there).

    An aggregate without personal data: no person is delivered, so it is no read under a grant and writes no
    processing-log record (why: docs/store.md, "Inwoners uit de BRP"). Serves the store's costs; one number, counted
    from the index on current residences per municipality."""
    count = await session.scalar(
        select(func.count()).select_from(Residence)
        .join(Person, Person.bsn == Residence.bsn)
        .where(Residence.valid_to.is_(None), Residence.gemeente_van_inschrijving == gemeente,
               Person.overlijdensdatum.is_(None), Person.opschorting_reden.is_(None)))
    return int(count or 0)


async def relation_problems(session: AsyncSession, bsns: Collection[str] | None = None) -> list[RelationProblem]:
    """Current relations to a person in the register that this person's list does not have back."""
    mine, theirs = aliased(Relation), aliased(Relation)
    problems = []
    for soort, back in BACK.items():
        statement = (
            select(mine.bsn, mine.related_bsn)
            .join(Person, Person.bsn == mine.related_bsn)
            .outerjoin(theirs, and_(theirs.bsn == mine.related_bsn, theirs.related_bsn == mine.bsn,
                                    theirs.soort == back, theirs.valid_to.is_(None)))
            .where(mine.soort == soort, mine.valid_to.is_(None), theirs.id.is_(None))
            .order_by(mine.bsn, mine.related_bsn)
        )
        if bsns is not None:
            statement = statement.where(mine.bsn.in_(sorted(bsns)))
        for bsn, related in (await session.execute(statement)).all():
            problems.append(RelationProblem(bsn, soort, related or "", f"{related} has no {back} {bsn}"))
    return problems


# ---------------------------------------------------------------------------------------------- import


@dataclass
class ImportedPerson:
    """A whole persoonslijst from another source (e.g. GBA-V), rows newest first with their periods set."""

    person: Person
    names: list[PersonName]
    residences: list[tuple[Residence, bag.AddressData | None]]
    relations: list[Relation]
    nationalities: list[Nationality]
    verblijfstitels: list[Verblijfstitel] = field(default_factory=list)
    rni: list[RniDeelnemer] = field(default_factory=list)


IMPORT_ACTION = "import"


async def imported_fingerprint(session: AsyncSession, bsn: str) -> str | None:
    """The fingerprint of the source rows a person was imported from (None: not imported, or not there)."""
    statement = (select(Mutation.details).where(Mutation.bsn == bsn, Mutation.action == IMPORT_ACTION)
                 .order_by(Mutation.id.desc()).limit(1))
    details = await session.scalar(statement)
    return str(details.get("fingerprint")) if details else None


def _values(row: Base) -> dict[str, Any]:
    """A mapped row as a dict for a bulk insert: every column but a generated id, defaults applied."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.primary_key and column.autoincrement is True:
            continue
        value = getattr(row, column.key)
        default = column.default
        if value is None and isinstance(default, ScalarElementColumnDefault | CallableColumnDefault):
            value = default.arg(cast(Any, None)) if isinstance(default, CallableColumnDefault) else default.arg
        values[column.key] = value
    return values


async def import_persons(session: AsyncSession, records: Sequence[tuple[ImportedPerson, str]], cause: Cause,
                         addresses: Mapping[bag.AddressData, Address] | None = None) -> None:
    """Add imported persons, each with all its history and the fingerprint of its source rows, in bulk inserts.

    `addresses` holds the BAG addresses made for the whole import (bag.ensure_addresses); an address missing there
    is looked up or added on the spot. The persons must not exist yet; the caller commits.
    """
    for record, _ in records:
        for residence, data in record.residences:
            if data is None:
                continue
            address = addresses.get(data) if addresses is not None else None
            if address is None:
                address, _ = await bag.ensure_address(session, data)
            residence.address_id = address.id
    tables: list[tuple[type[Base], list[Base]]] = [
        (Person, [record.person for record, _ in records]),
        (PersonName, [row for record, _ in records for row in record.names]),
        (Residence, [row for record, _ in records for row, _ in record.residences]),
        (Relation, [row for record, _ in records for row in record.relations]),
        (Nationality, [row for record, _ in records for row in record.nationalities]),
        (Verblijfstitel, [row for record, _ in records for row in record.verblijfstitels]),
        (RniDeelnemer, [row for record, _ in records for row in record.rni]),
        (Mutation, [Mutation(bsn=record.person.bsn, action=IMPORT_ACTION, reason=cause.reason, case_ref=cause.case,
                             details={"fingerprint": fingerprint}) for record, fingerprint in records]),
    ]
    for table, rows in tables:
        if rows:
            await session.execute(insert(cast(Table, table.__table__)), [_values(row) for row in rows])
