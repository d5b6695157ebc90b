"""Rows to Haal Centraal BRP Personen JSON (Persoon, PersoonBeperkt) and the `fields` filter.

A person is first rendered with everything the register holds, then cut down to the requested paths: asking for
part of a date or of a table value (code/omschrijving) gives the whole of it, the `type` of a polymorphic object
comes along with any of its fields, and values that are absent are left out. The automatically delivered fields
(geheimhoudingPersoonsgegevens, opschortingBijhouding) are added afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from plein.registers.bag.models import Address
from plein.registers.brp import lo3
from plein.registers.brp.models import Nationality, Person, PersonName, Relation, Residence
from plein.registers.brp.query import PersonBundle
from plein.registers.brp.schemas import PERSOON

Json = dict[str, Any]
TABLE_KEYS = frozenset({"code", "omschrijving", "soort"})
AUTOMATIC = ("geheimhoudingPersoonsgegevens", "opschortingBijhouding")
MAX_VOORLETTERS = 40


def _compact(values: Json) -> Json:
    """Leave out what has no value (None, empty objects, empty lists, False)."""
    return {key: value for key, value in values.items() if _has_value(value)}


def _has_value(value: Any) -> bool:
    if value is None or value is False:
        return False
    return not (isinstance(value, dict | list) and not value)


def _datum(value: str | None) -> Json | None:
    return lo3.datum(value) if value else None


def _waarde(code: str | None, table: dict[str, str]) -> Json | None:
    return lo3.waarde(code, table) if code else None


def voorletters(voornamen: str | None) -> str | None:
    """'Yvonne Johanna' -> 'Y.J.' (at most the 40 characters the spec allows)."""
    if not voornamen:
        return None
    initials = ""
    for name in voornamen.split():
        if len(initials) + 2 > MAX_VOORLETTERS:
            break
        initials += f"{name[0]}."
    return initials


def _titel(code: str | None) -> Json | None:
    if not code:
        return None
    description, soort = lo3.ADELLIJKE_TITELS.get(code, (None, None))
    return _compact({"code": code, "omschrijving": description, "soort": soort})


def volledige_naam(name: PersonName) -> str:
    """Predicaat, voornamen, adellijke titel, voorvoegsel and geslachtsnaam, as the spec describes."""
    description, soort = lo3.ADELLIJKE_TITELS.get(name.adellijke_titel or "", (None, None))
    parts = [description if soort == "predicaat" else None, name.voornamen,
             description if soort == "titel" else None, name.voorvoegsel, name.geslachtsnaam]
    return " ".join(part for part in parts if part)


def naam(name: PersonName | None, *, beperkt: bool) -> Json | None:
    if name is None:
        return None
    values = {
        "voornamen": name.voornamen, "adellijkeTitelPredicaat": _titel(name.adellijke_titel),
        "voorvoegsel": name.voorvoegsel, "geslachtsnaam": name.geslachtsnaam,
        "voorletters": voorletters(name.voornamen), "volledigeNaam": volledige_naam(name),
    }
    if not beperkt:
        values["aanduidingNaamgebruik"] = _waarde(name.naamgebruik, lo3.NAAMGEBRUIK)
    return _compact(values)


def _geboorte(datum: str | None, plaats: str | None, land: str | None) -> Json:
    return _compact({"datum": _datum(datum), "plaats": lo3.plaats(plaats) if plaats else None,
                     "land": lo3.land(land) if land else None})


def _verblijfadres(address: Address) -> Json:
    return _compact({
        "officieleStraatnaam": address.openbare_ruimte,
        "korteStraatnaam": address.korte_naam or (address.openbare_ruimte if len(address.openbare_ruimte) <= 24
                                                  else None),
        "huisnummer": address.huisnummer, "huisletter": address.huisletter,
        "huisnummertoevoeging": address.huisnummertoevoeging, "postcode": address.postcode,
        "woonplaats": address.woonplaats,
    })


def verblijfplaats(residence: Residence | None, address: Address | None) -> Json | None:
    """The current verblijfplaats in one of the spec's four shapes."""
    if residence is None:
        return None
    values: Json = {"type": residence.soort}
    if residence.soort == "Adres" and address is not None:
        adres = _verblijfadres(address)
        if residence.aanduiding_bij_huisnummer:
            adres["aanduidingBijHuisnummer"] = lo3.waarde(residence.aanduiding_bij_huisnummer,
                                                          lo3.AANDUIDING_BIJ_HUISNUMMER)
        values |= {"verblijfadres": adres, "adresseerbaarObjectIdentificatie": address.adresseerbaar_object,
                   "nummeraanduidingIdentificatie": address.nummeraanduiding}
    elif residence.soort == "Locatie":
        values["verblijfadres"] = _compact({"locatiebeschrijving": residence.locatiebeschrijving})
    elif residence.soort == "VerblijfplaatsBuitenland":
        values["verblijfadres"] = _compact({
            "regel1": residence.regel1, "regel2": residence.regel2, "regel3": residence.regel3,
            "land": lo3.land(residence.land) if residence.land else None})
    if residence.soort in ("Adres", "Locatie"):
        values["functieAdres"] = _waarde(residence.functie_adres, lo3.FUNCTIE_ADRES)
    values["datumVan"] = _datum(residence.valid_from)
    return _compact(values)


