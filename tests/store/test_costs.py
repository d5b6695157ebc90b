"""Cost per municipality: the pricing model applied to the BRP count or the beheerder's own figure, rounded to the
cent, and the yearly total over the open adoptions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.store import adoptions
from plein.store.costs import cents, cost_of
from tests.factories import AMSTERDAM, UTRECHT, client_headers, make_package
from tests.registers.helpers import address, person
from tests.store.helpers import SYSTEM, publish_folder

COSTS = f"/api/store/v1/municipalities/{AMSTERDAM}/costs"
INHABITANTS = f"/api/store/v1/municipalities/{AMSTERDAM}/inhabitants"


async def priced_apps(session: AsyncSession, tmp_path: Path) -> None:
    """Three apps, one per pricing model with an amount, adopted (planned) by Amsterdam; Utrecht's are not counted."""
    pricing = {"verhuizing-doorgeven": {"model": "per-inhabitant", "amountEur": 0.35},
               "uittreksel-brp": {"model": "yearly", "amountEur": 1200},
               "aangifte-overlijden": {"model": "one-off", "amountEur": 5000}}
    for slug, price in pricing.items():
        await publish_folder(session, make_package(tmp_path, slug, manifest={"pricing": price}))
        await adoptions.adopt(session, AMSTERDAM, slug, {}, SYSTEM)
    await adoptions.adopt(session, UTRECHT, "uittreksel-brp", {}, SYSTEM)


async def residents(session: AsyncSession) -> None:
    """Three persons registered in Amsterdam, one in Utrecht."""
    dam = await address(session, 1, "Dam", 1, "1012JS")
    oudegracht = await address(session, 3, "Oudegracht", 10, "3511AP", gemeente=UTRECHT, woonplaats="Utrecht")
    for seed in ("a", "b", "c"):
        await person(session, seed, "Vries", "Anna", "19800512", dam)
    await person(session, "u", "Groen", "Jan", "19700101", oudegracht)
    await session.commit()


async def test_costs_come_from_the_brp_count(client: httpx.AsyncClient, session: AsyncSession,
                                             tmp_path: Path) -> None:
    await residents(session)
    await priced_apps(session, tmp_path)
    body = (await client.get(COSTS)).json()
    assert body["inhabitants"] == {"count": 3, "source": "brp", "since": None, "setBy": None}
    yearly = {item["app"]: (item["oneOffEur"], item["yearlyEur"]) for item in body["items"]}
    assert yearly == {"verhuizing-doorgeven": (0.0, 1.05), "uittreksel-brp": (0.0, 1200.0),
                      "aangifte-overlijden": (5000.0, 0.0)}
    assert body["yearlyTotalEur"] == 1201.05 and body["oneOffTotalEur"] == 5000.0


async def test_the_beheerder_sets_a_figure_which_is_used_from_then_on(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await residents(session)
    await priced_apps(session, tmp_path)
    headers = await client_headers(session, "beheer-0363", AMSTERDAM, ["beheerder"])
    other = await client_headers(session, "beheer-0344", UTRECHT, ["beheerder"])
    assert (await client.put(INHABITANTS, json={"inhabitants": 900_000}, headers=other)).status_code == 403
    bad = await client.put(INHABITANTS, json={"inhabitants": 0}, headers=headers)
    assert bad.status_code == 400 and bad.json()["invalidParams"][0]["name"] == "inhabitants"
    set_figure = await client.put(INHABITANTS, json={"inhabitants": 931_298}, headers=headers)
    assert set_figure.status_code == 200
    assert set_figure.json()["source"] == "beheerder" and set_figure.json()["since"]
    body = (await client.get(COSTS)).json()
    assert body["inhabitants"]["count"] == 931_298 and body["inhabitants"]["setBy"] == "beheer-0363"
    assert body["yearlyTotalEur"] == 325_954.3 + 1200  # 931,298 x 0.35
    cleared = (await client.put(INHABITANTS, json={"inhabitants": None}, headers=headers)).json()
    assert cleared["source"] == "brp" and cleared["count"] == 3 and cleared["since"]


async def test_ended_adoptions_cost_nothing(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    await priced_apps(session, tmp_path)
    for adoption in await adoptions.municipality_adoptions(session, AMSTERDAM):
        if adoption.app.slug == "uittreksel-brp":
            await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), SYSTEM, status="ended")
    body = (await client.get(COSTS)).json()
    assert sorted(item["app"] for item in body["items"]) == ["aangifte-overlijden", "verhuizing-doorgeven"]
    assert body["yearlyTotalEur"] == 0.0  # no residents in this test's BRP


def test_amounts_are_rounded_to_the_cent_half_up() -> None:
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("2.344999")) == Decimal("2.34")
    assert cost_of({"model": "per-inhabitant", "amountEur": 0.125}, 3).yearly == Decimal("0.38")  # 0.375
    assert cost_of({"model": "per-inhabitant", "amountEur": 0.1}, 3).yearly == Decimal("0.30")  # not 0.30000000004
    assert cost_of({"model": "free"}, 1000).yearly == Decimal("0.00")
    assert cost_of(None, 1000).one_off == Decimal("0.00")
