"""Municipal logos as SVG: an allowlist check that keeps scripts and outside references out, and a plain wordmark
for municipalities without a logo of their own."""

from __future__ import annotations

import re
from html import escape
from importlib import resources
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_LOGO_BYTES = 64 * 1024
LOGO_FILE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.svg$")

# Drawing elements only: no script, style, foreignObject, image, use, a, animate or set (they run code, load other
# resources or change the drawing over time).
ELEMENTS = frozenset({
    "svg", "g", "title", "desc", "defs", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "linearGradient", "radialGradient", "stop", "clipPath",
})
# Geometry and presentation attributes only: no event handlers (on…), no href, no style (whose url() could load).
ATTRIBUTES = frozenset({
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d",
    "points", "dx", "dy", "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-dasharray", "opacity", "transform",
    "font-family", "font-size", "font-weight", "font-style", "letter-spacing", "text-anchor", "dominant-baseline",
    "id", "role", "aria-label", "aria-hidden", "focusable", "preserveAspectRatio", "version", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clip-path", "clip-rule", "lang",
    f"{{{XML_NS}}}lang", f"{{{XML_NS}}}space",
})
LOCAL_URL = re.compile(r"url\(\s*#[A-Za-z][\w.-]*\s*\)")


class LogoError(ValueError):
    """The SVG is not one Plein serves as a logo; the message says which element or attribute and why."""


def _local_name(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _check_attribute(element: str, name: str, value: str) -> None:
    if name not in ATTRIBUTES:
        shown = name.replace(f"{{{XML_NS}}}", "xml:")
        raise LogoError(f"attribute '{shown}' on <{element}> is not allowed in a logo (only drawing attributes)")
    if "url(" in LOCAL_URL.sub("", value) or re.search(r"(?i)javascript:|data:|expression\(", value):
        raise LogoError(f"attribute '{name}' on <{element}> refers outside the logo ('{value[:60]}')")


def clean_svg(text: str) -> str:
    """The logo re-serialised from its parsed tree, so only allowed elements and attributes reach a browser.

    Raises LogoError naming the first element or attribute that is not allowed (scripts, event handlers, links,
    styles, embedded images, foreign content), a DTD or entity, or markup that is not SVG.
    """
    if len(text.encode("utf-8")) > MAX_LOGO_BYTES:
        raise LogoError(f"the logo is larger than {MAX_LOGO_BYTES // 1024} KB")
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException) as exc:
        raise LogoError(f"the logo is not well-formed SVG without a DTD or entities ({exc})") from exc
    namespace, name = _local_name(root.tag)
    if namespace != SVG_NS or name != "svg":
        raise LogoError("the logo's root element must be <svg> in the SVG namespace (http://www.w3.org/2000/svg)")
    if not root.get("viewBox"):
        raise LogoError("the <svg> element needs a viewBox, so the logo scales to the header")
    for element in root.iter():
        namespace, name = _local_name(element.tag)
        if namespace != SVG_NS or name not in ELEMENTS:
            raise LogoError(f"element <{name}> is not allowed in a logo (only drawing elements)")
        for attribute, value in element.attrib.items():
            _check_attribute(name, attribute, value)
    return _serialise(root, top=True)


def _serialise(element: Any, top: bool = False) -> str:
    """An element of a checked tree as SVG markup: SVG the default namespace, every text and value escaped."""
    name = _local_name(element.tag)[1]
    attributes = "".join(f' {attribute.replace(f"{{{XML_NS}}}", "xml:")}="{escape(value, quote=True)}"'
                         for attribute, value in element.attrib.items())
    if top:
        attributes = f' xmlns="{SVG_NS}"' + attributes
    inner = escape(element.text or "", quote=False) + "".join(
        _serialise(child) + escape(child.tail or "", quote=False) for child in element)
    return f"<{name}{attributes}>{inner}</{name}>"


def builtin_logo(file_name: str) -> str:
    """A logo shipped with Plein (organisations/data/logos/), by file name."""
    if not LOGO_FILE_PATTERN.match(file_name):
        raise LogoError(f"'{file_name}' is not a logo file name (lower-case letters, digits and '-', ending in .svg)")
    logo = resources.files("plein.organisations").joinpath("data/logos", file_name)
    if not logo.is_file():
        raise LogoError(f"Plein has no built-in logo '{file_name}'")
    return logo.read_text("utf-8")


def wordmark(name: str, mark: str, text: str, font_family: str) -> str:
    """A plain logo for a municipality without one: a square in its primary colour and its name beside it.

    The width is estimated from the name's length (about 0.6 em per character), so the name fits in any font.
    """
    width = 64 + round(len(name) * 15.5)
    font = escape(font_family, quote=True)
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} 48" width="{width}" height="48" role="img">'
        f"<title>{escape(name)}</title>"
        f'<rect x="2" y="6" width="36" height="36" rx="4" fill="{mark}"/>'
        f'<rect x="14" y="18" width="12" height="12" fill="#ffffff"/>'
        f'<text x="50" y="33" font-family="{font}" font-size="26" font-weight="700" fill="{text}">'
        f"{escape(name)}</text></svg>"
    )
