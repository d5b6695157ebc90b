"""The GBA-V test set importer: RvIG's persoonslijsten (LO3 elements) into BRP persons, relations and BAG addresses.

The file has one column per LO3 element (`01.01.20` = category 01, group 01, element 20), ';'-separated, UTF-8 with
a BOM. A persoonslijst starts at a row with a label in the first column; the rows below it without a label hold
more occurrences and older versions. The column `cc.H` of a row says what the next row holds for category cc:
5x (e.g. 58) an older version of the same occurrence, 0x (e.g. 09) a new occurrence.

Categories: 01 person (name history from its older versions), 02/03 parents, 04 nationalities, 05 partners,
06 death, 07 registration (first registration, suspension, secrecy), 08 residences (with history; addresses go to
the BAG table), 09 children. 10 (residence permit), 11 (authority), 12 (travel documents) and 13 (voting rights)
are not imported: the register has no place for them yet. Versions marked incorrect (84.10 = O) are left out.

A persoonslijst is imported whole or not at all: when its current data breaks a rule, it is rejected with the
line and the reason; an older version that breaks a rule is skipped (and reported) and the rest imported. Running
the import again changes nothing: a person already imported from the same rows is left as it is.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import passes_elfproef
from plein.registers.bag.service import AddressData, ensure_addresses
from plein.registers.brp import lo3
from plein.registers.brp import service as brp
from plein.registers.brp.models import Mutation, Nationality, Person, PersonName, Relation, Residence


class Row(dict[str, str]):
    """The elements of one category on one line, keyed without the category ('01.20' for '01.01.20')."""

    def __init__(self, cat: str, values: dict[str, str] | None = None) -> None:
        super().__init__(values or {})
        self.cat = cat

    def element(self, key: str) -> str:
        return f"{self.cat}.{key}"

SINGLE = frozenset({"01", "02", "03", "06", "07", "08"})
NAME = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$")
VOORVOEGSEL = re.compile(r"^[a-zA-Z \']{1,10}$")
PLACE = re.compile(r"^[a-zA-Z0-9À-ž \'\.\-\(\),]{1,80}$")
WOONPLAATS = re.compile(r"^[a-zA-Z0-9À-ž, \(\)\.\-\']{1,80}$")
POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
HUISLETTER = re.compile(r"^[a-zA-Z]$")
TOEVOEGING = re.compile(r"^[a-zA-Z0-9 \-]{1,4}$")
IDENTIFICATIE = re.compile(r"^[0-9]{16}$")
CODE4 = re.compile(r"^[0-9]{4}$")
CASE = "gbav:{name}"
REASON = "Import van de GBA-V testset van RvIG"
T = TypeVar("T")
V = TypeVar("V", PersonName, Residence, Relation)


def _is_code4(value: str) -> bool:
    return CODE4.match(value) is not None


class RowError(ValueError):
    """A value on a line breaks a rule."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Line:
    number: int
    values: dict[str, str]


