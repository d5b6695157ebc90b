"""Security advisories: checked input (CVSS 3.1, semver range, ids), exactly the municipalities on affected versions
notified on the `store` kanaal, corrections and withdrawal kept, and the OSV output valid against the OSV schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.models import Delivery, Message
from plein.notifications.service import KanaalFilter, create_abonnement
from plein.organisations.service import create_organisation
from plein.store import adoptions, advisories
from plein.store.models import Advisory, Release
from tests.factories import AMSTERDAM, ROTTERDAM, UTRECHT, client_headers, make_package
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder

APP = "verhuizing-doorgeven"
DEN_HAAG = "0518"
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
# The OSV schema 1.6.7 as the PyPI package `osv` 0.0.22 ships it (osv/osv-schema/validation/schema.json), Apache-2.0
OSV_SCHEMA = Path(__file__).parent / "data" / "osv-schema-1.6.7.json"
ADVISORY = {"aliases": ["CVE-2026-12345"], "affected": ">=2.0.0 <2.1.0", "fixed": "2.1.0", "cvss": VECTOR,
            "summary": "Adres van een ander zichtbaar", "details": "Upgrade naar 2.1.0."}


async def three_versions(session: AsyncSession, tmp_path: Path) -> None:
    """verhuizing-doorgeven 2.0.0, 2.0.1 and 2.1.0, published by Amsterdam."""
    await publish_built_in(session, APP)
    for version in ("2.0.1", "2.1.0"):
        await publish_folder(session, make_package(tmp_path, version=version))


async def on_versions(session: AsyncSession, plan: dict[str, str], ended: tuple[str, ...] = ()) -> None:
    for code, version in plan.items():
        adoption = await adoptions.adopt(session, code, APP, {}, SYSTEM, version=version)
        if code in ended:
            await adoptions.change_adoption(session, code, str(adoption.id), SYSTEM, status="ended")


async def notified(session: AsyncSession) -> list[tuple[str, str, str]]:
    messages = (await session.scalars(select(Message).where(Message.kanaal == "store"))).all()
    return sorted((m.kenmerken["gemeente"], m.actie, m.kenmerken["severity"]) for m in messages)


def osv_validator() -> Draft202012Validator:
    """The OSV schema as shipped, with Plein added to its lists of home databases (id prefixes) and ecosystems:
    Plein's store is its own database, not (yet) one registered at OSV. Every other rule applies as shipped."""
    schema: dict[str, Any] = copy.deepcopy(json.loads(OSV_SCHEMA.read_text("utf-8")))
    schema["$defs"]["prefix"]["pattern"] = "^(PLEIN|" + schema["$defs"]["prefix"]["pattern"].removeprefix("^(")
    schema["$defs"]["ecosystem"]["pattern"] = "^(Plein|" + schema["$defs"]["ecosystem"]["pattern"].removeprefix("^(")
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


async def test_an_advisory_reaches_exactly_the_municipalities_on_affected_versions(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await three_versions(session, tmp_path)
    await on_versions(session, {AMSTERDAM: "2.0.0", UTRECHT: "2.0.1", ROTTERDAM: "2.1.0", DEN_HAAG: "2.0.0"},
                      ended=(DEN_HAAG,))
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    response = await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=publisher)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["score"] == 9.1 and body["severity"] == "critical"
    assert body["history"][0]["notified"] == [UTRECHT, AMSTERDAM]  # by code: 0344, 0363
    assert await notified(session) == [(UTRECHT, "create", "critical"), (AMSTERDAM, "create", "critical")]


async def test_a_subscriber_filtering_on_its_municipality_gets_only_its_own(
    session: AsyncSession, tmp_path: Path
) -> None:
    await three_versions(session, tmp_path)
    await on_versions(session, {AMSTERDAM: "2.0.0", UTRECHT: "2.0.1"})
    await create_abonnement(session, callback_url="http://utrecht.example/notificaties", auth="Bearer x",
                            kanalen=[KanaalFilter("store", {"gemeente": UTRECHT})])
    await session.commit()
    await advisories.publish(session, APP, advisories.AdvisoryInput(**ADVISORY), SYSTEM, "http://plein.test")
    delivered = (await session.execute(select(Message.kenmerken).join(Delivery, Delivery.message_id == Message.id)
                                       .where(Message.kanaal == "store"))).scalars().all()
    assert [kenmerken["gemeente"] for kenmerken in delivered] == [UTRECHT]


