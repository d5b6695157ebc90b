"""The `expand` parameter (drc-011 … drc-014): related resources shown inline under `_expand`, from this API and the
Catalogi API only, at most three levels deep.

`expand=informatieobjecttype` on a document adds `"_expand": {"informatieobjecttype": {…}}`; a dotted path goes on
inside the expanded resource (`informatieobject.informatieobjecttype.catalogus` on gebruiksrechten). A name that is
no reference of the resource is an error (404 on a detail as drc-013 says, 400 naming `expand` on a list, where the
document has no 404), a reference into another API (a zaak, a betrokkene) is refused with 406 (drc-011), and what
lies beyond three levels is left out (drc-012). Documents are expanded as far as the caller may read them, Catalogi
resources for a caller with catalogi.lezen.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput, NotFound
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import service_catalogussen, service_typen
from plein.zgw.catalogi.common import Links as CatalogiLinks
from plein.zgw.catalogi.models import Catalogus, InformatieObjectType
from plein.zgw.documenten import service
from plein.zgw.documenten.common import API, DOCUMENTEN, Links, invalid
from plein.zgw.http import NotAcceptable

Tree = dict[str, "Tree"]
MAX_DEPTH = 3
DOCUMENT = "enkelvoudiginformatieobject"
REFERENCES: dict[str, dict[str, str | None]] = {
    DOCUMENT: {"informatieobjecttype": "informatieobjecttype"},
    "gebruiksrechten": {"informatieobject": DOCUMENT},
    "objectinformatieobject": {"informatieobject": DOCUMENT, "object": None},
    "verzending": {"informatieobject": DOCUMENT, "betrokkene": None, "contactPersoon": None},
    "informatieobjecttype": {"catalogus": "catalogus"},
    "catalogus": {},
}
CATALOGI_LEZEN = frozenset({"catalogi.lezen"})


def parse(value: str | None, resource: str, on_list: bool) -> Tree:
    """The paths asked for, as a tree of reference names; errors as the module docstring says."""
    tree: Tree = {}
    for path in (part.strip() for part in (value or "").split(",")):
        node, kind = tree, resource
        for name in path.split(".")[:MAX_DEPTH] if path else []:
            references = REFERENCES[kind]
            if name not in references:
                reason = f"{name!r} in {path!r} is no reference of {kind} that can be expanded"
                if on_list:
                    raise invalid("expand", "invalid", reason)
                raise NotFound(f"expand: {reason} (drc-013)")
            target = references[name]
            if target is None:
                raise NotAcceptable(f"expand: {name} lies in another API; only Documenten and Catalogi resources "
                                    "are expanded (drc-011)")
            node, kind = node.setdefault(name, {}), target
    return tree


async def apply(session: AsyncSession, caller: ZgwCaller, links: Links, resource: str, bodies: list[dict[str, Any]],
                tree: Tree) -> list[dict[str, Any]]:
    """Add `_expand` to each body for the paths in the tree; returns the bodies."""
    for name, below in tree.items():
        target = REFERENCES[resource][name]
        assert target is not None
        urls = [body.get(name) for body in bodies]
        found = await _load(session, caller, links, target, {url for url in urls if isinstance(url, str)})
        if below:
            await apply(session, caller, links, target, list(found.values()), below)
        for body, url in zip(bodies, urls, strict=True):
            if isinstance(url, str) and url in found:
                body.setdefault("_expand", {})[name] = found[url]
    return bodies


def _keys(links: Links, urls: set[str], api: str, collection: str) -> list[uuid.UUID]:
    keys = []
    for url in urls:
        try:
            keys.append(links.key(url, api, collection, "expand"))
        except InvalidInput:
            continue
    return keys


async def _load(session: AsyncSession, caller: ZgwCaller, links: Links, kind: str,
                urls: set[str]) -> dict[str, dict[str, Any]]:
    if kind == DOCUMENT:
        keys = _keys(links, urls, API, DOCUMENTEN)
        _, documents = await service.list_documents(session, caller, links, {}, 1, max(1, len(keys)), keys)
        return {body["url"]: body for body in (document.represent(links) for document in documents)}
    if not caller.may("ztc", CATALOGI_LEZEN):
        return {}
    catalogi = CatalogiLinks(links.base_url)
    if kind == "informatieobjecttype":
        keys = _keys(links, urls, "catalogi", "informatieobjecttypen")
        types = list(await session.scalars(select(InformatieObjectType).where(InformatieObjectType.id.in_(keys))))
        shown = await service_typen.represent_informatieobjecttypen(session, catalogi, types)
    else:
        keys = _keys(links, urls, "catalogi", "catalogussen")
        catalogussen = list(await session.scalars(select(Catalogus).where(Catalogus.id.in_(keys))))
        shown = await service_catalogussen.represent_many(session, catalogi, catalogussen)
    return {body["url"]: body for body in shown}
