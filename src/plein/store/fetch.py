"""Fetching from another catalogue for a harvest: http(s) only, bounded in size and time, every redirect checked,
conditional GET with what was fetched before."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
USER_AGENT = "Plein-store-harvester/1"


class FetchError(Exception):
    """The URL could not be fetched, or what came back is not acceptable; the message says which and why."""


@dataclass
class Fetched:
    url: str  # where it came from in the end (after redirects)
    status: int  # 200, or 304 when it did not change since the ETag or date given
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


def check_url(url: str) -> str:
    """The URL when it is an absolute http(s) URL with a host; FetchError otherwise (file:, ftp:, data:, ...)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"'{url}' is not an http(s) URL with a host; only http and https are harvested")
    if parts.username or parts.password:
        raise FetchError(f"'{url}' carries a user name or password; those are not sent to other catalogues")
    return url.strip()


def web_url(value: object) -> str | None:
    """The value when it is an http(s) URL that may be shown as a link, else None (never javascript: or data:)."""
    try:
        return check_url(value)[:2000] if isinstance(value, str) else None
    except FetchError:
        return None


def same_origin(url: str, other: str) -> bool:
    first, second = urlsplit(url), urlsplit(other)
    return (first.scheme, first.hostname, first.port) == (second.scheme, second.hostname, second.port)


def make_client(timeout: float) -> httpx.AsyncClient:
    """The harvest's HTTP client: no automatic redirects (fetch checks each one), a timeout for every step."""
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False,
                             headers={"User-Agent": USER_AGENT})


async def fetch(client: httpx.AsyncClient, url: str, max_bytes: int, *, etag: str | None = None,
                last_modified: str | None = None) -> Fetched:
    """GET the URL, following at most MAX_REDIRECTS redirects to http(s) URLs, reading at most max_bytes."""
    headers = {name: value for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified))
               if value}
    current = check_url(url)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", current, headers=headers) as response:
                if response.has_redirect_location:
                    current = check_url(urljoin(current, response.headers.get("location", "")))
                    continue
                return await _read(response, current, max_bytes)
    except httpx.HTTPError as exc:
        raise FetchError(f"{current} could not be fetched: {exc or type(exc).__name__}") from exc
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")


async def _read(response: httpx.Response, url: str, max_bytes: int) -> Fetched:
    if response.status_code not in (200, 304):
        raise FetchError(f"{url} answered HTTP {response.status_code}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is {int(declared):,} bytes; at most {max_bytes:,} bytes are harvested")
    content = bytearray()
    async for chunk in response.aiter_bytes():
        content.extend(chunk)
        if len(content) > max_bytes:
            raise FetchError(f"{url} is larger than {max_bytes:,} bytes; at most that is harvested")
    return Fetched(url, response.status_code, bytes(content), response.headers.get("content-type", ""),
                   response.headers.get("etag"), response.headers.get("last-modified"))
