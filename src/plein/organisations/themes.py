"""Municipal themes: a few NL Design System design tokens per municipality (colours, font, logo), checked for WCAG 2.1
AA contrast and turned into the CSS custom properties of the Utrecht components and of Plein's own classes."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import orjson
import yaml

from plein.errors import InvalidInput, InvalidParam
from plein.organisations import logos

VERSION = 1
DEFAULT_CODE = "standaard"  # the default theme's code in URLs and CSS classes: /thema/standaard.css
PAGE_BACKGROUND = "#ffffff"  # fixed in every theme, so the status colours in plein.css keep their checked contrast
# Backgrounds that no theme changes, by the name the rules use: the page, and the darkest of plein.css's success,
# warning and error alert backgrounds (--plein-color-error-tint), on which the theme's text colour is shown.
FIXED = {"background": PAGE_BACKGROUND, "alertBackground": "#fbeceb"}
FIXED_NAMES = {"background": "the page background", "alertBackground": "the success, warning and error alerts"}
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
FONT_FAMILY = re.compile(r"""^[A-Za-z0-9 ,'"-]{1,200}$""")

# The colour tokens, with what each colours (shown on the preview page, in Dutch).
COLOURS: dict[str, str] = {
    "primary": "Hoofdkleur: knoppen, navigatiebalk, voettekst",
    "primaryText": "Tekst op de hoofdkleur",
    "primaryHover": "Knoppen onder de muis of met focus",
    "primaryTint": "Lichte vlakken: tabelkoppen, informatiemeldingen, zoekbalk",
    "text": "Lopende tekst",
    "heading": "Koppen (niveau 1 en 2)",
    "link": "Links",
    "linkVisited": "Bezochte links",
    "focus": "Focusrand en tekst van een link met focus",
    "focusRing": "Rand om de focusrand en achtergrond van een link met focus",
    "headerBackground": "Achtergrond van de kop",
    "headerText": "Tekst in de kop",
}
OTHER_TOKENS = ("version", "fontFamily", "logo", "logoFile")

DEFAULT_TOKENS: dict[str, str] = {
    "primary": "#154273", "primaryText": "#ffffff", "primaryHover": "#0c2a4b", "primaryTint": "#e8eef5",
    "text": "#1b1b1b", "heading": "#154273", "link": "#154273", "linkVisited": "#4b2a73", "focus": "#000000",
    "focusRing": "#ffbf47", "headerBackground": "#ffffff", "headerText": "#1b1b1b",
    "fontFamily": '"Rijksoverheid Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
}
# Tokens a theme may leave out although the default theme has them: worked out from the theme's own colours.
# In this order: a later one may use an earlier one.
DERIVED: dict[str, Callable[[dict[str, str]], str]] = {
    "primaryHover": lambda t: mix(t["primary"], "#000000", 0.25),
    "primaryTint": lambda t: mix(t["primary"], "#ffffff", 0.9),
    "heading": lambda t: t["text"],
    "link": lambda t: t["primary"],
    "linkVisited": lambda t: t["link"],
}


@dataclass(frozen=True)
class ContrastRule:
    """Foreground tokens against a background token: the rule holds when any foreground reaches the minimum."""

    foregrounds: tuple[str, ...]
    background: str  # a colour token, or a name in FIXED
    minimum: float
    what: str  # in English, for error messages
    label: str  # in Dutch, for the preview page


TEXT, LARGE, UI = 4.5, 3.0, 3.0  # WCAG 2.1 AA: 1.4.3 text, 1.4.3 large text, 1.4.11 non-text (UI components)
RULES: tuple[ContrastRule, ...] = (
    ContrastRule(("text",), "background", TEXT, "body text", "Lopende tekst"),
    ContrastRule(("text",), "primaryTint", TEXT, "text on light panels, table headers and info alerts",
                 "Tekst op lichte vlakken"),
    ContrastRule(("text",), "alertBackground", TEXT, "text in success, warning and error alerts",
                 "Tekst in meldingen (gelukt, let op, fout)"),
    ContrastRule(("heading",), "background", LARGE, "headings (large text: 24 px and more, bold)",
                 "Koppen (grote tekst)"),
    ContrastRule(("link",), "background", TEXT, "links", "Links"),
    ContrastRule(("linkVisited",), "background", TEXT, "visited links", "Bezochte links"),
    ContrastRule(("link",), "primaryTint", TEXT, "links on light panels", "Links op lichte vlakken"),
    ContrastRule(("primaryText",), "primary", TEXT, "primary buttons, navigation and footer",
                 "Hoofdknop, navigatie en voettekst"),
    ContrastRule(("primaryText",), "primaryHover", TEXT, "primary buttons under the mouse or with focus",
                 "Hoofdknop onder de muis of met focus"),
    ContrastRule(("primary",), "background", TEXT, "the label and border of secondary buttons",
                 "Tekst en rand van de tweede knop"),
    ContrastRule(("primaryHover",), "primaryTint", TEXT, "secondary buttons under the mouse or with focus",
                 "Tweede knop onder de muis of met focus"),
    ContrastRule(("headerText",), "headerBackground", TEXT, "the page header", "Tekst in de kop"),
    ContrastRule(("focus",), "background", UI, "the focus outline", "Focusrand op de pagina"),
    ContrastRule(("focus", "focusRing"), "headerBackground", UI, "the focus indicator in the page header",
                 "Focusaanduiding in de kop"),
    ContrastRule(("focus", "focusRing"), "primary", UI, "the focus indicator in the navigation bar and footer",
                 "Focusaanduiding in navigatie en voettekst"),
    ContrastRule(("focus",), "focusRing", TEXT, "the text of a focused link", "Tekst van een link met focus"),
)

# Which Utrecht component tokens (and Plein's own --plein-* tokens) each theme token sets.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "primary": (
        "--plein-color-primary", "--utrecht-button-primary-action-background-color",
        "--utrecht-button-primary-action-border-color", "--utrecht-button-secondary-action-border-color",
        "--utrecht-button-secondary-action-color", "--utrecht-page-footer-background-color",
        "--utrecht-alert-info-border-color", "--utrecht-table-header-border-block-end-color",
        "--utrecht-radio-button-color", "--utrecht-radio-button-checked-border-color",
        "--utrecht-radio-button-checked-color", "--utrecht-form-control-hover-border-color",
        "--utrecht-pagination-page-link-current-background-color",
    ),
    "primaryText": (
        "--plein-color-primary-text", "--utrecht-button-primary-action-color",
        "--utrecht-button-primary-action-hover-color", "--utrecht-button-primary-action-active-color",
        "--utrecht-button-primary-action-focus-color", "--utrecht-page-footer-color",
        "--utrecht-pagination-page-link-current-color",
    ),
    "primaryHover": (
        "--plein-color-primary-hover", "--utrecht-button-primary-action-hover-background-color",
        "--utrecht-button-primary-action-hover-border-color", "--utrecht-button-primary-action-active-background-color",
        "--utrecht-button-primary-action-active-border-color", "--utrecht-button-primary-action-focus-background-color",
        "--utrecht-button-primary-action-focus-border-color", "--utrecht-button-secondary-action-hover-border-color",
        "--utrecht-button-secondary-action-hover-color", "--utrecht-button-secondary-action-focus-color",
        "--utrecht-button-secondary-action-active-color",
    ),
    "primaryTint": (
        "--plein-color-primary-tint", "--utrecht-button-secondary-action-hover-background-color",
        "--utrecht-button-secondary-action-focus-background-color", "--utrecht-alert-info-background-color",
        "--utrecht-table-header-background-color",
    ),
    "text": (
        "--plein-color-text", "--utrecht-document-color", "--utrecht-heading-3-color", "--utrecht-form-control-color",
        "--utrecht-select-color", "--utrecht-form-label-color", "--utrecht-form-fieldset-legend-color",
        "--utrecht-alert-color", "--utrecht-alert-info-color", "--utrecht-alert-ok-color",
        "--utrecht-alert-warning-color", "--utrecht-alert-error-color", "--utrecht-table-header-color",
        "--utrecht-status-badge-color",
    ),
    "heading": ("--plein-color-heading", "--utrecht-heading-1-color", "--utrecht-heading-2-color"),
    "link": (
        "--plein-color-link", "--utrecht-link-color", "--utrecht-link-hover-color", "--utrecht-link-active-color",
        "--utrecht-pagination-page-link-color",
    ),
    "linkVisited": ("--plein-color-link-visited", "--utrecht-link-visited-color"),
    "focus": (
        "--plein-color-focus", "--utrecht-focus-outline-color", "--utrecht-link-focus-color",
        "--utrecht-form-control-focus-border-color", "--utrecht-skip-link-color",
    ),
    "focusRing": (
        "--plein-color-focus-ring", "--utrecht-focus-inverse-outline-color", "--utrecht-link-focus-background-color",
        "--utrecht-skip-link-background-color",
    ),
    "headerBackground": ("--plein-color-header-background", "--utrecht-page-header-background-color"),
    "headerText": ("--plein-color-header-text", "--utrecht-page-header-color"),
    "fontFamily": (
        "--plein-font", "--utrecht-document-font-family", "--utrecht-heading-1-font-family",
        "--utrecht-heading-2-font-family", "--utrecht-heading-3-font-family", "--utrecht-paragraph-font-family",
        "--utrecht-button-font-family", "--utrecht-form-control-font-family", "--utrecht-select-font-family",
        "--utrecht-table-font-family", "--utrecht-form-fieldset-legend-font-family",
    ),
}


