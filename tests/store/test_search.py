"""Finding apps: full-text search, facets with counts, sorting and exact totals."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from plein.demo import demo_package
from plein.organisations.service import create_organisation
from plein.store import adoptions, categories
from plein.store.listing import tokens
from plein.store.publiccode.vocab import CATEGORIES
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder

APPS = "/api/store/v1/apps"


async def fill_store(session: AsyncSession) -> None:
    await publish_built_in(session)
    await publish_folder(session, demo_package("bruggen-op-afstand"), "0363")
    await publish_folder(session, demo_package("meldingen-openbare-ruimte"), "0344")
    await create_organisation(session, "afvalwijzer", "Afvalwijzer B.V.")
    await publish_folder(session, demo_package("afvalkalender"), "afvalwijzer")


async def test_text_search_matches_names_descriptions_and_features(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await fill_store(session)
    by_name = (await client.get(APPS, params={"q": "bruggen"})).json()
    assert [app["slug"] for app in by_name["results"]] == ["bruggen-op-afstand"]
    by_feature = (await client.get(APPS, params={"q": "herinneringen"})).json()
    assert [app["slug"] for app in by_feature["results"]] == ["afvalkalender"]
    prefix = (await client.get(APPS, params={"q": "verhuiz"})).json()
    assert prefix["results"][0]["slug"] == "verhuizing-doorgeven"
    both_words = (await client.get(APPS, params={"q": "brp uittreksel"})).json()
    assert [app["slug"] for app in both_words["results"]] == ["uittreksel-brp"]
    nothing = (await client.get(APPS, params={"q": "ruimtevaart"})).json()
    assert nothing["total"] == 0 and nothing["results"] == []


async def test_name_weighs_more_than_description(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await fill_store(session)
    results = (await client.get(APPS, params={"q": "overlijden"})).json()["results"]
    assert results[0]["slug"] == "aangifte-overlijden"
    assert results[0]["score"] > 0


async def test_facets_count_and_filter(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await fill_store(session)
    everything = (await client.get(APPS)).json()
    assert everything["total"] == 6
    kinds = {item["value"]: item["count"] for item in everything["facets"]["kind"]}
    assert kinds == {"service": 4, "integration": 2}
    publishers = {item["value"]: item["label"] for item in everything["facets"]["publisher"]}
    assert publishers["0344"] == "Utrecht"
    integrations = (await client.get(APPS, params={"kind": "integration"})).json()
    assert integrations["total"] == 2
    assert {app["slug"] for app in integrations["results"]} == {"bruggen-op-afstand", "afvalkalender"}
    combined = (await client.get(APPS, params={"kind": "integration", "licence": "MPL-2.0"})).json()
    assert [app["slug"] for app in combined["results"]] == ["bruggen-op-afstand"]
    either = (await client.get(APPS, params=[("pricing", "yearly"), ("pricing", "per-inhabitant")])).json()
    assert {app["slug"] for app in either["results"]} == {"bruggen-op-afstand", "afvalkalender", "aangifte-overlijden"}
    standard = (await client.get(APPS, params={"standard": "bag"})).json()
    assert standard["total"] == 3


async def test_sort_by_adoptions_and_newest(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await fill_store(session)
    for code in ("0363", "0344", "0599"):
        await adoptions.adopt(session, code, "afvalkalender", {}, SYSTEM, activate=True)
    await adoptions.adopt(session, "0363", "uittreksel-brp", {"legesEur": 10}, SYSTEM, activate=True)
    ranked = (await client.get(APPS, params={"sort": "adoptions"})).json()["results"]
    assert [app["slug"] for app in ranked[:2]] == ["afvalkalender", "uittreksel-brp"]
    assert ranked[0]["adoptionCount"] == 3
    newest = (await client.get(APPS, params={"sort": "newest"})).json()["results"]
    assert newest[0]["slug"] == "afvalkalender"


async def test_pages_have_exact_totals(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await fill_store(session)
    first = (await client.get(APPS, params={"pageSize": 4})).json()
    second = (await client.get(APPS, params={"pageSize": 4, "page": 2})).json()
    assert first["total"] == second["total"] == 6 and first["pages"] == 2
    assert len(first["results"]) == 4 and len(second["results"]) == 2
    slugs = [app["slug"] for app in first["results"] + second["results"]]
    assert len(set(slugs)) == 6


async def test_bad_search_parameters(client: httpx.AsyncClient) -> None:
    unknown = await client.get(APPS, params={"colour": "blue"})
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "colour"
    bad_sort = await client.get(APPS, params={"sort": "price"})
    assert bad_sort.status_code == 400 and bad_sort.json()["invalidParams"][0]["name"] == "sort"
    bad_page = await client.get(APPS, params={"page": 0})
    assert bad_page.status_code == 400
    assert bad_page.headers["content-type"] == "application/problem+json"


async def test_app_page_data(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await fill_store(session)
    app = (await client.get(f"{APPS}/bruggen-op-afstand")).json()
    assert app["description"]["language"] == "nl"
    assert app["pricing"] == {"model": "yearly", "amountEur": 12000}
    assert app["licenceOpen"] is True
    assert app["options"]["properties"]["centrale"]["default"] == "Centrale Noord"
    verhuizing = (await client.get(f"{APPS}/verhuizing-doorgeven")).json()
    assert verhuizing["data"][0] == {
        "register": "brp", "fields": ["burgerservicenummer", "naam", "geboorte", "leeftijd", "verblijfplaats",
                                      "adressering", "gemeenteVanInschrijving", "partners", "kinderen"],
        "activity": "verhuizing-verwerken", "purpose": "Verwerken van een verhuizing binnen of naar de gemeente",
        "legalBasis": "Wet BRP artikel 2.38 en 2.39", "scope": "landelijk"}
    uittreksel = (await client.get(f"{APPS}/uittreksel-brp")).json()
    assert [item["scope"] for item in uittreksel["data"]] == ["gemeente"]  # the default
    assert verhuizing["writes"] == [{
        "register": "brp", "mutation": "verhuizing", "activity": "verhuizing-verwerken",
        "purpose": "Verwerken van een verhuizing binnen of naar de gemeente",
        "legalBasis": "Wet BRP artikel 2.38 en 2.39"}]
    assert app["writes"] == []
    assert (await client.get(f"{APPS}/bestaat-niet")).status_code == 404


@given(st.text(max_size=200))
def test_tokens_are_lowercase_ascii_words(text: str) -> None:
    for token in tokens(text):
        assert token.isascii() and token == token.lower() and token.isalnum() and 2 <= len(token) <= 100


def test_every_category_of_the_standard_has_a_dutch_name() -> None:
    assert set(categories.LABELS) == set(CATEGORIES)
    assert categories.label("digital-citizenship") == "Digitaal burgerschap"
