"""Dutch identifiers: the 11-check of BSN and RSIN, the A-nummer check, and stable RSIN and OIN numbers."""

from __future__ import annotations

import hashlib
from itertools import pairwise

OIN_GOVERNMENT_PREFIX = "00000001"


def passes_elfproef(number: str) -> bool:
    """The 11-check of a BSN or RSIN: nine digits, 9*d1 + 8*d2 + … + 2*d8 - d9 divisible by 11, not all zeros."""
    if len(number) != 9 or not number.isdigit() or number == "000000000":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:8], range(9, 1, -1), strict=True))
    total -= int(number[8])
    return total % 11 == 0


def is_zgw_rsin(number: str) -> bool:
    """An RSIN as the ZGW APIs take it (bronorganisatie, verantwoordelijkeOrganisatie, a catalogus's rsin): nine
    digits passing the 11-check, `000000000` included. The reference implementation (vng-api-common's validate_rsin)
    accepts it, and the ecosystem's test material uses it throughout; docs/deviations.md says so."""
    return number == "000000000" or passes_elfproef(number)


def is_a_nummer(number: str) -> bool:
    """The checks of an A-nummer (administratienummer of the BRP, Logisch Ontwerp GBA): ten digits, the first not 0,
    no two consecutive digits equal, the digit sum modulo 11 is 0 or 5, and the sum of each digit times 2 to the
    power of its position (1, 2, 4, … 512 from the first digit) is divisible by 11."""
    if len(number) != 10 or not number.isascii() or not number.isdigit() or number[0] == "0":
        return False
    digits = [int(char) for char in number]
    if any(first == second for first, second in pairwise(digits)):
        return False
    if sum(digits) % 11 not in (0, 5):
        return False
    return sum(digit << position for position, digit in enumerate(digits)) % 11 == 0


def a_nummer_check_digit(prefix: str) -> str | None:
    """The last digit that satisfies the weighted check for nine leading digits, or None when no digit does (the
    other checks still apply)."""
    partial = sum(int(digit) << position for position, digit in enumerate(prefix))
    digit = (-partial * 2) % 11  # 512 = 6 (mod 11) and 6 * 2 = 1 (mod 11): the inverse of the last weight is 2
    return str(digit) if digit < 10 else None


def stable_rsin(seed: str) -> str:
    """A valid RSIN derived from a seed: the same seed gives the same number on every run."""
    start = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % 900_000_000 + 100_000_000
    candidate = start
    while not passes_elfproef(f"{candidate:09d}"):
        candidate = candidate + 1 if candidate < 999_999_999 else 100_000_000
    return f"{candidate:09d}"


def oin_for_rsin(rsin: str) -> str:
    """The OIN of a government body registered by its RSIN: 00000001 + RSIN + 000 (20 digits)."""
    if not passes_elfproef(rsin):
        raise ValueError(f"{rsin!r} is not a valid RSIN (9 digits passing the 11-check)")
    return f"{OIN_GOVERNMENT_PREFIX}{rsin}000"


def is_oin(value: str) -> bool:
    return len(value) == 20 and value.isdigit()
