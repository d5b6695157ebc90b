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
        return "is not a URL (it is empty or contains spaces)"
    try:
        parts = urlsplit(value)
        _ = parts.port
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme.lower() not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in sorted(schemes))
        return f"is not an absolute URL starting with one of {allowed}"
    if not parts.hostname:
        return "has no host name"
    return None


def check_web_url(ctx: Context, path: str, value: str) -> None:
    problem = url_problem(value, WEB_SCHEMES)
    if problem:
        ctx.error("publiccode.url", path, f"{path} '{value}' {problem}; use an absolute http:// or https:// URL")


def check_repository_url(ctx: Context, path: str, value: str) -> None:
    problem = url_problem(value, REPOSITORY_SCHEMES)
    if problem:
        ctx.error(
            "publiccode.url", path,
            f"{path} '{value}' {problem}; use the URL of the source code repository, "
            "preferably https:// (e.g. https://example.org/org/app.git)",
        )


def uri_problem(value: str) -> str | None:
    """Why `value` is not a syntactically valid URI (URL or URN), or None when it is one."""
    if not _URI.match(value):
        return "is not a valid URI (a URL such as https://example.org/x or a URN such as urn:x-example:x)"
    scheme = value.split(":", 1)[0].lower()
    if scheme in WEB_SCHEMES:
        return url_problem(value, WEB_SCHEMES)
    if scheme == "urn" and not _URN.match(value):
        return "is not a valid URN (urn:<namespace>:<identifier>)"
    return None


def check_uri(ctx: Context, path: str, value: str) -> None:
    problem = uri_problem(value)
    if problem:
        ctx.error("publiccode.uri", path, f"{path} '{value}' {problem}")


def check_email(ctx: Context, path: str, value: str) -> None:
    if not _EMAIL.match(value):
        ctx.error("publiccode.email", path, f"{path} '{value}' is not an e-mail address (name@example.org)")


def check_phone(ctx: Context, path: str, value: str) -> None:
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        ctx.error(
            "publiccode.phone", path,
            f"{path} '{value}' is not a phone number with international prefix; write it as + country code "
            "and number, e.g. +31 20 1234567",
        )


def date_problem(value: object) -> str | None:
    """Why `value` is not a YYYY-MM-DD calendar date, or None when it is one."""
    if type(value) is dt.date:
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        return "is not a date in the form YYYY-MM-DD"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return "is not a real calendar date"
    return None


def check_date(ctx: Context, path: str, value: object) -> None:
    problem = date_problem(value)
    if problem:
        shown = ctx.sources.get(path, str(value))
        ctx.error("publiccode.date", path, f"{path} '{shown}' {problem} (e.g. 2024-03-31)")


def language_problem(tag: object) -> str | None:
    """Why `tag` is not a BCP 47 language tag with a primary language subtag, or None when it is one."""
    if not isinstance(tag, str):
        return "is not a language tag"
    if "_" in tag:
        return f"uses '_'; BCP 47 separates subtags with '-' (e.g. {tag.replace('_', '-')})"
    if not _LANGUAGE_SUBTAG.match(tag.split("-", 1)[0]) or not langcodes.tag_is_valid(tag):
        return "is not a valid BCP 47 language tag starting with a language (e.g. nl, en, nl-NL)"
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
            f"{path} '{value}' is not an ISO 3166-1 alpha-2 country code; use two uppercase letters, e.g. NL",
        )
    elif value == value.lower():
        ctx.warning(
            "publiccode.deprecated", path,
            f"{path} '{value}' is lowercase, which the standard deprecates; write '{value.upper()}'",
        )


def check_mime_type(ctx: Context, path: str, value: str) -> None:
    if not _MIME.match(value):
        ctx.error("publiccode.mime-type", path, f"{path} '{value}' is not a media type (RFC 6838), e.g. text/plain")


def enum_of(*allowed: str) -> ValueCheck:
    """A check that the value is one of `allowed`."""

    def check(ctx: Context, path: str, value: str) -> None:
        if value not in allowed:
            options = ", ".join(allowed)
            ctx.error("publiccode.enum", path, f"{path} is '{value}'; allowed values are: {options}")

    return check


def max_length(rule: str, limit: int) -> ValueCheck:
    """A check that the value (without surrounding white space) has at most `limit` characters."""

    def check(ctx: Context, path: str, value: str) -> None:
        length = len(value.strip())
        if length > limit:
            ctx.error(rule, path, f"{path} is {length} characters; the standard allows at most {limit}")

    return check


def length_between(rule: str, low: int, high: int) -> ValueCheck:
    """A check that the value (without surrounding white space) has `low` to `high` characters."""

    def check(ctx: Context, path: str, value: str) -> None:
        length = len(value.strip())
        if not low <= length <= high:
            ctx.error(
                rule, path, f"{path} is {length} characters; the standard requires {low:,} to {high:,} characters",
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
                f"{path} '{value}' is not an accepted {kind} format ({suffix or 'no extension'}); use {allowed}",
            )

    return check


def image_file(kind: str, extensions: tuple[str, ...]) -> ValueCheck:
    """package_file, and a file in the package must be an image of an accepted format, by its bytes, and of the
    format its name says (a URL is not fetched)."""
    located = package_file(kind, extensions)
    names = {".png": "a PNG image", ".svg": "an SVG image", ".svgz": "a compressed SVG image"}

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
                      f"{path} '{value}' is not {names.get(suffix, 'an image')}: its bytes are not one; add the "
                      "real image file")
        elif found != suffix:
            ctx.error("publiccode.file-content", path,
                      f"{path} '{value}' holds {names[found]}, not what its name says ({suffix}); "
                      f"rename it to {found} or replace the file")

    return check


def _relative_file(ctx: Context, path: str, value: str) -> str | None:
    """Check that a relative path is inside the package and exists there; return its normal form."""
    normal = posixpath.normpath(value.strip()) if value.strip() else ""
    if not normal or value.startswith(("/", "\\")) or "\\" in value or normal == ".." or normal.startswith("../"):
        ctx.error(
            "publiccode.file-path", path,
            f"{path} '{value}' is not a path relative to the package root (e.g. img/logo.svg) nor an https:// URL",
        )
        return None
    files = {posixpath.normpath(name) for name in ctx.package_files}
    if normal not in files:
        close = difflib.get_close_matches(normal, sorted(files), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        ctx.error(
            "publiccode.file-missing", path,
            f"{path} names '{value}', which is not in the package{hint}; add the file or correct the path "
            "(relative to the package root)",
        )
    return normal
