"""Helpers for the Besluiten API tests: a catalogus with a published besluittype (with its informatieobjecttype) and
zaaktype, a zaak, documents, clients with brc autorisaties, and a response check that also validates `_expand`.

The Besluiten 1.1.0 document types the resources in `_expand` with references into other documents (Catalogi 1.3.2,
Zaken 1.6.0, Documenten 1.6.0) that it does not ship; `check` validates the resource without `_expand` against the
Besluiten document and each expanded resource against the schema of the API it comes from as Plein ships it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import validation
from plein.zgw.autorisaties import service as autorisaties
from tests.factories import client_headers
from tests.zgw.catalogi.helpers import RSIN as CATALOGUS_RSIN
from tests.zgw.catalogi.helpers import bt_body, catalogus, iot_body, post, publish
from tests.zgw.documenten.helpers import create_document
from tests.zgw.helpers import all_rights, assert_spec
from tests.zgw.zaken.helpers import CRS, Zaaktype, published_zaaktype, zaak_body

BASE = "/besluiten/api/v1"
HOST = "http://plein.test"
RSIN = CATALOGUS_RSIN  # the organisation of the types: a client of no organisation creates for it only
DETAIL = "/besluiten/{uuid}"
BIO_DETAIL = "/besluitinformatieobjecten/{uuid}"
EXPANDED_SCHEMAS = {"besluittype": ("catalogi", "BesluitType"), "zaak": ("zaken", "Zaak"),
                    "zaaktype": ("catalogi", "ZaakType"), "catalogus": ("catalogi", "Catalogus"),
                    "informatieobject": ("documenten", "EnkelvoudigInformatieObject"),
                    "informatieobjecttype": ("catalogi", "InformatieObjectType"), "besluit": ("besluiten", "Besluit"),
                    "informatieobjecttypen": ("catalogi", "InformatieObjectType")}
CATALOGI_ERRATA = {"ZaakType": "informatieobjecttypen", "InformatieObjectType": "zaaktypen"}


def _erratum(api: str, schema: str, name: str, resource: dict[str, Any]) -> bool:
    """The known errata of the documents Plein ships (see tests/zgw/catalogi and tests/zgw/documenten helpers)."""
    if api == "documenten":
        return name == "link" and resource.get("link") == ""
    return CATALOGI_ERRATA.get(schema) == name and isinstance(resource.get(name), list)


def local(url: str) -> str:
    return url.removeprefix(HOST)


def _check_expanded(body: Any) -> None:
    """Each resource in `_expand` (any depth) validates against its own API's schema; `{}` is the EmptyObject."""
    for item in body if isinstance(body, list) else [body]:
        if not isinstance(item, dict):
            continue
        for name, value in item.pop("_expand", {}).items():
            for resource in value if isinstance(value, list) else [value]:
                _check_expanded(resource)
                if resource == {}:
                    continue
                api, schema = EXPANDED_SCHEMAS[name]
                problems = [p for p in validation.errors(api, schema, resource, for_request=False)
                            if not _erratum(api, schema, p.name, resource)]
                assert not problems, (name, problems)


def check(method: str, path: str, response: httpx.Response) -> Any:
    """Status, body and API-version as the Besluiten document has them; `_expand` checked per resource."""
    if not response.content or response.status_code >= 300 or "_expand" not in response.text:
        return assert_spec("besluiten", method, path, response)
    body = response.json()
    stripped = copy.deepcopy(body)
    for item in stripped.get("results", [stripped]) if isinstance(stripped, dict) else stripped:
        _check_expanded(item)
    assert_spec("besluiten", method, path, httpx.Response(response.status_code, json=stripped,
                                                          headers={"API-version": "1.1.0"}))
    return body


@dataclass(frozen=True)
class Setup:
    """An admin, a published besluittype (recorded in documents of `iot`), a zaaktype that lists it, a zaak."""

    admin: dict[str, str]
    catalogus: str
    iot: str
    besluittype: str
    zaaktype: Zaaktype
    zaak: str


async def published(client: httpx.AsyncClient, admin: dict[str, str], collection: str,
                    body: dict[str, Any]) -> str:
    url: str = (await post(client, admin, collection, body))["url"]
    response = await publish(client, admin, url)
    assert response.status_code == 200, response.text
    return url


async def setup(client: httpx.AsyncClient, session: AsyncSession) -> Setup:
    admin = await all_rights(session) | CRS
    catalogus_url = await catalogus(client, admin)
    iot = await published(client, admin, "informatieobjecttypen", iot_body(catalogus_url, "Besluitbrief"))
    besluittype = await published(client, admin, "besluittypen", bt_body(
        catalogus_url, "Beschikking", informatieobjecttypen=["Besluitbrief"]))
    zaaktype = await published_zaaktype(client, admin, catalogus_url=catalogus_url, besluittypen=["Beschikking"])
    zaak = await create_zaak(client, admin, zaaktype.url)
    return Setup(admin, catalogus_url, iot, besluittype, zaaktype, zaak)


async def create_zaak(client: httpx.AsyncClient, headers: dict[str, str], zaaktype: str, **extra: Any) -> str:
    response = await client.post("/zaken/api/v1/zaken", json=zaak_body(zaaktype, **extra), headers=headers | CRS)
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


def besluit_body(besluittype: str, **extra: Any) -> dict[str, Any]:
    return {"verantwoordelijkeOrganisatie": RSIN, "besluittype": besluittype, "datum": "2026-11-01",
            "ingangsdatum": "2026-11-02", **extra}


async def create_besluit(client: httpx.AsyncClient, headers: dict[str, str], besluittype: str,
                         **extra: Any) -> dict[str, Any]:
    response = await client.post(f"{BASE}/besluiten", json=besluit_body(besluittype, **extra), headers=headers)
    created = check("post", "/besluiten", response)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == created["url"]
    assert isinstance(created, dict)
    return created


async def document(client: httpx.AsyncClient, headers: dict[str, str], iot: str, **extra: Any) -> str:
    url: str = (await create_document(client, headers, iot, **extra))["url"]
    return url


async def brc_client(session: AsyncSession, client_id: str, scopes: list[str], besluittypen: list[str],
                     extra: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """Headers of a client whose applicatie holds these besluiten scopes for each besluittype."""
    headers = await client_headers(session, client_id, None, [])
    grants = [{"component": "brc", "scopes": scopes, "besluittype": url} for url in besluittypen]
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": client_id,
                                                 "autorisaties": grants + (extra or [])})
    return headers
