"""Rows to Haal Centraal BRP Personen JSON (Persoon, PersoonBeperkt, GezagPersoonBeperkt) and the `fields` filter.

A person is first rendered with everything the register holds for the requested top-level fields, then cut down to
the requested paths: asking for part of a date or of a table value (code/omschrijving) gives the whole of it, the
`type` of a polymorphic object comes along with any of its fields, and values that are absent are left out.

What the specification delivers automatically is added as it says: inOnderzoek with the requested fields it is
about (onderzoek.keep), indicatieVastgesteldVerblijftNietOpAdres with the residence or address lines, and, when the
client's grant covers them, geheimhoudingPersoonsgegevens, opschortingBijhouding, verificatie (always) and rni (the
participants of the categories delivered).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from plein.registers.bag.models import Address
from plein.registers.brp import adressering, gezag, lo3, naam, onderzoek
from plein.registers.brp.models import Nationality, Person, PersonName, Relation, Residence
from plein.registers.brp.query import PersonBundle
from plein.registers.brp.schemas import GEZAG_PERSOON_BEPERKT, PERSOON

Json = dict[str, Any]
TABLE_KEYS = frozenset({"code", "omschrijving", "soort"})
AUTOMATIC = ("geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie")
IN_ONDERZOEK = "inOnderzoek"
VERBLIJFT_NIET = "indicatieVastgesteldVerblijftNietOpAdres"
RELATION_CATEGORY = {"partner": "05", "kind": "09"}
RELATION_FLAGS = {"ouder": ("burgerservicenummer", "geslacht", "datumIngangFamilierechtelijkeBetrekking"),
                  "partner": ("burgerservicenummer", "geslacht", "soortVerbintenis"), "kind": ("burgerservicenummer",)}
NATIONALITEIT_FLAGS = ("type", "redenOpname")
# The RNI category (LO3) of each top-level field, for delivering the RNI participants of what is delivered.
RNI_CATEGORY = {
    "aNummer": "01", "burgerservicenummer": "01", "geslacht": "01", "leeftijd": "01", "naam": "01", "geboorte": "01",
    "nationaliteiten": "04", "overlijden": "06", "verblijfplaats": "08", "immigratie": "08",
    "gemeenteVanInschrijving": "08", "datumInschrijvingInGemeente": "08",
}


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
    """'Yvonne Johanna' -> 'Y.J.' (see naam.voorletters)."""
    return naam.voorletters(voornamen)


def _titel(code: str | None) -> Json | None:
    if not code:
        return None
    description, soort = lo3.ADELLIJKE_TITELS.get(code, (None, None))
    return _compact({"code": code, "omschrijving": description, "soort": soort})


def _naam_van(row: PersonName | Relation) -> naam.Naam:
    return naam.Naam(row.voornamen, row.adellijke_titel, row.voorvoegsel, row.geslachtsnaam)


def volledige_naam(name: PersonName, geslacht: str | None = None) -> str | None:
    """Predicaat, voornamen, adellijke titel, voorvoegsel and geslachtsnaam, as the spec describes."""
    return naam.volledige_naam(_naam_van(name), geslacht)


def _naam(person: Person, name: PersonName | None, *, beperkt: bool) -> Json | None:
    if name is None:
        return None
    values = {
        "voornamen": name.voornamen, "adellijkeTitelPredicaat": _titel(name.adellijke_titel),
        "voorvoegsel": name.voorvoegsel, "geslachtsnaam": name.geslachtsnaam,
        "voorletters": naam.voorletters(name.voornamen), "volledigeNaam": volledige_naam(name, person.geslacht),
    }
    if not beperkt:
        values["aanduidingNaamgebruik"] = _waarde(name.naamgebruik, lo3.NAAMGEBRUIK)
    allowed = None if not beperkt else set(values) - {"aanduidingNaamgebruik"}
    values[IN_ONDERZOEK] = onderzoek.group(person.onderzoek_persoon, person.onderzoek_persoon_datum, "01",
                                           onderzoek.NAAM, allowed)
    return _compact(values)


def _geboorte(datum: str | None, plaats: str | None, land: str | None, in_onderzoek: Json | None = None) -> Json:
    return _compact({"datum": _datum(datum), "plaats": lo3.plaats(plaats) if plaats else None,
                     "land": lo3.land(land) if land else None, IN_ONDERZOEK: in_onderzoek})


def _verblijfadres(address: Address) -> Json:
    return {
        "officieleStraatnaam": address.openbare_ruimte,
        "korteStraatnaam": address.korte_naam or (address.openbare_ruimte if len(address.openbare_ruimte) <= 24
                                                  else None),
        "huisnummer": address.huisnummer, "huisletter": address.huisletter,
        "huisnummertoevoeging": address.huisnummertoevoeging, "postcode": address.postcode,
        "woonplaats": address.woonplaats,
    }


def _verblijfadres_van(residence: Residence, address: Address | None) -> Json:
    if residence.soort == "Adres" and address is not None:
        adres = _verblijfadres(address)
        adres["aanduidingBijHuisnummer"] = _waarde(residence.aanduiding_bij_huisnummer,
                                                   lo3.AANDUIDING_BIJ_HUISNUMMER)
        return adres
    if residence.soort == "Locatie":
        return {"locatiebeschrijving": residence.locatiebeschrijving}
    if residence.soort == "VerblijfplaatsBuitenland":
        return {"regel1": residence.regel1, "regel2": residence.regel2, "regel3": residence.regel3,
                "land": lo3.land(residence.land) if residence.land else None}
    return {}


def verblijfplaats(residence: Residence | None, address: Address | None) -> Json | None:
    """The current verblijfplaats in one of the spec's four shapes."""
    if residence is None:
        return None
    soort = residence.soort
    values: Json = {"type": soort}
    if soort in onderzoek.VERBLIJFADRES_FIELDS:
        adres = _verblijfadres_van(residence, address)
        adres[IN_ONDERZOEK] = onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08",
                                              onderzoek.VERBLIJFADRES, onderzoek.VERBLIJFADRES_FIELDS[soort])
        values["verblijfadres"] = _compact(adres)
    if soort == "Adres" and address is not None:
        values |= {"adresseerbaarObjectIdentificatie": address.adresseerbaar_object,
                   "nummeraanduidingIdentificatie": address.nummeraanduiding}
    if soort in ("Adres", "Locatie"):
        values["functieAdres"] = _waarde(residence.functie_adres, lo3.FUNCTIE_ADRES)
        values[VERBLIJFT_NIET] = adressering.verblijft_niet_op_adres(residence)
    values["datumVan"] = _datum(residence.valid_from)
    values["datumIngangGeldigheid"] = _datum(residence.datum_ingang_geldigheid or residence.valid_from)
    values[IN_ONDERZOEK] = onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08",
                                           onderzoek.VERBLIJFPLAATS, onderzoek.VERBLIJFPLAATS_FIELDS[soort])
    return _compact(values)


