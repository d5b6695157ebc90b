"""One GBA-V persoonslijst (LO3 categories) as the rows the BRP register stores.

Categories: 01 person (name history from its older versions), 02/03 parents, 04 nationalities, 05 partners,
06 death, 07 registration (first registration, suspension, secrecy, verificatie), 08 residences (with history;
addresses go to the BAG table), 09 children, 10 verblijfstitel (with history), 11 gezag and curatele, 13 kiesrecht.
Category 12 (travel documents) has no place in the Haal Centraal Persoon and is not imported. Versions marked
incorrect (84.10 = O) are left out; an open investigation (83.10 without an end date in 83.30) is kept with the
version it is on; the RNI participant (88.10/20) of categories 01, 04, 06 and 08 is kept for the person.

`parse_list` raises RowError when the current data of categories 01-09 break a rule (the list is then not imported);
an older version that breaks a rule is left out and reported. Values of the categories and elements this register
added later (10, 11, 13, in onderzoek, RNI, verificatie) never reject a list: a value that breaks a rule is left out
and reported.
"""

from __future__ import annotations

import re
from functools import partial

from plein.registers.bag.service import AddressData
from plein.registers.brp import lo3, onderzoek
from plein.registers.brp import service as brp
from plein.registers.brp.models import (
    Nationality,
    Person,
    PersonName,
    Relation,
    Residence,
    RniDeelnemer,
    Verblijfstitel,
)
from plein.registers.lo3_lines import (
    CODE4,
    HUISLETTER,
    IDENTIFICATIE,
    POSTCODE,
    TOEVOEGING,
    WOONPLAATS,
    PersoonsLijst,
    ReportedRow,
    Row,
    RowError,
    a_nummer_value,
    bsn_value,
    built_versions,
    close_rows,
    code_value,
    date_value,
    geslacht_value,
    is_code4,
    lenient,
    name_value,
    occurrences,
    place_value,
    text_value,
    valid_versions,
)

AANDUIDING = re.compile(r"^(0[1-9]|1[0-3]|5[1-9]|6[0-3])[0-9]{4}$")  # current (01-13) or historical (51-63)
OMSCHRIJVING = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,50}$")  # verificatie, verdrag
GEZAG_INDICATIE = re.compile(r"^[0-9A-Z]{1,2}$")
Onderzoek = tuple[str | None, str | None]
Pair = tuple[str | None, str | None]
NOTHING: Pair = (None, None)


# ---------------------------------------------------------------------------------------------- in onderzoek, rni


def open_onderzoek(data: Row) -> Onderzoek:
    """The open investigation on a version: (83.10 aanduiding, 83.20 start) unless 83.30 says it has ended."""
    value = data.get("83.10")
    if not value or data.get("83.30") or not onderzoek.is_aanduiding(value):
        return None, None
    start = data.get("83.20")
    try:
        return value, lo3.check_date(start) if start else None
    except lo3.Lo3DateError:
        return value, None


def _check_onderzoek(pl: PersoonsLijst, skipped: list[ReportedRow]) -> None:
    """Report the aanduidingen in onderzoek and their dates that cannot be kept."""
    for line in pl.lines:
        for key, value in sorted(line.values.items()):
            if key[3:] == "83.10" and not AANDUIDING.match(value):
                skipped.append(ReportedRow(line.number, pl.label, f"value left out: {key}: '{value}' is not an "
                                                                  "aanduiding in onderzoek (ccggee)"))
            elif key[3:] in ("83.20", "83.30"):
                try:
                    lo3.check_date(value)
                except lo3.Lo3DateError as exc:
                    skipped.append(ReportedRow(line.number, pl.label, f"value left out: {key}: {exc}"))


