"""Whether the waarde of a zaakeigenschap fits the specificatie of its eigenschap (formaat, lengte,
waardenverzameling), so that a zaak only carries values its zaaktype allows.

How Plein reads the Catalogi document (EigenschapSpecificatie) and ztc-015 (Catalogi 1.3.2):

- `tekst`: any text of at most `lengte` characters (the document: "het aantal karakters (lengte) waarmee waarden van
  de EIGENSCHAP worden vastgelegd").
- `getal`: a decimal number: an optional sign, digits, and decimals after a comma (Dutch notation) or a point; no
  thousands separators; at most `lengte` characters, sign and comma included (the same definition of lengte).
- `datum`: YYYYMMDD, a date that exists (ztc-015, e.g. 20220728). The ISO form 2022-07-28 is refused: ztc-015
  states that eigenschappen deviate from ISO here, and Open Formulieren sends this form.
- `datum_tijd`: YYYYMMDDhhmmss, a moment that exists (ztc-015, e.g. 20220728134022). The lengte of a date (8, 14 by
  ztc-015) is not checked again: the format fixes it.
- A lengte that is not a whole number (such as "8,2") sets no limit: the document does not say what it means.
- A non-empty waardenverzameling: the waarde must be exactly one of its values; an empty one allows any value.
- The kardinaliteit (how many values a zaak may have) is not checked: it is about the zaak, not about one waarde.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from plein.errors import InvalidParam

NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")
WHOLE = re.compile(r"[0-9]+")
DATES = {"datum": (re.compile(r"[0-9]{8}"), "%Y%m%d", "YYYYMMDD, e.g. 20220728"),
         "datum_tijd": (re.compile(r"[0-9]{14}"), "%Y%m%d%H%M%S", "YYYYMMDDhhmmss, e.g. 20220728134022")}
LIMITED = ("tekst", "getal")


def waarde_problems(naam: str, specificatie: dict[str, Any], waarde: str) -> list[InvalidParam]:
    """What is wrong with a waarde for the eigenschap `naam`: its formaat, its lengte, its waardenverzameling."""
    formaat = specificatie.get("formaat")
    return _formaat(naam, formaat, waarde) + _lengte(naam, formaat, specificatie.get("lengte"), waarde) + _choice(
        naam, specificatie.get("waardenverzameling") or [], waarde)


def _formaat(naam: str, formaat: Any, waarde: str) -> list[InvalidParam]:
    if formaat == "getal" and not NUMBER.fullmatch(waarde):
        return [InvalidParam("waarde", "waarde-formaat", f"eigenschap {naam!r} holds a getal: digits, optionally "
                                                         "signed, with decimals after a comma or a point")]
    if formaat in DATES and not _is_moment(waarde, *DATES[formaat][:2]):
        return [InvalidParam("waarde", "waarde-formaat", f"eigenschap {naam!r} holds a {formaat} as "
                                                         f"{DATES[formaat][2]} (ztc-015)")]
    return []


def _is_moment(waarde: str, shape: re.Pattern[str], layout: str) -> bool:
    if not shape.fullmatch(waarde):
        return False
    try:
        dt.datetime.strptime(waarde, layout)
    except ValueError:
        return False
    return True


def _lengte(naam: str, formaat: Any, lengte: Any, waarde: str) -> list[InvalidParam]:
    limit = str(lengte or "").strip()
    if formaat not in LIMITED or not WHOLE.fullmatch(limit) or len(waarde) <= int(limit):
        return []
    return [InvalidParam("waarde", "waarde-lengte", f"eigenschap {naam!r} allows at most {int(limit)} characters "
                                                    f"(specificatie.lengte); this waarde has {len(waarde)}")]


def _choice(naam: str, allowed: list[Any], waarde: str) -> list[InvalidParam]:
    values = [str(value) for value in allowed]
    if not values or waarde in values:
        return []
    return [InvalidParam("waarde", "waarde-niet-in-waardenverzameling",
                         f"eigenschap {naam!r} allows only the values of its waardenverzameling: {', '.join(values)}")]


def as_date(waarde: str | None) -> dt.date | None:
    """The day a datum or datum_tijd waarde names (YYYYMMDD[hhmmss]; also the ISO form older values may have), for
    the archiving period (zrc-021 afleidingswijze eigenschap); None when it names no day."""
    text = (waarde or "").strip()
    day = text[:8] if WHOLE.fullmatch(text) else text[:10]
    try:
        return dt.date.fromisoformat(day) if len(day) >= 8 else None
    except ValueError:
        return None