async def test_a_correction_tells_who_is_affected_now_and_withdrawal_is_kept(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await three_versions(session, tmp_path)
    await publish_folder(session, make_package(tmp_path, version="2.2.0"))
    await on_versions(session, {AMSTERDAM: "2.0.0", ROTTERDAM: "2.1.0"})
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    created = (await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=publisher)).json()
    url = f"/api/store/v1/advisories/{created['id']}"
    no_reason = await client.patch(url, json={"reason": " ", "affected": ">=2.0.0 <2.2.0"}, headers=publisher)
    assert no_reason.status_code == 400 and no_reason.json()["invalidParams"][0]["name"] == "reason"
    corrected = await client.patch(url, json={"reason": "2.1.0 bleek ook kwetsbaar", "affected": ">=2.0.0 <2.2.0",
                                              "fixed": "2.2.0"}, headers=publisher)
    assert corrected.status_code == 200, corrected.text
    withdrawn = await client.patch(url, json={"status": "withdrawn", "reason": "Toch geen lek"}, headers=publisher)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    history = (await client.get(f"{url}/history")).json()["history"]
    assert [(e["action"], e["reason"]) for e in history] == [
        ("published", ""), ("corrected", "2.1.0 bleek ook kwetsbaar"), ("withdrawn", "Toch geen lek")]
    assert await notified(session) == [
        (AMSTERDAM, "create", "critical"), (AMSTERDAM, "destroy", "critical"), (AMSTERDAM, "update", "critical"),
        (ROTTERDAM, "destroy", "critical"), (ROTTERDAM, "update", "critical")]
    osv = (await client.get(url)).json()
    assert osv["withdrawn"] and osv["affected"][0]["versions"] == ["2.0.0", "2.0.1", "2.1.0"]


async def test_an_advisory_takes_the_number_after_the_highest_of_the_year(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await three_versions(session, tmp_path)
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    first = (await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=publisher)).json()
    year = first["id"].split("-")[1]
    assert first["id"] == f"PLEIN-{year}-0001"
    await session.execute(update(Advisory).where(Advisory.identifier == first["id"])
                          .values(identifier=f"PLEIN-{year}-0002"))  # a gap: one fewer than the highest number
    await session.commit()
    second = await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=publisher)
    assert second.status_code == 201, second.text
    assert second.json()["id"] == f"PLEIN-{year}-0003"


@pytest.mark.parametrize(("change", "field"), [
    ({"cvss": "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}, "cvss"),
    ({"cvss": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}, "cvss"),
    ({"affected": ">=2.0 <2.1.0"}, "affected"),
    ({"aliases": ["CVE-26-1"]}, "aliases"),
    ({"fixed": "2.0.5"}, "fixed"),
    ({"summary": ""}, "summary"),
])
async def test_a_bad_advisory_names_the_field(client: httpx.AsyncClient, session: AsyncSession,
                                              change: dict[str, Any], field: str) -> None:
    await publish_built_in(session, APP)
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    response = await client.post(f"/api/store/v1/apps/{APP}/advisories", json={**ADVISORY, **change},
                                 headers=publisher)
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == [field]
    assert (await client.get("/api/store/v1/advisories")).json() == {"vulns": []}


async def test_only_the_publisher_or_a_curator_publishes(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    utrecht = await client_headers(session, "publisher-0344", UTRECHT, ["publisher"])
    refused = await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=utrecht)
    assert refused.status_code == 403
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    curator = await client_headers(session, "plein-curator", "plein", ["curator"])
    accepted = await client.post(f"/api/store/v1/apps/{APP}/advisories", json=ADVISORY, headers=curator)
    assert accepted.status_code == 201


async def test_the_osv_output_is_valid_osv(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    await three_versions(session, tmp_path)
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    for change in ({}, {"aliases": [], "affected": "2.0.1 || >2.0.1 <=2.1.0", "fixed": None}):
        created = await client.post(f"/api/store/v1/apps/{APP}/advisories", json={**ADVISORY, **change},
                                    headers=publisher)
        assert created.status_code == 201, created.text
    feed = (await client.get("/api/store/v1/advisories", params={"app": APP})).json()["vulns"]
    validator = osv_validator()
    for entry in feed:
        assert [error.message for error in validator.iter_errors(entry)] == []
    first = next(entry for entry in feed if entry["aliases"])
    assert first["id"].startswith("PLEIN-") and first["affected"][0]["package"] == {"ecosystem": "Plein",
                                                                                     "name": APP}
    assert first["affected"][0]["ranges"] == [{"type": "SEMVER", "events": [{"introduced": "2.0.0"},
                                                                            {"fixed": "2.1.0"}]}]
    assert first["severity"] == [{"type": "CVSS_V3", "score": VECTOR}]


async def test_the_upgrade_offered_is_the_fixed_release(session: AsyncSession, tmp_path: Path) -> None:
    await three_versions(session, tmp_path)
    advisory = await advisories.publish(session, APP, advisories.AdvisoryInput(**ADVISORY), SYSTEM,
                                        "http://plein.test")
    releases = list((await session.scalars(select(Release))).all())
    target = advisories.upgrade_target(advisory, releases)
    assert target is not None and target.version == "2.1.0"


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_a_version_is_in_a_range_as_semver_compares(major: int, minor: int, patch: int) -> None:
    version = f"{major}.{minor}.{patch}"
    inside = (2, 0, 0) <= (major, minor, patch) < (2, 1, 0) or (major, minor, patch) == (4, 0, 0)
    assert advisories.in_range(version, ">=2.0.0 <2.1.0 || 4.0.0") is inside
