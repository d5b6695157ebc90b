"""The field lists of the source registers: which data paths an app may ask a grant for.

The BRP paths are those of the Persoon schema of the Haal Centraal BRP Personen document shipped with the register
(registers.brp.spec), so grants, the store's data check and the `fields` parameter share one source; besides them
`verblijfplaatshistorie`, the past and present residences of Haal Centraal BRP Historie (registers.brp.historie).
"""

from __future__ import annotations

from functools import cache

from plein.registers.brp.spec import schema_paths

BAG_FIELDS = frozenset({
    "nummeraanduidingIdentificatie", "adresseerbaarObjectIdentificatie", "openbareRuimte", "huisnummer",
    "huisletter", "huisnummertoevoeging", "postcode", "woonplaats", "gemeentecode",
})
BRP_SCHEMA = "Persoon"
VERBLIJFPLAATSHISTORIE = "verblijfplaatshistorie"  # POST /haalcentraal/api/brphistorie/verblijfplaatshistorie


@cache
def brp_fields() -> frozenset[str]:
    """Every field path of a person in Haal Centraal BRP Personen 2.7.0 (e.g. `naam.voornamen`), and
    `verblijfplaatshistorie`."""
    return schema_paths(BRP_SCHEMA) | {VERBLIJFPLAATSHISTORIE}


def register_fields(register: str) -> frozenset[str] | None:
    """The field paths of a register, or None when Plein has no register by that name."""
    if register == "brp":
        return brp_fields()
    if register == "bag":
        return BAG_FIELDS
    return None


REGISTERS = ("brp", "bag")
