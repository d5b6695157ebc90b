"""The synthetic population planned household by household, and the register rows of each household.

Households (singles, couples, families, single parents; some elderly widowed or deceased) come from one
random.Random(seed) stream, so a seed gives the same households on an empty register whatever the batch size.
What the registers add to a person beyond the household (A-nummer, curatele, kiesrecht, verblijfstitel for part of
the non-EU nationals, a registered gezag for most children of unmarried parents, an open investigation of a few
addresses) comes from a second stream of the same seed, so the households do not change with it. Rows are what
registers.brp.service writes (search keys, history as valid_from/valid_to, relations on both persons).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from plein.registers.brp.lo3 import NEDERLAND
from plein.registers.synthetic import (
    ACTION,
    ADULT,
    COLUMNS,
    EU_NATIONALITEITEN,
    KIND_WEIGHTS,
    KINDS,
    LETTER_PAIRS,
    REASON,
    YEAR,
    Municipality,
    Origin,
    Rows,
    cumulative,
    first_names,
    key,
    lo3_date,
    origins,
    street_name,
    surnames,
)

JOINT_BY_RECOGNITION = dt.date(2023, 1, 1).toordinal()  # from here unmarried parents have joint gezag by law
ASIEL = frozenset({"0336"})  # nationalities that mostly came as refugees: asylum permits


@dataclass(slots=True)
class Member:
    """A person while their household is made; turned into rows once the household is complete."""

    bsn: str
    a_nummer: str
    geslacht: str
    birth: int
    voornamen: str
    voorvoegsel: str | None
    geslachtsnaam: str
    origin: Origin | None  # born abroad (then arrival is set) or None: born in the Netherlands
    geboorteplaats: str
    arrival: int | None = None
    death: int | None = None
    naamgebruik: str = "E"
    married: int | None = None
    previous: tuple[int, str] | None = None
    children: int = 0
    adult: bool = True
    gezag: str | None = None  # a registered indicatie gezag minderjarige (11.32.10)

    @property
    def start(self) -> int:
        return self.arrival if self.arrival is not None else self.birth

    @property
    def land(self) -> str:
        return self.origin.land if self.origin is not None else NEDERLAND


@dataclass
class Home:
    address: int
    gemeente: str
    since: int
    previous: tuple[int, str] | None
    members: list[Member] = field(default_factory=list)
    relations: list[tuple[Member, Member, str, int, int]] = field(default_factory=list)
    partnerships: list[tuple[Member, Member, str, int, str]] = field(default_factory=list)


class Generator:
    """Makes households from one random stream; `batch` returns the rows of the next households."""

    def __init__(self, seed: int, munis: list[Municipality], reference: dt.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.extra = random.Random(f"plein-extra:{seed}")  # noqa: S311 - the register facts beyond the household
        self.munis, self.muni_weights = munis, cumulative([muni.weight for muni in munis])
        self.origin_weights = cumulative([float(origin.weight) for origin in origins()])
        self.ref = reference.toordinal()
        self.bsns: deque[str] = deque()
        self.a_nummers: deque[str] = deque()
        self.address_ids: deque[int] = deque()
        self.window: deque[tuple[int, str]] = deque(maxlen=64)
        self.details, self.case = {"seed": seed}, f"generate:seed={seed}"
        self.now = dt.datetime.now(dt.UTC)

    def _years(self, years: float) -> int:
        return int(years * YEAR)

    def _muni(self) -> Municipality:
        return self.rng.choices(self.munis, cum_weights=self.muni_weights)[0]

    def _origin(self) -> Origin | None:
        return self.rng.choices(origins(), cum_weights=self.origin_weights)[0] if self.rng.random() < 0.12 else None

    def _voornamen(self, geslacht: str, birth: int, origin: Origin | None) -> str:
        rng = self.rng
        if origin is not None:
            return " ".join(rng.sample(origin.male if geslacht == "M" else origin.female, 1 + (rng.random() < 0.2)))
        year = dt.date.fromordinal(birth).year
        era = "ouder" if year < 1955 else "midden" if year < 1990 else "jong"
        first = rng.choice(first_names()[geslacht, era])
        count = rng.choices((1, 2, 3), (50, 38, 12) if era == "jong" else (30, 48, 22))[0]
        middle = [name for name in rng.sample(first_names()[geslacht, "ouder"], 3) if name != first]
        return " ".join([first, *middle[:count - 1]])

    def _person(self, geslacht: str, birth: int, origin: Origin | None, gemeente: str,
                surname: tuple[str | None, str] | None = None) -> Member:
        if surname is None and origin is not None:
            surname = (None, self.rng.choice(origin.surnames))
        elif surname is None:
            names, weights = surnames()
            surname = self.rng.choices(names, cum_weights=weights)[0]
        place = self.rng.choice(origin.places) if origin is not None else self._birthplace(gemeente)
        return Member(self.bsns.popleft(), self.a_nummers.popleft(), geslacht, birth,
                      self._voornamen(geslacht, birth, origin), surname[0],
                      surname[1], origin, place)

    def _birthplace(self, gemeente: str) -> str:
        return gemeente if self.rng.random() < 0.55 else self._muni().code

    def _adult(self, age: float, geslacht: str, gemeente: str) -> Member:
        birth = self.ref - self._years(age) - self.rng.randrange(365)
        return self._person(geslacht, birth, self._origin(), gemeente)

    def _partner_of(self, first: Member, gemeente: str, same_sex: bool = False, before: int | None = None) -> Member:
        """A partner of about the same age (at least 18 on `before`, e.g. the first child's birth)."""
        geslacht = first.geslacht if same_sex else ("V" if first.geslacht == "M" else "M")
        shift = max(-6.0, min(6.0, self.rng.gauss(2.0 if geslacht == "M" else -2.0, 3.0)))
        birth = min(first.birth - self._years(shift), (before or self.ref) - self._years(19))
        origin = first.origin if first.origin is not None and self.rng.random() < 0.75 else self._origin()
        return self._person(geslacht, birth, origin, gemeente)

    def _previous(self, muni: Municipality) -> tuple[int, str] | None:
        if muni.last_address is not None and self.rng.random() < 0.6:
            return muni.last_address, muni.code
        return self.rng.choice(self.window) if self.window else None

    def _since(self, adults: list[Member]) -> int:
        earliest = max(person.birth for person in adults) + ADULT
        since = self.ref - self._years(self.rng.expovariate(1 / 9)) - 1
        return min(max(since, earliest), self.ref - 1)

    # -- addresses

    def _new_building(self, muni: Municipality) -> None:
        rng = self.rng
        if muni.street_left <= 0:
            muni.street = street_name(muni, muni.street_index)
            muni.street_index += 1
            muni.street_left, muni.number, muni.postcode_left = rng.randint(8, 120), 0, 0
        if muni.postcode_left <= 0:
            muni.letters += 1
            if muni.letters >= len(LETTER_PAIRS):
                muni.letters, muni.postcode = 0, muni.postcode + 1
                if muni.postcode > muni.postcode_high:  # only beyond ~10x the national size: the block again
                    muni.postcode = muni.postcode_low
            muni.postcode_left = rng.randint(6, 20)
        muni.street_left -= 1
        muni.postcode_left -= 1
        muni.number += 1 if rng.random() < 0.8 else 2
        apartments = 0.35 if muni.weight > 150_000 else 0.12
        muni.units, muni.unit = (rng.randint(2, 8) if rng.random() < apartments else 1), 0

    def _address(self, muni: Municipality, rows: Rows) -> int:
        """The next address of the municipality (a house, or a unit of an apartment building), as a BAG row."""
        if muni.unit >= muni.units:
            self._new_building(muni)
        muni.unit += 1
        letter = "ABCD"[muni.unit - 1] if 1 < muni.units <= 4 else None
        toevoeging = str(muni.unit) if muni.units > 4 else None
        address_id, seq = self.address_ids.popleft(), f"{muni.seq:010d}"
        muni.seq += 1
        rows["bag_addresses"].append((
            address_id, f"{muni.code}20{seq}", f"{muni.code}01{seq}", muni.street, muni.street[:24].rstrip(),
            key(muni.street), muni.number, letter, toevoeging, f"{muni.postcode}{LETTER_PAIRS[muni.letters]}",
            muni.woonplaats, muni.code))
        return address_id

    # -- households

    def household(self, rows: Rows, room: int) -> int:
        """Make one household of at most `room` persons and add its rows; returns how many persons it has."""
        kind = self.rng.choices(KINDS, KIND_WEIGHTS)[0]
        if room < 2:
            kind = "single"
        elif room < 3 and kind in ("family", "parent"):
            kind = "couple"
        muni = self._muni()
        previous = self._previous(muni)
        home = Home(self._address(muni, rows), muni.code, self.ref - 1, previous)
        if kind == "single":
            self._single(home, room)
        elif kind == "parent":
            self._single_parent(home, room)
        else:
            self._couple(home, room, children=kind == "family")
        for member in home.members:
            if member.adult:  # adults move in together from the household's previous address
                member.previous = home.previous
            self._person_rows(rows, member, home)
        self._relation_rows(rows, home)
        muni.last_address = home.address
        self.window.append((home.address, muni.code))
        return len(home.members)

    def _single(self, home: Home, room: int) -> None:
        rng = self.rng
        ages = rng.choices(((19, 40), (40, 65), (65, 97)), (45, 25, 30))[0]
        person = self._adult(rng.uniform(*ages), rng.choice("MV"), home.gemeente)
        age = (self.ref - person.birth) / YEAR
        widowed = age >= 65 and room >= 2 and rng.random() < 0.45
        adults = [person, self._partner_of(person, home.gemeente)] if widowed else [person]
        home.members += adults
        home.since = self._since(adults)
        married = self._marriage_date(person, adults[-1], self.ref - 60) if widowed else home.since
        for adult in adults:
            self._arrive(adult, min(home.since, married))
        if widowed:
            self._partnership(home, person, adults[1], "H", married)
            self._die(adults[1], max(home.since, married) + 30)
        elif age >= 80 and rng.random() < 0.12:
            self._die(person, home.since + 30)

    def _couple(self, home: Home, room: int, children: bool) -> None:
        rng = self.rng
        ages = (27, 58) if children else rng.choices(((21, 40), (40, 65), (65, 92)), (35, 25, 40))[0]
        same_sex = rng.random() < (0.01 if children else 0.03)
        first = self._adult(rng.uniform(*ages), rng.choice("MV") if same_sex else "V", home.gemeente)
        births = self._child_births(first, room - 2) if children else []
        other = self._partner_of(first, home.gemeente, same_sex, births[0] if births else None)
        home.members += [first, other]
        home.since = self._since([first, other])
        married = self._marriage_date(first, other, min([self.ref - 30, *(birth + 700 for birth in births)]))
        for person in (first, other):
            self._arrive(person, min([home.since, married, *births]))
        soort = rng.choices(("H", "P", None), (65, 10, 25))[0]
        if soort is not None:
            self._partnership(home, first, other, soort, married)
        father = other if other.geslacht == "M" else first
        mother = first if father is other else other
        name_from = father if rng.random() < 0.9 else mother
        for birth in births:
            child = self._child(home, [mother, father], birth, (name_from.voorvoegsel, name_from.geslachtsnaam))
            if soort is None and birth < JOINT_BY_RECOGNITION and self.extra.random() < 0.85:
                child.gezag = "12"  # unmarried parents registered joint authority (gezagsregister)

    def _single_parent(self, home: Home, room: int) -> None:
        rng = self.rng
        parent = self._adult(rng.uniform(25, 58), rng.choices("VM", (80, 20))[0], home.gemeente)
        widowed = rng.random() < 0.3 and room >= 3
        births = self._child_births(parent, min(3, room - 1 - widowed))
        home.members.append(parent)
        home.since = self._since([parent])
        parents = [parent]
        if widowed and max(births[-1], home.since) < self.ref - 400:
            partner = self._partner_of(parent, home.gemeente, before=births[0])
            home.members.append(partner)
            home.since = self._since(home.members)
            married = self._marriage_date(parent, partner, births[0] + 300)
            for person in (parent, partner):
                self._arrive(person, min(home.since, married, births[0]))
            self._partnership(home, parent, partner, "H", married)
            self._die(partner, max(births[-1], home.since, married) + 30)
            parents = [parent, partner] if parent.geslacht == "V" else [partner, parent]
        else:
            self._arrive(parent, min(home.since, births[0]))
        father = next((person for person in parents if person.geslacht == "M"), parent)
        for birth in births:
            self._child(home, parents, birth, (father.voorvoegsel, father.geslachtsnaam))

    def _child_births(self, mother: Member, room: int) -> list[int]:
        """Birth days of up to `room` children (at least one), oldest first, born when the mother was 20 to 44."""
        rng = self.rng
        age = (self.ref - mother.birth) / YEAR
        count = min(max(1, room), rng.choices((1, 2, 3, 4), (35, 45, 15, 5))[0])
        oldest = min(max(0.0, age - 30 + rng.gauss(0, 3)), 24.0, age - 20)
        births = [self.ref - self._years(oldest) - rng.randrange(30, 300)]
        while len(births) < count:
            birth = births[-1] + self._years(rng.uniform(1.2, 4.5))
            if birth >= self.ref - 1 or birth > mother.birth + self._years(44):
                break
            births.append(birth)
        return births

    def _marriage_date(self, first: Member, second: Member, latest: int) -> int:
        older = max(first.birth, second.birth)
        return max(older + ADULT, min(older + self._years(27 + self.rng.gauss(0, 4)), latest))

    def _arrive(self, person: Member, latest: int) -> None:
        """Someone born abroad arrived between 18 and `latest`; when that does not fit, they were born here."""
        if person.origin is None:
            return
        earliest = person.birth + ADULT
        if latest - earliest < 60:
            person.origin, person.geboorteplaats = None, self._muni().code
        else:
            person.arrival = self.rng.randint(earliest, latest)

    def _die(self, person: Member, earliest: int) -> None:
        """Death after `earliest`, at 55 or older when that fits, within the last 15 years."""
        latest = self.ref - 2
        earliest = max(earliest, min(person.birth + self._years(55), latest - 1))
        if earliest < latest:
            person.death = self.rng.randint(max(earliest, latest - self._years(15)), latest)

    def _child(self, home: Home, parents: list[Member], birth: int, surname: tuple[str | None, str]) -> Member:
        child = self._person(self.rng.choice("MV"), birth, None, home.gemeente, surname)
        child.adult, child.previous = False, home.previous if birth < home.since else None
        home.members.append(child)
        for number, parent in enumerate(parents, start=1):  # what register_birth writes, on both lists
            parent.children += 1
            home.relations += [(child, parent, "ouder", number, birth), (parent, child, "kind", parent.children, birth)]
        return child

    def _partnership(self, home: Home, first: Member, second: Member, soort: str, datum: int) -> None:
        place = home.gemeente if self.rng.random() < 0.7 else self._muni().code
        for person in (first, second):
            person.married = datum
            if person.geslacht == "V" and soort == "H":
                person.naamgebruik = self.rng.choices("EVPN", (55, 30, 12, 3))[0]
        home.partnerships.append((first, second, soort, datum, place))

    # -- rows

    def batch(self, target: int, room: int) -> tuple[Rows, int, int]:
        """The rows of the next households, until `target` persons but never more than `room`."""
        rows: Rows = {table: [] for table in COLUMNS}
        persons = households = 0
        self.now = dt.datetime.now(dt.UTC)
        while persons < min(target, room):
            persons += self.household(rows, room - persons)
            households += 1
        return rows, persons, households

    def _person_rows(self, rows: Rows, m: Member, home: Home) -> None:
        """The persoonslijst of one person: header, names, residences, nationalities and the mutation."""
        start = lo3_date(m.start)
        death = lo3_date(m.death) if m.death is not None else None
        secret = 7 if self.rng.random() < 0.002 else 0
        common = (m.bsn, m.voornamen, None, m.voorvoegsel, m.geslachtsnaam)
        keys = (key(m.geslachtsnaam), key(m.voornamen), key(m.voorvoegsel or ""), lo3_date(m.birth))
        if m.naamgebruik != "E" and m.married is not None and m.married > m.start:  # as change_name writes it
            rows["brp_names"] += [(*common, "E", *keys, start, lo3_date(m.married)),
                                  (*common, m.naamgebruik, *keys, lo3_date(m.married), None)]
        else:
            rows["brp_names"].append((*common, m.naamgebruik, *keys, start, None))
        self._residences(rows, m, home)
        nationality = m.origin.nationaliteit if m.origin is not None else "0001"
        rows["brp_nationalities"].append((m.bsn, nationality, None, None, None, start, None))
        naturalised = None
        if nationality != "0001" and m.start + self._years(6) < self.ref and self.rng.random() < 0.4:
            naturalised = self.rng.randint(m.start + self._years(5), min(self.ref - 1, m.start + self._years(15)))
            rows["brp_nationalities"].append((m.bsn, "0001", None, None, None, lo3_date(naturalised), None))
        rows["brp_persons"].append((
            m.bsn, m.a_nummer, m.geslacht, lo3_date(m.birth), m.geboorteplaats, m.land, start, secret, death,
            death and home.gemeente, death and NEDERLAND, death and "O", death, self.now,
            *self._facts(m, nationality)))
        if nationality not in EU_NATIONALITEITEN and nationality != "0001":
            self._verblijfstitels(rows, m, nationality, naturalised)
        rows["brp_mutations"].append((self.now, m.bsn, ACTION, REASON, self.case, self.details))

    def _facts(self, m: Member, nationality: str) -> tuple[Any, ...]:
        """gezag_indicatie, curatele, europees_kiesrecht, uitgesloten_kiesrecht and its end: rare, except that many
        EU nationals ask to vote for the European Parliament here."""
        extra = self.extra
        adult = m.death is None and self.ref - m.birth >= ADULT
        curatele = adult and extra.random() < 0.0015
        uitgesloten = adult and extra.random() < 0.0001
        einde = lo3_date(self.ref + self._years(extra.uniform(0.5, 5))) if uitgesloten else None
        europees = "2" if adult and nationality in EU_NATIONALITEITEN and extra.random() < 0.3 else None
        return m.gezag, curatele, europees, uitgesloten, einde

    def _verblijfstitels(self, rows: Rows, m: Member, nationality: str, naturalised: int | None) -> None:
        """A permit for a fixed period from arrival, then (after five years, mostly) one without end; a naturalised
        person's permit ended on naturalisation."""
        extra = self.extra
        bepaald, onbepaald = ("26", "27") if nationality in ASIEL else (extra.choice(("21", "24")), "25")
        begin = m.start
        later = begin + self._years(5)
        end = naturalised if naturalised is not None else self.ref
        out = rows["brp_verblijfstitels"]
        if later < end and extra.random() < 0.85:
            out.append((m.bsn, bepaald, lo3_date(later), lo3_date(begin), lo3_date(begin), lo3_date(later)))
            closed = lo3_date(naturalised) if naturalised is not None else None
            out.append((m.bsn, onbepaald, None, lo3_date(later), lo3_date(later), closed))
        else:
            closed = lo3_date(naturalised) if naturalised is not None else None
            out.append((m.bsn, bepaald, lo3_date(later), lo3_date(begin), lo3_date(begin), closed))

    def _residences(self, rows: Rows, m: Member, home: Home) -> None:
        """The current residence, after a closed one at a previous address when the person moved in later; a few
        current addresses are under investigation (080000), some found not to be lived at (089999)."""
        land = m.origin.land if m.origin is not None else None
        vestiging = lo3_date(m.arrival) if m.arrival is not None else None
        start = inschrijving = lo3_date(m.start)
        if m.previous is not None and m.start < home.since:
            since = lo3_date(home.since)
            rows["brp_residences"].append((m.bsn, "Adres", m.previous[0], "W", None, None, None, None, None, None,
                                           m.previous[1], start, land, vestiging, start, since, None, None))
            inschrijving = start if m.previous[1] == home.gemeente else since
            start = since
        chance = self.extra.random()
        onderzoek = "089999" if chance < 0.0002 else "080000" if chance < 0.0012 and m.death is None else None
        datum = lo3_date(self.ref - self.extra.randint(10, 400)) if onderzoek else None
        rows["brp_residences"].append((m.bsn, "Adres", home.address, "W", None, None, None, None, None, None,
                                       home.gemeente, inschrijving, land, vestiging, start, None, onderzoek, datum))

    def _relation_rows(self, rows: Rows, home: Home) -> None:
        """Relations as register_birth, register_partnership and register_death (for the survivor) write them."""
        out = rows["brp_relations"]
        for owner, other, soort, occurrence, birth in home.relations:
            born = lo3_date(birth)
            aanduiding, betrekking = (str(occurrence), born) if soort == "ouder" else (None, None)
            out.append((*_about(owner, other, soort, occurrence, aanduiding), None, None, None, None, None, None,
                        betrekking, born, None))
        for first, second, soort, datum, place in home.partnerships:
            aangaan = lo3_date(datum)
            for owner, other in ((first, second), (second, first)):
                head = _about(owner, other, "partner", 1, None)
                ended = lo3_date(other.death) if other.death is not None else None
                out.append((*head, soort, aangaan, place, NEDERLAND, None, None, None, aangaan, ended))
                if ended is not None:
                    out.append((*head, soort, None, None, None, ended, "O", None, ended, None))


def _about(owner: Member, other: Member, soort: str, occurrence: int, aanduiding: str | None) -> tuple[Any, ...]:
    """The first columns of a relation row: whose list, which relation, and the related person's data."""
    return (owner.bsn, soort, occurrence, aanduiding, other.bsn, other.a_nummer, other.voornamen, None,
            other.voorvoegsel, other.geslachtsnaam, other.geslacht, lo3_date(other.birth), other.geboorteplaats,
            other.land)
