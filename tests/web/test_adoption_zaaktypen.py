"""The adoption forms when the zaaktypen of a service app cannot be provided: the page says why, nothing is kept."""

from __future__ import annotations

import html
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus
from tests.factories import AMSTERDAM, make_package
from tests.store.helpers import publish_built_in, publish_folder
from tests.web.test_pages import ADOPT, VALID, log_in, stored
from tests.zgw.catalogi.helpers import BASE, publish, publishable_zaaktype
from tests.zgw.helpers import all_rights


async def _own_zaaktype(client: httpx.AsyncClient, session: AsyncSession, identificatie: str) -> None:
    """A published zaaktype that Amsterdam made itself, through the Catalogi API."""
    catalogus = await ensure_municipality_catalogus(session, AMSTERDAM)
    await session.commit()
    headers = await all_rights(session)
    zaaktype = await publishable_zaaktype(client, headers, f"http://plein.test{BASE}/catalogussen/{catalogus.id}",
                                          identificatie)
    assert (await publish(client, headers, zaaktype["url"])).status_code == 200


async def test_activating_through_the_form_names_the_taken_identificatie(client: httpx.AsyncClient,
                                                                         session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    await _own_zaaktype(client, session, "VERHUIZING")
    token = await log_in(client, session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    refused = await client.post(ADOPT, data={**VALID, "activate": "1", "csrf_token": token})
    assert refused.status_code == 409
    page = html.unescape(refused.text)
    assert "zaaktypen[0].identificatie" in page and "gebruikt Verhuizing doorgeven al" not in page
    assert await stored(session) == []


async def test_an_upgrade_refused_for_its_zaaktypen_shows_the_page_again(
        client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    token = await log_in(client, session, "beheerder@0363", [(AMSTERDAM, "beheerder")])
    assert (await client.post(ADOPT, data={**VALID, "activate": "1", "csrf_token": token})).status_code == 303
    await _own_zaaktype(client, session, "EXTRA")
    folder = make_package(tmp_path, version="2.1.0", service=False)  # its case.zaaktype VERHUIZING is gone
    manifest = (folder / "plein.yaml").read_text("utf-8").replace("identificatie: VERHUIZING",
                                                                  "identificatie: EXTRA")
    (folder / "plein.yaml").write_text(manifest, "utf-8")
    await publish_folder(session, folder)
    [adoption] = await stored(session)
    refused = await client.post(f"/gemeenten/{AMSTERDAM}/apps/{adoption.id}/upgraden",
                                data={"version": "2.1.0", "csrf_token": token})
    assert refused.status_code == 409
    assert "already has a valid zaaktype 'EXTRA' that this app did not provide" in html.unescape(refused.text)
    [adoption] = await stored(session)
    assert adoption.release.version == "2.0.0" and adoption.status == "active"
