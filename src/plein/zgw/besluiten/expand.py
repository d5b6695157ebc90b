"""The `expand` query parameter: linked resources shown in `_expand`, to any depth with the dot notation.

`expand=besluittype,zaak.zaaktype` puts the besluittype under `_expand.besluittype` and the zaak under `_expand.zaak`,
that zaak with its zaaktype under its own `_expand`. The first level must be one the standard's document names for
the resource (BesluitEmbedded, BesluitInformatieObjectEmbedded); a deeper name must be an attribute of the expanded
resource that holds URLs of resources this Plein serves and can show here: catalogi (catalogussen, zaaktypen,
besluittypen, informatieobjecttypen), zaken, enkelvoudiginformatieobjecten and besluiten. Anything else is a 400
naming `expand`. An empty reference expands to `{}` (the document's EmptyObject). A zaak, document or besluit the
caller may not read is left out of `_expand` (its URL stays in the resource). Each level is loaded in one batch
per kind of resource; only documents are read one by one, through the Documenten service that authorises each.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from plein.errors import Forbidden, InvalidInput, InvalidParam, NotFound
from plein.zgw import spec
from plein.zgw.auth import VERTROUWELIJKHEID
from plein.zgw.besluiten import present
from plein.zgw.besluiten.models import Besluit
from plein.zgw.besluiten.service import Scope, may_read
from plein.zgw.catalogi import service_catalogussen, service_typen, service_zaaktypen
from plein.zgw.catalogi.common import Links as CatalogiLinks
from plein.zgw.catalogi.models import BesluitType, Catalogus, InformatieObjectType, ZaakType
from plein.zgw.documenten import service as documenten
from plein.zgw.documenten.common import Links as DocumentenLinks
from plein.zgw.zaken import present as zaken_present
from plein.zgw.zaken.models import Zaak

Tree = dict[str, "Tree"]
Loader = Callable[[Scope, list[uuid.UUID]], Awaitable[dict[uuid.UUID, dict[str, Any]]]]
TOP_LEVEL = {"besluit": ("besluittype", "zaak"), "besluitinformatieobject": ("informatieobject", "besluit")}


def bad_expand(reason: str) -> InvalidInput:
    return InvalidInput(f"expand: {reason}", [InvalidParam("expand", "invalid-expand", reason)])


def parse(raw: str | None, resource: str) -> Tree:
    """The expand paths as a tree (`zaak.zaaktype,zaak` → {zaak: {zaaktype: {}}}); 400 on a name the resource lacks."""
    tree: Tree = {}
    for path in (raw or "").split(","):
        if not path.strip():
            continue
        names = [name.strip() for name in path.split(".")]
        if not all(names):
            raise bad_expand(f"{path!r} is not a dotted list of attribute names")
        if names[0] not in TOP_LEVEL[resource]:
            raise bad_expand(f"a {resource} can expand {', '.join(TOP_LEVEL[resource])}, not {names[0]!r}")
        node = tree
        for name in names:
            node = node.setdefault(name, {})
    return tree


async def _catalogi(scope: Scope, model: Any, keys: list[uuid.UUID],
                    represent: Callable[..., Awaitable[list[dict[str, Any]]]]) -> dict[uuid.UUID, dict[str, Any]]:
    rows = list(await scope.session.scalars(select(model).where(model.id.in_(keys))))
    bodies = await represent(scope.session, CatalogiLinks(scope.base_url), rows)
    return {row.id: body for row, body in zip(rows, bodies, strict=True)}


async def _catalogussen(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _catalogi(scope, Catalogus, keys, service_catalogussen.represent_many)


async def _zaaktypen(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _catalogi(scope, ZaakType, keys, service_zaaktypen.represent_many)


async def _besluittypen(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _catalogi(scope, BesluitType, keys, service_typen.represent_besluittypen)


async def _informatieobjecttypen(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _catalogi(scope, InformatieObjectType, keys, service_typen.represent_informatieobjecttypen)


async def _zaken(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The zaken the caller may read (zaken.lezen for the zaaktype up to the zaak's confidentiality)."""
    rows = [row for row in await scope.session.scalars(select(Zaak).where(Zaak.id.in_(keys)))
            if scope.caller.may_on("zrc", frozenset({"zaken.lezen"}), scope.urls.zaaktype(row.zaaktype_id),
                                   VERTROUWELIJKHEID[row.vertrouwelijkheid])]
    bodies = await zaken_present.zaken(scope.session, zaken_present.Urls(scope.base_url), rows)
    return {row.id: body for row, body in zip(rows, bodies, strict=True)}


