"""Adoption ties in: activating a service app issues its data and write grants to the municipality's client."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange.models import Grant, ProcessingActivity
from plein.store import adoptions
from tests.exchange.helpers import ADMIN
from tests.factories import AMSTERDAM, make_package
from tests.store.helpers import publish_built_in, publish_folder

ADOPTIONS = f"/api/store/v1/municipalities/{AMSTERDAM}/adoptions"


async def grants(session: AsyncSession) -> list[Grant]:
    query = select(Grant).order_by(Grant.register, Grant.created_at).execution_options(populate_existing=True)
    return list((await session.scalars(query)).all())


async def test_activating_issues_grants_and_ending_revokes(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    adoption = await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, ADMIN)
    assert await grants(session) == []
    await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), ADMIN, status="active")
    issued = sorted(await grants(session), key=lambda g: (g.register, g.access))
    # the data grants of requires.data say `scope: landelijk` (a move may come from anywhere in the country), so
    # they hold in every municipality; the write grant of requires.writes is always the municipality's own
    assert [(g.register, g.access, g.mutation, g.fields, g.municipality) for g in issued] == [
        ("bag", "read", None, ["nummeraanduidingIdentificatie", "adresseerbaarObjectIdentificatie", "openbareRuimte",
                               "huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "woonplaats",
                               "gemeentecode"], None),
        ("brp", "read", None, ["burgerservicenummer", "naam", "geboorte", "leeftijd", "verblijfplaats",
                               "adressering", "gemeenteVanInschrijving", "partners", "kinderen"], None),
        ("brp", "write", "verhuizing", [], AMSTERDAM),
    ]
    assert {(g.client.client_id, g.activity.code, g.adoption_id) for g in issued} == {
        ("plein-0363", "verhuizing-verwerken", adoption.id)}
    assert all(g.revoked_at is None for g in issued)
    activity = await session.scalar(select(ProcessingActivity).where(ProcessingActivity.code == "verhuizing-verwerken"))
    assert activity is not None and activity.organisation.code == AMSTERDAM
    assert activity.purpose == "Verwerken van een verhuizing binnen of naar de gemeente"
    assert activity.legal_basis == "Wet BRP artikel 2.38 en 2.39"
    await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), ADMIN, status="ended")
    assert all(g.revoked_at is not None for g in await grants(session))


async def test_adopting_again_reuses_the_client_and_activity(session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    first = await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, ADMIN, activate=True)
    await adoptions.change_adoption(session, AMSTERDAM, str(first.id), ADMIN, status="ended")
    second = await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, ADMIN, activate=True)
    live = [g for g in await grants(session) if g.revoked_at is None]
    assert {g.adoption_id for g in live} == {second.id} and len(live) == 3  # brp and bag read, brp write
    assert len({g.client_id for g in await grants(session)}) == 1
    count = await session.scalar(select(ProcessingActivity.id).where(ProcessingActivity.code == "verhuizing-verwerken"))
    assert count is not None


async def test_an_upgrade_replaces_the_grants(session: AsyncSession, tmp_path: Path) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    data = [{"register": "brp", "fields": ["naam"], "activity": "verhuizing-verwerken",
             "purpose": "Verwerken van een verhuizing", "legalBasis": "Wet BRP artikel 2.38"}]
    manifest = {"requires": {"standards": ["zgw-zaken-1.5"], "data": data}}
    await publish_folder(session, make_package(tmp_path, version="2.1.0", manifest=manifest, service=False))
    adoption = await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, ADMIN, version="2.0.0",
                                     activate=True)
    await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), ADMIN, version="2.1.0")
    live = [g for g in await grants(session) if g.revoked_at is None]
    assert [(g.register, g.access, g.fields, g.municipality) for g in live] == [("brp", "read", ["naam"], "0363")]
    assert len(await grants(session)) == 4  # the three of 2.0.0 (revoked) and the new one


async def test_a_planned_adoption_grants_nothing(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, "verhuizing-doorgeven")
    await adoptions.adopt(session, AMSTERDAM, "verhuizing-doorgeven", {}, ADMIN)
    assert await grants(session) == []