def immigratie(residence: Residence | None) -> Json | None:
    if residence is None:
        return None
    land = residence.land_vanwaar_ingeschreven
    return _compact({
        "landVanwaarIngeschreven": lo3.land(land) if land else None,
        "datumVestigingInNederland": _datum(residence.datum_vestiging),
        "vanuitVerblijfplaatsOnbekend": land == lo3.LAND_ONBEKEND,
        "indicatieVestigingVanuitBuitenland": residence.datum_vestiging is not None,
        IN_ONDERZOEK: onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08", onderzoek.IMMIGRATIE),
    })


def nationaliteit(row: Nationality) -> Json:
    allowed: tuple[str, ...] = NATIONALITEIT_FLAGS
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
        allowed = (*NATIONALITEIT_FLAGS, "nationaliteit")
    return _compact(kind | {
        "redenOpname": {"code": row.reden_opname} if row.reden_opname else None,
        "datumIngangGeldigheid": _datum(row.valid_from),
        IN_ONDERZOEK: onderzoek.group(row.onderzoek, row.onderzoek_datum, "04", onderzoek.NATIONALITEIT, allowed)})


def _category(row: Relation) -> str:
    """The LO3 category of a relation: 02/03 for the first/second parent, 05 partner, 09 child."""
    return RELATION_CATEGORY.get(row.soort) or ("03" if row.ouder_aanduiding == "2" else "02")


def _gerelateerde(row: Relation) -> Json:
    category = _category(row)

    def io(table: onderzoek.Table, allowed: Collection[str] | None = None) -> Json | None:
        return onderzoek.group(row.onderzoek, row.onderzoek_datum, category, table, allowed)

    return _compact({
        "burgerservicenummer": row.related_bsn,
        "naam": _compact({
            "voornamen": row.voornamen, "adellijkeTitelPredicaat": _titel(row.adellijke_titel),
            "voorvoegsel": row.voorvoegsel, "geslachtsnaam": row.geslachtsnaam,
            "voorletters": naam.voorletters(row.voornamen), IN_ONDERZOEK: io(onderzoek.NAAM_GERELATEERDE)}),
        "geboorte": _geboorte(row.geboortedatum, row.geboorteplaats, row.geboorteland, io(onderzoek.GEBOORTE)),
        IN_ONDERZOEK: io(onderzoek.RELATIE, RELATION_FLAGS[row.soort]),
    })


