"""What an accepted release contributes to the store listing: name, description, facets and search terms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from plein.store.checks.licence import is_open_expression, licence_of

PREFERRED_LANGUAGES = ("nl", "en")
FACETS = ("category", "softwareType", "developmentStatus", "licence", "kind", "pricing", "publisher", "standard")
TERM_WEIGHTS = {"name": 10, "shortDescription": 4, "features": 3, "longDescription": 1}
MAX_TERM_LENGTH = 100


def localised_description(publiccode: dict[str, Any] | None) -> dict[str, Any]:
    """The description in Dutch, else English, else the first language given."""
    descriptions = (publiccode or {}).get("description") or {}
    if not isinstance(descriptions, dict) or not descriptions:
        return {}
    for language in PREFERRED_LANGUAGES:
        if isinstance(descriptions.get(language), dict):
            return dict(descriptions[language], language=language)
    language, first = next(iter(descriptions.items()))
    return dict(first, language=language) if isinstance(first, dict) else {}


def normalise(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.lower()


def tokens(text: str) -> list[str]:
    """Search tokens: lower-case ASCII words and numbers of two characters or more."""
    return [token[:MAX_TERM_LENGTH] for token in re.findall(r"[a-z0-9]+", normalise(text)) if len(token) >= 2]


def search_terms(publiccode: dict[str, Any]) -> dict[str, int]:
    """Each term with its weight: the strongest place it occurs, over all languages."""
    weights: dict[str, int] = {}

    def add(texts: Iterable[str], weight: int) -> None:
        for text in texts:
            for token in tokens(text):
                weights[token] = max(weights.get(token, 0), weight)

    add([str(publiccode.get("name", ""))], TERM_WEIGHTS["name"])
    for description in (publiccode.get("description") or {}).values():
        if not isinstance(description, dict):
            continue
        add([str(description.get("shortDescription", ""))], TERM_WEIGHTS["shortDescription"])
        add([str(feature) for feature in description.get("features") or []], TERM_WEIGHTS["features"])
        add([str(description.get("longDescription", ""))], TERM_WEIGHTS["longDescription"])
    return weights


def facet_values(publiccode: dict[str, Any], manifest: dict[str, Any], publisher_code: str) -> set[tuple[str, str]]:
    """(facet, value) pairs of an app for faceted search."""
    values: set[tuple[str, str]] = {("kind", str(manifest["kind"])), ("publisher", publisher_code)}
    for category in publiccode.get("categories") or []:
        values.add(("category", str(category)))
    for key in ("softwareType", "developmentStatus"):
        if publiccode.get(key):
            values.add((key, str(publiccode[key])))
    licence = licence_of(publiccode)
    if licence:
        values.add(("licence", licence))
    values.add(("pricing", str((manifest.get("pricing") or {}).get("model", "free"))))
    for standard in (manifest.get("requires") or {}).get("standards") or []:
        values.add(("standard", str(standard)))
    return values


def licence_is_open(publiccode: dict[str, Any] | None) -> bool:
    licence = licence_of(publiccode)
    return licence is not None and is_open_expression(licence)

