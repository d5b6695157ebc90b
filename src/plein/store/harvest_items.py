"""What a harvest reads from a source: the items of a Plein feed page, the URLs of a publiccode.yml list, and a
package made of a publiccode.yml alone (admitted as a listing of kind `integration`)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import yaml

from plein.store import listing
from plein.store.fetch import Fetched, FetchError, check_url, fetch, same_origin, web_url
from plein.store.findings import Finding
from plein.store.package import MANIFEST, PUBLICCODE, AppPackage, PackageError, canonical_zip, normalise_member
from plein.store.yamldoc import YamlDocError, load_yaml

MAX_URLS = 10_000
LISTING_KIND = "integration"  # a publiccode.yml alone describes software used from outside Plein


class HarvestError(Exception):
    """The source or one of its items cannot be harvested; the message says what and why."""


@dataclass
class FeedEntry:
    """One item of another Plein's feed, with the URLs made absolute; `problem` says why it cannot be used."""

    remote_url: str
    id: str
    version: str
    modified: str
    package: str
    sha256: str | None
    page: str | None
    publisher: str | None
    problem: str | None = None


def feed_entries(page: dict[str, Any], url: str) -> list[FeedEntry]:
    items = page.get("items")
    if not isinstance(items, list):
        raise HarvestError(f"{url}: the feed page has no `items` list")
    return [_entry(item, index, url) for index, item in enumerate(items)]


def _entry(item: Any, index: int, url: str) -> FeedEntry:
    where = f"{url}#items[{index}]"
    if not isinstance(item, dict):
        return FeedEntry(where, "", "", "", "", None, None, None, f"{where} is not an object")
    values = {name: item.get(name) for name in ("id", "version", "modified", "url", "package")}
    missing = [name for name, value in values.items() if not isinstance(value, str) or not value]
    remote = urljoin(url, values["url"]) if isinstance(values["url"], str) and values["url"] else where
    publisher = item.get("publisher")
    entry = FeedEntry(
        remote, str(values["id"] or ""), str(values["version"] or ""), str(values["modified"] or ""),
        urljoin(url, str(values["package"] or "")), _text(item.get("sha256")),
        web_url(urljoin(url, page)) if isinstance(page := item.get("page"), str) else None,
        _text(publisher.get("name")) if isinstance(publisher, dict) else None,
    )
    if missing:
        entry.problem = f"{where}: {', '.join(missing)} missing or not text (the feed item must have them)"
    elif not same_origin(entry.package, url) or not same_origin(entry.remote_url, url):
        entry.problem = f"{where}: its url and package must be on the feed's own host"
    return entry


def _text(value: Any) -> str | None:
    return value[:300] if isinstance(value, str) and value else None


def publiccode_urls(content: bytes, document: Any, url: str) -> list[str]:
    """The publiccode.yml URLs of a JSON list of strings or a text file of one URL a line (# starts a comment);
    a publiccode.yml itself is a list of one."""
    if isinstance(document, list) and all(isinstance(value, str) for value in document):
        lines = list(document)
    elif document is not None:
        raise HarvestError(f"{url} is neither a Plein store feed nor a list of publiccode.yml URLs")
    else:
        text = content.decode("utf-8", errors="replace")
        if "publiccodeYmlVersion" in text:
            return [url]
        lines = [line.strip() for line in text.splitlines()]
    urls: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            found = check_url(line)
        except FetchError as exc:
            raise HarvestError(f"{url}, entry {number}: {exc}") from exc
        if found not in urls:
            urls.append(found)
    if len(urls) > MAX_URLS:
        raise HarvestError(f"{url} lists more than {MAX_URLS:,} URLs")
    return urls


@dataclass
class Built:
    """A package made of a harvested publiccode.yml, and what the harvest records about it."""

    package: AppPackage
    slug: str
    version: str
    page: str | None
    publisher: str | None


async def publiccode_package(http: httpx.AsyncClient, fetched: Fetched, slug: str | None,
                             max_bytes: int) -> Built:
    """publiccode.yml as fetched (byte for byte), its logo when that is a path next to it, and a plein.yaml of
    kind integration without options or data: the admission checks judge the publiccode.yml as for any app."""
    try:
        data = load_yaml(fetched.content).data
    except YamlDocError as exc:
        raise HarvestError(f"{fetched.url}: publiccode.yml cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise HarvestError(f"{fetched.url}: publiccode.yml is not a mapping")
    slug = slug or _listing_id(data)
    if slug is None:
        raise HarvestError(f"{fetched.url}: publiccode.yml has no `url` or `name` to make an app id of")
    version = str(data.get("softwareVersion") or "unknown")
    manifest = {"plein": 1, "id": slug, "kind": LISTING_KIND, "version": version}
    files = {PUBLICCODE: fetched.content, MANIFEST: yaml.safe_dump(manifest, sort_keys=False).encode()}
    logo = data.get("logo")
    if isinstance(logo, str) and logo and "://" not in logo and not logo.startswith("/"):
        with suppress(FetchError, PackageError):  # without it, the publiccode check reports the missing file
            files[normalise_member(logo)] = (await fetch(http, urljoin(fetched.url, logo), max_bytes)).content
    package = AppPackage(files, canonical_zip(files), "zip", fetched.url)
    page = next((web_url(data[key]) for key in ("landingURL", "url") if web_url(data.get(key))), None)
    return Built(package, slug, version, page, _publisher(data))


def _listing_id(data: dict[str, Any]) -> str | None:
    """An app id from the repository URL's last part (without .git), else from the name."""
    candidates = []
    if isinstance(data.get("url"), str):
        candidates.append(data["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    if isinstance(data.get("name"), str):
        candidates.append(data["name"])
    for candidate in candidates:
        slug = "-".join(listing.tokens(candidate))[:60].strip("-")
        if len(slug) >= 3:
            return slug
    return None


def _publisher(data: dict[str, Any]) -> str | None:
    organisation = data.get("organisation")
    if isinstance(organisation, dict) and isinstance(organisation.get("name"), str):
        return str(organisation["name"])[:300]
    legal = data.get("legal")
    for key in ("repoOwner", "mainCopyrightOwner"):
        if isinstance(legal, dict) and isinstance(legal.get(key), str):
            return str(legal[key])[:300]
    return None


def short_findings(findings: list[Finding] | list[dict[str, Any]]) -> str:
    """The errors of a report in one line (rule: message), for the harvest summary."""
    errors = [f if isinstance(f, dict) else f.as_dict() for f in findings]
    errors = [f for f in errors if f.get("severity") == "error"]
    shown = "; ".join(f"{f['rule']}: {f['message']}" for f in errors[:3])
    return shown + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")
