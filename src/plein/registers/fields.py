"""The field lists of the source registers: which data paths an app may ask a grant for."""

from __future__ import annotations

from functools import cache
from importlib import resources

BAG_FIELDS = frozenset({
    "nummeraanduidingIdentificatie", "adresseerbaarObjectIdentificatie", "openbareRuimte", "huisnummer",
    "huisletter", "huisnummertoevoeging", "postcode", "woonplaats", "gemeentecode",
})


@cache
def brp_fields() -> frozenset[str]:
    """Every field path of a person in Haal Centraal BRP Personen 2.7.0 (e.g. `naam.voornamen`)."""
    text = resources.files("plein.registers").joinpath("data/brp-fields.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def register_fields(register: str) -> frozenset[str] | None:
    """The field paths of a register, or None when Plein has no register by that name."""
    if register == "brp":
        return brp_fields()
    if register == "bag":
        return BAG_FIELDS
    return None


REGISTERS = ("brp", "bag")