@dataclass
class PersoonsLijst:
    label: str
    lines: list[Line]

    @property
    def first_line(self) -> int:
        return self.lines[0].number

    def fingerprint(self) -> str:
        text = "\n".join(";".join(f"{k}={v}" for k, v in sorted(line.values.items())) for line in self.lines)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ReportedRow:
    line: int
    label: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: persons added or already there, rows written, and every line left out with why."""

    file: str
    lists: int = 0
    persons_created: int = 0
    persons_unchanged: int = 0
    addresses_created: int = 0
    names: int = 0
    residences: int = 0
    relations: int = 0
    nationalities: int = 0
    rejected: list[ReportedRow] = field(default_factory=list)
    skipped: list[ReportedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- reading


def read_lists(path: Path) -> list[PersoonsLijst]:
    """The persoonslijsten of the file, each with its lines (numbered as in the file, header = line 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        columns = [(index, name) for index, name in enumerate(header) if index and name]
        first = {name: index for index, name in reversed(columns)}
        lists: list[PersoonsLijst] = []
        for number, values in enumerate(reader, start=2):
            row = {name: values[index].strip() for name, index in first.items()
                   if index < len(values) and values[index].strip()}
            label = values[0].strip() if values else ""
            if label or not lists:
                lists.append(PersoonsLijst(label or f"line {number}", []))
            lists[-1].lines.append(Line(number, row))
    return lists


def category(line: Line, cat: str) -> Row:
    """The elements of one category on a line, without the category prefix ('01.20' for '01.01.20')."""
    prefix = cat + "."
    return Row(cat, {key[3:]: value for key, value in line.values.items()
                     if key.startswith(prefix) and key != cat + ".H"})


def occurrences(lines: list[Line], cat: str) -> list[list[tuple[int, Row]]]:
    """Each occurrence of a category with its versions, newest first, as (line number, elements)."""
    result: list[list[tuple[int, Row]]] = []
    marker = ""
    for line in lines:
        data = category(line, cat)
        if data:
            if result and (cat in SINGLE or marker.startswith("5")):
                result[-1].append((line.number, data))
            else:
                result.append([(line.number, data)])
        marker = line.values.get(f"{cat}.H", "")
    return result


def _valid(versions: list[tuple[int, Row]]) -> list[tuple[int, Row]]:
    """Versions not marked incorrect (84.10 = O)."""
    return [(number, data) for number, data in versions if data.get("84.10") != "O"]


# ---------------------------------------------------------------------------------------------- values


def _date(line: int, data: Row, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: a date is required")
        return None
    try:
        return lo3.check_date(value)
    except lo3.Lo3DateError as exc:
        raise RowError(line, f"{data.element(key)}: {exc}") from exc


def _text(line: int, data: Row, key: str, pattern: re.Pattern[str], required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: a value is required")
        return None
    if not pattern.match(value):
        raise RowError(line, f"{data.element(key)}: '{value}' has characters or a length the BRP API does not allow")
    return value


def _place(line: int, data: Row, key: str) -> str | None:
    return _text(line, data, key, PLACE)


def _code(line: int, data: Row, key: str, allowed: Callable[[str], bool], what: str) -> str | None:
    value = data.get(key)
    if value and not allowed(value):
        raise RowError(line, f"{data.element(key)}: '{value}' is not {what}")
    return value or None


def _bsn(line: int, data: Row, key: str = "01.20", required: bool = False) -> str | None:
    value = data.get(key)
    if not value:
        if required:
            raise RowError(line, f"{data.element(key)}: the burgerservicenummer is missing")
        return None
    if not passes_elfproef(value):
        raise RowError(line, f"{data.element(key)}: '{value}' is not a burgerservicenummer (11-check)")
    return value


def _name(line: int, data: Row, required: bool) -> brp.NameData | None:
    geslachtsnaam = _text(line, data, "02.40", NAME, required)
    voornamen = _text(line, data, "02.10", NAME)
    if geslachtsnaam is None:
        if voornamen:
            raise RowError(line, f"{data.element('02.40')}: voornamen without a geslachtsnaam")
        return None
    titel = _code(line, data, "02.20", lambda v: v in lo3.ADELLIJKE_TITELS, "an adellijke titel or predicaat")
    return brp.NameData(geslachtsnaam=geslachtsnaam, voornamen=voornamen,
                        voorvoegsel=_text(line, data, "02.30", VOORVOEGSEL), adellijke_titel=titel,
                        naamgebruik=_code(line, data, "61.10", lambda v: v in lo3.NAAMGEBRUIK, "E, P, V or N") or "E")


def _geslacht(line: int, data: Row, required: bool) -> str | None:
    value = _code(line, data, "04.10", lambda v: v in lo3.GESLACHT, "M, V or O")
    if value is None and required:
        raise RowError(line, f"{data.element('04.10')}: the geslachtsaanduiding is missing")
    return value


def _versions(versions: list[tuple[int, Row]], build: Callable[[int, Row], T], label: str,
              skipped: list[ReportedRow]) -> list[T]:
    """Build each version not marked incorrect, newest first; an older version that breaks a rule is skipped."""
    built: list[T] = []
    for index, (number, data) in enumerate(_valid(versions)):
        try:
            built.append(build(number, data))
        except RowError as error:
            if index == 0:
                raise
            skipped.append(ReportedRow(error.line, label, f"older version left out: {error.reason}"))
    return built


def _close(rows: list[V]) -> list[V]:
    """Newest first: each older row ends where the next newer one starts; the newest stays current."""
    for newer, older in pairwise(rows):
        older.valid_to = newer.valid_from
    if rows:
        rows[0].valid_to = None
    return rows


# ---------------------------------------------------------------------------------------------- categories


def _person(number: int, data: Row, registration: Row, death: Row) -> Person:
    """Categories 01 (current version), 06 and 07 into the persoonslijst header."""
    geheim = registration.get("70.10", "0")
    if not geheim.isdigit() or int(geheim) > 7:
        raise RowError(number, f"07.70.10: '{geheim}' is not an indicatie geheim (0-7)")
    reden = _code(number, registration, "67.20", lambda v: v in lo3.OPSCHORTING, "a reden opschorting bijhouding")
    return Person(
        bsn=_bsn(number, data, required=True), geslacht=_geslacht(number, data, required=True),
        a_nummer=_code(number, data, "01.10", lambda v: len(v) == 10 and v.isdigit(), "an A-nummer (10 digits)"),
        geboortedatum=_date(number, data, "03.10", required=True), geboorteplaats=_place(number, data, "03.20"),
        geboorteland=_code(number, data, "03.30", _is_code4, "a land code"),
        datum_eerste_inschrijving=_date(number, registration, "68.10"), geheimhouding=int(geheim),
        opschorting_reden=reden, opschorting_datum=_date(number, registration, "67.10"),
        overlijdensdatum=_date(number, death, "08.10"), overlijdensplaats=_place(number, death, "08.20"),
        overlijdensland=_code(number, death, "08.30", _is_code4, "a land code"),
    )


def _names(person: Person, versions: list[tuple[int, Row]], label: str,
           skipped: list[ReportedRow]) -> list[PersonName]:
    def build(number: int, data: Row) -> PersonName:
        name = _name(number, data, required=True)
        assert name is not None
        start = _date(number, data, "85.10") or person.geboortedatum
        return brp.name_row(person.bsn, person.geboortedatum, name, start)

    names: list[PersonName] = []
    for row in _versions(versions, build, label, skipped):
        same = names and (names[-1].geslachtsnaam, names[-1].voornamen, names[-1].voorvoegsel,
                          names[-1].adellijke_titel, names[-1].naamgebruik) == (
            row.geslachtsnaam, row.voornamen, row.voorvoegsel, row.adellijke_titel, row.naamgebruik)
        if not same:
            names.append(row)
    return _close(names)


def _relation(bsn: str, soort: str, occurrence: int, number: int, data: Row) -> Relation:
    """One version of a parent (02/03), partner (05) or child (09) as written on this person's list."""
    name = _name(number, data, required=False)
    relation = Relation(
        bsn=bsn, soort=soort, occurrence=occurrence, related_bsn=_bsn(number, data),
        related_a_nummer=_code(number, data, "01.10", lambda v: len(v) == 10 and v.isdigit(), "an A-nummer"),
        geslacht=_geslacht(number, data, required=False), geboortedatum=_date(number, data, "03.10"),
        geboorteplaats=_place(number, data, "03.20"),
        geboorteland=_code(number, data, "03.30", _is_code4, "a land code"),
        valid_from=_date(number, data, "85.10") or "00000000",
    )
    if name is not None:
        relation.voornamen, relation.voorvoegsel = name.voornamen, name.voorvoegsel
        relation.geslachtsnaam, relation.adellijke_titel = name.geslachtsnaam, name.adellijke_titel
    if soort == "ouder":
        relation.ouder_aanduiding = "1" if occurrence == 1 else "2"
        relation.familierechtelijke_betrekking = _date(number, data, "62.10")
    if soort == "partner":
        relation.soort_verbintenis = _code(number, data, "15.10", lambda v: v in lo3.SOORT_VERBINTENIS, "H or P")
        relation.aangaan_datum = _date(number, data, "06.10")
        relation.aangaan_plaats = _place(number, data, "06.20")
        relation.aangaan_land = _code(number, data, "06.30", _is_code4, "a land code")
        relation.ontbinding_datum = _date(number, data, "07.10")
        relation.ontbinding_reden = data.get("07.40", "")[:1] or None
    return relation


def _relations(pl: PersoonsLijst, bsn: str, skipped: list[ReportedRow]) -> list[Relation]:
    result: list[Relation] = []
    groups = [("ouder", occurrences(pl.lines, "02") + occurrences(pl.lines, "03")),
              ("partner", occurrences(pl.lines, "05")), ("kind", occurrences(pl.lines, "09"))]
    for soort, found in groups:
        for occurrence, versions in enumerate(found, start=1):
            rows = _versions(versions, partial(_relation, bsn, soort, occurrence), pl.label, skipped)
            if rows and (rows[0].related_bsn or rows[0].geslachtsnaam):
                result += _close(rows)
    return result


def _nationality(bsn: str, versions: list[tuple[int, Row]]) -> Nationality | None:
    """The occurrence as one row: current, or closed when its newest version ends it (64.10)."""
    valid = _valid(versions)
    if not valid:
        return None
    number, newest = valid[0]
    code = next((data["05.10"] for _, data in valid if data.get("05.10")), None)
    special = next((data["65.10"] for _, data in valid if data.get("65.10")), None)
    if code is None and special is None:
        return None
    if code is not None and not CODE4.match(code):
        raise RowError(number, f"04.05.10: '{code}' is not a nationaliteit code")
    if special is not None and special not in ("B", "V"):
        raise RowError(number, f"04.65.10: '{special}' is not B or V")
    opname = next(((n, data) for n, data in reversed(valid) if data.get("05.10") or data.get("65.10")), valid[-1])
    row = Nationality(bsn=bsn, nationaliteit=code, bijzonder_nederlanderschap=special,
                      reden_opname=opname[1].get("63.10"), valid_from=_date(opname[0], opname[1], "85.10") or
                      "00000000")
    if newest.get("64.10"):
        row.reden_beeindiging = newest["64.10"][:3]
        row.valid_to = _date(number, newest, "85.10") or _date(number, newest, "86.10") or row.valid_from
    return row


def _address(number: int, data: Row, gemeente: str) -> AddressData:
    huisnummer = data.get("11.20")
    if huisnummer and (not huisnummer.isdigit() or not 1 <= int(huisnummer) <= 99999):
        raise RowError(number, f"08.11.20: '{huisnummer}' is not a huisnummer (1-99999)")
    korte = data.get("11.10")
    officieel = data.get("11.15") or korte or ""
    if len(officieel) > 80 or (korte and len(korte) > 24):
        raise RowError(number, "08.11.10/15: the street name is too long")
    postcode = data.get("11.60", "").replace(" ", "").upper() or None
    if postcode and not POSTCODE.match(postcode):
        raise RowError(number, f"08.11.60: '{postcode}' is not a postcode")
    return AddressData(
        openbare_ruimte=officieel, korte_naam=korte, huisnummer=int(huisnummer) if huisnummer else None,
        huisletter=_text(number, data, "11.30", HUISLETTER), huisnummertoevoeging=_text(number, data, "11.40",
                                                                                        TOEVOEGING),
        postcode=postcode, woonplaats=_text(number, data, "11.70", WOONPLAATS), gemeentecode=gemeente,
        nummeraanduiding=_text(number, data, "11.90", IDENTIFICATIE),
        adresseerbaar_object=_text(number, data, "11.80", IDENTIFICATIE),
    )


def _residence(bsn: str, number: int, data: Row) -> tuple[Residence, AddressData | None]:
    """One version of category 08: an address, a location, an address abroad or unknown (land 0000)."""
    gemeente = _code(number, data, "09.10", _is_code4, "a gemeente code")
    if gemeente is None:
        raise RowError(number, "08.09.10: the gemeente van inschrijving is missing")
    row = Residence(bsn=bsn, gemeente_van_inschrijving=gemeente, datum_inschrijving=_date(number, data, "09.20"),
                    land_vanwaar_ingeschreven=_code(number, data, "14.10", _is_code4, "a land code"),
                    datum_vestiging=_date(number, data, "14.20"))
    address = None
    if data.get("13.10"):
        row.land = _code(number, data, "13.10", _is_code4, "a land code")
        row.soort = "VerblijfplaatsOnbekend" if row.land == lo3.LAND_ONBEKEND else "VerblijfplaatsBuitenland"
        row.regel1, row.regel2, row.regel3 = (data.get(key) for key in ("13.30", "13.40", "13.50"))
        if any(value and len(value) > limit for value, limit in ((row.regel1, 40), (row.regel2, 50),
                                                                 (row.regel3, 35))):
            raise RowError(number, "08.13.30-50: an address line abroad is too long")
        start = _date(number, data, "13.20")
    elif data.get("12.10"):
        row.soort, row.locatiebeschrijving = "Locatie", data["12.10"]
        if len(row.locatiebeschrijving) > 35:
            raise RowError(number, "08.12.10: the locatiebeschrijving is longer than 35 characters")
        start = _date(number, data, "10.30")
    elif data.get("11.10") or data.get("11.15"):
        row.soort, address = "Adres", _address(number, data, gemeente)
        row.aanduiding_bij_huisnummer = _code(number, data, "11.50", lambda v: v in lo3.AANDUIDING_BIJ_HUISNUMMER,
                                              "to or by")
        start = _date(number, data, "10.30")
    else:
        raise RowError(number, "category 08 has no address, location or address abroad")
    if row.soort in ("Adres", "Locatie"):
        row.functie_adres = _code(number, data, "10.10", lambda v: v in lo3.FUNCTIE_ADRES, "W or B")
    row.valid_from = start or _date(number, data, "85.10") or "00000000"
    return row, address


def _residences(pl: PersoonsLijst, bsn: str,
                skipped: list[ReportedRow]) -> list[tuple[Residence, AddressData | None]]:
    """The residence history, newest first; versions of the same residence (corrections) are kept once."""
    found = occurrences(pl.lines, "08")
    if not found:
        return []
    result: list[tuple[Residence, AddressData | None]] = []
    for row, address in _versions(found[0], partial(_residence, bsn), pl.label, skipped):
        identity = (row.soort, row.valid_from, address and (address.postcode, address.huisnummer,
                                                          address.huisletter, address.openbare_ruimte))
        if result:
            newest, newest_address = result[-1]
            if identity == (newest.soort, newest.valid_from, newest_address and (
                    newest_address.postcode, newest_address.huisnummer, newest_address.huisletter,
                    newest_address.openbare_ruimte)):
                continue
        result.append((row, address))
    _close([row for row, _ in result])
    return result


def parse_list(pl: PersoonsLijst, skipped: list[ReportedRow]) -> brp.ImportedPerson:
    """A persoonslijst as the register stores it; RowError when its current data breaks a rule."""
    persons = _valid(occurrences(pl.lines, "01")[0]) if occurrences(pl.lines, "01") else []
    if not persons:
        raise RowError(pl.first_line, "the persoonslijst has no category 01 (persoon)")
    number, current = persons[0]
    registration = next(iter(occurrences(pl.lines, "07")), [(number, Row("07"))])[0][1]
    death = next(iter(occurrences(pl.lines, "06")), [(number, Row("06"))])[0][1]
    person = _person(number, current, registration, death)
    nationalities = [row for versions in occurrences(pl.lines, "04")
                     if (row := _nationality(person.bsn, versions)) is not None]
    return brp.ImportedPerson(
        person=person, names=_names(person, persons, pl.label, skipped),
        residences=_residences(pl, person.bsn, skipped), relations=_relations(pl, person.bsn, skipped),
        nationalities=nationalities,
    )


# ---------------------------------------------------------------------------------------------- importing


def _parse_all(lists: list[PersoonsLijst], report: ImportReport) -> list[tuple[PersoonsLijst, brp.ImportedPerson]]:
    """Parse every list; reject a list whose current data breaks a rule or repeats a BSN or A-nummer."""
    parsed: list[tuple[PersoonsLijst, brp.ImportedPerson]] = []
    seen_bsn: dict[str, str] = {}
    seen_anummer: dict[str, str] = {}
    for pl in lists:
        skipped: list[ReportedRow] = []
        try:
            record = parse_list(pl, skipped)
        except RowError as error:
            report.rejected.append(ReportedRow(error.line, pl.label, error.reason))
            continue
        bsn, anummer = record.person.bsn, record.person.a_nummer
        if bsn in seen_bsn:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"burgerservicenummer {bsn} is also on {seen_bsn[bsn]}"))
            continue
        if anummer and anummer in seen_anummer:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"A-nummer {anummer} is also on {seen_anummer[anummer]}"))
            continue
        seen_bsn[bsn] = pl.label
        if anummer:
            seen_anummer[anummer] = pl.label
        report.skipped += skipped
        parsed.append((pl, record))
    return parsed


