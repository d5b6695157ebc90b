"""Building blocks of the synthetic population: word lists, municipalities by size, BSN, A-nummer and address
numbering."""


from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from plein.identifiers import a_nummer_check_digit, is_a_nummer
from plein.organisations.service import current_municipalities
from plein.registers.keys import search_key

BATCH_SIZE = 5000
REFERENCE_DATE = dt.date(2026, 1, 1)  # "today" of the population: fixed, so a seed gives the same data every day
NATIONAL = 17_900_000
ACTION = "generate"
REASON = "Synthetische populatie (plein registers generate)"
YEAR = 365.2425
MAX_HOUSEHOLD = 6
ADULT = int(18 * YEAR) + 2  # days after birth on which someone is surely 18, leap days or not
BSN_LOW, BSN_HIGH = 10_000_000, 70_000_000  # 8-digit BSN prefixes: never 9999xxxxx, RvIG's GBA-V test range
LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
LETTER_PAIRS = tuple(a + b for a in LETTERS for b in LETTERS if a + b not in ("SA", "SD", "SS"))
STREET_VARIANTS = ("", "Nieuwe ", "Oude ", "Korte ", "Lange ", "Kleine ", "Grote ", "Achter ")
KINDS, KIND_WEIGHTS = ("single", "couple", "family", "parent"), (38, 29, 27, 6)
EU_NATIONALITEITEN = frozenset({"0052", "0053", "0055", "0064", "0072", "0074", "0077"})  # of the origins: EU
VOORVOEGSELS = ("van der", "van den", "van de", "van 't", "in 't", "op de", "van", "de", "den", "der", "ter", "ten")
# Rounded inhabitants of the largest municipalities (CBS code -> persons): our own estimates, for "roughly by size".
INHABITANTS = {
    "0363": 931_000, "0599": 664_000, "0518": 566_000, "0344": 374_000, "0772": 246_000, "0014": 241_000,
    "0855": 229_000, "0034": 227_000, "0758": 186_000, "0268": 182_000, "0200": 168_000, "0202": 166_000,
    "0392": 163_000, "0394": 163_000, "0307": 161_000, "0153": 161_000, "0479": 159_000, "0796": 160_000,
    "0193": 132_000, "0546": 127_000, "0637": 126_000, "0080": 126_000, "0935": 123_000, "0505": 121_000,
    "0228": 122_000, "0484": 115_000, "1783": 114_000, "0361": 111_000, "0114": 108_000, "0503": 106_000,
    "0983": 103_000, "0150": 102_000, "0439": 94_000, "0794": 94_000, "0828": 95_000, "0362": 93_000,
    "0402": 92_000, "1883": 91_000, "1900": 91_000, "0917": 87_000, "1930": 86_000, "0164": 81_000,
    "0995": 82_000, "0513": 75_000, "0106": 69_000, "0141": 74_000,
}
COLUMNS: dict[str, tuple[str, ...]] = {  # insert order: addresses and persons before the rows that refer to them
    "bag_addresses": ("id", "nummeraanduiding", "adresseerbaar_object", "openbare_ruimte", "korte_naam",
                      "openbare_ruimte_key", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode",
                      "woonplaats", "gemeentecode"),
    "brp_persons": ("bsn", "a_nummer", "geslacht", "geboortedatum", "geboorteplaats", "geboorteland",
                    "datum_eerste_inschrijving", "geheimhouding", "overlijdensdatum", "overlijdensplaats",
                    "overlijdensland", "opschorting_reden", "opschorting_datum", "created_at", "gezag_indicatie",
                    "curatele", "europees_kiesrecht", "uitgesloten_kiesrecht", "uitsluiting_kiesrecht_einde"),
    "brp_names": ("bsn", "voornamen", "adellijke_titel", "voorvoegsel", "geslachtsnaam", "naamgebruik",
                  "geslachtsnaam_key", "voornamen_key", "voorvoegsel_key", "geboortedatum", "valid_from", "valid_to"),
    "brp_residences": ("bsn", "soort", "address_id", "functie_adres", "aanduiding_bij_huisnummer",
                       "locatiebeschrijving", "land", "regel1", "regel2", "regel3", "gemeente_van_inschrijving",
                       "datum_inschrijving", "land_vanwaar_ingeschreven", "datum_vestiging", "valid_from",
                       "valid_to", "onderzoek", "onderzoek_datum"),
    "brp_relations": ("bsn", "soort", "occurrence", "ouder_aanduiding", "related_bsn", "related_a_nummer",
                      "voornamen", "adellijke_titel", "voorvoegsel", "geslachtsnaam", "geslacht", "geboortedatum",
                      "geboorteplaats", "geboorteland", "soort_verbintenis", "aangaan_datum", "aangaan_plaats",
                      "aangaan_land", "ontbinding_datum", "ontbinding_reden", "familierechtelijke_betrekking",
                      "valid_from", "valid_to"),
    "brp_nationalities": ("bsn", "nationaliteit", "bijzonder_nederlanderschap", "reden_opname", "reden_beeindiging",
                          "valid_from", "valid_to"),
    "brp_verblijfstitels": ("bsn", "aanduiding", "datum_einde", "datum_ingang", "valid_from", "valid_to"),
    "brp_mutations": ("at", "bsn", "action", "reason", "case_ref", "details"),
}
Rows = dict[str, list[tuple[Any, ...]]]