def _rni(pl: PersoonsLijst, bsn: str, skipped: list[ReportedRow]) -> list[RniDeelnemer]:
    """The RNI participants (88.10/20) on the current versions of categories 01, 04, 06 and 08."""
    found: dict[tuple[str, str, str | None], RniDeelnemer] = {}
    for cat in lo3.RNI_CATEGORIES:
        for versions in occurrences(pl.lines, cat):
            valid = valid_versions(versions)
            if not valid or not valid[0][1].get("88.10"):
                continue
            number, data = valid[0]

            def build(number: int = number, data: Row = data) -> Pair:
                return (code_value(number, data, "88.10", is_code4, "an RNI-deelnemer code (4 digits)"),
                        text_value(number, data, "88.20", OMSCHRIJVING))

            deelnemer, verdrag = lenient(build, pl.label, skipped, NOTHING)
            if deelnemer:
                found.setdefault((cat, deelnemer, verdrag), RniDeelnemer(
                    bsn=bsn, categorie=cat, deelnemer=deelnemer, omschrijving_verdrag=verdrag))
    return list(found.values())


def _current(pl: PersoonsLijst, cat: str) -> tuple[int, Row] | None:
    """The current version of a category with one occurrence, when it has one."""
    found = occurrences(pl.lines, cat)
    valid = valid_versions(found[0]) if found else []
    return valid[0] if valid else None


# ---------------------------------------------------------------------------------------------- categories


def _person(number: int, data: Row, registration: Row, death: Row) -> Person:
    """Categories 01 (current version), 06 and 07 into the persoonslijst header."""
    geheim = registration.get("70.10", "0")
    if not geheim.isdigit() or int(geheim) > 7:
        raise RowError(number, f"07.70.10: '{geheim}' is not an indicatie geheim (0-7)")
    reden = code_value(number, registration, "67.20", lambda v: v in lo3.OPSCHORTING,
                       "a reden opschorting bijhouding")
    person = Person(
        bsn=bsn_value(number, data, required=True), geslacht=geslacht_value(number, data, required=True),
        a_nummer=a_nummer_value(number, data), geboortedatum=date_value(number, data, "03.10", required=True),
        geboorteplaats=place_value(number, data, "03.20"),
        geboorteland=code_value(number, data, "03.30", is_code4, "a land code"),
        datum_eerste_inschrijving=date_value(number, registration, "68.10"), geheimhouding=int(geheim),
        opschorting_reden=reden, opschorting_datum=date_value(number, registration, "67.10"),
        overlijdensdatum=date_value(number, death, "08.10"), overlijdensplaats=place_value(number, death, "08.20"),
        overlijdensland=code_value(number, death, "08.30", is_code4, "a land code"),
    )
    person.onderzoek_persoon, person.onderzoek_persoon_datum = open_onderzoek(data)
    person.onderzoek_overlijden, person.onderzoek_overlijden_datum = open_onderzoek(death)
    return person


def _verificatie(person: Person, number: int, registration: Row, label: str, skipped: list[ReportedRow]) -> None:
    def build() -> Pair:
        return (date_value(number, registration, "71.10"), text_value(number, registration, "71.20", OMSCHRIJVING))

    person.verificatie_datum, person.verificatie_omschrijving = lenient(build, label, skipped, NOTHING)


def _gezag(person: Person, pl: PersoonsLijst, skipped: list[ReportedRow]) -> None:
    """Category 11: the registered indicatie gezag minderjarige and curatele."""
    current = _current(pl, "11")
    if current is None:
        return
    number, data = current
    person.gezag_indicatie = lenient(partial(code_value, number, data, "32.10", _is_gezag_indicatie,
                                             "an indicatie gezag minderjarige"), pl.label, skipped, None)
    curatele = lenient(partial(code_value, number, data, "33.10", lambda v: v == lo3.CURATELE, "1 (curatele)"),
                       pl.label, skipped, None)
    person.curatele = curatele == lo3.CURATELE
    person.onderzoek_gezag, person.onderzoek_gezag_datum = open_onderzoek(data)


def _is_gezag_indicatie(value: str) -> bool:
    """1, 2, 12, D, 1D, 2D, or another code of one or two characters (gezag then cannot be determined)."""
    return GEZAG_INDICATIE.match(value) is not None


