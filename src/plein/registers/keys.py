"""Search keys shared by the BRP and BAG tables: case- and diacritic-insensitive text, compared byte for byte.

A key column holds `search_key(value)`; an exact search compares keys, a trailing wildcard becomes the range
`prefix <= key < prefix_end(prefix)`, which a B-tree index answers on SQLite (BINARY) and PostgreSQL (collation C).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import String
from sqlalchemy.types import TypeEngine

# Letters that Unicode does not decompose into a base letter plus accents.
_SPECIAL = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "æ": "ae",
    "Æ": "ae", "œ": "oe", "Œ": "oe", "ŀ": "l", "Ŀ": "l", "ı": "i", "þ": "th", "Þ": "th", "ŉ": "n", "ŧ": "t",
    "Ŧ": "t", "ħ": "h", "Ħ": "h", "ĸ": "k", "ŋ": "n", "Ŋ": "n",
})


def search_key(value: str) -> str:
    """'Żáïŀëñøŕ  Åłéèç' -> 'zailenor alec': no accents, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPECIAL))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def prefix_end(prefix: str) -> str:
    """The smallest string greater than every string that starts with prefix (for a range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def key_type(length: int) -> TypeEngine[str]:
    """A key column: byte order on both databases, so that prefix ranges are exact and use the index."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