def partners(rows: Iterable[Relation]) -> list[Json]:
    """The current partners; when there is none, only the most recently dissolved one."""
    partner_rows = [row for row in rows if row.soort == "partner"]
    current = [row for row in partner_rows if not row.ontbinding_datum]
    if not current and partner_rows:
        current = [max(partner_rows, key=lambda row: row.ontbinding_datum or "")]
    result = []
    for row in current:
        category = _category(row)
        values = _gerelateerde(row) | _compact({
            "geslacht": _waarde(row.geslacht, lo3.GESLACHT),
            "soortVerbintenis": _waarde(row.soort_verbintenis, lo3.SOORT_VERBINTENIS),
            "aangaanHuwelijkPartnerschap": _geboorte(
                row.aangaan_datum, row.aangaan_plaats, row.aangaan_land,
                onderzoek.group(row.onderzoek, row.onderzoek_datum, category, onderzoek.AANGAAN)),
            "ontbindingHuwelijkPartnerschap": _compact({
                "datum": _datum(row.ontbinding_datum),
                IN_ONDERZOEK: onderzoek.group(row.onderzoek, row.onderzoek_datum, category, onderzoek.ONTBINDING)}),
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


def verblijfstitel(bundle: PersonBundle, on: dt.date) -> Json | None:
    """The current residence permit; not one that has ended or says there is none (98)."""
    row = bundle.verblijfstitel
    if row is None or row.aanduiding == lo3.GEEN_VERBLIJFSTITEL or not lo3.in_force(row.datum_einde, on):
        return None
    return _compact({
        "aanduiding": lo3.waarde(row.aanduiding, lo3.verblijfstitels()), "datumEinde": _datum(row.datum_einde),
        "datumIngang": _datum(row.datum_ingang),
        IN_ONDERZOEK: onderzoek.group(row.onderzoek, row.onderzoek_datum, "10", onderzoek.VERBLIJFSTITEL)})


def kiesrecht(person: Person, on: dt.date) -> Json:
    """europeesKiesrecht and uitsluitingKiesrecht, while they hold."""
    values: Json = {}
    if person.europees_kiesrecht and lo3.in_force(person.europees_kiesrecht_einde, on):
        values["europeesKiesrecht"] = _compact({
            "aanduiding": lo3.waarde(person.europees_kiesrecht, lo3.EUROPEES_KIESRECHT),
            "einddatumUitsluiting": _datum(person.europees_kiesrecht_einde)})
    if person.uitgesloten_kiesrecht and lo3.in_force(person.uitsluiting_kiesrecht_einde, on):
        values["uitsluitingKiesrecht"] = _compact({"uitgeslotenVanKiesrecht": True,
                                                   "einddatum": _datum(person.uitsluiting_kiesrecht_einde)})
    return values


def _gezag(bundle: PersonBundle, on: dt.date) -> list[Json]:
    if bundle.gezag is None:
        return []
    children = [row.related_bsn for row in bundle.relations if row.soort == "kind" and row.related_bsn]
    return gezag.gezag(bundle.person.bsn, children, bundle.gezag, on)


def _persoon_in_onderzoek(person: Person, residence: Residence | None, *, beperkt: bool) -> Json | None:
    own = onderzoek.group(person.onderzoek_persoon, person.onderzoek_persoon_datum, "01", onderzoek.PERSOON,
                          date_key="datumIngangOnderzoekPersoon")
    if beperkt:
        return own
    return onderzoek.merge(
        own, onderzoek.group(residence.onderzoek if residence else None, residence.onderzoek_datum if residence
                             else None, "08", onderzoek.GEMEENTE, date_key="datumIngangOnderzoekGemeente"),
        onderzoek.group(person.onderzoek_gezag, person.onderzoek_gezag_datum, "11", onderzoek.GEZAG,
                        date_key="datumIngangOnderzoekGezag"))


def automatic(bundle: PersonBundle) -> Json:
    """The fields delivered without being asked: secrecy (only when true), a suspension, verificatie and the RNI
    participants (each with the LO3 category it is about, `_categorie`, for cutting them down to what is delivered)."""
    person = bundle.person
    opschorting = None
    if person.opschorting_reden:
        opschorting = _compact({"reden": lo3.waarde(person.opschorting_reden, lo3.OPSCHORTING),
                                "datum": _datum(person.opschorting_datum)})
    verificatie = _compact({"datum": _datum(person.verificatie_datum),
                            "omschrijving": person.verificatie_omschrijving})
    rni = [_compact({"deelnemer": lo3.waarde(row.deelnemer, lo3.RNI_DEELNEMERS),
                     "omschrijvingVerdrag": row.omschrijving_verdrag,
                     "categorie": lo3.RNI_CATEGORIES[row.categorie], "_categorie": row.categorie})
           for row in bundle.rni if row.categorie in lo3.RNI_CATEGORIES]
    return _compact({"geheimhoudingPersoonsgegevens": person.geheimhouding > 0 or None,
                     "opschortingBijhouding": opschorting, "verificatie": verificatie, "rni": rni})


def persoon_beperkt(bundle: PersonBundle, on: dt.date, *, with_gezag: bool = False) -> Json:
    person = bundle.person
    return _compact({
        "burgerservicenummer": person.bsn, "geslacht": _waarde(person.geslacht, lo3.GESLACHT),
        "leeftijd": _leeftijd(person, on), "naam": _naam(person, bundle.name, beperkt=True),
        "geboorte": _geboorte(person.geboortedatum, None, None, onderzoek.group(
            person.onderzoek_persoon, person.onderzoek_persoon_datum, "01", onderzoek.GEBOORTE, ("datum",))),
        "adressering": _compact(adressering.adressering_beperkt(bundle.residence, bundle.address)),
        "gezag": _gezag(bundle, on) if with_gezag else None,
        IN_ONDERZOEK: _persoon_in_onderzoek(person, bundle.residence, beperkt=True),
    })


def _registration(bundle: PersonBundle) -> Json:
    residence = bundle.residence
    if residence is None:
        return {}
    return {"verblijfplaats": verblijfplaats(residence, bundle.address), "immigratie": immigratie(residence),
            "gemeenteVanInschrijving": lo3.gemeente(residence.gemeente_van_inschrijving),
            "datumInschrijvingInGemeente": _datum(residence.datum_inschrijving)}


def persoon(bundle: PersonBundle, on: dt.date, tops: Collection[str] | None = None) -> Json:
    """The Persoon; with `tops`, only those top-level fields (the others cost work and are cut off anyway)."""
    person, relations = bundle.person, bundle.relations

    def wanted(*names: str) -> bool:
        return tops is None or any(name in tops for name in names)

    values: Json = {
        "aNummer": person.a_nummer, "burgerservicenummer": person.bsn,
        "geslacht": _waarde(person.geslacht, lo3.GESLACHT), "leeftijd": _leeftijd(person, on),
        "naam": _naam(person, bundle.name, beperkt=False),
        "geboorte": _geboorte(person.geboortedatum, person.geboorteplaats, person.geboorteland, onderzoek.group(
            person.onderzoek_persoon, person.onderzoek_persoon_datum, "01", onderzoek.GEBOORTE)),
        "overlijden": _geboorte(person.overlijdensdatum, person.overlijdensplaats, person.overlijdensland,
                                onderzoek.group(person.onderzoek_overlijden, person.onderzoek_overlijden_datum, "06",
                                                onderzoek.OVERLIJDEN)),
        "datumEersteInschrijvingGBA": _datum(person.datum_eerste_inschrijving),
        "indicatieCurateleRegister": person.curatele,
        "indicatieGezagMinderjarige": _waarde(gezag.indicatie(person, on), lo3.GEZAG_MINDERJARIGE),
        **kiesrecht(person, on), **_registration(bundle),
        IN_ONDERZOEK: _persoon_in_onderzoek(person, bundle.residence, beperkt=False),
    }
    if wanted("nationaliteiten"):
        values["nationaliteiten"] = [nationaliteit(row) for row in bundle.nationalities]
    if wanted("adressering"):
        values["adressering"] = _compact(adressering.adressering(person, bundle.name, bundle.residence,
                                                                 bundle.address, relations))
    if wanted("partners", "ouders", "kinderen"):
        values |= {"partners": partners(relations), "ouders": ouders(relations), "kinderen": kinderen(relations)}
    if wanted("verblijfstitel"):
        values["verblijfstitel"] = verblijfstitel(bundle, on)
    if wanted("gezag"):
        values["gezag"] = _gezag(bundle, on)
    return _compact(values)


# ---------------------------------------------------------------------------------------------- fields


def _is_whole(value: Json) -> bool:
    """A date or a table value: asking for any part of it gives all of it."""
    return "langFormaat" in value or (bool(value) and value.keys() <= TABLE_KEYS)


def _automatic_parts(value: Json, requested: set[str], selected: Json) -> Json:
    """inOnderzoek about the requested fields, and the indicatie that the person no longer lives at the address;
    the type of a polymorphic object counts as requested when anything of it is delivered."""
    parts: Json = {}
    if "type" in value and selected:
        requested = requested | {"type"}
    found = value.get(IN_ONDERZOEK)
    if isinstance(found, dict):
        kept = onderzoek.keep(found, requested)
        if kept:
            parts[IN_ONDERZOEK] = kept
    elif found is True:
        parts[IN_ONDERZOEK] = True
    if value.get(VERBLIJFT_NIET) and requested - set(onderzoek.ADRESSERING_NAAM):
        parts[VERBLIJFT_NIET] = True
    return parts


def _required_parts(value: Json, selected: Json) -> None:
    """What the spec requires of a Gezagsrelatie that is delivered in part: the minor's BSN, the toelichting of the
    types that have one, and a naam object for each parent (empty unless asked for)."""
    if "minderjarige" not in value:
        return
    minderjarige = selected.setdefault("minderjarige", {})
    minderjarige.setdefault("burgerservicenummer", value["minderjarige"]["burgerservicenummer"])
    if "toelichting" in value:
        selected.setdefault("toelichting", value["toelichting"])
    for ouder in [selected.get("ouder"), *selected.get("ouders", []), selected.get("derde"),
                  *selected.get("derden", [])]:
        if isinstance(ouder, dict) and ouder.get("type") != "OnbekendeDerde":
            ouder.setdefault("naam", {})


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
    if selected:
        _required_parts(value, selected)
    extra = _automatic_parts(value, set(groups), selected)
    if extra and "type" in value and "type" not in selected:
        selected = {"type": value["type"]}
    selected |= extra
    return selected or None


def _present(value: Any, path: list[str]) -> bool:
    if not path:
        return value is not None
    if isinstance(value, list):
        return any(_present(item, path) for item in value)
    if isinstance(value, dict):
        return _is_whole(value) or (path[0] in value and _present(value[path[0]], path[1:]))
    return False


def _onderzoek_paths(value: Any, prefix: str = "") -> set[str]:
    """The paths of the inOnderzoek parts in a result (for the processing log)."""
    if isinstance(value, list):
        return set().union(*(_onderzoek_paths(item, prefix) for item in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = {prefix + IN_ONDERZOEK} if IN_ONDERZOEK in value else set()
    for key, item in value.items():
        if key != IN_ONDERZOEK:
            found |= _onderzoek_paths(item, f"{prefix}{key}.")
    return found


def _rni_categories(result: Json) -> set[str]:
    categories = {RNI_CATEGORY[key] for key in result if key in RNI_CATEGORY}
    regels = set(result.get("adressering", {})) - {IN_ONDERZOEK}
    if regels & {"adresregel1", "adresregel2", "adresregel3", "land", VERBLIJFT_NIET}:
        categories.add("08")
    if regels & set(onderzoek.ADRESSERING_NAAM):
        categories.add("01")
    return categories


def _extra(bundle: PersonBundle, result: Json, automatic_fields: Collection[str]) -> Json:
    extra = {name: value for name, value in automatic(bundle).items() if name in automatic_fields}
    if "rni" in extra:
        categories = _rni_categories(result)
        rni = [{key: item for key, item in entry.items() if key != "_categorie"}
               for entry in extra.pop("rni") if entry["_categorie"] in categories]
        if rni:
            extra["rni"] = rni
    return extra


def render(bundle: PersonBundle, schema: str, paths: Collection[str], on: dt.date,
           automatic_fields: Collection[str] = AUTOMATIC) -> tuple[Json, list[str]]:
    """The person cut down to paths, with the automatic fields allowed; and the field paths actually delivered."""
    split = [path.split(".") for path in sorted(paths)]
    if schema == PERSOON:
        full = persoon(bundle, on, {path[0] for path in split})
    else:
        full = persoon_beperkt(bundle, on, with_gezag=schema == GEZAG_PERSOON_BEPERKT)
    result: Json = select_paths(full, split) or {}
    extra = _extra(bundle, result, automatic_fields)
    result |= extra
    delivered = [".".join(path) for path in split if _present(result, path)]
    delivered += sorted(_onderzoek_paths(result) - set(delivered)) + sorted(extra)
    return result, delivered