def adresregels(residence: Residence | None, address: Address | None) -> Json | None:
    """adresregel1-3 and land of adressering (the postal address lines)."""
    if residence is None:
        return None
    if residence.soort == "Adres" and address is not None:
        number = f"{address.huisnummer or ''}{address.huisletter or ''}"
        if address.huisnummertoevoeging:
            number += f"-{address.huisnummertoevoeging}"
        if residence.aanduiding_bij_huisnummer:
            number = f"{residence.aanduiding_bij_huisnummer} {number}"
        line1 = f"{address.korte_naam or address.openbare_ruimte} {number}".strip()
        postcode = f"{address.postcode[:4]} {address.postcode[4:]}" if address.postcode else ""
        line2 = f"{postcode}  {(address.woonplaats or '').upper()}".strip()
        return _compact({"adresregel1": line1[:40], "adresregel2": line2[:50] or None})
    if residence.soort == "Locatie":
        return _compact({"adresregel1": residence.locatiebeschrijving})
    if residence.soort == "VerblijfplaatsBuitenland":
        return _compact({"adresregel1": residence.regel1, "adresregel2": residence.regel2,
                         "adresregel3": residence.regel3, "land": lo3.land(residence.land) if residence.land else None})
    return None


def nationaliteit(row: Nationality) -> Json:
    if row.bijzonder_nederlanderschap == "B":
        kind: Json = {"type": "BehandeldAlsNederlander"}
    elif row.bijzonder_nederlanderschap == "V":
        kind = {"type": "VastgesteldNietNederlander"}
    elif row.nationaliteit == lo3.NATIONALITEIT_ONBEKEND:
        kind = {"type": "NationaliteitOnbekend"}
    elif row.nationaliteit == lo3.STAATLOOS:
        kind = {"type": "Staatloos"}
    else:
        kind = {"type": "Nationaliteit", "nationaliteit": _waarde(row.nationaliteit, lo3.nationaliteiten())}
    return _compact(kind | {"redenOpname": {"code": row.reden_opname} if row.reden_opname else None,
                            "datumIngangGeldigheid": _datum(row.valid_from)})


def _gerelateerde(row: Relation) -> Json:
    return _compact({
        "burgerservicenummer": row.related_bsn,
        "naam": _compact({
            "voornamen": row.voornamen, "adellijkeTitelPredicaat": _titel(row.adellijke_titel),
            "voorvoegsel": row.voorvoegsel, "geslachtsnaam": row.geslachtsnaam,
            "voorletters": voorletters(row.voornamen)}),
        "geboorte": _geboorte(row.geboortedatum, row.geboorteplaats, row.geboorteland),
    })


def partners(rows: Iterable[Relation]) -> list[Json]:
    """The current partners; when there is none, only the most recently dissolved one."""
    partner_rows = [row for row in rows if row.soort == "partner"]
    current = [row for row in partner_rows if not row.ontbinding_datum]
    if not current and partner_rows:
        current = [max(partner_rows, key=lambda row: row.ontbinding_datum or "")]
    result = []
    for row in current:
        values = _gerelateerde(row) | _compact({
            "geslacht": _waarde(row.geslacht, lo3.GESLACHT),
            "soortVerbintenis": _waarde(row.soort_verbintenis, lo3.SOORT_VERBINTENIS),
            "aangaanHuwelijkPartnerschap": _geboorte(row.aangaan_datum, row.aangaan_plaats, row.aangaan_land),
            "ontbindingHuwelijkPartnerschap": _compact({"datum": _datum(row.ontbinding_datum)}),
        })
        result.append(values)
    return result


def ouders(rows: Iterable[Relation]) -> list[Json]:
    return [
        _gerelateerde(row) | _compact({
            "geslacht": _waarde(row.geslacht, lo3.GESLACHT), "ouderAanduiding": row.ouder_aanduiding,
            "datumIngangFamilierechtelijkeBetrekking": _datum(row.familierechtelijke_betrekking)})
        for row in rows if row.soort == "ouder"
    ]


def kinderen(rows: Iterable[Relation]) -> list[Json]:
    return [_gerelateerde(row) for row in rows if row.soort == "kind"]


def is_deceased(person: Person) -> bool:
    return person.overlijdensdatum is not None or person.opschorting_reden == "O"