async def _documenten(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The current versions of the documents the caller may read."""
    links = DocumentenLinks(scope.base_url)
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for key in keys:
        try:
            found[key] = (await documenten.read(scope.session, scope.caller, links, key)).represent(links)
        except (Forbidden, NotFound):
            continue
    return found


async def _besluiten(scope: Scope, keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    rows = await scope.session.scalars(select(Besluit).where(Besluit.id.in_(keys)))
    return {row.id: present.besluit(scope.urls, row) for row in rows if may_read(scope, row)}


LOADERS: dict[tuple[str, str], Loader] = {
    ("catalogi", "catalogussen"): _catalogussen, ("catalogi", "zaaktypen"): _zaaktypen,
    ("catalogi", "besluittypen"): _besluittypen, ("catalogi", "informatieobjecttypen"): _informatieobjecttypen,
    ("zaken", "zaken"): _zaken, ("documenten", "enkelvoudiginformatieobjecten"): _documenten,
    ("besluiten", "besluiten"): _besluiten,
}


def locate(base_url: str, value: str) -> tuple[tuple[str, str], uuid.UUID] | None:
    """(api, collection) and uuid of a URL of a resource this Plein can show in `_expand`; None otherwise."""
    parsed, base = urlparse(value), urlparse(base_url)
    if parsed.netloc != base.netloc or parsed.query or parsed.fragment:
        return None
    parts = parsed.path.removeprefix(base.path.rstrip("/")).strip("/").split("/")
    if len(parts) != 5 or parts[1:3] != ["api", "v1"] or parts[0] not in spec.APIS:
        return None
    kind = (parts[0], parts[3])
    try:
        return (kind, uuid.UUID(parts[4])) if kind in LOADERS else None
    except ValueError:
        return None


def _references(base_url: str, items: list[dict[str, Any]], name: str) -> list[tuple[tuple[str, str], uuid.UUID]]:
    """Every URL the attribute holds in these items, located; 400 when one is not a resource that can be expanded."""
    found = []
    for item in items:
        if name not in item:
            raise bad_expand(f"there is no attribute {name!r} to expand")
        value = item[name]
        for url in value if isinstance(value, list) else [value]:
            if url in (None, ""):
                continue
            where = locate(base_url, url) if isinstance(url, str) else None
            if where is None:
                raise bad_expand(f"{name!r} does not refer to a resource that can be expanded here")
            found.append(where)
    return found


async def apply(scope: Scope, items: list[dict[str, Any]], tree: Tree) -> None:
    """Add `_expand` to each item (in place) for the paths of the tree, level by level."""
    if not tree or not items:
        return
    for name, subtree in tree.items():
        wanted: dict[tuple[str, str], set[uuid.UUID]] = {}
        for kind, key in _references(scope.base_url, items, name):
            wanted.setdefault(kind, set()).add(key)
        loaded: dict[tuple[tuple[str, str], uuid.UUID], dict[str, Any]] = {}
        for kind, keys in wanted.items():
            for key, body in (await LOADERS[kind](scope, sorted(keys))).items():
                loaded[(kind, key)] = body
        for item in items:
            _place(scope.base_url, item, name, loaded)
        children = {id(body): body for body in loaded.values()}
        await apply(scope, list(children.values()), subtree)


def _place(base_url: str, item: dict[str, Any], name: str,
           loaded: dict[tuple[tuple[str, str], uuid.UUID], dict[str, Any]]) -> None:
    value = item[name]
    target = item.setdefault("_expand", {})
    if isinstance(value, list):
        bodies = [loaded.get(where) for where in (locate(base_url, url) for url in value) if where is not None]
        target[name] = [body for body in bodies if body is not None]
    elif value in (None, ""):
        target[name] = {}
    else:
        where = locate(base_url, value)
        if where is not None and where in loaded:
            target[name] = loaded[where]
