"""PDF documents from templates: an app's HTML template, filled in a Jinja sandbox, framed in the municipality's
look and made into a PDF/A-2b with WeasyPrint; optionally with a verification code and QR code anyone can check."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import threading
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
import segno
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from plein.clock import LOCAL_TIME
from plein.errors import InvalidInput
from plein.organisations import themes
from plein.organisations.models import Organisation
from plein.services import verification
from plein.web.views import euro

TEMPLATES = Path(__file__).parent / "templates" / "documents"
FRAME = "document.html"
# PDF/A-2b: part 2 allows what an HTML page draws (transparency, SVG), unlike part 1; part 3 only adds attachments
# of any format, which Plein does not make and archives advise against; level b (the look is kept exactly) is what
# WeasyPrint can promise for any template, where u and a claim more about every glyph and the structure.
PDF_VARIANT = "pdf/a-2b"
MAX_HTML_CHARACTERS = 2_000_000  # a template that makes more is a loop gone wrong: refused before layout
FALLBACK_FONTS = '"Liberation Sans", "DejaVu Sans", sans-serif'  # Debian's fonts-liberation, fonts-dejavu-core
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
RESERVED = ("gemeente", "document", "verificatie")  # names the engine gives every template, over the data's own

class TemplateError(InvalidInput):
    """The app's template cannot be rendered: a syntax error, a name the data does not have, or something the
    sandbox refuses (Python internals, changing data). The message names the problem and the line."""

    title = "The document template cannot be rendered"
    code = "document-template"


@dataclass(frozen=True)
class Rendered:
    """A rendered document: the PDF bytes, their sha256, the verification code printed on it (as printed, with
    dashes; None when not verifiable) and its row (not written until the caller's transaction flushes), and a file
    name to offer it under."""

    content: bytes
    sha256: str
    verification_code: str | None
    filename: str
    verificatie: verification.Verificatie | None = None


# --- filters a template may use ----------------------------------------------------------------------------------


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL_TIME) if value.tzinfo else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        except ValueError:
            return None
        return _as_date(parsed)
    return None


def datum(value: Any, with_time: bool = False) -> str:
    """'7 december 2026' (with_time: '7 december 2026 14:05', Dutch time) from a date, a datetime, an ISO text, or a
    Haal Centraal BRP date ({type: Datum, datum}, JaarMaandDatum, JaarDatum, DatumOnbekend)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return _hc_datum(value)
    found = _as_date(value)
    if found is None:
        return str(value)
    text = f"{found.day} {MONTHS[found.month - 1]} {found.year}"
    if with_time and isinstance(found, dt.datetime):
        text += f" {found:%H:%M}"
    return text


def _hc_datum(value: dict[str, Any]) -> str:
    kind = value.get("type")
    if kind == "Datum" or "datum" in value:
        return datum(value.get("datum"))
    if kind == "JaarMaandDatum" and isinstance(value.get("maand"), int) and 1 <= value["maand"] <= 12:
        return f"{MONTHS[value['maand'] - 1]} {value.get('jaar', '')}".strip()
    if kind == "JaarDatum":
        return str(value.get("jaar", ""))
    if kind == "DatumOnbekend":
        return "onbekend"
    return str(value.get("langFormaat", ""))


# --- the environment, the stylesheets and the PDF, made once per process (or thread) --------------------------


@cache
def environment() -> ImmutableSandboxedEnvironment:
    """The sandbox every template renders in: no Python internals, no changing of the data, autoescape on, a name
    the data lacks is an error (a blank in an official document is worse than no document); Plein's own frame is
    the only template it loads by name."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["datum"] = datum
    env.filters["euro"] = euro
    return env


@cache
def base_stylesheet() -> CSS:
    return CSS(string=(TEMPLATES / "document.css").read_text("utf-8"), url_fetcher=NoFetching())


@lru_cache(maxsize=512)
def theme_stylesheet(text: str) -> CSS:
    return CSS(string=text, url_fetcher=NoFetching())


def theme_css(theme: themes.Theme) -> str:
    """The theme's colours and font as the custom properties document.css uses (values are checked tokens: hex
    colours and a font list without braces or semicolons)."""
    colours = theme.colours
    values = {
        "font": f"{theme.font_family}, {FALLBACK_FONTS}", "text": colours["text"], "heading": colours["heading"],
        "primary": colours["primary"], "primary-tint": colours["primaryTint"],
        "header-background": colours["headerBackground"], "header-text": colours["headerText"],
    }
    return "html { " + " ".join(f"--document-{name}: {value};" for name, value in values.items()) + " }\n"


class NoFetching(URLFetcher):  # type: ignore[misc]
    """Templates and stylesheets reach nothing outside the document: no files, no network (the logo and QR code
    are inline SVG, fonts come from the system through fontconfig)."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"documents load nothing from outside ({url[:80]})")


_fonts = threading.local()
# WeasyPrint holds the GIL while it works, so renderings in one process take turns in one thread of their own: the
# event loop stays free, and no CPU goes to threads taking the GIL from each other (eight threads in one process
# rendered at 57% of the rate of one; bench/extracts.py). A server has a process per core for more at once.
_rendering = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plein-pdf")