async def _store(session: AsyncSession, parsed: list[tuple[PersoonsLijst, brp.ImportedPerson]],
                 report: ImportReport, cause: brp.Cause) -> list[str]:
    """Add the persons not yet in the register (with the BAG addresses they need); returns the BSNs added."""
    wanted = [record.person.bsn for _, record in parsed]
    rows = await session.execute(select(Mutation.bsn, Mutation.details).where(
        Mutation.action == brp.IMPORT_ACTION, Mutation.bsn.in_(wanted)))
    imported: dict[str, dict[str, Any]] = dict(rows.all())
    present = set((await session.scalars(select(Person.bsn).where(Person.bsn.in_(wanted)))).all())
    taken = set((await session.scalars(select(Person.a_nummer).where(Person.a_nummer.in_(
        [record.person.a_nummer for _, record in parsed if record.person.a_nummer])))).all())
    new: list[tuple[PersoonsLijst, brp.ImportedPerson]] = []
    for pl, record in parsed:
        bsn = record.person.bsn
        if bsn in present:
            if (imported.get(bsn) or {}).get("fingerprint") == pl.fingerprint():
                report.persons_unchanged += 1
            else:
                report.rejected.append(ReportedRow(pl.first_line, pl.label, f"burgerservicenummer {bsn} is already "
                                                   "in the register with other data; the import does not change it"))
        elif record.person.a_nummer in taken:
            report.rejected.append(ReportedRow(pl.first_line, pl.label,
                                               f"A-nummer {record.person.a_nummer} belongs to another person"))
        else:
            new.append((pl, record))
    addresses, report.addresses_created = await ensure_addresses(
        session, [data for _, record in new for _, data in record.residences if data is not None])
    await brp.import_persons(session, [(record, pl.fingerprint()) for pl, record in new], cause, addresses)
    for _, record in new:
        report.persons_created += 1
        report.names += len(record.names)
        report.residences += len(record.residences)
        report.relations += len(record.relations)
        report.nationalities += len(record.nationalities)
    return [record.person.bsn for _, record in new]


async def import_gbav(session: AsyncSession, path: Path) -> ImportReport:
    """Import a GBA-V test set file and commit; safe to run again (persons already imported stay as they are)."""
    lists = read_lists(path)
    report = ImportReport(file=path.name, lists=len(lists))
    parsed = _parse_all(lists, report)
    cause = brp.Cause(REASON, CASE.format(name=path.name))
    added = await _store(session, parsed, report, cause)
    await session.flush()
    for problem in await brp.relation_problems(session, added):
        report.warnings.append(f"{problem.bsn}: {problem.soort} {problem.related_bsn} does not list this person "
                               "back (as in the source)")
    await session.commit()
    report.rejected.sort(key=lambda row: row.line)
    report.skipped.sort(key=lambda row: row.line)
    return report