class ThemeError(InvalidInput):
    """A theme that Plein refuses: each invalid param names the token and what is wrong with it."""

    title = "The theme is not valid"


# Colour arithmetic (WCAG 2.1, "relative luminance" and "contrast ratio")

def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour '#rrggbb': 0 for black, 1 for white."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter colour: from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def format_ratio(ratio: float) -> str:
    """'4.49:1', rounded down, so a ratio just below a minimum never reads as reaching it."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def mix(colour: str, other: str, weight: float) -> str:
    """colour moved `weight` of the way towards other, per sRGB channel."""
    mixed = (round(a + (b - a) * weight) for a, b in zip(_channels(colour), _channels(other), strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def normalise_colour(value: str) -> str:
    """'#ABC' -> '#aabbcc'."""
    digits = value[1:].lower()
    return "#" + ("".join(char * 2 for char in digits) if len(digits) == 3 else digits)


# The resolved theme

@dataclass(frozen=True)
class Theme:
    """Every token with its value (the theme's own, the default's, or derived), and the logo's SVG if it has one."""

    colours: dict[str, str]
    font_family: str
    logo: str | None = None
    derived: frozenset[str] = field(default_factory=frozenset)

    def colour(self, name: str) -> str:
        """A colour token's value, or a fixed background's (FIXED)."""
        return FIXED[name] if name in FIXED else self.colours[name]

    def css(self, code: str) -> str:
        """The theme's custom properties on `.plein-theme--<code>` (literal values, so they apply on any element)."""
        values = {**self.colours, "fontFamily": self.font_family}
        lines = [f"/* Huisstijl {code}: design tokens for the NL Design System (Utrecht) components and Plein. */",
                 f".plein-theme--{code} {{"]
        for token, properties in PROPERTIES.items():
            lines.extend(f"  {prop}: {values[token]};" for prop in properties)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def logo_svg(self, name: str) -> str:
        """The theme's logo, or a plain wordmark of the municipality's name in the theme's colours."""
        if self.logo:
            try:
                return logos.clean_svg(self.logo)
            except logos.LogoError:
                pass  # a stored logo that no longer passes (checks got stricter): never served
        return logos.wordmark(name, self.colours["primary"], self.colours["text"], self.font_family)

    def contrasts(self) -> list[tuple[ContrastRule, str, float]]:
        """Every rule with the foreground that does best and its ratio, for the preview page and the checks."""
        results = []
        for rule in RULES:
            background = self.colour(rule.background)
            best = max(rule.foregrounds, key=lambda token: contrast_ratio(self.colour(token), background))
            results.append((rule, best, contrast_ratio(self.colour(best), background)))
        return results


