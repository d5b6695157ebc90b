"""A person's name as Haal Centraal derives it: voorletters, volledigeNaam, and the forms used to write to someone.

aanhef ("Geachte mevrouw De Boer"), aanschrijfwijze (the name on the envelope, "A.F. de Boer-van den Aedel", with an
aanspreekvorm for nobility) and gebruikInLopendeTekst ("mevrouw De Boer") follow the rules of the BRP API's
documentation: the aanduiding naamgebruik says how the person's own name (VV GN) and that of the (ex-)partner (VP GP)
are combined (E: own, P: partner's, V: partner's-own, N: own-partner's); a title or predicate is used in the form of
the person's geslacht unless the person uses only the partner's name, or (predicate) is a woman with a partner or
using a partner's name; a woman using the name of a partner with a title may use the courtesy title (barones for a
baron). Own name without a partner name when there never was a partner or the partner's geslachtsnaam is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from plein.registers.brp import lo3

MAX_VOORLETTERS = 40
UNKNOWN_NAME = "."
# Table 38 code -> (male form, female form); None: no form for that geslacht.
FORMS: dict[str, tuple[str | None, str | None]] = {
    "B": ("baron", "barones"), "BS": ("baron", "barones"), "G": ("graaf", "gravin"), "GI": ("graaf", "gravin"),
    "H": ("hertog", "hertogin"), "HI": ("hertog", "hertogin"), "M": ("markies", "markiezin"),
    "MI": ("markies", "markiezin"), "P": ("prins", "prinses"), "PS": ("prins", "prinses"), "R": ("ridder", None),
    "JH": ("jonkheer", "jonkvrouw"), "JV": ("jonkheer", "jonkvrouw"),
}
# The partner's title -> the courtesy title of a woman using the partner's name, and its aanspreekvorm.
HOFFELIJKHEIDSTITELS = {
    "B": ("barones", "De hoogwelgeboren vrouwe"), "G": ("gravin", "De hooggeboren vrouwe"),
    "H": ("hertogin", "De hoogwelgeboren vrouwe"), "M": ("markiezin", "De hoogwelgeboren vrouwe"),
    "P": ("prinses", "De hoogheid"),
}
AANSPREEKVORMEN = {
    "R": "De hoogwelgeboren heer", "B": "De hoogwelgeboren heer", "BS": "De hoogwelgeboren vrouwe",
    "H": "De hoogwelgeboren heer", "HI": "De hoogwelgeboren vrouwe", "G": "De hooggeboren heer",
    "GI": "De hooggeboren vrouwe", "M": "De hoogwelgeboren heer", "MI": "De hoogwelgeboren vrouwe",
    "P": "De hoogheid", "PS": "De hoogheid", "JH": "De hoogwelgeboren heer", "JV": "De hoogwelgeboren vrouwe",
}
GEACHTE = {"M": "Geachte heer", "V": "Geachte mevrouw"}
IN_TEKST = {"M": "de heer", "V": "mevrouw"}


@dataclass(frozen=True)
class Naam:
    """The name components of a person or of a related person."""

    voornamen: str | None = None
    adellijke_titel: str | None = None
    voorvoegsel: str | None = None
    geslachtsnaam: str | None = None


def _join(*parts: str | None) -> str:
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def voorletters(voornamen: str | None) -> str | None:
    """'Yvonne Johanna' -> 'Y.J.'; a one-letter name keeps no period ('Suzie Q' -> 'S.Q', 'J P' -> 'J P')."""
    if not voornamen or not voornamen.strip():
        return None
    if voornamen.strip() == UNKNOWN_NAME:
        return UNKNOWN_NAME
    result = ""
    for name in voornamen.split():
        initial = name[0] if len(name) == 1 else f"{name[0]}."
        if result and not result.endswith("."):
            initial = " " + initial
        if len(result) + len(initial) > MAX_VOORLETTERS:
            break
        result += initial
    return result


def titel_soort(code: str | None) -> str | None:
    """'titel' or 'predicaat' (table 38), None without one."""
    return lo3.ADELLIJKE_TITELS.get(code or "", (None, None))[1]


def titel_vorm(code: str | None, geslacht: str | None) -> str | None:
    """The title or predicate in the form of the geslacht (graaf/gravin), None when it has none (R for a woman)."""
    forms = FORMS.get(code or "")
    if forms is None or geslacht not in ("M", "V"):
        return None
    return forms[0] if geslacht == "M" else forms[1]


def geslachtsnaam(naam: Naam) -> str | None:
    """The geslachtsnaam, without the standard value '.' for an unknown one."""
    value = (naam.geslachtsnaam or "").strip()
    return None if not value or value == UNKNOWN_NAME else value


def volledige_naam(naam: Naam, geslacht: str | None) -> str | None:
    """Predicaat, voornamen, adellijke titel, voorvoegsel and geslachtsnaam; a title in the form of the geslacht."""
    code = naam.adellijke_titel or ""
    vorm = titel_vorm(code, geslacht) or lo3.ADELLIJKE_TITELS.get(code, (None, None))[0]
    soort = titel_soort(code)
    text = _join(vorm if soort == "predicaat" else None, naam.voornamen if naam.voornamen != UNKNOWN_NAME else None,
                 vorm if soort == "titel" else None, naam.voorvoegsel, geslachtsnaam(naam))
    return text or None


# ---------------------------------------------------------------------------------------------- adressering


@dataclass(frozen=True)
class Aanschrijving:
    """What the forms need: the person's name, geslacht and naamgebruik, and the (ex-)partner's name."""

    naam: Naam
    geslacht: str
    naamgebruik: str
    partner: Naam | None = None
    has_current_partner: bool = False

    @property
    def gebruik(self) -> str:
        """The naamgebruik in effect: E when there is no partner name to use."""
        if self.partner is None or geslachtsnaam(self.partner) is None:
            return "E"
        return self.naamgebruik if self.naamgebruik in ("E", "P", "V", "N") else "E"

    def own_title(self) -> str | None:
        """The code of the person's own title or predicate when it may be used."""
        code = self.naam.adellijke_titel
        if not code or code not in FORMS or self.gebruik == "P":
            return None
        if titel_soort(code) == "predicaat" and self.geslacht == "V" and (
                self.has_current_partner or self.gebruik != "E"):
            return None
        return code

    def courtesy(self) -> tuple[str, str] | None:
        """The courtesy title and its aanspreekvorm, for a woman who uses the name of a partner with a title."""
        if self.geslacht != "V" or self.gebruik == "E" or self.partner is None:
            return None
        return HOFFELIJKHEIDSTITELS.get(self.partner.adellijke_titel or "")

    def own_part(self, titel: str | None) -> str:
        return _join(titel, self.naam.voorvoegsel, geslachtsnaam(self.naam))

    def partner_part(self, titel: str | None) -> str:
        """The partner's name part (with a courtesy title); empty when the naamgebruik does not use it."""
        if self.gebruik == "E":
            return ""
        assert self.partner is not None
        return _join(titel, self.partner.voorvoegsel, geslachtsnaam(self.partner))

    def combined(self, own: str, partner: str) -> str:
        """Own and partner's name parts combined by the naamgebruik, without spaces around the hyphen."""
        if self.gebruik == "P":
            return partner
        if self.gebruik == "V":
            return "-".join(part for part in (partner, own) if part)
        if self.gebruik == "N":
            return "-".join(part for part in (own, partner) if part)
        return own


