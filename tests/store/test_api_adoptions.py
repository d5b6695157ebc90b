"""Adopting apps over the API: options validated with defaults, status flow, upgrades, rights, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.organisations.service import get_by_code
from plein.store.models import Adoption, App
from tests.factories import AMSTERDAM, UTRECHT, client_headers, make_package
from tests.store.helpers import publish_built_in, publish_folder

ADOPTIONS = f"/api/store/v1/municipalities/{AMSTERDAM}/adoptions"


async def beheerder(session: AsyncSession, code: str = AMSTERDAM) -> dict[str, str]:
    return await client_headers(session, f"beheer-{code}", code, ["beheerder"])


async def test_adopt_applies_defaults_and_lists_the_user(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    response = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven", "options": {"intake": "balie"}},
                                 headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "planned" and body["version"] == "2.0.0"
    assert body["options"] == {"intake": "balie", "bewijsstukVereist": False, "behandeltermijnDagen": 5,
                               "automatischAfhandelen": False, "toestemmingHoofdbewoner": True,
                               "contactEmail": "burgerzaken@gemeente.example"}
    assert [event["action"] for event in body["history"]] == ["planned"]
    activated = await client.patch(f"{ADOPTIONS}/{body['id']}", json={"status": "active"}, headers=headers)
    assert activated.status_code == 200 and activated.json()["activatedAt"]
    app = (await client.get("/api/store/v1/apps/verhuizing-doorgeven")).json()
    assert app["adoptionCount"] == 1
    assert app["users"][0]["municipality"] == AMSTERDAM and app["users"][0]["status"] == "active"


async def test_invalid_option_names_the_option_and_the_rule(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    response = await client.post(ADOPTIONS, headers=headers, json={
        "app": "verhuizing-doorgeven", "options": {"behandeltermijnDagen": 0, "intake": "fax"}})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    params = {param["name"]: param["code"] for param in response.json()["invalidParams"]}
    assert params == {"options.behandeltermijnDagen": "minimum", "options.intake": "enum"}
    assert await session.scalar(select(func.count()).select_from(Adoption)) == 0


async def test_one_open_adoption_per_app(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    first = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=headers)
    assert first.status_code == 201
    second = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=headers)
    assert second.status_code == 409
    ended = await client.patch(f"{ADOPTIONS}/{first.json()['id']}", json={"status": "ended"}, headers=headers)
    assert ended.status_code == 200 and ended.json()["endedAt"]
    again = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=headers)
    assert again.status_code == 201
    listing = (await client.get(ADOPTIONS)).json()
    assert sorted(item["status"] for item in listing) == ["ended", "planned"]


async def test_status_cannot_go_back(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    created = (await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven", "status": "active"},
                                 headers=headers)).json()
    back = await client.patch(f"{ADOPTIONS}/{created['id']}", json={"status": "planned"}, headers=headers)
    assert back.status_code == 409
    assert back.json()["invalidParams"][0]["name"] == "status"


async def test_other_municipality_cannot_adopt_or_change(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    amsterdam = await beheerder(session)
    utrecht = await beheerder(session, UTRECHT)
    refused = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=utrecht)
    assert refused.status_code == 403
    created = (await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=amsterdam)).json()
    change = await client.patch(f"{ADOPTIONS}/{created['id']}", json={"status": "ended"}, headers=utrecht)
    assert change.status_code == 403
    via_own_path = await client.patch(f"/api/store/v1/municipalities/{UTRECHT}/adoptions/{created['id']}",
                                      json={"status": "ended"}, headers=utrecht)
    assert via_own_path.status_code == 404
    still = (await client.get(f"{ADOPTIONS}/{created['id']}")).json()
    assert still["status"] == "planned"
    unauthenticated = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"})
    assert unauthenticated.status_code == 401


async def test_upgrade_fills_new_defaults(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    created = (await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven"}, headers=headers)).json()
    base = make_package(tmp_path, version="2.1.0")
    await publish_folder(session, _with_new_option(base))
    upgraded = await client.patch(f"{ADOPTIONS}/{created['id']}", json={"version": "2.1.0"}, headers=headers)
    assert upgraded.status_code == 200, upgraded.text
    assert upgraded.json()["version"] == "2.1.0"
    assert upgraded.json()["options"]["afspraak"] is True
    assert [e["action"] for e in upgraded.json()["history"]] == ["planned", "upgraded"]


async def test_upgrade_blocked_by_an_option_that_no_longer_fits(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    created = (await client.post(ADOPTIONS, headers=headers, json={
        "app": "verhuizing-doorgeven", "options": {"behandeltermijnDagen": 40}})).json()
    folder = make_package(tmp_path, version="2.1.0")
    _set_maximum(folder, 28)
    await publish_folder(session, folder)
    blocked = await client.patch(f"{ADOPTIONS}/{created['id']}", json={"version": "2.1.0"}, headers=headers)
    assert blocked.status_code == 409
    assert blocked.json()["invalidParams"][0]["name"] == "options.behandeltermijnDagen"
    assert "blocked" in blocked.json()["detail"]
    unchanged = (await client.get(f"{ADOPTIONS}/{created['id']}")).json()
    assert unchanged["version"] == "2.0.0"
    fixed = await client.patch(f"{ADOPTIONS}/{created['id']}", headers=headers, json={
        "version": "2.1.0", "options": {"behandeltermijnDagen": 20}})
    assert fixed.status_code == 200 and fixed.json()["options"]["behandeltermijnDagen"] == 20


async def test_rejected_release_cannot_be_adopted(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session)
    response = await client.post(ADOPTIONS, json={"app": "verhuizing-doorgeven", "version": "9.9.9"},
                                 headers=headers)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "version"
    missing = await client.post(ADOPTIONS, json={"app": "bestaat-niet"}, headers=headers)
    assert missing.status_code == 404
    assert await session.scalar(select(func.count()).select_from(App)) == 1


def _with_new_option(folder: Path) -> Path:
    import yaml

    manifest = yaml.safe_load((folder / "plein.yaml").read_text())
    manifest["options"]["properties"]["afspraak"] = {"type": "boolean", "default": True, "title": "Afspraak"}
    (folder / "plein.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return folder


def _set_maximum(folder: Path, maximum: int) -> None:
    import yaml

    manifest = yaml.safe_load((folder / "plein.yaml").read_text())
    manifest["options"]["properties"]["behandeltermijnDagen"]["maximum"] = maximum
    (folder / "plein.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))


async def test_a_municipality_that_ended_can_no_longer_adopt(client: httpx.AsyncClient,
                                                             session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    headers = await beheerder(session, UTRECHT)
    utrecht = await get_by_code(session, UTRECHT)
    utrecht.ended_on = dt.date(2023, 1, 1)
    await session.commit()
    response = await client.post(f"/api/store/v1/municipalities/{UTRECHT}/adoptions",
                                 json={"app": "verhuizing-doorgeven"}, headers=headers)
    assert response.status_code == 409
    assert [param["code"] for param in response.json()["invalidParams"]] == ["municipality-ended"]
    assert await session.scalar(select(func.count()).select_from(Adoption)) == 0
    page = (await client.get(f"/gemeenten/{UTRECHT}/apps")).text
    assert "Utrecht bestaat niet meer sinds 1 januari 2023" in page