def _kiesrecht(person: Person, pl: PersoonsLijst, skipped: list[ReportedRow]) -> None:
    """Category 13: Europees kiesrecht (31.10/31.30) and exclusion from voting (38.10/38.20)."""
    current = _current(pl, "13")
    if current is None:
        return
    number, data = current

    def europees() -> Pair:
        return (code_value(number, data, "31.10", lambda v: v in lo3.EUROPEES_KIESRECHT, "1 or 2"),
                date_value(number, data, "31.30"))

    def uitsluiting() -> Pair:
        return (code_value(number, data, "38.10", lambda v: v == lo3.UITGESLOTEN_KIESRECHT, "A"),
                date_value(number, data, "38.20"))

    person.europees_kiesrecht, person.europees_kiesrecht_einde = lenient(europees, pl.label, skipped, NOTHING)
    uitgesloten, person.uitsluiting_kiesrecht_einde = lenient(uitsluiting, pl.label, skipped, NOTHING)
    person.uitgesloten_kiesrecht = uitgesloten == lo3.UITGESLOTEN_KIESRECHT


def _names(person: Person, versions: list[tuple[int, Row]], label: str,
           skipped: list[ReportedRow]) -> list[PersonName]:
    def build(number: int, data: Row) -> PersonName:
        name = name_value(number, data, required=True)
        assert name is not None
        start = date_value(number, data, "85.10") or person.geboortedatum
        return brp.name_row(person.bsn, person.geboortedatum, name, start)

    names: list[PersonName] = []
    for row in built_versions(versions, build, label, skipped):
        same = names and (names[-1].geslachtsnaam, names[-1].voornamen, names[-1].voorvoegsel,
                          names[-1].adellijke_titel, names[-1].naamgebruik) == (
            row.geslachtsnaam, row.voornamen, row.voorvoegsel, row.adellijke_titel, row.naamgebruik)
        if not same:
            names.append(row)
    return close_rows(names)


def _relation(bsn: str, soort: str, occurrence: int, number: int, data: Row) -> Relation:
    """One version of a parent (02/03), partner (05) or child (09) as written on this person's list."""
    name = name_value(number, data, required=False)
    relation = Relation(
        bsn=bsn, soort=soort, occurrence=occurrence, related_bsn=bsn_value(number, data),
        related_a_nummer=a_nummer_value(number, data), geslacht=geslacht_value(number, data, required=False),
        geboortedatum=date_value(number, data, "03.10"), geboorteplaats=place_value(number, data, "03.20"),
        geboorteland=code_value(number, data, "03.30", is_code4, "a land code"),
        valid_from=date_value(number, data, "85.10") or "00000000",
    )
    relation.onderzoek, relation.onderzoek_datum = open_onderzoek(data)
    if name is not None:
        relation.voornamen, relation.voorvoegsel = name.voornamen, name.voorvoegsel
        relation.geslachtsnaam, relation.adellijke_titel = name.geslachtsnaam, name.adellijke_titel
    if soort == "ouder":
        relation.ouder_aanduiding = "1" if occurrence == 1 else "2"
        relation.familierechtelijke_betrekking = date_value(number, data, "62.10")
    if soort == "partner":
        relation.soort_verbintenis = code_value(number, data, "15.10", lambda v: v in lo3.SOORT_VERBINTENIS,
                                                "H or P")
        relation.aangaan_datum = date_value(number, data, "06.10")
        relation.aangaan_plaats = place_value(number, data, "06.20")
        relation.aangaan_land = code_value(number, data, "06.30", is_code4, "a land code")
        relation.ontbinding_datum = date_value(number, data, "07.10")
        relation.ontbinding_reden = data.get("07.40", "")[:1] or None
    return relation


def _relations(pl: PersoonsLijst, bsn: str, skipped: list[ReportedRow]) -> list[Relation]:
    result: list[Relation] = []
    groups = [("ouder", occurrences(pl.lines, "02") + occurrences(pl.lines, "03")),
              ("partner", occurrences(pl.lines, "05")), ("kind", occurrences(pl.lines, "09"))]
    for soort, found in groups:
        for occurrence, versions in enumerate(found, start=1):
            rows = built_versions(versions, partial(_relation, bsn, soort, occurrence), pl.label, skipped)
            if rows and (rows[0].related_bsn or rows[0].geslachtsnaam):
                result += close_rows(rows)
    return result