def _describe(theme: Theme, name: str) -> str:
    if name in FIXED:
        return f"{FIXED_NAMES[name]} ({FIXED[name]})"
    derived = f", derived; set {name} to choose another" if name in theme.derived else ""
    return f"{name} ({theme.colour(name)}{derived})"


def contrast_problems(theme: Theme) -> list[InvalidParam]:
    """One problem per rule that does not hold, naming the tokens and the ratio found."""
    problems = []
    for rule, best, ratio in theme.contrasts():
        if ratio >= rule.minimum:
            continue
        tokens = " or ".join(_describe(theme, token) for token in rule.foregrounds)
        problems.append(InvalidParam(
            best, "contrast",
            f"{tokens} on {_describe(theme, rule.background)} has a contrast of {format_ratio(ratio)}; at least "
            f"{rule.minimum:g}:1 is needed for {rule.what} (WCAG 2.1 AA)",
        ))
    return problems


# Validation of a theme as given (by a beheerder, a file, the demo data)

def _check_colours(data: Mapping[str, Any], clean: dict[str, Any], problems: list[InvalidParam]) -> None:
    for token in COLOURS:
        if token not in data:
            continue
        value = data[token]
        if isinstance(value, str) and HEX.match(value):
            clean[token] = normalise_colour(value)
        else:
            problems.append(InvalidParam(token, "format", f"{token} must be a hex colour like #1a2b3c, not {value!r}"))


def _check_font(data: Mapping[str, Any], clean: dict[str, Any], problems: list[InvalidParam]) -> None:
    if "fontFamily" not in data:
        return
    value = data["fontFamily"]
    if isinstance(value, str) and FONT_FAMILY.match(value):
        clean["fontFamily"] = value.strip()
    else:
        problems.append(InvalidParam("fontFamily", "format", "fontFamily must be a CSS font-family list of at most 200 "
                                     "letters, digits, spaces, commas, quotes and hyphens, like 'Arial, sans-serif'"))


