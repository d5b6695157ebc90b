"""The standard's controlled vocabularies (categories, scopes, aliases), read from the package data."""

from __future__ import annotations

import re
from importlib import resources

_BORDER = re.compile(r"^=+(\s+=+)+$")  # a table border: two or more columns of =


def _read(name: str) -> str:
    return resources.files("plein.store.publiccode").joinpath("data", name).read_text("utf-8")


def bullet_values(text: str) -> frozenset[str]:
    """The values of an rst bullet list (`- value` lines)."""
    return frozenset(line[2:].strip() for line in text.splitlines() if line.startswith("- ") and line[2:].strip())


def table_rows(text: str) -> dict[str, str]:
    """The body rows of the first rst simple table (two or more columns), as first column -> second column."""
    lines = text.splitlines()
    borders = [index for index, line in enumerate(lines) if _BORDER.match(line.strip())]
    if len(borders) < 3:
        return {}
    rows: dict[str, str] = {}
    for line in lines[borders[1] + 1 : borders[2]]:
        parts = line.split(None, 1)
        if len(parts) == 2:
            rows[parts[0]] = parts[1].strip()
    return rows


CATEGORIES: frozenset[str] = bullet_values(_read("categories-list.rst"))
SCOPES: frozenset[str] = bullet_values(_read("scope-list.rst"))
ALIASES: dict[str, str] = table_rows(_read("aliases-list.rst"))
