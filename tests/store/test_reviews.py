"""Reviews by verified adopters: only after the adoption has been active long enough, one per municipality and app,
editable; the publisher replies once; a curator hides with a reason the author sees; averages and sorting."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.demo import demo_package
from plein.organisations.service import create_organisation, get_by_code
from plein.store import adoptions
from plein.store.models import Adoption
from tests.factories import AMSTERDAM, ROTTERDAM, UTRECHT, client_headers
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder

APP = "verhuizing-doorgeven"
REVIEWS = f"/api/store/v1/apps/{APP}/reviews"


async def adopted(session: AsyncSession, code: str, slug: str = APP, *, days_ago: int = 31,
                  active: bool = True) -> None:
    """The municipality adopted the app (active since `days_ago` days, or only planned)."""
    adoption = await adoptions.adopt(session, code, slug, {}, SYSTEM, activate=active)
    if active:
        await session.execute(update(Adoption).where(Adoption.id == adoption.id)
                              .values(activated_at=utcnow() - dt.timedelta(days=days_ago)))
        await session.commit()


async def beheerder(session: AsyncSession, code: str) -> dict[str, str]:
    return await client_headers(session, f"beheer-{code}", code, ["beheerder"])


async def test_only_a_municipality_with_an_active_adoption_may_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, APP)
    await adopted(session, UTRECHT, active=False)
    body = {"rating": 4, "text": "Werkt goed."}
    never = await client.put(f"{REVIEWS}/{ROTTERDAM}", json=body, headers=await beheerder(session, ROTTERDAM))
    assert never.status_code == 403
    assert never.json()["invalidParams"][0]["code"] == "not-an-adopter"
    planned = await client.put(f"{REVIEWS}/{UTRECHT}", json=body, headers=await beheerder(session, UTRECHT))
    assert planned.status_code == 403
    other = await client.put(f"{REVIEWS}/{UTRECHT}", json=body, headers=await beheerder(session, AMSTERDAM))
    assert other.status_code == 403  # Amsterdam's beheerder cannot write Utrecht's review
    assert (await client.get(REVIEWS)).json() == []


async def test_a_review_too_early_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    await adopted(session, UTRECHT, days_ago=29)  # the default setting: 30 days
    headers = await beheerder(session, UTRECHT)
    early = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 5, "text": "Top"}, headers=headers)
    assert early.status_code == 403
    assert early.json()["invalidParams"][0]["code"] == "too-early"
    await session.execute(update(Adoption).values(activated_at=utcnow() - dt.timedelta(days=30, minutes=1)))
    await session.commit()
    later = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 5, "text": "Top"}, headers=headers)
    assert later.status_code == 200, later.text


async def test_one_review_per_municipality_editable_with_its_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, APP)
    await adopted(session, UTRECHT)
    await adopted(session, AMSTERDAM)
    utrecht, amsterdam = await beheerder(session, UTRECHT), await beheerder(session, AMSTERDAM)
    first = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 2, "text": "Traag."}, headers=utrecht)
    assert first.status_code == 200
    assert first.json()["version"] == "2.0.0" and first.json()["municipalityName"] == "Utrecht"
    edited = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 4, "text": "Na de update snel."},
                              headers=utrecht)
    assert edited.status_code == 200
    await client.put(f"{REVIEWS}/{AMSTERDAM}", json={"rating": 5, "text": "Prima."}, headers=amsterdam)
    listed = (await client.get(REVIEWS)).json()
    assert sorted((r["municipality"], r["rating"], r["text"]) for r in listed) == [
        (UTRECHT, 4, "Na de update snel."), (AMSTERDAM, 5, "Prima.")]
    app = (await client.get(f"/api/store/v1/apps/{APP}")).json()
    assert app["reviewCount"] == 2 and app["ratingAverage"] == 4.5


async def test_bad_review_names_the_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    await adopted(session, UTRECHT)
    headers = await beheerder(session, UTRECHT)
    stars = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 6, "text": "x"}, headers=headers)
    assert stars.status_code == 400 and stars.json()["invalidParams"][0]["name"] == "rating"
    empty = await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 3, "text": "  "}, headers=headers)
    assert empty.status_code == 400 and empty.json()["invalidParams"][0]["name"] == "text"
    assert (await client.get(REVIEWS)).json() == []


async def test_the_publisher_replies_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)  # published by Amsterdam
    await adopted(session, UTRECHT)
    utrecht = await beheerder(session, UTRECHT)
    await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 3, "text": "Mist een optie."}, headers=utrecht)
    not_publisher = await client.put(f"{REVIEWS}/{UTRECHT}/reply", json={"text": "Dank"}, headers=utrecht)
    assert not_publisher.status_code == 403
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    replied = await client.put(f"{REVIEWS}/{UTRECHT}/reply", json={"text": "Komt in 2.1."}, headers=publisher)
    assert replied.status_code == 200 and replied.json()["reply"]["text"] == "Komt in 2.1."
    again = await client.put(f"{REVIEWS}/{UTRECHT}/reply", json={"text": "Nog iets"}, headers=publisher)
    assert again.status_code == 409
    assert (await client.get(REVIEWS)).json()[0]["reply"]["text"] == "Komt in 2.1."


async def test_a_curator_hides_a_review_and_its_author_sees_why(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, APP)
    await adopted(session, UTRECHT)
    utrecht = await beheerder(session, UTRECHT)
    await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 1, "text": "Bel 06-12345678"}, headers=utrecht)
    refused = await client.put(f"{REVIEWS}/{UTRECHT}/hidden", json={"reason": "x"}, headers=utrecht)
    assert refused.status_code == 403
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    curator = await client_headers(session, "plein-curator", "plein", ["curator"])
    hidden = await client.put(f"{REVIEWS}/{UTRECHT}/hidden", json={"reason": "Bevat een telefoonnummer."},
                              headers=curator)
    assert hidden.status_code == 200
    assert (await client.get(REVIEWS)).json() == []
    mine = (await client.get(REVIEWS, headers=utrecht)).json()
    assert mine[0]["hidden"]["reason"] == "Bevat een telefoonnummer."
    app = (await client.get(f"/api/store/v1/apps/{APP}")).json()
    assert app["reviewCount"] == 0 and app["ratingAverage"] is None


async def test_search_sorts_by_rating(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP, "uittreksel-brp")
    await publish_folder(session, demo_package("bruggen-op-afstand"), AMSTERDAM)
    await adopted(session, UTRECHT, APP)
    await adopted(session, UTRECHT, "uittreksel-brp")
    headers = await beheerder(session, UTRECHT)
    await client.put(f"{REVIEWS}/{UTRECHT}", json={"rating": 2, "text": "Matig"}, headers=headers)
    await client.put(f"/api/store/v1/apps/uittreksel-brp/reviews/{UTRECHT}", json={"rating": 5, "text": "Goed"},
                     headers=headers)
    found = (await client.get("/api/store/v1/apps", params={"sort": "rating"})).json()
    assert [app["slug"] for app in found["results"]] == ["uittreksel-brp", APP, "bruggen-op-afstand"]
    assert [app["reviewCount"] for app in found["results"]] == [1, 1, 0]
    assert found["sort"] == "rating"
    assert (await get_by_code(session, UTRECHT)).name == "Utrecht"
