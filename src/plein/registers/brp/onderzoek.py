"""In onderzoek: which fields of a response an open investigation covers, and the inOnderzoek objects that say so.

An investigation is recorded as LO3 83.10 `ccggee` (category, group, element; 00 means all of it) with 83.20 the date
it started, e.g. 010240 (the geslachtsnaam), 010200 (the whole name group) or 080000 (the whole residence). Each
table below maps the elements of a category (`ggee`) to the fields of one response group that they feed: voornamen
(0210) feed naam.voornamen, voorletters and volledigeNaam. A group code (`gg00`) covers every element of the
group and the category code (`0000`) all of them; a few groups also have an entry of their own (`1100`: the type of
the residence). 089999 ("vastgesteld verblijft niet op adres") puts the whole residence in onderzoek.

inOnderzoek is delivered automatically, but only for fields that were asked for: `keep` cuts an inOnderzoek object
down to the requested fields and the start dates that belong to them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from plein.registers.brp import lo3

Json = dict[str, Any]
Table = Mapping[str, tuple[str, ...]]
DATUM = "datumIngangOnderzoek"
ADRESSERING_NAAM = ("aanhef", "aanschrijfwijze", "gebruikInLopendeTekst")

# -- category 01 (persoon), 06 (overlijden), 11 (gezag)
PERSOON: Table = {"0120": ("burgerservicenummer",), "0310": ("leeftijd",), "0410": ("geslacht",)}
NAAM: Table = {
    "0210": ("voornamen", "voorletters", "volledigeNaam"), "0220": ("adellijkeTitelPredicaat", "volledigeNaam"),
    "0230": ("voorvoegsel", "volledigeNaam"), "0240": ("geslachtsnaam", "volledigeNaam"),
    "6110": ("aanduidingNaamgebruik",),
}
GEBOORTE: Table = {"0310": ("datum",), "0320": ("plaats",), "0330": ("land",)}
ADRESSERING_PERSOON: Table = {"0210": ADRESSERING_NAAM, "0220": ADRESSERING_NAAM, "0230": ADRESSERING_NAAM,
                              "0240": ADRESSERING_NAAM, "0410": ("aanhef", "gebruikInLopendeTekst"),
                              "6110": ADRESSERING_NAAM}
OVERLIJDEN: Table = {"0810": ("datum",), "0820": ("plaats",), "0830": ("land",)}
GEZAG: Table = {"3210": ("indicatieGezagMinderjarige",), "3310": ("indicatieCurateleRegister",)}
# -- categories 02/03 (ouders), 05 (partner), 09 (kinderen)
RELATIE: Table = {"0120": ("burgerservicenummer",), "0410": ("geslacht",),
                  "6210": ("datumIngangFamilierechtelijkeBetrekking",), "1510": ("soortVerbintenis",)}
NAAM_GERELATEERDE: Table = {"0210": ("voornamen", "voorletters"), "0220": ("adellijkeTitelPredicaat",),
                            "0230": ("voorvoegsel",), "0240": ("geslachtsnaam",)}
AANGAAN: Table = {"0610": ("datum",), "0620": ("plaats",), "0630": ("land",)}
ONTBINDING: Table = {"0710": ("datum",)}
ADRESSERING_PARTNER: Table = {"0220": ADRESSERING_NAAM, "0230": ADRESSERING_NAAM, "0240": ADRESSERING_NAAM}
# -- category 04 (nationaliteit), 10 (verblijfstitel)
NATIONALITEIT: Table = {"0510": ("type", "nationaliteit"), "6310": ("redenOpname",), "6510": ("type",)}
VERBLIJFSTITEL: Table = {"3910": ("aanduiding",), "3920": ("datumEinde",), "3930": ("datumIngang",)}
# -- category 08 (verblijfplaats)
GEMEENTE: Table = {"0910": ("gemeenteVanInschrijving",), "0920": ("datumInschrijvingInGemeente",)}
VERBLIJFPLAATS: Table = {
    "1010": ("functieAdres",), "1030": ("datumVan",), "1100": ("type",), "1180": ("adresseerbaarObjectIdentificatie",),
    "1190": ("nummeraanduidingIdentificatie",), "1200": ("type",), "1300": ("type",), "1320": ("datumVan",),
    "8510": ("datumIngangGeldigheid",),
}
VERBLIJFADRES: Table = {
    "1110": ("korteStraatnaam",), "1115": ("officieleStraatnaam",), "1120": ("huisnummer",), "1130": ("huisletter",),
    "1140": ("huisnummertoevoeging",), "1150": ("aanduidingBijHuisnummer",), "1160": ("postcode",),
    "1170": ("woonplaats",), "1210": ("locatiebeschrijving",), "1310": ("land",), "1330": ("regel1",),
    "1340": ("regel2",), "1350": ("regel3",),
}
IMMIGRATIE: Table = {"1410": ("landVanwaarIngeschreven", "vanuitVerblijfplaatsOnbekend"),
                     "1420": ("datumVestigingInNederland", "indicatieVestigingVanuitBuitenland")}
ADRESSERING_VERBLIJFPLAATS: Table = {
    "0910": ("adresregel2",), "1110": ("adresregel1",), "1120": ("adresregel1",), "1130": ("adresregel1",),
    "1140": ("adresregel1",), "1150": ("adresregel1",), "1160": ("adresregel2",), "1170": ("adresregel2",),
    "1210": ("adresregel1",), "1310": ("land",), "1330": ("adresregel1",), "1340": ("adresregel2",),
    "1350": ("adresregel3",),
}
# The fields of each kind of residence that its inOnderzoek may name.
VERBLIJFPLAATS_FIELDS = {
    "Adres": {"type", "datumVan", "datumIngangGeldigheid", "nummeraanduidingIdentificatie",
              "adresseerbaarObjectIdentificatie", "functieAdres"},
    "Locatie": {"type", "datumVan", "functieAdres", "datumIngangGeldigheid"},
    "VerblijfplaatsBuitenland": {"type", "datumVan", "datumIngangGeldigheid"},
    "VerblijfplaatsOnbekend": {"type", "datumVan", "datumIngangGeldigheid"},
}
VERBLIJFADRES_FIELDS = {
    "Adres": {"korteStraatnaam", "officieleStraatnaam", "huisnummer", "huisletter", "huisnummertoevoeging",
              "aanduidingBijHuisnummer", "postcode", "woonplaats"},
    "Locatie": {"locatiebeschrijving"}, "VerblijfplaatsBuitenland": {"regel1", "regel2", "regel3", "land"},
}
# The start date that belongs to a field, where an object has more than one (Persoon, Adressering).
DATES = {
    "burgerservicenummer": ("datumIngangOnderzoekPersoon",), "geslacht": ("datumIngangOnderzoekPersoon",),
    "leeftijd": ("datumIngangOnderzoekPersoon",), "gemeenteVanInschrijving": ("datumIngangOnderzoekGemeente",),
    "datumInschrijvingInGemeente": ("datumIngangOnderzoekGemeente",),
    "indicatieCurateleRegister": ("datumIngangOnderzoekGezag",),
    "indicatieGezagMinderjarige": ("datumIngangOnderzoekGezag",),
    **dict.fromkeys(ADRESSERING_NAAM, ("datumIngangOnderzoekPersoon", "datumIngangOnderzoekPartner")),
    **dict.fromkeys(("adresregel1", "adresregel2", "adresregel3", "land"), ("datumIngangOnderzoekVerblijfplaats",)),
}


def is_aanduiding(value: str) -> bool:
    """An aanduiding in onderzoek: six digits of a current category (01-13); historical ones (5x) are not kept."""
    return len(value) == 6 and value.isdigit() and 1 <= int(value[:2]) <= 13


def covered(aanduiding: str | None, category: str, table: Table) -> set[str]:
    """The fields of one response group that an aanduiding covers (none when it is about another category)."""
    if not aanduiding or not is_aanduiding(aanduiding) or aanduiding[:2] != category:
        return set()
    code = aanduiding[2:]
    if code in ("0000", "9999"):
        keys: Collection[str] = table.keys()
    elif code.endswith("00"):
        keys = [key for key in table if key.startswith(code[:2])]
    else:
        keys = [code] if code in table else []
    return {name for key in keys for name in table[key]}


def group(aanduiding: str | None, datum: str | None, category: str, table: Table,
          allowed: Collection[str] | None = None, date_key: str = DATUM) -> Json | None:
    """The inOnderzoek object of a group: its covered fields set to true and the date the investigation started."""
    names = covered(aanduiding, category, table)
    if allowed is not None:
        names &= set(allowed)
    if not names:
        return None
    result: Json = dict.fromkeys(sorted(names), True)
    if datum:
        result[date_key] = lo3.datum(datum)
    return result


def merge(*parts: Json | None) -> Json | None:
    """Several inOnderzoek parts of one object (e.g. persoon: its own, the municipality's and gezag's) as one."""
    result: Json = {}
    for part in parts:
        if part:
            result |= part
    return result or None


def keep(onderzoek: Json, requested: Collection[str] | None) -> Json | None:
    """The part of an inOnderzoek object about requested fields (all when requested is None), with their dates."""
    flags = {name: value for name, value in onderzoek.items() if value is True
             and (requested is None or name in requested)}
    if not flags:
        return None
    dates: Json = {}
    for name in (DATUM, *(key for flag in flags for key in DATES.get(flag, ()))):
        if name in onderzoek:
            dates[name] = onderzoek[name]
    return flags | dates
