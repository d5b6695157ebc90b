"""Helpers for the Documenten API tests: published informatieobjecttypen (made with the Catalogi test helpers),
valid bodies, clients with drc autorisaties, and a response check against the standard's document that names its
two known errata.

The Documenten 1.4.2 document types `link` as a URI without allowing the empty string the reference implementation
(and Plein) gives when a document has no link; and its SchemaEIO (the detail answer) requires a `lock` in each
bestandsdeel, which Plein, like the reference implementation, shows only to the client that created the document
(a lock anyone could read would lock nothing). `check` validates every response and accepts exactly these.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx
from jsonschema.exceptions import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.autorisaties import service as autorisaties
from tests.factories import client_headers
from tests.zgw.catalogi.helpers import RSIN as CATALOGUS_RSIN
from tests.zgw.catalogi.helpers import catalogus, iot_body, post, publish
from tests.zgw.helpers import all_rights, assert_spec

BASE = "/documenten/api/v1"
HOST = "http://plein.test"
RSIN = CATALOGUS_RSIN  # the organisation of the types: a client of no organisation creates for it only
DOCUMENTEN = f"{BASE}/enkelvoudiginformatieobjecten"
DETAIL = "/enkelvoudiginformatieobjecten/{uuid}"


def _erratum(error: ValidationError) -> bool:
    path = list(error.absolute_path)
    if path and path[-1] == "link" and error.instance == "":
        return True
    return error.validator == "required" and "'lock'" in str(error.message) and "bestandsdelen" in path


def check(method: str, path: str, response: httpx.Response) -> Any:
    """Status and body as the document has them (apart from the errata above), and the API-version header."""
    return assert_spec("documenten", method, path, response, _erratum)


def local(url: str) -> str:
    return url.removeprefix(HOST)


@dataclass(frozen=True)
class Setup:
    """An admin client and two published informatieobjecttypen (openbaar and vertrouwelijk by default)."""

    admin: dict[str, str]
    iot: str
    other_iot: str


async def published_iot(client: httpx.AsyncClient, admin: dict[str, str], catalogus_url: str, omschrijving: str,
                        vertrouwelijkheid: str = "openbaar") -> str:
    body = iot_body(catalogus_url, omschrijving, vertrouwelijkheidaanduiding=vertrouwelijkheid)
    url: str = (await post(client, admin, "informatieobjecttypen", body))["url"]
    assert (await publish(client, admin, url)).status_code == 200
    return url


async def setup(client: httpx.AsyncClient, session: AsyncSession) -> Setup:
    admin = await all_rights(session)
    catalogus_url = await catalogus(client, admin)
    iot = await published_iot(client, admin, catalogus_url, "Brief")
    other = await published_iot(client, admin, catalogus_url, "Besluit", "vertrouwelijk")
    return Setup(admin, iot, other)


def document_body(iot: str, **extra: Any) -> dict[str, Any]:
    return {"bronorganisatie": RSIN, "creatiedatum": "2026-11-23", "titel": "Brief aan inwoner", "auteur": "Gemeente",
            "taal": "dut", "informatieobjecttype": iot, **extra}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def create_document(client: httpx.AsyncClient, headers: dict[str, str], iot: str,
                          **extra: Any) -> dict[str, Any]:
    response = await client.post(DOCUMENTEN, json=document_body(iot, **extra), headers=headers)
    created = check("post", "/enkelvoudiginformatieobjecten", response)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == created["url"]
    assert isinstance(created, dict)
    return created


async def drc_client(session: AsyncSession, client_id: str, scopes: list[str], grants: list[tuple[str, str]],
                     extra: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """Headers of a client whose applicatie holds these documenten scopes for each (informatieobjecttype, maximum
    vertrouwelijkheidaanduiding)."""
    headers = await client_headers(session, client_id, None, [])
    autorisaties_list = [{"component": "drc", "scopes": scopes, "informatieobjecttype": iot,
                          "maxVertrouwelijkheidaanduiding": maximum} for iot, maximum in grants]
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": client_id,
                                                 "autorisaties": autorisaties_list + (extra or [])})
    return headers