def _check_logo(data: Mapping[str, Any], clean: dict[str, Any], problems: list[InvalidParam]) -> None:
    if "logo" in data and "logoFile" in data:
        problems.append(InvalidParam("logo", "conflict", "give either logo (SVG text) or logoFile, not both"))
        return
    for name, load in (("logo", lambda value: value), ("logoFile", logos.builtin_logo)):
        if name not in data:
            continue
        value = data[name]
        try:
            if not isinstance(value, str):
                raise logos.LogoError(f"{name} must be a text")
            cleaned = logos.clean_svg(load(value))
        except logos.LogoError as exc:
            problems.append(InvalidParam(name, "logo", f"{name}: {exc}"))
            continue
        clean[name] = cleaned if name == "logo" else value  # a built-in logo is stored by name


def _check_shape(data: object, problems: list[InvalidParam]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        problems.append(InvalidParam("theme", "type", "a theme is a mapping of token names to values"))
        return {}
    known = (*COLOURS, *OTHER_TOKENS)
    for key in data:
        if key not in known:
            problems.append(InvalidParam(str(key), "unknown", f"'{key}' is not a theme token; the tokens are "
                                         + ", ".join(known)))
    if data.get("version", VERSION) != VERSION:
        problems.append(InvalidParam("version", "version", f"version must be {VERSION}"))
    return data


def validate_theme(data: object) -> dict[str, Any]:
    """The theme as stored: known tokens only, colours normalised, the logo cleaned, plus its version.

    Raises ThemeError listing every problem: an unknown token, a colour that is not hex, a font or logo Plein will
    not serve, and each pair of colours that does not reach WCAG 2.1 AA contrast (with the ratio found).
    """
    problems: list[InvalidParam] = []
    given = _check_shape(data, problems)
    clean: dict[str, Any] = {"version": VERSION}
    _check_colours(given, clean, problems)
    _check_font(given, clean, problems)
    _check_logo(given, clean, problems)
    if not problems:
        problems = contrast_problems(resolve(clean))
    if problems:
        raise ThemeError("The theme is refused: " + "; ".join(problem.reason for problem in problems), problems)
    return clean


def resolve(stored: Mapping[str, Any]) -> Theme:
    """The full theme for stored tokens (already validated): the default theme's values for what is left out, or
    values derived from the theme's own colours for the tokens in DERIVED."""
    colours = {token: stored[token] for token in COLOURS if token in stored}
    base = {token: DEFAULT_TOKENS[token] for token in COLOURS if token not in DERIVED}
    merged = {**base, **colours}
    derived = {token for token in DERIVED if token not in colours}
    for token, derive in DERIVED.items():  # a theme of its own: derive what it left out; the default has its own
        if token in derived:
            merged[token] = derive(merged) if colours else DEFAULT_TOKENS[token]
    if not colours:
        derived = set()
    logo = stored.get("logo")
    if logo is None and stored.get("logoFile"):
        logo = logos.builtin_logo(str(stored["logoFile"]))
    font = str(stored.get("fontFamily", DEFAULT_TOKENS["fontFamily"]))
    return Theme(colours={token: merged[token] for token in COLOURS}, font_family=font, logo=logo,
                 derived=frozenset(derived))


DEFAULT_THEME = resolve({})


def theme_of(stored: Mapping[str, Any] | None) -> tuple[Theme, bool]:
    """The theme to show for a stored theme, and whether it is the stored one: a stored theme that does not pass
    the checks (written past them, or stricter checks since) is replaced by the default theme, never shown."""
    if not stored:
        return DEFAULT_THEME, True
    return _checked_theme(orjson.dumps(stored, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=512)
def _checked_theme(text: bytes) -> tuple[Theme, bool]:
    """theme_of for a stored theme as JSON: checked and resolved once per process (every page and document shows
    one; the checks measure contrast)."""
    try:
        return resolve(validate_theme(orjson.loads(text))), True
    except ThemeError:
        return DEFAULT_THEME, False


def etag(text: str) -> str:
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


@cache
def demo_themes() -> dict[str, dict[str, Any]]:
    """The demo themes shipped with Plein (organisations/data/themes.yaml), by CBS code, as given."""
    text = resources.files("plein.organisations").joinpath("data/themes.yaml").read_text("utf-8")
    loaded = yaml.safe_load(text)
    return {str(code): {key: value for key, value in tokens.items() if key != "name"}
            for code, tokens in loaded["themes"].items()}