def _nationality(bsn: str, versions: list[tuple[int, Row]]) -> Nationality | None:
    """The occurrence as one row: current, or closed when its newest version ends it (64.10)."""
    valid = valid_versions(versions)
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
                      reden_opname=opname[1].get("63.10"),
                      valid_from=date_value(opname[0], opname[1], "85.10") or "00000000")
    row.onderzoek, row.onderzoek_datum = open_onderzoek(newest)
    if newest.get("64.10"):
        row.reden_beeindiging = newest["64.10"][:3]
        row.valid_to = (date_value(number, newest, "85.10") or date_value(number, newest, "86.10")
                        or row.valid_from)
    return row


def _verblijfstitel(bsn: str, number: int, data: Row) -> Verblijfstitel:
    aanduiding = code_value(number, data, "39.10", lambda v: v in lo3.verblijfstitels(),
                            "an aanduiding verblijfstitel (table 56)")
    ingang = date_value(number, data, "39.30")
    row = Verblijfstitel(bsn=bsn, aanduiding=aanduiding, datum_einde=date_value(number, data, "39.20"),
                         datum_ingang=ingang, valid_from=ingang or date_value(number, data, "85.10") or "00000000")
    row.onderzoek, row.onderzoek_datum = open_onderzoek(data)
    return row


def _verblijfstitels(pl: PersoonsLijst, bsn: str, skipped: list[ReportedRow]) -> list[Verblijfstitel]:
    """Category 10 with its history, newest first. A version without an aanduiding (39.10) ends the title before
    it: when it is the newest, the person has no verblijfstitel now. A version that breaks a rule is left out."""
    found = occurrences(pl.lines, "10")
    rows: list[Verblijfstitel] = []
    ended: str | None = None
    for index, (number, data) in enumerate(valid_versions(found[0]) if found else []):
        if not data.get("39.10"):
            if index == 0:
                ended = lenient(partial(date_value, number, data, "85.10"), pl.label, skipped, None) or "00000000"
            continue
        row = lenient(partial(_verblijfstitel, bsn, number, data), pl.label, skipped, None)
        if row is not None:
            rows.append(row)
    close_rows(rows)
    if rows and ended is not None:
        rows[0].valid_to = max(ended, rows[0].valid_from)
    return rows


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
        huisletter=text_value(number, data, "11.30", HUISLETTER),
        huisnummertoevoeging=text_value(number, data, "11.40", TOEVOEGING), postcode=postcode,
        woonplaats=text_value(number, data, "11.70", WOONPLAATS), gemeentecode=gemeente,
        nummeraanduiding=text_value(number, data, "11.90", IDENTIFICATIE),
        adresseerbaar_object=text_value(number, data, "11.80", IDENTIFICATIE),
    )


def _place_of_residence(row: Residence, number: int, data: Row, gemeente: str) -> tuple[str | None,
                                                                                          AddressData | None]:
    """The kind of residence and its details on the row; (start date, BAG address data)."""
    if data.get("13.10"):
        row.land = code_value(number, data, "13.10", is_code4, "a land code")
        row.soort = "VerblijfplaatsOnbekend" if row.land == lo3.LAND_ONBEKEND else "VerblijfplaatsBuitenland"
        row.regel1, row.regel2, row.regel3 = (data.get(key) for key in ("13.30", "13.40", "13.50"))
        if any(value and len(value) > limit for value, limit in ((row.regel1, 40), (row.regel2, 50),
                                                                 (row.regel3, 35))):
            raise RowError(number, "08.13.30-50: an address line abroad is too long")
        return date_value(number, data, "13.20"), None
    if data.get("12.10"):
        row.soort, row.locatiebeschrijving = "Locatie", data["12.10"]
        if len(row.locatiebeschrijving) > 35:
            raise RowError(number, "08.12.10: the locatiebeschrijving is longer than 35 characters")
        return date_value(number, data, "10.30"), None
    if data.get("11.10") or data.get("11.15"):
        row.soort = "Adres"
        row.aanduiding_bij_huisnummer = code_value(number, data, "11.50",
                                                   lambda v: v in lo3.AANDUIDING_BIJ_HUISNUMMER, "to or by")
        return date_value(number, data, "10.30"), _address(number, data, gemeente)
    raise RowError(number, "category 08 has no address, location or address abroad")


