"""Joint demand (wensen): a municipality posts a wish with standards from the store, others join it for themselves
only, the budget is split equally or per inhabitant (to the cent, adding up), the poster commissions it jointly, a
publisher fulfils it with an admitted app that names the standards, and every joined municipality is told."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict
from plein.notifications.models import Delivery, Message
from plein.notifications.service import KanaalFilter, create_abonnement
from plein.organisations.service import create_organisation
from plein.store import costs, wishes
from plein.store.models import Standard
from tests.factories import AMSTERDAM, ROTTERDAM, UTRECHT, client_headers, make_package
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder
from tests.store.test_costs import residents

WISHES = "/api/store/v1/wishes"
APP = "verhuizing-doorgeven"  # plein.yaml names zgw-zaken-1.5, haal-centraal-brp-2, bag and digid
WISH = {"municipality": AMSTERDAM, "title": "Verhuizing digitaal doorgeven",
        "description": "Inwoners geven hun verhuizing online door; de BRP wordt bijgewerkt.",
        "standards": ["zgw-zaken-1.5", "bag"], "budgetEur": 90000, "split": "equal"}


async def beheerder(session: AsyncSession, code: str) -> dict[str, str]:
    """The headers of an API client of the municipality with the beheerder role (registered once per test)."""
    made: dict[str, dict[str, str]] = session.info.setdefault("beheerders", {})
    if code not in made:
        made[code] = await client_headers(session, f"beheer-{code}", code, ["beheerder"])
    return made[code]


async def posted(client: httpx.AsyncClient, session: AsyncSession, **changes: Any) -> dict[str, Any]:
    """Verhuizing doorgeven in the store (its standards are known) and Amsterdam's wish, posted."""
    await publish_built_in(session, APP)
    response = await client.post(WISHES, json={**WISH, **changes}, headers=await beheerder(session, AMSTERDAM))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def joined(client: httpx.AsyncClient, session: AsyncSession, identifier: str, *codes: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for code in codes:
        headers = await beheerder(session, code)
        response = await client.put(f"{WISHES}/{identifier}/participants/{code}", headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
    return body


async def store_messages(session: AsyncSession) -> list[dict[str, str]]:
    messages = (await session.scalars(select(Message).where(Message.kanaal == "store").order_by(Message.id))).all()
    return [dict(message.kenmerken) for message in messages]


async def commission(client: httpx.AsyncClient, session: AsyncSession, identifier: str,
                     commissioner: str = AMSTERDAM, code: str = AMSTERDAM) -> httpx.Response:
    return await client.patch(f"{WISHES}/{identifier}", headers=await beheerder(session, code), json={
        "status": "commissioned", "commissioner": commissioner, "note": "Aanbesteding via Amsterdam"})


# --- posting --------------------------------------------------------------------------------------


async def test_a_posted_wish_has_its_poster_as_first_participant(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    body = await posted(client, session)
    assert body["id"].startswith("WENS-") and body["status"] == "open"
    assert [(p["municipality"], p["poster"], p["budgetEur"]) for p in body["participants"]] == [
        (AMSTERDAM, True, 90000.0)]
    assert body["standards"] == ["zgw-zaken-1.5", "bag"]
    assert [e["action"] for e in body["history"]] == ["posted"]
    listed = (await client.get(WISHES)).json()
    assert [(w["id"], w["participantCount"]) for w in listed] == [(body["id"], 1)]


async def test_standards_must_be_ones_the_store_knows(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    headers = await beheerder(session, AMSTERDAM)
    refused = await client.post(WISHES, headers=headers, json={
        **WISH, "standards": ["zgw-zaken-15", "alias:nope", "ftp://example.org/x", "bag"]})
    assert refused.status_code == 400
    params = {p["name"]: p for p in refused.json()["invalidParams"]}
    assert sorted(params) == ["standards.0", "standards.1", "standards.2"]
    assert "did you mean 'zgw-zaken-1.5'" in params["standards.0"]["reason"]
    accepted = await client.post(WISHES, headers=headers, json={
        **WISH, "standards": ["bag", "alias:gdpr", "https://www.forumstandaardisatie.nl/open-standaarden/digikoppeling",
                              "bag"]})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["standards"] == [
        "bag", "alias:gdpr", "https://www.forumstandaardisatie.nl/open-standaarden/digikoppeling"]


async def test_a_standard_on_the_curators_list_may_be_named_though_no_app_names_it(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    headers = await beheerder(session, AMSTERDAM)
    wish = {**WISH, "standards": ["fsc-1"]}
    assert (await client.post(WISHES, headers=headers, json=wish)).status_code == 400
    session.add(Standard(alias="fsc-1", title="Federatieve Service Connectiviteit",
                         url="https://fsc-standaard.nl/", changed_by="curator"))
    await session.commit()
    accepted = await client.post(WISHES, headers=headers, json=wish)
    assert accepted.status_code == 201, accepted.text


async def test_the_input_is_checked_field_by_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await beheerder(session, AMSTERDAM)
    for budget, split in ((0, "equal"), (-5, "equal"), (100_000_000.01, "equal"), (10.005, "equal")):
        response = await client.post(WISHES, headers=headers, json={**WISH, "standards": [], "budgetEur": budget,
                                                                     "split": split})
        assert response.status_code == 400, budget
        assert [p["name"] for p in response.json()["invalidParams"]] == ["budget"]
    blank = await client.post(WISHES, headers=headers, json={**WISH, "standards": [], "title": " ", "description": ""})
    assert sorted(p["name"] for p in blank.json()["invalidParams"]) == ["description", "title"]
    split = await client.post(WISHES, headers=headers, json={**WISH, "standards": [], "split": "by-size"})
    assert split.status_code == 400


async def test_a_municipality_posts_only_for_itself(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.post(WISHES, json={**WISH, "standards": [], "municipality": UTRECHT},
                                 headers=await beheerder(session, AMSTERDAM))
    assert response.status_code == 403
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    cooperation = await client_headers(session, "beheer-plein", "plein", ["beheerder"])
    not_a_municipality = await client.post(WISHES, json={**WISH, "standards": [], "municipality": "plein"},
                                           headers=cooperation)
    assert not_a_municipality.status_code == 400
    assert (await client.get(WISHES)).json() == []


# --- joining and leaving --------------------------------------------------------------------------


async def test_join_and_leave_only_for_ones_own_municipality(client: httpx.AsyncClient,
                                                             session: AsyncSession) -> None:
    wish = await posted(client, session)
    url = f"{WISHES}/{wish['id']}/participants"
    amsterdam, utrecht = await beheerder(session, AMSTERDAM), await beheerder(session, UTRECHT)
    assert (await client.put(f"{url}/{UTRECHT}", headers=amsterdam)).status_code == 403
    assert (await client.put(f"{url}/{UTRECHT}", headers=utrecht)).status_code == 201
    again = await client.put(f"{url}/{UTRECHT}", headers=utrecht)
    assert again.status_code == 200 and [p["municipality"] for p in again.json()["participants"]] == [
        UTRECHT, AMSTERDAM]
    assert (await client.delete(f"{url}/{UTRECHT}", headers=amsterdam)).status_code == 403
    assert (await client.delete(f"{url}/{AMSTERDAM}", headers=amsterdam)).status_code == 409  # the poster stays
    assert (await client.delete(f"{url}/{ROTTERDAM}", headers=await beheerder(session, ROTTERDAM))).status_code == 404
    left = await client.delete(f"{url}/{UTRECHT}", headers=utrecht)
    assert left.status_code == 200 and [p["municipality"] for p in left.json()["participants"]] == [AMSTERDAM]
    assert [(e["action"], e["municipality"]) for e in left.json()["history"]] == [
        ("posted", AMSTERDAM), ("joined", UTRECHT), ("left", UTRECHT)]
    mine = (await client.get(f"/api/store/v1/municipalities/{UTRECHT}/wishes")).json()
    assert mine == []


async def test_joining_and_leaving_tell_every_municipality_concerned(client: httpx.AsyncClient,
                                                                      session: AsyncSession) -> None:
    """A municipality joining or leaving changes every joined one's part of the budget: each is told, the one that
    left too; the history names who was told."""
    wish = await posted(client, session)
    url = f"{WISHES}/{wish['id']}/participants"
    utrecht, rotterdam = await beheerder(session, UTRECHT), await beheerder(session, ROTTERDAM)
    assert (await client.put(f"{url}/{UTRECHT}", headers=utrecht)).status_code == 201
    assert await store_messages(session) == [{"wens": wish["id"], "gemeente": code, "status": "open"}
                                             for code in (UTRECHT, AMSTERDAM)]
    assert (await client.put(f"{url}/{UTRECHT}", headers=utrecht)).status_code == 200  # joined already: nobody told
    assert (await client.put(f"{url}/{ROTTERDAM}", headers=rotterdam)).status_code == 201
    left = await client.delete(f"{url}/{UTRECHT}", headers=utrecht)
    assert left.status_code == 200
    assert [(event["action"], event["notified"]) for event in left.json()["history"]] == [
        ("posted", []), ("joined", [UTRECHT, AMSTERDAM]), ("joined", [UTRECHT, AMSTERDAM, ROTTERDAM]),
        ("left", [UTRECHT, AMSTERDAM, ROTTERDAM])]
    assert len(await store_messages(session)) == 2 + 3 + 3


async def test_nobody_joins_or_leaves_once_commissioned(client: httpx.AsyncClient, session: AsyncSession) -> None:
    wish = await posted(client, session)
    await joined(client, session, wish["id"], UTRECHT)
    assert (await commission(client, session, wish["id"])).status_code == 200
    url = f"{WISHES}/{wish['id']}/participants"
    late = await client.put(f"{url}/{ROTTERDAM}", headers=await beheerder(session, ROTTERDAM))
    assert late.status_code == 409 and late.json()["invalidParams"][0]["code"] == "not-open"
    assert (await client.delete(f"{url}/{UTRECHT}", headers=await beheerder(session, UTRECHT))).status_code == 409


# --- the budget per municipality ------------------------------------------------------------------


async def test_an_equal_split_adds_up_to_the_budget(client: httpx.AsyncClient, session: AsyncSession) -> None:
    wish = await posted(client, session, budgetEur=100000)
    body = await joined(client, session, wish["id"], UTRECHT, ROTTERDAM)
    # by code: 0344, 0363, 0599; the cent left over goes to the first
    assert [(p["municipality"], p["budgetEur"]) for p in body["participants"]] == [
        (UTRECHT, 33333.34), (AMSTERDAM, 33333.33), (ROTTERDAM, 33333.33)]


async def test_a_split_per_inhabitant_uses_the_figures_costs_use(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    await residents(session)  # the BRP: three persons in Amsterdam, one in Utrecht
    wish = await posted(client, session, budgetEur=1000, split="per-inhabitant")
    body = await joined(client, session, wish["id"], UTRECHT)
    assert body["inhabitants"] == 4 and not body["equalFallback"]
    assert [(p["municipality"], p["inhabitants"]["source"], p["budgetEur"]) for p in body["participants"]] == [
        (UTRECHT, "brp", 250.0), (AMSTERDAM, "brp", 750.0)]
    await costs.set_inhabitants(session, UTRECHT, 2, SYSTEM)  # Utrecht's beheerder sets its own figure
    body = (await client.get(f"{WISHES}/{wish['id']}")).json()
    assert body["inhabitants"] == 5
    assert [(p["inhabitants"]["source"], p["budgetEur"]) for p in body["participants"]] == [
        ("beheerder", 400.0), ("brp", 600.0)]


async def test_per_inhabitant_without_inhabitants_splits_equally(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    wish = await posted(client, session, budgetEur=1000, split="per-inhabitant")
    body = await joined(client, session, wish["id"], UTRECHT)
    assert body["equalFallback"] and [p["budgetEur"] for p in body["participants"]] == [500.0, 500.0]


def test_a_third_of_a_cent_goes_to_the_largest_remainder() -> None:
    assert wishes.split_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert wishes.split_cents(1000, [2, 1]) == [667, 333]  # 666.67 and 333.33
    assert wishes.split_cents(1000, [0, 0]) == [500, 500]


@given(total=st.integers(0, 10**10), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=12))
def test_the_parts_add_up_and_each_is_within_a_cent(total: int, weights: list[int]) -> None:
    parts = wishes.split_cents(total, weights)
    assert sum(parts) == total and all(part >= 0 for part in parts)
    used = weights if sum(weights) else [1] * len(weights)
    for part, weight in zip(parts, used, strict=True):
        exact = Decimal(total) * weight / sum(used)
        assert abs(part - exact) < 1


# --- commissioning --------------------------------------------------------------------------------


async def test_only_the_poster_commissions_with_another_municipality(client: httpx.AsyncClient,
                                                                     session: AsyncSession) -> None:
    wish = await posted(client, session)
    alone = await commission(client, session, wish["id"])
    assert alone.status_code == 409 and alone.json()["invalidParams"][0]["code"] == "too-few"
    await joined(client, session, wish["id"], UTRECHT)
    told_of_joining = await store_messages(session)
    assert (await commission(client, session, wish["id"], commissioner=UTRECHT, code=UTRECHT)).status_code == 403
    outsider = await commission(client, session, wish["id"], commissioner=ROTTERDAM)
    assert outsider.status_code == 400 and outsider.json()["invalidParams"][0]["name"] == "commissioner"
    assert await store_messages(session) == told_of_joining  # a refused commission tells nobody
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    done = await commission(client, session, wish["id"], commissioner="plein")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "commissioned" and body["commission"]["commissioner"] == "plein"
    assert body["commission"]["note"] == "Aanbesteding via Amsterdam"
    assert body["history"][-1]["notified"] == [UTRECHT, AMSTERDAM]
    assert await store_messages(session) == [*told_of_joining,
        {"wens": wish["id"], "gemeente": UTRECHT, "status": "commissioned"},
        {"wens": wish["id"], "gemeente": AMSTERDAM, "status": "commissioned"}]
    assert (await commission(client, session, wish["id"])).status_code == 409


async def test_a_subscriber_filters_on_the_wish(client: httpx.AsyncClient, session: AsyncSession) -> None:
    first = await posted(client, session)
    second = (await client.post(WISHES, json=WISH, headers=await beheerder(session, AMSTERDAM))).json()
    for wish in (first, second):
        await joined(client, session, wish["id"], UTRECHT)
    await create_abonnement(session, callback_url="http://utrecht.example/notificaties", auth="Bearer x",
                            kanalen=[KanaalFilter("store", {"wens": second["id"], "gemeente": UTRECHT})])
    await session.commit()
    for wish in (first, second):
        assert (await commission(client, session, wish["id"])).status_code == 200
    delivered = (await session.execute(select(Message.kenmerken).join(Delivery, Delivery.message_id == Message.id)
                                       .where(Message.kanaal == "store"))).scalars().all()
    assert delivered == [{"wens": second["id"], "gemeente": UTRECHT, "status": "commissioned"}]


# --- changing -------------------------------------------------------------------------------------


async def test_the_poster_changes_an_open_wish_and_the_joined_are_told(client: httpx.AsyncClient,
                                                                       session: AsyncSession) -> None:
    wish = await posted(client, session)
    await joined(client, session, wish["id"], UTRECHT)
    told_of_joining = await store_messages(session)
    url = f"{WISHES}/{wish['id']}"
    content = {key: wish[key] for key in ("title", "description", "standards", "split")} | {
        "budgetEur": wish["budgetEur"]}

    async def change(code: str, **changes: Any) -> httpx.Response:
        return await client.put(url, headers=await beheerder(session, code), json={**content, **changes})

    assert (await change(UTRECHT, budgetEur=150000)).status_code == 403  # joined, but did not post it
    bad = await change(AMSTERDAM, title=" ", budgetEur=0, standards=["no-such-standard"])
    assert bad.status_code == 400
    assert {param["name"] for param in bad.json()["invalidParams"]} == {"title", "budget", "standards.0"}
    same = await change(AMSTERDAM)
    assert same.status_code == 200 and same.json()["history"][-1]["action"] == "joined"  # nothing changed
    assert await store_messages(session) == told_of_joining
    done = await change(AMSTERDAM, budgetEur=150000, split="per-inhabitant")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["budgetEur"], body["split"]) == (150000, "per-inhabitant")
    event = body["history"][-1]
    assert event["action"] == "changed" and event["notified"] == [UTRECHT, AMSTERDAM]
    assert event["detail"] == {"fields": ["budget_cents", "split"],
                               "before": {"budget_cents": int(wish["budgetEur"] * 100), "split": "equal"}}
    assert (await store_messages(session))[len(told_of_joining):] == [
        {"wens": wish["id"], "gemeente": code, "status": "open"} for code in (UTRECHT, AMSTERDAM)]
    assert (await commission(client, session, wish["id"])).status_code == 200
    assert (await change(AMSTERDAM, title="Te laat")).status_code == 409


# --- withdrawing ----------------------------------------------------------------------------------


async def test_the_poster_withdraws_an_open_wish_saying_why(client: httpx.AsyncClient, session: AsyncSession) -> None:
    wish = await posted(client, session)
    await joined(client, session, wish["id"], UTRECHT)
    told_of_joining = await store_messages(session)
    url = f"{WISHES}/{wish['id']}"

    async def withdraw(code: str, reason: str | None = "De provincie regelt dit al voor ons.") -> httpx.Response:
        return await client.patch(url, headers=await beheerder(session, code), json={"status": "withdrawn",
                                                                                     "reason": reason})

    assert (await withdraw(UTRECHT)).status_code == 403  # joined, but did not post it
    for reason in (None, "Foutje", "x" * 2001):
        refused = await withdraw(AMSTERDAM, reason)
        assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == "reason", refused.text
    assert await store_messages(session) == told_of_joining  # nothing refused told anyone
    done = await withdraw(AMSTERDAM)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "withdrawn"
    assert (body["history"][-1]["action"], body["history"][-1]["detail"], body["history"][-1]["notified"]) == (
        "withdrawn", {"reason": "De provincie regelt dit al voor ons."}, [UTRECHT, AMSTERDAM])
    assert (await store_messages(session))[len(told_of_joining):] == [
        {"wens": wish["id"], "gemeente": code, "status": "withdrawn"} for code in (UTRECHT, AMSTERDAM)]
    rotterdam = await client.put(f"{url}/participants/{ROTTERDAM}", headers=await beheerder(session, ROTTERDAM))
    assert rotterdam.status_code == 409
    assert (await withdraw(AMSTERDAM)).status_code == 409
    assert (await commission(client, session, wish["id"])).status_code == 409
    listed = (await client.get(WISHES, params={"status": "withdrawn"})).json()
    assert [item["id"] for item in listed] == [wish["id"]]


async def test_a_commissioned_wish_is_not_withdrawn(client: httpx.AsyncClient, session: AsyncSession) -> None:
    wish = await posted(client, session)
    await joined(client, session, wish["id"], UTRECHT)
    assert (await commission(client, session, wish["id"])).status_code == 200
    refused = await client.patch(f"{WISHES}/{wish['id']}", headers=await beheerder(session, AMSTERDAM),
                                 json={"status": "withdrawn", "reason": "Toch maar niet, sorry allemaal."})
    assert refused.status_code == 409 and refused.json()["invalidParams"][0]["code"] == "not-open"


# --- fulfilling -----------------------------------------------------------------------------------


async def test_a_publisher_fulfils_a_commissioned_wish_with_an_app_that_meets_its_standards(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    wish = await posted(client, session, standards=["zgw-zaken-1.5", "bag", "alias:gdpr"])
    await joined(client, session, wish["id"], UTRECHT)
    url = f"{WISHES}/{wish['id']}"
    publisher = await client_headers(session, "publisher-0363", AMSTERDAM, ["publisher"])
    fulfil = {"status": "fulfilled", "app": APP}
    early = await client.patch(url, json=fulfil, headers=publisher)
    assert early.status_code == 409 and early.json()["invalidParams"][0]["code"] == "not-commissioned"
    assert (await commission(client, session, wish["id"])).status_code == 200
    others = await client_headers(session, "publisher-0599", ROTTERDAM, ["publisher"])
    assert (await client.patch(url, json=fulfil, headers=others)).status_code == 403
    short = await client.patch(url, json=fulfil, headers=publisher)
    assert short.status_code == 400
    assert [(p["code"], p["reason"]) for p in short.json()["invalidParams"]] == [
        ("standards-not-met", "it does not name alias:gdpr")]
    # 2.1.0 supports the GDPR by its URL, which the alias stands for
    gdpr = {"supports": [{"id": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}]}
    await publish_folder(session, make_package(tmp_path, version="2.1.0", publiccode=gdpr))
    unknown = await client.patch(url, json={**fulfil, "version": "9.9.9"}, headers=publisher)
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["code"] == "not-admitted"
    still_short = await client.patch(url, json={**fulfil, "version": "2.0.0"}, headers=publisher)
    assert still_short.status_code == 400
    done = await client.patch(url, json=fulfil, headers=publisher)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "fulfilled"
    assert (body["fulfilment"]["app"], body["fulfilment"]["version"]) == (APP, "2.1.0")
    assert (await store_messages(session))[-2:] == [
        {"wens": wish["id"], "gemeente": UTRECHT, "status": "fulfilled", "app": APP},
        {"wens": wish["id"], "gemeente": AMSTERDAM, "status": "fulfilled", "app": APP}]
    assert [e["action"] for e in body["history"]] == ["posted", "joined", "commissioned", "fulfilled"]
    assert (await client.patch(url, json=fulfil, headers=publisher)).status_code == 409
    fulfilled = (await client.get(WISHES, params={"status": "fulfilled"})).json()
    assert [w["id"] for w in fulfilled] == [wish["id"]]
    assert (await client.get(WISHES, params={"status": "open"})).json() == []
    assert (await client.get(WISHES, params={"status": "closed"})).status_code == 400
    mine = (await client.get(f"/api/store/v1/municipalities/{UTRECHT}/wishes")).json()
    assert [(w["id"], w["status"], w["participantCount"]) for w in mine] == [(wish["id"], "fulfilled", 2)]


async def test_an_unknown_wish_is_a_404(client: httpx.AsyncClient, session: AsyncSession) -> None:
    assert (await client.get(f"{WISHES}/WENS-2026-9999")).status_code == 404
    response = await client.put(f"{WISHES}/WENS-2026-9999/participants/{UTRECHT}",
                                headers=await beheerder(session, UTRECHT))
    assert response.status_code == 404


# --- at the same moment ---------------------------------------------------------------------------


async def test_joining_while_the_wish_is_commissioned_is_before_or_refused(
    app: Any, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Whoever is a participant once the wish is commissioned was told; a join that came too late was refused."""
    wish = await posted(client, session)
    await joined(client, session, wish["id"], UTRECHT)

    async def commission_it() -> None:
        async with app.state.sessions() as own:
            await wishes.commission(own, wish["id"], AMSTERDAM, None, SYSTEM, "http://plein.test")

    async def join_it() -> bool:
        async with app.state.sessions() as own:
            try:
                await wishes.join(own, wish["id"], ROTTERDAM, SYSTEM, "http://plein.test")
            except Conflict:
                return False
            return True

    _, rotterdam_joined = await asyncio.gather(commission_it(), join_it())
    body = (await client.get(f"{WISHES}/{wish['id']}")).json()
    participants = [p["municipality"] for p in body["participants"]]
    assert (ROTTERDAM in participants) == rotterdam_joined
    assert body["history"][-1]["action"] == "commissioned"
    assert body["history"][-1]["notified"] == participants


async def test_a_municipality_joining_twice_at_once_joins_once(app: Any, client: httpx.AsyncClient,
                                                                session: AsyncSession) -> None:
    wish = await posted(client, session)

    async def join_it() -> bool:
        async with app.state.sessions() as own:
            _, now = await wishes.join(own, wish["id"], UTRECHT, SYSTEM, "http://plein.test")
            return now

    results = await asyncio.gather(join_it(), join_it())
    assert sorted(results) == [False, True]
    body = (await client.get(f"{WISHES}/{wish['id']}")).json()
    assert [p["municipality"] for p in body["participants"]] == [UTRECHT, AMSTERDAM]
    assert [e["action"] for e in body["history"]] == ["posted", "joined"]