def _font_configuration() -> FontConfiguration:
    """WeasyPrint's font configuration, one per thread (it caches fonts; it is not shared between threads)."""
    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    configuration: FontConfiguration = _fonts.configuration
    return configuration


def write_pdf(html: str, theme_text: str) -> bytes:
    """HTML to PDF/A-2b (CPU-bound: run it in a thread)."""
    stylesheets = [base_stylesheet(), theme_stylesheet(theme_text)]
    pdf: bytes = HTML(string=html, url_fetcher=NoFetching()).write_pdf(
        stylesheets=stylesheets, pdf_variant=PDF_VARIANT, font_config=_font_configuration(), uncompressed_pdf=False,
    )
    return pdf


# --- rendering ---------------------------------------------------------------------------------------------------


def qr_svg(target: str) -> Markup:
    """The QR code of a URL as inline SVG (scales to its box: a viewBox, no fixed size), black on white."""
    code = segno.make(target, error="m")
    svg = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000000", light="#ffffff",
                          title=f"QR-code naar {target}")
    return Markup(svg)  # noqa: S704 - segno's own markup; the title is escaped by segno


@lru_cache(maxsize=64)
def _compiled(template: str) -> jinja2.Template:
    """An app template compiled once per process (compiling costs more than filling it)."""
    return environment().from_string(template)


def fill(template: str, data: dict[str, Any]) -> str:
    """The app template filled with the data, in the sandbox; raises TemplateError naming what went wrong."""
    try:
        return _compiled(template).render(data)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"the document template has a syntax error on line {exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"the document template uses something the data does not have: {exc.message}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"the document template does something templates may not do: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"the document template failed on the data: {type(exc).__name__}: {exc}") from exc


def page(template: str, data: dict[str, Any], *, organisation: Organisation, theme: themes.Theme, title: str,
         verificatie: dict[str, Any] | None, issued: dt.datetime) -> str:
    """The whole HTML document: the frame with the municipality's header and the filled template as its body."""
    name = f"Gemeente {organisation.name}" if organisation.kind == "municipality" else organisation.name
    gemeente = {"naam": name, "code": organisation.code}
    local = issued.astimezone(LOCAL_TIME)
    context = {**data, "gemeente": gemeente, "document": {"titel": title, "datum": local.date()},
               "verificatie": verificatie}
    body = fill(template, context)
    frame = environment().get_template(FRAME).render(
        titel=title, gemeente=gemeente, logo=Markup(theme.logo_svg(organisation.name)),  # noqa: S704 - checked SVG
        body=Markup(body), uitgegeven=datum(local), aangemaakt=issued.isoformat(timespec="seconds"),  # noqa: S704
        verificatie=verificatie,
    )
    if len(frame) > MAX_HTML_CHARACTERS:
        raise TemplateError(f"the document is larger than {MAX_HTML_CHARACTERS:,} characters of HTML")
    return frame


def filename(title: str, day: dt.date) -> str:
    """'uittreksel-brp-2026-12-07.pdf'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80] or "document"
    return f"{slug}-{day.isoformat()}.pdf"


async def render(session: AsyncSession, *, template: str, data: dict[str, Any], organisation: Organisation,
                 title: str, base_url: str, verifiable: bool, zaak_id: uuid.UUID | None = None,
                 kind: str = "") -> Rendered:
    """The template (HTML source from an app package) filled with `data` and made into a PDF/A document of the
    municipality, titled `title`.

    The template sees the data's keys, and `gemeente` (naam, code), `document` (titel, datum) and, when verifiable,
    `verificatie` (code, url, qr: inline SVG). When verifiable, a code is issued for `kind` (default: the title;
    never personal data, its page is public) before rendering and the PDF's sha256 kept with it after, in the
    caller's transaction (written with its next flush). WeasyPrint runs in the rendering thread.
    """
    issued = dt.datetime.now(dt.UTC)
    verificatie: dict[str, Any] | None = None
    code: str | None = None
    issued_code: verification.Verificatie | None = None
    if verifiable:
        issued_code = verification.issue(session, kind=kind or title, municipality=organisation.code,
                                         zaak_id=zaak_id)
        code = verification.display(issued_code.code)
        link = verification.url(base_url, issued_code.code)
        verificatie = {"code": code, "url": link, "qr": qr_svg(link)}
    theme, _ = themes.theme_of(organisation.theme)  # a stored theme that no longer passes the checks: the default
    html = page(template, data, organisation=organisation, theme=theme, title=title, verificatie=verificatie,
                issued=issued)
    content = await asyncio.get_running_loop().run_in_executor(_rendering, write_pdf, html, theme_css(theme))
    digest = hashlib.sha256(content).hexdigest()
    if issued_code is not None:
        verification.record_hash(issued_code, digest)
    return Rendered(content=content, sha256=digest, verification_code=code,
                    filename=filename(title, issued.astimezone(LOCAL_TIME).date()), verificatie=issued_code)
