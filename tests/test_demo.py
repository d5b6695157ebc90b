"""The demo database: all municipalities, sample apps admitted through the pipeline, one rejected, adoptions, and
aanvragen of the three services made through the service engine."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select

from plein.auth.service import Principal
from plein.db import make_engine, make_session_factory
from plein.demo import ADOPTIONS, NEXT_VERSION, DemoRefused, build_demo, hold_database
from plein.demo.market import ADVISED_APP, ADVISED_VERSION, FIXED_VERSION, REVIEWS
from plein.errors import Conflict
from plein.organisations.models import Organisation
from plein.services.models import Aanvraag
from plein.settings import Settings
from plein.store import adoptions as store_adoptions
from plein.store import advisories as store_advisories
from plein.store.models import Adoption, Advisory, App, Release, Review
from plein.zgw.zaken.models import ZaakInformatieObject

# (app, municipality, status, appointment, documents of the zaak): Amsterdam decided a move straight-through,
# Utrecht's waits for its case worker with a proof of residence, Den Haag's is a request for an appointment at the
# desk; a funeral director's death registrations: approved in Amsterdam (the A-form, the akte and the verlof),
# rejected there, open in Den Haag; and a paid extract with its PDF.
DEMO_AANVRAGEN = [
    ("aangifte-overlijden", "0363", "afgewezen", False, 1), ("aangifte-overlijden", "0363", "toegekend", False, 3),
    ("aangifte-overlijden", "0518", "ingediend", False, 1), ("uittreksel-brp", "0363", "toegekend", False, 1),
    ("verhuizing-doorgeven", "0344", "ingediend", False, 1), ("verhuizing-doorgeven", "0363", "toegekend", False, 0),
    ("verhuizing-doorgeven", "0518", "ingediend", True, 0),
]
WILMA_ZON = "999993112"  # her verhuizing to Amsterdam's Nieuwbouwlaan is the demo's decided aanvraag
ADRIANA_VEEKERS = "999996551"  # her verhuizing within Utrecht waits for Utrecht's case worker


def test_demo_builds_from_nothing(tmp_path: Path) -> None:
    settings = Settings(env="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
                        data_dir=tmp_path / "data")
    output = io.StringIO()
    build_demo(settings, console=Console(file=output, width=200))
    counts = asyncio.run(_counts(settings))
    listed, rejected, adoptions, municipalities, aanvragen = counts
    assert len(listed) >= 5 and "bruggen-op-afstand" in listed
    assert rejected == ["0.9.0"]
    assert adoptions == len(ADOPTIONS)
    assert municipalities == 342
    assert aanvragen == DEMO_AANVRAGEN
    assert "parkeervergunning-aanvragen 0.9.0: rejected" in output.getvalue()
    assert f"verhuizing-doorgeven {NEXT_VERSION}: admitted" in output.getvalue()
    # running it again starts from a fresh database
    build_demo(settings, console=Console(file=io.StringIO()))
    assert asyncio.run(_counts(settings)) == counts
    # Rotterdam planned 2.0.0 with a behandeltermijn of 40 days; the next release allows at most 28
    assert asyncio.run(_upgrade_rotterdam(settings)) == ["options.behandeltermijnDagen"]
    # joint demand: Amsterdam's open wish that Utrecht and Rotterdam joined, and Utrecht's, fulfilled
    assert asyncio.run(_wishes(settings)) == [("open", ["0344", "0363", "0599"], None),
                                              ("fulfilled", ["0344", "0518"], "meldingen-openbare-ruimte")]
    # the marketplace: reviews by municipalities that have used the app long enough, and one advisory that affects
    # exactly Utrecht's Meldingen openbare ruimte 4.2.0, with the upgrade to 4.2.1 offered
    reviewed, affected, target = asyncio.run(_market(settings))
    assert reviewed == len(REVIEWS) and reviewed >= 3
    assert affected == [("0344", ADVISED_APP, ADVISED_VERSION)] and target == FIXED_VERSION
    assert "/gemeenten/0344/apps" in output.getvalue()


async def _market(settings: Settings) -> tuple[int | None, list[tuple[str, str, str]], str | None]:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            reviewed = await session.scalar(select(func.count()).select_from(Review))
            [advisory] = (await session.scalars(select(Advisory))).all()
            found = await store_advisories.affected_adoptions(session, advisory)
            affected = [(a.organisation.code, a.app.slug, a.release.version) for a in found]
            releases = (await session.scalars(select(Release).where(Release.app_id == advisory.app_id))).all()
            target = store_advisories.upgrade_target(advisory, list(releases))
            return reviewed, affected, target.version if target else None
    finally:
        await engine.dispose()


async def _counts(settings: Settings) -> tuple[list[str], list[str], int | None, int | None,
                                               list[tuple[Any, ...]]]:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        listed = (await session.scalars(select(App.slug).where(App.listed.is_(True)))).all()
        rejected = (await session.scalars(select(Release.version).where(Release.status == "rejected"))).all()
        adoptions = await session.scalar(select(func.count()).select_from(Adoption))
        municipalities = await session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.kind == "municipality"))
        documents = (select(func.count()).select_from(ZaakInformatieObject)
                     .where(ZaakInformatieObject.zaak_id == Aanvraag.zaak_id).scalar_subquery())
        aanvragen = (await session.execute(select(Aanvraag.app, Aanvraag.municipality, Aanvraag.status,
                                                  Aanvraag.appointment, documents)
                                           .where(Aanvraag.zaak_id.is_not(None)))).all()
    await engine.dispose()
    return (sorted(listed), list(rejected), adoptions, municipalities,
            sorted(tuple(row) for row in aanvragen))


async def _upgrade_rotterdam(settings: Settings) -> list[str]:
    """Try to upgrade Rotterdam's verhuizing-doorgeven to the demo's next release; the names the refusal gives."""
    engine = make_engine(settings)
    actor = Principal("demo", "test", "test", frozenset(), all_rights=True)
    try:
        async with make_session_factory(engine)() as session:
            [adoption] = [item for item in await store_adoptions.municipality_adoptions(session, "0599")
                          if item.app.slug == "verhuizing-doorgeven"]
            assert (adoption.status, adoption.release.version) == ("planned", "2.0.0")
            with pytest.raises(Conflict) as blocked:
                await store_adoptions.change_adoption(session, "0599", str(adoption.id), actor, version=NEXT_VERSION)
            return [param.name for param in blocked.value.invalid_params]
    finally:
        await engine.dispose()


def test_demo_client_reads_a_test_person(tmp_path: Path) -> None:
    import httpx

    from plein.app import create_app, dispose_engines
    from plein.auth.service import make_jwt
    from plein.demo import CLIENT_SECRET, DEMO_ACTIVITY

    settings = Settings(env="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
                        data_dir=tmp_path / "data")
    build_demo(settings, console=Console(file=io.StringIO()))

    async def read() -> httpx.Response:
        app = create_app(settings)
        headers = {"Authorization": f"Bearer {make_jwt('demo-amsterdam', CLIENT_SECRET)}",
                   "X-Verwerkingsactiviteit": DEMO_ACTIVITY}
        body = {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["999993653"],
                "fields": ["naam.voornamen", "geboorte.datum"]}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client:
            response = await client.post("/haalcentraal/api/brp/personen", json=body, headers=headers)
        await dispose_engines(app)
        return response

    response = asyncio.run(read())
    assert response.status_code == 200, response.text
    person = response.json()["personen"][0]
    assert person["naam"]["voornamen"] == "Suzanne"
    assert set(person) <= {"naam", "geboorte", "geheimhoudingPersoonsgegevens", "opschortingBijhouding"}


def test_demo_client_sees_amsterdams_zaken(tmp_path: Path) -> None:
    import httpx

    from plein.app import create_app, dispose_engines
    from plein.auth.service import make_jwt
    from plein.demo import CLIENT_SECRET

    settings = Settings(env="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
                        data_dir=tmp_path / "data", base_url="http://demo")
    build_demo(settings, console=Console(file=io.StringIO()))

    async def read(bsn: str) -> httpx.Response:
        app = create_app(settings)
        headers = {"Authorization": f"Bearer {make_jwt('demo-amsterdam', CLIENT_SECRET)}", "Accept-Crs": "EPSG:4326"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client:
            response = await client.get("/zaken/api/v1/zaken", headers=headers,
                                        params={"rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": bsn})
        await dispose_engines(app)
        return response

    response = asyncio.run(read(WILMA_ZON))
    assert response.status_code == 200, response.text
    [zaak] = response.json()["results"]
    assert zaak["omschrijving"] == "Verhuizing naar Nieuwbouwlaan 1, 1019 ZX Amsterdam"
    assert zaak["status"] is not None and zaak["resultaat"] is not None  # decided straight-through
    in_utrecht = asyncio.run(read(ADRIANA_VEEKERS))  # a zaak of Utrecht's own zaaktype: not the client's
    assert in_utrecht.status_code == 200 and in_utrecht.json()["results"] == []


def test_the_demo_names_the_port_it_serves_on_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from plein.cli import demo_base_url

    monkeypatch.delenv("PLEIN_BASE_URL", raising=False)
    assert demo_base_url(8765) == "http://127.0.0.1:8765"
    monkeypatch.setenv("PLEIN_BASE_URL", "https://plein.example.nl")
    assert demo_base_url(8765) == "https://plein.example.nl"


def test_the_demo_uses_the_configured_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from plein.cli import demo_database

    monkeypatch.setenv("PLEIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mijn.db'}")
    assert demo_database() == {}  # the setting from the environment stands
    monkeypatch.delenv("PLEIN_DATABASE_URL")
    monkeypatch.setenv("PLEIN_DATA_DIR", str(tmp_path / "data"))
    assert demo_database() == {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'data'}/demo.db"}


def test_the_demo_deletes_only_a_database_it_made(tmp_path: Path) -> None:
    precious = tmp_path / "demo.db"
    precious.write_bytes(b"someone's data")
    settings = Settings(env="demo", database_url=f"sqlite+aiosqlite:///{precious}", data_dir=tmp_path / "data")
    with pytest.raises(DemoRefused, match="was not made by `plein demo`"):
        build_demo(settings, console=Console(file=io.StringIO()))
    assert precious.read_bytes() == b"someone's data"


def test_a_second_demo_on_the_same_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    first = hold_database(url)
    try:
        with pytest.raises(DemoRefused, match="another `plein demo` is using"):
            hold_database(url)
    finally:
        assert first is not None
        first.close()
    again = hold_database(url)
    assert again is not None
    again.close()


async def _wishes(settings: Settings) -> list[tuple[str, list[str], str | None]]:
    """Each demo wish's status, the codes of the municipalities that joined it and the app that fulfilled it."""
    from plein.store import wishes

    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            found = sorted(await wishes.list_wishes(session), key=lambda item: item[0].identifier)
            result = []
            for wish, _ in found:
                reckoning = await wishes.reckon(session, wish)
                assert sum(share.amount for share in reckoning.shares) == reckoning.budget
                codes = [share.participant.organisation.code for share in reckoning.shares]
                result.append((wish.status, codes, wish.app.slug if wish.app else None))
            return result
    finally:
        await engine.dispose()
