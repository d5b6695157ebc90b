"""The `expand` of the Zaken API (zrc-025 … zrc-028): related resources inline under `_expand`, as the zaken list,
detail and _zoek offer it.

`expand=zaaktype,status.statustype,hoofdzaak.deelzaken` names paths (comma-separated, dotted for depth, to any depth,
zrc-026); every resource on a path is expanded (gemma-zaken known issue #2398), each into the `_expand` member of the
resource that refers to it: an object for a single reference (`{}`, the standard's EmptyObject, when the reference is
empty), a list for a list.
Only resources of the Zaken and Catalogi APIs are expanded (zrc-025); a path through another API or through an
attribute the resource does not have is refused before anything is read (zrc-027, zrc-028). What the caller may not
read is left out: zaken and their parts of zaaktypen and confidentialities beyond its autorisaties (zrc-006), and
catalogi resources without catalogi.lezen. Each level of a path is read in one batch per kind of resource, so a
page of 100 zaken costs a few queries per path, never some per zaak.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput, InvalidParam, NotFound, PleinError
from plein.zgw import spec
from plein.zgw.auth import ZgwCaller
from plein.zgw.catalogi import parts as catalogi_parts
from plein.zgw.catalogi import service_catalogussen, service_typen, service_zaaktypen
from plein.zgw.catalogi.common import Links
from plein.zgw.catalogi.models import BesluitType, Catalogus, InformatieObjectType, RolType, ZaakType
from plein.zgw.catalogi.service_parts import PARTS
from plein.zgw.zaken import filters, present
from plein.zgw.zaken import present_relations as shown
from plein.zgw.zaken.models import Resultaat, Rol, Status, Zaak, ZaakEigenschap, ZaakInformatieObject, ZaakObject

Tree = dict[str, "Tree"]
Bodies = dict[uuid.UUID, dict[str, Any]]
READ = frozenset({"zaken.lezen"})
CATALOGI_READ = frozenset({"catalogi.lezen"})

_CATALOGUS, _ZAAKTYPE = "catalogus", "zaaktype"
KINDS: dict[str, dict[str, str]] = {
    "zaak": {"zaaktype": _ZAAKTYPE, "hoofdzaak": "zaak", "deelzaken": "zaak", "relevanteAndereZaken": "zaak",
             "eigenschappen": "zaakeigenschap", "rollen": "rol", "status": "status",
             "zaakinformatieobjecten": "zaakinformatieobject", "zaakobjecten": "zaakobject",
             "resultaat": "resultaat"},
    "status": {"zaak": "zaak", "statustype": "statustype", "gezetdoor": "rol",
               "zaakinformatieobjecten": "zaakinformatieobject"},
    "rol": {"zaak": "zaak", "roltype": "roltype", "statussen": "status"},
    "resultaat": {"zaak": "zaak", "resultaattype": "resultaattype"},
    "zaakeigenschap": {"zaak": "zaak", "eigenschap": "eigenschap"},
    "zaakinformatieobject": {"zaak": "zaak", "status": "status"},
    "zaakobject": {"zaak": "zaak", "zaakobjecttype": "zaakobjecttype"},
    "zaaktype": {"catalogus": _CATALOGUS, "statustypen": "statustype", "roltypen": "roltype",
                 "resultaattypen": "resultaattype", "eigenschappen": "eigenschap",
                 "zaakobjecttypen": "zaakobjecttype", "informatieobjecttypen": "informatieobjecttype",
                 "besluittypen": "besluittype", "deelzaaktypen": _ZAAKTYPE, "gerelateerdeZaaktypen": _ZAAKTYPE},
    "statustype": {"zaaktype": _ZAAKTYPE, "catalogus": _CATALOGUS, "eigenschappen": "eigenschap",
                   "zaakobjecttype": "zaakobjecttype"},
    "roltype": {"zaaktype": _ZAAKTYPE, "catalogus": _CATALOGUS},
    "resultaattype": {"zaaktype": _ZAAKTYPE, "catalogus": _CATALOGUS, "besluittypen": "besluittype",
                      "informatieobjecttypen": "informatieobjecttype", "zaakobjecttypen": "zaakobjecttype"},
    "eigenschap": {"zaaktype": _ZAAKTYPE, "catalogus": _CATALOGUS, "statustype": "statustype"},
    "zaakobjecttype": {"zaaktype": _ZAAKTYPE, "catalogus": _CATALOGUS, "resultaattypen": "resultaattype",
                       "statustypen": "statustype"},
    "catalogus": {"zaaktypen": _ZAAKTYPE, "besluittypen": "besluittype",
                  "informatieobjecttypen": "informatieobjecttype"},
    "informatieobjecttype": {"catalogus": _CATALOGUS, "zaaktypen": _ZAAKTYPE, "besluittypen": "besluittype"},
    "besluittype": {"catalogus": _CATALOGUS, "zaaktypen": _ZAAKTYPE, "informatieobjecttypen": "informatieobjecttype",
                    "resultaattypen": "resultaattype"},
}
OUTSIDE = {  # references out of the Zaken and Catalogi APIs (zrc-025)
    ("zaak", "productenOfDiensten"), ("zaak", "selectielijstklasse"), ("zaak", "communicatiekanaal"),
    ("rol", "betrokkene"), ("zaakinformatieobject", "informatieobject"), ("zaakobject", "object"),
    ("zaaktype", "selectielijstProcestype"), ("zaaktype", "productenOfDiensten"),
    ("resultaattype", "resultaattypeomschrijving"), ("resultaattype", "selectielijstklasse"),
    ("zaakobjecttype", "objecttype"),
}
WITHIN = {("zaak", "relevanteAndereZaken"): "url", ("zaaktype", "gerelateerdeZaaktypen"): "zaaktype"}
LOCATION = {
    "zaak": ("zaken", "zaken"), "status": ("zaken", "statussen"), "rol": ("zaken", "rollen"),
    "resultaat": ("zaken", "resultaten"), "zaakeigenschap": ("zaken", "zaakeigenschappen"),
    "zaakinformatieobject": ("zaken", "zaakinformatieobjecten"), "zaakobject": ("zaken", "zaakobjecten"),
    "zaaktype": ("catalogi", "zaaktypen"), "statustype": ("catalogi", "statustypen"),
    "roltype": ("catalogi", "roltypen"), "resultaattype": ("catalogi", "resultaattypen"),
    "eigenschap": ("catalogi", "eigenschappen"), "zaakobjecttype": ("catalogi", "zaakobjecttypen"),
    "catalogus": ("catalogi", "catalogussen"), "informatieobjecttype": ("catalogi", "informatieobjecttypen"),
    "besluittype": ("catalogi", "besluittypen"),
}


def _refuse(code: str, reason: str, not_found: bool) -> PleinError:
    if not_found:
        return NotFound(f"expand: {reason}")
    return InvalidInput(f"expand: {reason}", [InvalidParam("expand", code, reason)])


def parse(value: str | None, kind: str = "zaak", not_found: bool = False) -> Tree:
    """The paths of an expand value as a tree, checked against what each resource has; 400 (or 404 where the
    operation documents no 400: the zaak detail) naming the first path that cannot be expanded."""
    tree: Tree = {}
    for given in (value or "").split(","):
        path = given.strip()
        if not path:
            continue
        node, current = tree, kind
        for part in path.split("."):
            if (current, part) in OUTSIDE:
                raise _refuse("expand-outside-scope", f"{path}: {part} is not a resource of the Zaken or Catalogi "
                              "API (zrc-025)", not_found)
            target = KINDS[current].get(part)
            if target is None:
                raise _refuse("invalid-expand", f"{path}: a {current} has no {part!r} to expand", not_found)
            node, current = node.setdefault(part, {}), target
    return tree


def _by_url(bodies: Sequence[dict[str, Any]]) -> Bodies:
    return {uuid.UUID(body["url"].rstrip("/").rsplit("/", 1)[-1]): body for body in bodies}


@dataclass
class Expander:
    """Expands the resources of one request for one caller."""

    session: AsyncSession
    caller: ZgwCaller
    base_url: str
    _visible: ColumnElement[bool] | None = field(default=None, init=False)

    @property
    def urls(self) -> present.Urls:
        return present.Urls(self.base_url)

    @property
    def visible(self) -> ColumnElement[bool]:
        if self._visible is None:
            self._visible = filters.visible(self.caller, self.base_url, READ)
        return self._visible

    def key(self, kind: str, value: Any) -> uuid.UUID | None:
        """The uuid in a URL of this Plein for that kind of resource; None for anything else."""
        api, collection = LOCATION[kind]
        start = f"{self.base_url}{spec.APIS[api].prefix}/"
        if not isinstance(value, str) or not value.startswith(start):
            return None
        parts = value.removeprefix(start).rstrip("/").split("/")
        if len(parts) < 2 or parts[-2] != collection:
            return None
        try:
            return uuid.UUID(parts[-1])
        except ValueError:
            return None

    def references(self, kind: str, attr: str, target: str,
                   body: dict[str, Any]) -> tuple[bool, list[uuid.UUID | None]]:
        """(whether the attribute is a list, the keys it refers to: None for a reference elsewhere)."""
        value, inner = body.get(attr), WITHIN.get((kind, attr))
        if isinstance(value, list):
            urls = [item.get(inner) if inner and isinstance(item, dict) else item for item in value]
            return True, [self.key(target, url) for url in urls]
        if isinstance(value, str) and value:
            return False, [self.key(target, value)]
        return False, []

    async def apply(self, kind: str, bodies: list[dict[str, Any]], tree: Tree) -> None:
        """Expand the tree's paths on these resources of one kind (level by level, one batch per attribute)."""
        for attr, subtree in tree.items():
            target = KINDS[kind][attr]
            found = [self.references(kind, attr, target, body) for body in bodies]
            wanted = sorted({key for _, keys in found for key in keys if key is not None})
            loaded = await LOADERS[target](self, wanted) if wanted else {}
            if subtree and loaded:
                await self.apply(target, list(loaded.values()), subtree)
            for body, (many, keys) in zip(bodies, found, strict=True):
                expansion = body.setdefault("_expand", {})
                if many:
                    expansion[attr] = [loaded[key] for key in keys if key is not None and key in loaded]
                elif not keys:
                    expansion[attr] = {}  # the standard's EmptyObject for an empty reference
                elif keys[0] is not None and keys[0] in loaded:
                    expansion[attr] = loaded[keys[0]]


