"""Theme pages: each municipality's theme as CSS (/thema/<code>.css), its logo, and a public preview page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations import themes
from plein.web.views import PagePrincipal, render

router = APIRouter(include_in_schema=False)
CODE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
CACHE_CONTROL = "public, max-age=300"  # a changed theme shows within five minutes; the ETag makes checking cheap
# The logo is served as a document of its own: nothing in it may run or load, even when opened directly.
LOGO_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class ThemeOwner:
    """What the page frame needs of an organisation; the default theme's preview shows a made-up municipality."""

    code: str
    name: str
    slug: str


FIXED_LABELS = {"background": "de pagina", "alertBackground": "meldingen"}  # themes.FIXED, in Dutch
EXAMPLE = ThemeOwner(themes.DEFAULT_CODE, "Voorbeeldstad", "voorbeeldstad")


async def _theme(session: AsyncSession, code: str) -> tuple[ThemeOwner, themes.Theme, bool]:
    """The organisation, the theme its pages show, and whether that is its stored theme (False: the stored one
    failed the checks, so the default theme is shown instead)."""
    if code == themes.DEFAULT_CODE:
        return EXAMPLE, themes.DEFAULT_THEME, True
    if not CODE.match(code):
        raise NotFound(f"Er is geen gemeente met code '{code[:20]}'.")
    try:
        organisation = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(f"Er is geen gemeente met code '{code}'.") from exc
    theme, own = themes.theme_of(organisation.theme)
    return ThemeOwner(organisation.code, organisation.name, organisation.slug), theme, own


def _matches(header: str | None, tag: str) -> bool:
    """If-None-Match: '*' or a list of entity tags, weak ones (W/"…") compared weakly (RFC 9110, 13.1.2)."""
    if not header:
        return False
    candidates = [candidate.strip().removeprefix("W/") for candidate in header.split(",")]
    return "*" in candidates or tag in candidates


def _cached(request: Request, body: str, media_type: str, extra: dict[str, str] | None = None) -> Response:
    """The body with an ETag and Cache-Control; 304 without a body when the browser has this version already."""
    tag = themes.etag(body)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **(extra or {})}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/thema/{code}.css")
async def theme_css(request: Request, session: SessionDep, code: str) -> Response:
    """The theme's CSS custom properties, on the class `plein-theme--<code>` that the municipality's pages carry."""
    owner, theme, _ = await _theme(session, code)
    return _cached(request, theme.css(owner.code), "text/css")


@router.get("/thema/{code}/logo.svg")
async def theme_logo(request: Request, session: SessionDep, code: str) -> Response:
    """The municipality's logo (checked SVG), or a wordmark of its name in its colours."""
    owner, theme, _ = await _theme(session, code)
    return _cached(request, theme.logo_svg(owner.name), "image/svg+xml", LOGO_HEADERS)


def _contrast_rows(theme: themes.Theme) -> list[dict[str, Any]]:
    rows = []
    for rule, best, ratio in theme.contrasts():
        rows.append({
            "label": rule.label, "foreground": best, "background": rule.background,
            "fixed": FIXED_LABELS.get(rule.background),
            "foreground_colour": theme.colour(best), "background_colour": theme.colour(rule.background),
            "ratio": themes.format_ratio(ratio), "minimum": f"{rule.minimum:g}:1", "ok": ratio >= rule.minimum,
        })
    return rows


@router.get("/thema/{code}")
async def theme_preview(request: Request, session: SessionDep, principal: PagePrincipal, code: str) -> Response:
    """'Huisstijl van gemeente X': the municipality's header and the main components in its theme."""
    owner, theme, own = await _theme(session, code)
    colours = [(token, label, theme.colours[token], token in theme.derived)
               for token, label in themes.COLOURS.items()]
    return render(request, "organisations/theme.html", {
        "organisation": owner, "theme": theme, "own": own, "is_default": code == themes.DEFAULT_CODE,
        "colours": colours, "contrasts": _contrast_rows(theme), "home_url": f"/thema/{owner.code}",
    })


def include(app: FastAPI) -> None:
    app.include_router(router)