# ---------------------------------------------------------------------------------------------- word lists


@dataclass(frozen=True)
class Origin:
    """A country of birth abroad: its table 34 and 32 codes, a weight, places and names."""

    land: str
    nationaliteit: str
    weight: int
    places: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


def read_list(name: str) -> list[str]:
    """The lines of a word list in registers/data, without blank lines and # comments."""
    text = resources.files("plein.registers").joinpath(f"data/{name}").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _sections(name: str) -> dict[str, tuple[str, ...]]:
    """A word list split at its [section] lines, without duplicates."""
    sections: dict[str, list[str]] = {}
    section = ""
    for line in read_list(name):
        if line.startswith("["):
            section = line.strip("[]")
        else:
            sections.setdefault(section, []).append(line)
    return {name: tuple(dict.fromkeys(words)) for name, words in sections.items()}


def split_surname(text: str) -> tuple[str | None, str]:
    """'van den Berg' -> ('van den', 'Berg'): the voorvoegsel as the BRP keeps it, apart."""
    for voorvoegsel in VOORVOEGSELS:
        if text.startswith(voorvoegsel + " "):
            return voorvoegsel, text[len(voorvoegsel) + 1:]
    return None, text


@cache
def first_names() -> dict[tuple[str, str], tuple[str, ...]]:
    """(geslacht M/V, era ouder/midden/jong) -> names."""
    return {(geslacht, era): names for geslacht in "MV"
            for era, names in _sections(f"names-voornamen-{geslacht.lower()}.txt").items()}


@cache
def surnames() -> tuple[tuple[tuple[str | None, str], ...], tuple[float, ...]]:
    """Dutch surnames as (voorvoegsel, geslachtsnaam), with cumulative Zipf-like weights by rank."""
    names = tuple(split_surname(line) for line in dict.fromkeys(read_list("names-achternamen.txt")))
    return names, tuple(cumulative([1 / (rank + 8) for rank in range(len(names))]))


@cache
def origins() -> tuple[Origin, ...]:
    result: list[Origin] = []
    header: list[str] = []
    parts: dict[str, tuple[str, ...]] = {}
    for line in [*read_list("names-buitenland.txt"), "@"]:
        if line.startswith("@"):
            if header:
                result.append(Origin(header[1], header[2], int(header[3]), parts["p"], parts["m"], parts["v"],
                                     parts["a"]))
            header, parts = line.split(), {}
        else:
            kind, _, words = line.partition(" ")
            parts[kind] = tuple(words.split())
    return tuple(result)


@cache
def street_parts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    sections = _sections("names-straten.txt")
    return sections["voor"], sections["achter"]


@cache
def lo3_date(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).strftime("%Y%m%d")


@lru_cache(maxsize=65_536)  # names and street names: bounded, so memory stays flat at any size
def key(text: str) -> str:
    return search_key(text)


def cumulative(weights: list[float]) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


# ---------------------------------------------------------------------------------------------- identifiers


def _partial_sums(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sum(int(d) * w for d, w in zip(f"{n:04d}", weights, strict=True)) for n in range(10_000))


HI_SUMS, LO_SUMS = _partial_sums((9, 8, 7, 6)), _partial_sums((5, 4, 3, 2))