async def expand(session: AsyncSession, caller: ZgwCaller, base_url: str, bodies: list[dict[str, Any]],
                 value: str | None, not_found: bool = False) -> None:
    """Add `_expand` to zaken (their representations, in place) as the expand value asks."""
    tree = parse(value, "zaak", not_found)
    if tree and bodies:
        await Expander(session, caller, base_url).apply("zaak", bodies, tree)


# --- loaders: resources by uuid, only those the caller may read -----------------------------------------------

async def _zaken(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    rows = list(await exp.session.scalars(select(Zaak).where(Zaak.id.in_(keys), exp.visible)))
    return _by_url(await present.zaken(exp.session, exp.urls, rows))


async def _visible_rows(exp: Expander, model: Any, keys: list[uuid.UUID]) -> list[tuple[Any, Zaak]]:
    rows = await exp.session.execute(select(model, Zaak).join(Zaak, Zaak.id == model.zaak_id)
                                     .where(model.id.in_(keys), exp.visible))
    return [(row, zaak) for row, zaak in rows]


async def _grouped(exp: Expander, parent: Any, child: Any, keys: Sequence[uuid.UUID],
                   order: Any) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for owner, key in await exp.session.execute(select(parent, child).where(parent.in_(keys)).order_by(*order)):
        found[owner].append(key)
    return found


async def _statussen(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    rows = await _visible_rows(exp, Status, keys)
    documents = await _grouped(exp, ZaakInformatieObject.status_id, ZaakInformatieObject.id, [s.id for s, _ in rows],
                               (ZaakInformatieObject.created_at, ZaakInformatieObject.id))
    return {s.id: present.status(exp.urls, s, z.status_id, documents.get(s.id, [])) for s, z in rows}


async def _rollen(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    rows = await _visible_rows(exp, Rol, keys)
    roltypen = {r.id: r for r in await exp.session.scalars(
        select(RolType).where(RolType.id.in_({rol.roltype_id for rol, _ in rows})))}
    statussen = await _grouped(exp, Status.gezetdoor_id, Status.id, [rol.id for rol, _ in rows],
                               (Status.datum_status_gezet, Status.id))
    return {rol.id: present.rol(exp.urls, rol, roltypen[rol.roltype_id].omschrijving,
                                roltypen[rol.roltype_id].omschrijving_generiek, statussen.get(rol.id, []))
            for rol, _ in rows}


async def _resultaten(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    return {row.id: present.resultaat(exp.urls, row) for row, _ in await _visible_rows(exp, Resultaat, keys)}


async def _zaakeigenschappen(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    return {row.id: shown.zaakeigenschap(exp.urls, row) for row, _ in await _visible_rows(exp, ZaakEigenschap, keys)}


async def _zaakinformatieobjecten(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    rows = await _visible_rows(exp, ZaakInformatieObject, keys)
    return {row.id: shown.zaakinformatieobject(exp.urls, row) for row, _ in rows}


async def _zaakobjecten(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
    return {row.id: shown.zaakobject(exp.urls, row) for row, _ in await _visible_rows(exp, ZaakObject, keys)}


Represent = Callable[[AsyncSession, Links, list[Any]], Awaitable[list[dict[str, Any]]]]


def _catalogi(model: Any, represent: Represent) -> Callable[[Expander, list[uuid.UUID]], Awaitable[Bodies]]:
    """A loader of catalogi resources, for callers that may read the catalogi (catalogi.lezen)."""
    async def load(exp: Expander, keys: list[uuid.UUID]) -> Bodies:
        if not exp.caller.may("ztc", CATALOGI_READ):
            return {}
        rows = list(await exp.session.scalars(select(model).where(model.id.in_(keys))))
        return _by_url(await represent(exp.session, Links(exp.base_url), rows)) if rows else {}
    return load


def _part(collection: str) -> Callable[[Expander, list[uuid.UUID]], Awaitable[Bodies]]:
    part = PARTS[collection]

    async def represent(session: AsyncSession, links: Links, rows: list[Any]) -> list[dict[str, Any]]:
        return await catalogi_parts.represent_many(session, links, part, rows)
    return _catalogi(part.model, represent)


async def _zaaktypen(session: AsyncSession, links: Links, rows: list[Any]) -> list[dict[str, Any]]:
    return await service_zaaktypen.represent_many(session, links, rows)


async def _iots(session: AsyncSession, links: Links, rows: list[Any]) -> list[dict[str, Any]]:
    return await service_typen.represent_informatieobjecttypen(session, links, rows)


async def _besluittypen(session: AsyncSession, links: Links, rows: list[Any]) -> list[dict[str, Any]]:
    return await service_typen.represent_besluittypen(session, links, rows)


async def _catalogussen(session: AsyncSession, links: Links, rows: list[Any]) -> list[dict[str, Any]]:
    return await service_catalogussen.represent_many(session, links, rows)


LOADERS: dict[str, Callable[[Expander, list[uuid.UUID]], Awaitable[Bodies]]] = {
    "zaak": _zaken, "status": _statussen, "rol": _rollen, "resultaat": _resultaten,
    "zaakeigenschap": _zaakeigenschappen, "zaakinformatieobject": _zaakinformatieobjecten,
    "zaakobject": _zaakobjecten, "zaaktype": _catalogi(ZaakType, _zaaktypen),
    "statustype": _part("statustypen"), "roltype": _part("roltypen"), "resultaattype": _part("resultaattypen"),
    "eigenschap": _part("eigenschappen"), "zaakobjecttype": _part("zaakobjecttypen"),
    "catalogus": _catalogi(Catalogus, _catalogussen), "informatieobjecttype": _catalogi(InformatieObjectType, _iots),
    "besluittype": _catalogi(BesluitType, _besluittypen),
}