def aanschrijfwijze(aan: Aanschrijving) -> dict[str, str]:
    """The name on the envelope (naam) and, for nobility, the line above it (aanspreekvorm)."""
    code, courtesy = aan.own_title(), aan.courtesy()
    initials = voorletters(aan.naam.voornamen) or ""
    soort = titel_soort(code)
    vorm = (titel_vorm(code, aan.geslacht) or lo3.ADELLIJKE_TITELS[code][0]) if code else None
    own = aan.own_part(vorm if soort == "titel" else None)
    if soort == "predicaat" and aan.gebruik == "V":
        own = _join(vorm, own)
    name = aan.combined(own, aan.partner_part(courtesy[0] if courtesy else None))
    predicaat_first = soort == "predicaat" and aan.gebruik in ("E", "N")
    name = _join(vorm, initials, name) if predicaat_first else _join(initials, name)
    result = {"naam": _capital(name)}
    first_is_own = aan.gebruik in ("E", "N")
    if code and (first_is_own or not courtesy):
        result["aanspreekvorm"] = AANSPREEKVORMEN[code]
    elif courtesy:
        result["aanspreekvorm"] = courtesy[1]
    return {key: value for key, value in result.items() if value}


def aanhef(aan: Aanschrijving) -> str | None:
    """The salutation of a letter: 'Geachte heer Van der Berg', or for nobility 'Hoogwelgeboren vrouwe'."""
    code, courtesy = aan.own_title(), aan.courtesy()
    if code in ("P", "PS"):
        return "Hoogheid"
    if code and aan.geslacht in ("M", "V"):
        high = "Hooggeboren" if code in ("G", "GI") else "Hoogwelgeboren"
        return f"{high} {'heer' if aan.geslacht == 'M' else 'vrouwe'}"
    if courtesy:
        return {"De hoogheid": "Hoogheid"}.get(courtesy[1], courtesy[1].removeprefix("De ").capitalize())
    name = aan.combined(aan.own_part(None), aan.partner_part(None))
    if aan.geslacht in GEACHTE:
        return _join(GEACHTE[aan.geslacht], _capital(name)) if name else None
    initials = voorletters(aan.naam.voornamen)
    return _join("Geachte", initials, name if initials else _capital(name))


def gebruik_in_lopende_tekst(aan: Aanschrijving) -> str | None:
    """How to name the person in a sentence: 'mevrouw De Boer-van den Aedel', 'barones van den Aedel'."""
    code, courtesy = aan.own_title(), aan.courtesy()
    vorm = titel_vorm(code, aan.geslacht) if code else None
    own = aan.own_part(vorm)
    name = aan.combined(own, aan.partner_part(courtesy[0] if courtesy else None))
    if not name:
        return None
    starts_with_title = (aan.gebruik in ("E", "N") and vorm is not None) or (
        aan.gebruik in ("P", "V") and courtesy is not None)
    if starts_with_title:
        return name
    if aan.geslacht in IN_TEKST:
        return _join(IN_TEKST[aan.geslacht], _capital(name))
    initials = voorletters(aan.naam.voornamen)
    return _join(initials, name) if initials else _capital(name)
