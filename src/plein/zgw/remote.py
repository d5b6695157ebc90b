"""Remote references: the URLs that the standard says must point at a resource of the VNG Selectielijst or
Referentielijsten APIs (a zaak's communicatiekanaal, a zaaktype's selectielijstProcestype, a resultaattype's
selectielijstklasse and resultaattypeomschrijving), checked as the reference implementation checks them.

Each API has a configurable base (PLEIN_ZGW_SELECTIELIJST_URL, PLEIN_ZGW_REFERENTIELIJSTEN_URL). A URL must lie under
its base, in the right collection (else `invalid-resource`), and answer 200 with a JSON object that has a `url`
(else `bad-url`), fetched with a short timeout and remembered for a while (a cache, so a client that sends the same
URL again costs no request). The base `local` is Plein's own small copy (referentielijsten.json), served at
/selectielijst/api/v1/ and /referentielijsten/api/v1/ and read in-process: dev, demo and test never fetch anything
from the internet. `off` accepts any URL, as Plein did before.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from plein.errors import InvalidInput, InvalidParam
from plein.settings import Settings

LOCAL_FILE = Path(__file__).with_name("referentielijsten.json")
PREFIXES = {"selectielijst": "/selectielijst/api/v1", "referentielijsten": "/referentielijsten/api/v1"}
KINDS = {  # kind of reference -> (API, collection)
    "procestype": ("selectielijst", "procestypen"),
    "resultaat": ("selectielijst", "resultaten"),
    "communicatiekanaal": ("referentielijsten", "communicatiekanalen"),
    "resultaattypeomschrijving": ("referentielijsten", "resultaattypeomschrijvingen"),
}
_ZAAK = {"communicatiekanaal": "communicatiekanaal"}
_ZAAKTYPE = {"selectielijstProcestype": "procestype"}
_RESULTAATTYPE = {"selectielijstklasse": "resultaat", "resultaattypeomschrijving": "resultaattypeomschrijving"}
FIELDS: dict[tuple[str, str], dict[str, str]] = {  # (ZGW API, request schema) -> field -> kind
    ("zaken", "Zaak"): _ZAAK, ("zaken", "PatchedZaak"): _ZAAK,
    ("catalogi", "ZaakTypeCreate"): _ZAAKTYPE, ("catalogi", "ZaakTypeUpdate"): _ZAAKTYPE,
    ("catalogi", "ResultaatTypeCreate"): _RESULTAATTYPE, ("catalogi", "ResultaatTypeUpdate"): _RESULTAATTYPE,
    ("catalogi", "PatchedResultaatType"): _RESULTAATTYPE,
}
PRODUCTION_BASES = {"selectielijst": "https://selectielijst.openzaak.nl/api/v1",
                    "referentielijsten": "https://referentielijsten-api.vng.cloud/api/v1"}


@functools.cache
def local_copy() -> dict[str, dict[str, dict[str, Any]]]:
    """Plein's own copy: collection -> id -> item (without its url, which depends on where Plein runs)."""
    raw = json.loads(LOCAL_FILE.read_text(encoding="utf-8"))
    return {collection: {item["id"]: item for item in items} for collection, items in raw.items()}


def local_item(base_url: str, collection: str, key: str) -> dict[str, Any] | None:
    """An item of the local copy as its API shows it, with URLs under `base_url` (Plein's own)."""
    item = local_copy().get(collection, {}).get(key)
    if item is None:
        return None
    api = next(name for name, known in KINDS.values() if known == collection)
    shown = {"url": f"{base_url}{PREFIXES[api]}/{collection}/{key}",
             **{name: value for name, value in item.items() if name != "id"}}
    if collection == "resultaten":
        shown["procesType"] = f"{base_url}{PREFIXES['selectielijst']}/procestypen/{item['procesType']}"
    return shown


@dataclass
class References:
    """Checks remote references against the configured bases; one per app, with its cache."""

    bases: dict[str, str]
    timeout: float
    cache_seconds: float
    _cache: dict[str, tuple[float, bool]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> References:
        default = "local" if settings.env != "production" else None
        bases = {"selectielijst": settings.zgw_selectielijst_url or default or PRODUCTION_BASES["selectielijst"],
                 "referentielijsten": (settings.zgw_referentielijsten_url or default
                                       or PRODUCTION_BASES["referentielijsten"])}
        return cls({api: base.rstrip("/") for api, base in bases.items()}, settings.zgw_reference_timeout,
                   settings.zgw_reference_cache_seconds)

    async def problems(self, base_url: str, api: str, schema: str, data: dict[str, Any]) -> list[InvalidParam]:
        """The problems of the body's reference fields (none when the body has none)."""
        found = []
        for name, kind in FIELDS.get((api, schema), {}).items():
            value = data.get(name)
            if isinstance(value, str) and value:
                problem = await self.problem(base_url, name, kind, value)
                if problem is not None:
                    found.append(problem)
        return found

    async def problem(self, base_url: str, name: str, kind: str, value: str) -> InvalidParam | None:
        api, collection = KINDS[kind]
        base = self.bases[api]
        if base == "off":
            return None
        root = f"{base_url}{PREFIXES[api]}" if base == "local" else base
        if not value.startswith(root + "/"):
            return InvalidParam(name, "bad-url", f"a {kind} URL starts with {root}/")
        rest = value.removeprefix(root + "/").strip("/").split("/")
        if len(rest) != 2 or rest[0] != collection:
            return InvalidParam(name, "invalid-resource", f"expected a URL of the {collection} of {root}")
        found = (local_item(base_url, collection, rest[1]) is not None if base == "local"
                 else await self._resolves(value))
        return None if found else InvalidParam(name, "bad-url", f"the URL does not resolve to a {kind}")

    async def _resolves(self, url: str) -> bool:
        now = time.monotonic()
        cached = self._cache.get(url)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
            body = response.json() if response.status_code == 200 else None
            found = isinstance(body, dict) and "url" in body
        except (httpx.HTTPError, ValueError):
            return False  # not remembered: the next request tries again
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[url] = (now + self.cache_seconds, found)
        return found


def references(request: Request) -> References:
    found = getattr(request.app.state, "zgw_references", None)
    if not isinstance(found, References):
        found = References.from_settings(request.app.state.settings)
        request.app.state.zgw_references = found
    return found


async def check_body(request: Request, api: str, schema: str, data: dict[str, Any]) -> None:
    """400 naming each reference field of the body that does not point at what the standard asks."""
    if (api, schema) not in FIELDS:
        return
    base_url = str(request.base_url).rstrip("/")
    problems = await references(request).problems(base_url, api, schema, data)
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)


def include_local_copy(app: FastAPI) -> None:
    """Serve the local copy at the two APIs' paths (read-only, public like the VNG's own)."""
    for api, collection in KINDS.values():
        prefix = f"{PREFIXES[api]}/{collection}"

        def routes(collection: str, prefix: str) -> None:
            async def listing(request: Request) -> JSONResponse:
                base_url = str(request.base_url).rstrip("/")
                items = [local_item(base_url, collection, key) for key in local_copy().get(collection, {})]
                return JSONResponse(items)

            async def detail(request: Request, key: str) -> JSONResponse:
                item = local_item(str(request.base_url).rstrip("/"), collection, key)
                if item is None:
                    return JSONResponse({"detail": "Niet gevonden."}, status_code=404)
                return JSONResponse(item)

            app.add_api_route(prefix, listing, methods=["GET"], include_in_schema=False)
            app.add_api_route(prefix + "/{key}", detail, methods=["GET"], include_in_schema=False)

        routes(collection, prefix)
