"""Checks of single values: URLs, URIs, e-mail, phone, dates, language and country codes, paths, MIME types."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

import langcodes
import pycountry

from plein.store.publiccode.context import Context
from plein.store.publiccode.images import image_format

ValueCheck = Callable[[Context, str, str], None]

WEB_SCHEMES = frozenset({"http", "https"})
REPOSITORY_SCHEMES = WEB_SCHEMES | {"git", "ssh", "git+ssh", "svn", "svn+ssh"}
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")
_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$", re.IGNORECASE)
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+[0-9][0-9 ().-]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LANGUAGE_SUBTAG = re.compile(r"^(?:[A-Za-z]{2,3}|[A-Za-z]{5,8})$")
_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def url_problem(value: str, schemes: Collection[str]) -> str | None:
    """Why `value` is not an absolute URL with one of `schemes`, or None when it is one."""
    if not value or any(char.isspace() for char in value):
        return "is geen URL (leeg of met spaties)"
    try:
        parts = urlsplit(value)
        _ = parts.port
    except ValueError:
        return "is geen goed gevormde URL"
    if parts.scheme.lower() not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in sorted(schemes))
        return f"is geen absolute URL die begint met een van {allowed}"
    if not parts.hostname:
        return "heeft geen hostnaam"
    return None


def check_web_url(ctx: Context, path: str, value: str) -> None:
    problem = url_problem(value, WEB_SCHEMES)
    if problem:
        ctx.error("publiccode.url", path, f"{path} '{value}' {problem}; gebruik een absolute http://- of https://-URL")


def check_repository_url(ctx: Context, path: str, value: str) -> None:
    problem = url_problem(value, REPOSITORY_SCHEMES)
    if problem:
        ctx.error(
            "publiccode.url", path,
            f"{path} '{value}' {problem}; gebruik de URL van de broncode-repository, "
            "bij voorkeur https:// (bijvoorbeeld https://example.org/org/app.git)",
        )


def uri_problem(value: str) -> str | None:
    """Why `value` is not a syntactically valid URI (URL or URN), or None when it is one."""
    if not _URI.match(value):
        return "is geen geldige URI (een URL zoals https://example.org/x of een URN zoals urn:x-example:x)"
    scheme = value.split(":", 1)[0].lower()
    if scheme in WEB_SCHEMES:
        return url_problem(value, WEB_SCHEMES)
    if scheme == "urn" and not _URN.match(value):
        return "is geen geldige URN (urn:<namespace>:<identifier>)"
    return None


def check_uri(ctx: Context, path: str, value: str) -> None:
    problem = uri_problem(value)
    if problem:
        ctx.error("publiccode.uri", path, f"{path} '{value}' {problem}")


def check_email(ctx: Context, path: str, value: str) -> None:
    if not _EMAIL.match(value):
        ctx.error("publiccode.email", path, f"{path} '{value}' is geen e-mailadres (naam@example.org)")


def check_phone(ctx: Context, path: str, value: str) -> None:
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        ctx.error(
            "publiccode.phone", path,
            f"{path} '{value}' is geen telefoonnummer met landnummer; schrijf + landnummer "
            "en nummer, bijvoorbeeld +31 20 1234567",
        )


def date_problem(value: object) -> str | None:
    """Why `value` is not a YYYY-MM-DD calendar date, or None when it is one."""
    if type(value) is dt.date:
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        return "is geen datum in de vorm JJJJ-MM-DD"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return "is geen bestaande datum"
    return None


def check_date(ctx: Context, path: str, value: object) -> None:
    problem = date_problem(value)
    if problem:
        shown = ctx.sources.get(path, str(value))
        ctx.error("publiccode.date", path, f"{path} '{shown}' {problem} (bijvoorbeeld 2024-03-31)")


def language_problem(tag: object) -> str | None:
    """Why `tag` is not a BCP 47 language tag with a primary language subtag, or None when it is one."""
    if not isinstance(tag, str):
        return "is geen taalcode"
    if "_" in tag:
        return f"gebruikt '_'; BCP 47 scheidt de delen met '-' (bijvoorbeeld {tag.replace('_', '-')})"
    if not _LANGUAGE_SUBTAG.match(tag.split("-", 1)[0]) or not langcodes.tag_is_valid(tag):
        return "is geen geldige BCP 47-taalcode die met een taal begint (bijvoorbeeld nl, en, nl-NL)"
    return None


def check_language(ctx: Context, path: str, value: str) -> None:
    problem = language_problem(value)
    if problem:
        ctx.error("publiccode.language-code", path, f"{path} '{value}' {problem}")


def check_country(ctx: Context, path: str, value: str) -> None:
    known = len(value) == 2 and value.isascii() and pycountry.countries.get(alpha_2=value.upper()) is not None
    if not known or value not in (value.upper(), value.lower()):
        ctx.error(
            "publiccode.country-code", path,
            f"{path} '{value}' is geen landcode volgens ISO 3166-1 alpha-2; gebruik twee hoofdletters, bijvoorbeeld NL",
        )
    elif value == value.lower():
        ctx.warning(
            "publiccode.deprecated", path,
            f"{path} '{value}' is in kleine letters, wat de standaard verouderd noemt; schrijf '{value.upper()}'",
        )


def check_mime_type(ctx: Context, path: str, value: str) -> None:
    if not _MIME.match(value):
        ctx.error("publiccode.mime-type", path,
                  f"{path} '{value}' is geen mediatype (RFC 6838), bijvoorbeeld text/plain")


def enum_of(*allowed: str) -> ValueCheck:
    """A check that the value is one of `allowed`."""

    def check(ctx: Context, path: str, value: str) -> None:
        if value not in allowed:
            options = ", ".join(allowed)
            ctx.error("publiccode.enum", path, f"{path} is '{value}'; toegestaan zijn: {options}")

    return check


def max_length(rule: str, limit: int) -> ValueCheck:
    """A check that the value (without surrounding white space) has at most `limit` characters."""

    def check(ctx: Context, path: str, value: str) -> None:
        length = len(value.strip())
        if length > limit:
            ctx.error(rule, path, f"{path} is {length} tekens lang; de standaard staat hoogstens {limit} toe")

    return check


def length_between(rule: str, low: int, high: int) -> ValueCheck:
    """A check that the value (without surrounding white space) has `low` to `high` characters."""

    def check(ctx: Context, path: str, value: str) -> None:
        length = len(value.strip())
        if not low <= length <= high:
            ctx.error(
                rule, path,
                f"{path} is {length} tekens lang; de standaard vraagt {low:_} tot {high:_} tekens".replace("_", "."),
            )

    return check


def package_file(kind: str, extensions: tuple[str, ...]) -> ValueCheck:
    """A check for a file named by relative path (must be in the package) or absolute http(s) URL (not fetched)."""

    def check(ctx: Context, path: str, value: str) -> None:
        if _SCHEME.match(value):
            check_web_url(ctx, path, value)
            target = urlsplit(value).path
        else:
            target = _relative_file(ctx, path, value) or ""
        suffix = posixpath.splitext(target)[1].lower()
        if extensions and target and suffix not in extensions:
            allowed = ", ".join(extensions)
            ctx.error(
                "publiccode.file-format", path,
                f"{path} '{value}' heeft geen toegestaan formaat voor {kind} ({suffix or 'geen extensie'}); "
                f"gebruik {allowed}",
            )

    return check


def image_file(kind: str, extensions: tuple[str, ...]) -> ValueCheck:
    """package_file, and a file in the package must be an image of an accepted format, by its bytes, and of the
    format its name says (a URL is not fetched)."""
    located = package_file(kind, extensions)
    names = {".png": "een PNG-afbeelding", ".svg": "een SVG-afbeelding", ".svgz": "een gecomprimeerde SVG-afbeelding"}

    def check(ctx: Context, path: str, value: str) -> None:
        before = len(ctx.findings)
        located(ctx, path, value)
        data = None if _SCHEME.match(value) else ctx.contents.get(posixpath.normpath(value.strip()))
        if data is None or len(ctx.findings) > before:
            return
        found = image_format(data)
        suffix = posixpath.splitext(value.strip())[1].lower()
        if found is None:
            ctx.error("publiccode.file-content", path,
                      f"{path} '{value}' is geen {names.get(suffix, 'afbeelding').removeprefix('een ')}: de inhoud "
                      "is dat niet; voeg het echte afbeeldingsbestand toe")
        elif found != suffix:
            ctx.error("publiccode.file-content", path,
                      f"{path} '{value}' bevat {names[found]}, niet wat de naam zegt ({suffix}); "
                      f"hernoem het naar {found} of vervang het bestand")

    return check


def _relative_file(ctx: Context, path: str, value: str) -> str | None:
    """Check that a relative path is inside the package and exists there; return its normal form."""
    normal = posixpath.normpath(value.strip()) if value.strip() else ""
    if not normal or value.startswith(("/", "\\")) or "\\" in value or normal == ".." or normal.startswith("../"):
        ctx.error(
            "publiccode.file-path", path,
            f"{path} '{value}' is geen pad vanaf de hoofdmap van het pakket (bijvoorbeeld img/logo.svg) en geen https://-URL",
        )
        return None
    files = {posixpath.normpath(name) for name in ctx.package_files}
    if normal not in files:
        close = difflib.get_close_matches(normal, sorted(files), n=1)
        hint = f" (bedoelt u '{close[0]}'?)" if close else ""
        ctx.error(
            "publiccode.file-missing", path,
            f"{path} noemt '{value}', dat niet in het pakket staat{hint}; voeg het bestand toe of verbeter het pad "
            "(vanaf de hoofdmap van het pakket)",
        )
    return normal