class BsnSequence:
    """Distinct BSNs (11-check) for a seed: an affine permutation of 8-digit prefixes, each with its check digit."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"plein-bsn:{seed}")  # noqa: S311 - synthetic data
        self.span = BSN_HIGH - BSN_LOW
        self.step = rng.randrange(self.span // 4, self.span * 3 // 4)
        while math.gcd(self.step, self.span) != 1:
            self.step += 1
        self.offset = rng.randrange(self.span)
        self.index = 0

    def take(self, count: int) -> list[str]:
        result: list[str] = []
        while len(result) < count:
            if self.index >= self.span:
                raise RuntimeError("every BSN of the generator's range is used")
            prefix = BSN_LOW + (self.step * self.index + self.offset) % self.span
            self.index += 1
            check = (HI_SUMS[prefix // 10_000] + LO_SUMS[prefix % 10_000]) % 11
            if check < 10:
                result.append(f"{prefix:08d}{check}")
        return result


class ANummerSequence:
    """Distinct A-nummers for a seed: an affine permutation of 9-digit prefixes, each completed with the digit of
    the weighted check and kept when it passes the other A-nummer checks (about one prefix in fifteen does)."""

    LOW, HIGH = 100_000_000, 1_000_000_000

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"plein-a-nummer:{seed}")  # noqa: S311 - synthetic data
        self.span = self.HIGH - self.LOW
        self.step = rng.randrange(self.span // 4, self.span * 3 // 4)
        while math.gcd(self.step, self.span) != 1:
            self.step += 1
        self.offset = rng.randrange(self.span)
        self.index = 0

    def take(self, count: int) -> list[str]:
        result: list[str] = []
        while len(result) < count:
            if self.index >= self.span:
                raise RuntimeError("every A-nummer of the generator's range is used")
            prefix = str(self.LOW + (self.step * self.index + self.offset) % self.span)
            self.index += 1
            digit = a_nummer_check_digit(prefix)
            if digit is not None and is_a_nummer(prefix + digit):
                result.append(prefix + digit)
        return result


# ---------------------------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class Existing:
    """What the BAG table already holds for a municipality, so that generated addresses continue after it."""

    seq: int = 0
    postcode: str | None = None
    streets: int = 0


@dataclass
class Municipality:
    """A municipality's weight and the cursor of its next address: street, number, postcode, identifier."""

    code: str
    woonplaats: str
    weight: float
    postcode_low: int
    postcode_high: int
    street_step: int
    street_offset: int
    seq: int = 100_000
    street_index: int = 0
    street: str = ""
    street_left: int = 0
    number: int = 0
    postcode: int = 0
    letters: int = -1
    postcode_left: int = 0
    units: int = 1
    unit: int = 1
    last_address: int | None = None

    def continue_after(self, existing: Existing) -> None:
        self.seq = max(self.seq, existing.seq + 1)
        self.street_index = existing.streets
        last = existing.postcode[:4] if existing.postcode else ""
        if last.isdigit() and self.postcode_low <= int(last) < self.postcode_high:
            self.postcode = int(last) + 1


def municipalities(seed: int, existing: dict[str, Existing]) -> list[Municipality]:
    """Every current municipality with its weight and a block of 4-digit postcodes in proportion to it."""
    rows = current_municipalities()
    rest = max(NATIONAL - sum(INHABITANTS.get(row.code, 0) for row in rows), len(rows))
    default = rest / max(1, sum(1 for row in rows if row.code not in INHABITANTS))
    weights = [INHABITANTS.get(row.code, default) for row in rows]
    total, low, result = sum(weights), 1000, []
    voor, achter = street_parts()
    names = len(voor) * len(achter)
    for row, weight in zip(rows, weights, strict=True):
        size = max(2, int(8990 * weight / total))
        rng = random.Random(f"plein-streets:{seed}:{row.code}")  # noqa: S311
        muni = Municipality(row.code, row.name.split(" (")[0], weight, low, min(low + size, 10_000) - 1,
                            street_step=rng.randrange(1, names), street_offset=rng.randrange(names))
        while math.gcd(muni.street_step, names) != 1:
            muni.street_step += 1
        muni.postcode = low
        muni.continue_after(existing.get(row.code, Existing()))
        result.append(muni)
        low += size
    return result


def street_name(muni: Municipality, index: int) -> str:
    """The municipality's index-th street: a permutation of first parts and endings, then variants (Nieuwe ...)."""
    voor, achter = street_parts()
    names = len(voor) * len(achter)
    number = (muni.street_step * index + muni.street_offset) % names
    variant = index // names
    prefix = STREET_VARIANTS[variant % len(STREET_VARIANTS)]
    suffix = f" {variant // len(STREET_VARIANTS) + 1}" if variant >= len(STREET_VARIANTS) else ""
    return f"{prefix}{voor[number // len(achter)]}{achter[number % len(achter)]}{suffix}"