def _residence(bsn: str, number: int, data: Row) -> tuple[Residence, AddressData | None]:
    """One version of category 08: an address, a location, an address abroad or unknown (land 0000)."""
    gemeente = code_value(number, data, "09.10", is_code4, "a gemeente code")
    if gemeente is None:
        raise RowError(number, "08.09.10: the gemeente van inschrijving is missing")
    row = Residence(bsn=bsn, gemeente_van_inschrijving=gemeente,
                    datum_inschrijving=date_value(number, data, "09.20"),
                    land_vanwaar_ingeschreven=code_value(number, data, "14.10", is_code4, "a land code"),
                    datum_vestiging=date_value(number, data, "14.20"))
    start, address = _place_of_residence(row, number, data, gemeente)
    if row.soort in ("Adres", "Locatie"):
        row.functie_adres = code_value(number, data, "10.10", lambda v: v in lo3.FUNCTIE_ADRES, "W or B")
    geldig = date_value(number, data, "85.10")
    row.valid_from = start or geldig or "00000000"
    row.datum_ingang_geldigheid = geldig if geldig != row.valid_from else None
    row.onderzoek, row.onderzoek_datum = open_onderzoek(data)
    return row, address


def _same_residence(first: tuple[Residence, AddressData | None], second: tuple[Residence, AddressData | None]) -> bool:
    def identity(item: tuple[Residence, AddressData | None]) -> tuple[object, ...]:
        row, address = item
        return row.soort, row.valid_from, address and (address.postcode, address.huisnummer, address.huisletter,
                                                       address.openbare_ruimte)
    return identity(first) == identity(second)


def _residences(pl: PersoonsLijst, bsn: str,
                skipped: list[ReportedRow]) -> list[tuple[Residence, AddressData | None]]:
    """The residence history, newest first; versions of the same residence (corrections) are kept once."""
    found = occurrences(pl.lines, "08")
    if not found:
        return []
    result: list[tuple[Residence, AddressData | None]] = []
    for item in built_versions(found[0], partial(_residence, bsn), pl.label, skipped):
        if not result or not _same_residence(result[-1], item):
            result.append(item)
    close_rows([row for row, _ in result])
    return result


def parse_list(pl: PersoonsLijst, skipped: list[ReportedRow]) -> brp.ImportedPerson:
    """A persoonslijst as the register stores it; RowError when its current data breaks a rule."""
    persons = valid_versions(occurrences(pl.lines, "01")[0]) if occurrences(pl.lines, "01") else []
    if not persons:
        raise RowError(pl.first_line, "the persoonslijst has no category 01 (persoon)")
    number, current = persons[0]
    registration = next(iter(occurrences(pl.lines, "07")), [(number, Row("07"))])[0][1]
    death = next(iter(occurrences(pl.lines, "06")), [(number, Row("06"))])[0][1]
    person = _person(number, current, registration, death)
    nationalities = [row for versions in occurrences(pl.lines, "04")
                     if (row := _nationality(person.bsn, versions)) is not None]
    record = brp.ImportedPerson(
        person=person, names=_names(person, persons, pl.label, skipped),
        residences=_residences(pl, person.bsn, skipped), relations=_relations(pl, person.bsn, skipped),
        nationalities=nationalities,
    )
    _verificatie(person, number, registration, pl.label, skipped)
    _gezag(person, pl, skipped)
    _kiesrecht(person, pl, skipped)
    _check_onderzoek(pl, skipped)
    record.verblijfstitels = _verblijfstitels(pl, person.bsn, skipped)
    record.rni = _rni(pl, person.bsn, skipped)
    return record

