"""The demo database: all municipalities, sample apps admitted through the pipeline, one rejected, adoptions."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select

from plein.db import make_engine, make_session_factory
from plein.demo import ADOPTIONS, build_demo
from plein.organisations.models import Organisation
from plein.settings import Settings
from plein.store.models import Adoption, App, Release


def test_demo_builds_from_nothing(tmp_path: Path) -> None:
    settings = Settings(env="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
                        data_dir=tmp_path / "data")
    output = io.StringIO()
    build_demo(settings, console=Console(file=output, width=200))
    counts = asyncio.run(_counts(settings))
    listed, rejected, adoptions, municipalities = counts
    assert len(listed) >= 5 and "bruggen-op-afstand" in listed
    assert rejected == ["0.9.0"]
    assert adoptions == len(ADOPTIONS)
    assert municipalities and municipalities > 340
    assert "parkeervergunning-aanvragen 0.9.0: rejected" in output.getvalue()
    # running it again starts from a fresh database
    build_demo(settings, console=Console(file=io.StringIO()))
    assert asyncio.run(_counts(settings)) == counts


async def _counts(settings: Settings) -> tuple[list[str], list[str], int | None, int | None]:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        listed = (await session.scalars(select(App.slug).where(App.listed.is_(True)))).all()
        rejected = (await session.scalars(select(Release.version).where(Release.status == "rejected"))).all()
        adoptions = await session.scalar(select(func.count()).select_from(Adoption))
        municipalities = await session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.kind == "municipality"))
    await engine.dispose()
    return sorted(listed), list(rejected), adoptions, municipalities


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

    async def read() -> httpx.Response:
        app = create_app(settings)
        headers = {"Authorization": f"Bearer {make_jwt('demo-amsterdam', CLIENT_SECRET)}", "Accept-Crs": "EPSG:4326"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client:
            response = await client.get("/zaken/api/v1/zaken", headers=headers,
                                        params={"rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": "999993653"})
        await dispose_engines(app)
        return response

    response = asyncio.run(read())
    assert response.status_code == 200, response.text
    [zaak] = response.json()["results"]
    assert zaak["omschrijving"] == "Verhuizing doorgeven"
    assert zaak["status"] is not None


def test_the_demo_names_the_port_it_serves_on_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from plein.cli import demo_base_url

    monkeypatch.delenv("PLEIN_BASE_URL", raising=False)
    assert demo_base_url(8765) == "http://127.0.0.1:8765"
    monkeypatch.setenv("PLEIN_BASE_URL", "https://plein.example.nl")
    assert demo_base_url(8765) == "https://plein.example.nl"