def _leeftijd(person: Person, on: dt.date) -> int | None:
    return None if is_deceased(person) else lo3.leeftijd(person.geboortedatum, on)


def automatic(person: Person) -> Json:
    """The fields delivered without being asked: secrecy (only when true) and a suspension (when there is one)."""
    opschorting = None
    if person.opschorting_reden:
        opschorting = _compact({"reden": lo3.waarde(person.opschorting_reden, lo3.OPSCHORTING),
                                "datum": _datum(person.opschorting_datum)})
    return _compact({"geheimhoudingPersoonsgegevens": person.geheimhouding > 0 or None,
                     "opschortingBijhouding": opschorting})


def persoon_beperkt(bundle: PersonBundle, on: dt.date) -> Json:
    person = bundle.person
    return _compact({
        "burgerservicenummer": person.bsn, "geslacht": _waarde(person.geslacht, lo3.GESLACHT),
        "leeftijd": _leeftijd(person, on), "naam": naam(bundle.name, beperkt=True),
        "geboorte": _compact({"datum": _datum(person.geboortedatum)}),
        "adressering": adresregels(bundle.residence, bundle.address),
    })


def persoon(bundle: PersonBundle, on: dt.date) -> Json:
    person, residence = bundle.person, bundle.residence
    immigratie = None
    if residence is not None:
        immigratie = _compact({
            "landVanwaarIngeschreven": lo3.land(residence.land_vanwaar_ingeschreven)
            if residence.land_vanwaar_ingeschreven else None,
            "datumVestigingInNederland": _datum(residence.datum_vestiging)})
    return _compact({
        "aNummer": person.a_nummer, "burgerservicenummer": person.bsn,
        "geslacht": _waarde(person.geslacht, lo3.GESLACHT), "leeftijd": _leeftijd(person, on),
        "naam": naam(bundle.name, beperkt=False),
        "geboorte": _geboorte(person.geboortedatum, person.geboorteplaats, person.geboorteland),
        "nationaliteiten": [nationaliteit(row) for row in bundle.nationalities],
        "overlijden": _geboorte(person.overlijdensdatum, person.overlijdensplaats, person.overlijdensland),
        "verblijfplaats": verblijfplaats(residence, bundle.address), "immigratie": immigratie,
        "gemeenteVanInschrijving": lo3.gemeente(residence.gemeente_van_inschrijving) if residence else None,
        "datumInschrijvingInGemeente": _datum(residence.datum_inschrijving) if residence else None,
        "datumEersteInschrijvingGBA": _datum(person.datum_eerste_inschrijving),
        "adressering": adresregels(residence, bundle.address),
        "partners": partners(bundle.relations), "ouders": ouders(bundle.relations),
        "kinderen": kinderen(bundle.relations),
    })


# ---------------------------------------------------------------------------------------------- fields


def _is_whole(value: Json) -> bool:
    """A date or a table value: asking for any part of it gives all of it."""
    return "langFormaat" in value or (bool(value) and value.keys() <= TABLE_KEYS)


def select_paths(value: Any, paths: list[list[str]]) -> Any:
    """The parts of value named by paths (each a list of segments); None when nothing is left."""
    if any(not path for path in paths):
        return value
    if isinstance(value, list):
        items = [select_paths(item, paths) for item in value]
        return [item for item in items if item is not None] or None
    if not isinstance(value, dict):
        return value
    if _is_whole(value):
        return value
    groups: dict[str, list[list[str]]] = defaultdict(list)
    for path in paths:
        groups[path[0]].append(path[1:])
    selected = {key: select_paths(value[key], rest) for key, rest in groups.items() if key in value}
    selected = {key: part for key, part in selected.items() if part is not None}
    if selected and "type" in value:
        selected = {"type": value["type"], **selected}
    return selected or None


def _present(value: Any, path: list[str]) -> bool:
    if not path:
        return value is not None
    if isinstance(value, list):
        return any(_present(item, path) for item in value)
    if isinstance(value, dict):
        return _is_whole(value) or (path[0] in value and _present(value[path[0]], path[1:]))
    return False


def render(bundle: PersonBundle, schema: str, paths: Collection[str], on: dt.date,
           automatic_fields: Collection[str] = AUTOMATIC) -> tuple[Json, list[str]]:
    """The person cut down to paths, with the automatic fields allowed; and the field paths actually delivered."""
    full = persoon(bundle, on) if schema == PERSOON else persoon_beperkt(bundle, on)
    split = [path.split(".") for path in sorted(paths)]
    result: Json = select_paths(full, split) or {}
    extra = {name: value for name, value in automatic(bundle.person).items() if name in automatic_fields}
    result |= extra
    delivered = [".".join(path) for path in split if _present(result, path)] + sorted(extra)
    return result, delivered
