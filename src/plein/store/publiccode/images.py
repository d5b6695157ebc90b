"""What a logo file is, told by its bytes (never its name, never the network): PNG, SVG or gzip-compressed SVG."""

from __future__ import annotations

import re
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GZIP_SIGNATURE = b"\x1f\x8b"
SVG_HEAD = 64 * 1024  # the root element is near the start; a compressed file is inflated no further than this
# Before the root element an XML file may hold a BOM, its declaration, comments, processing instructions and a
# doctype; the root element of an SVG image is svg (with or without a namespace prefix).
_PROLOG = re.compile(r"\A\ufeff?\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*", re.DOTALL)
_SVG_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]")


def _is_svg(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace")
    prolog = _PROLOG.match(text)
    return bool(_SVG_ROOT.match(text, prolog.end() if prolog else 0))


def image_format(data: bytes) -> str | None:
    """The extension the bytes are an image of (.png, .svg or .svgz), or None when they are none of those."""
    if data.startswith(PNG_SIGNATURE):
        return ".png"
    if data.startswith(GZIP_SIGNATURE):
        try:
            head = zlib.decompressobj(wbits=31).decompress(data, SVG_HEAD)
        except zlib.error:
            return None
        return ".svgz" if _is_svg(head) else None
    return ".svg" if _is_svg(data[:SVG_HEAD]) else None
