"""Municipalities from national table 33: all current ones, with stable identifiers and slugs; a later table updates
them (a merged municipality stays, marked ended, with its adoptions)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import passes_elfproef
from plein.organisations.models import Organisation
from plein.organisations.service import (
    TABLE_33,
    current_municipalities,
    get_by_code,
    list_municipalities,
    load_municipalities,
    municipality_identifiers,
    slugify,
)
from plein.store.models import Adoption, App
from tests.factories import make_package
from tests.store.helpers import SYSTEM, publish_folder

SHARED_TABLE_33 = Path(__file__).resolve().parents[2] / ".." / "shared" / "specs" / "brp" / "tabel33-gemeenten.csv"


def test_the_package_has_one_copy_of_table_33_equal_to_the_shared_one() -> None:
    package, path = TABLE_33
    copies = sorted(str(found.relative_to(Path(str(resources.files("plein")))))
                    for found in Path(str(resources.files("plein"))).rglob("tabel33-gemeenten.csv"))
    assert copies == ["registers/data/tabel33-gemeenten.csv"]
    assert resources.files(package).joinpath(path).read_bytes() == SHARED_TABLE_33.read_bytes()


def test_342_municipalities_exist_since_the_merger_into_voorne_aan_zee() -> None:
    codes = {row.code for row in current_municipalities()}
    assert len(codes) == 342
    assert "1992" in codes  # Voorne aan Zee, since 1 January 2023
    assert not codes & {"0501", "0530", "0614"}  # Brielle, Hellevoetsluis and Westvoorne merged into it


def test_current_municipalities_exclude_ended_and_special_codes() -> None:
    rows = current_municipalities()
    codes = {row.code for row in rows}
    assert "0363" in codes and "0344" in codes
    assert "0000" not in codes and "1999" not in codes
    assert "0003" not in codes  # Appingedam ended in 2021
    assert len(codes) == len(rows)


def test_slugs() -> None:
    assert slugify("Noardeast-Fryslân") == "noardeast-fryslan"
    assert slugify("Bergen (NH.)") == "bergen-nh"
    assert slugify("'s-Hertogenbosch") == "s-hertogenbosch"


def test_identifiers_are_stable_and_valid() -> None:
    rsin, oin = municipality_identifiers("0363")
    assert passes_elfproef(rsin) and oin == f"00000001{rsin}000"
    assert municipality_identifiers("0363") == (rsin, oin)
    assert municipality_identifiers("0344")[0] != rsin


async def test_every_database_has_all_municipalities_and_loading_again_adds_none(session: AsyncSession) -> None:
    count = await session.scalar(select(func.count()).select_from(Organisation))
    assert count == len(current_municipalities())
    assert await load_municipalities(session) == 0
    amsterdam = await get_by_code(session, "0363")
    assert amsterdam.name == "Amsterdam" and amsterdam.slug == "amsterdam"
    oins = (await session.scalars(select(Organisation.oin))).all()
    assert len(set(oins)) == len(oins)
    slugs = (await session.scalars(select(Organisation.slug))).all()
    assert len(set(slugs)) == len(slugs)


async def test_a_later_table_marks_a_merged_municipality_ended_and_keeps_its_adoptions(
        session: AsyncSession, tmp_path: Path) -> None:
    # the database as an older table left it: Brielle current and using an app, Voorne aan Zee not there yet
    voorne = await get_by_code(session, "1992")
    await session.delete(voorne)
    rsin, oin = municipality_identifiers("0501")
    brielle = Organisation(code="0501", name="Brielle (oud)", slug="brielle", rsin=rsin, oin=oin)
    session.add(brielle)
    await session.commit()
    result = await publish_folder(session, make_package(tmp_path))
    app = await session.scalar(select(App).where(App.id == result.release.app_id))
    assert app is not None
    session.add(Adoption(organisation_id=brielle.id, app_id=app.id, release_id=result.release.id, options={},
                         status="active", created_by=SYSTEM.id))
    await session.commit()

    assert await load_municipalities(session) == 1
    session.expire_all()
    brielle = await get_by_code(session, "0501")
    assert brielle.ended_on == dt.date(2023, 1, 1) and brielle.name == "Brielle" and brielle.slug == "brielle"
    assert (await get_by_code(session, "1992")).name == "Voorne aan Zee"
    assert await session.scalar(select(func.count()).select_from(Adoption)
                                .where(Adoption.organisation_id == brielle.id)) == 1
    listed = {organisation.code for organisation in await list_municipalities(session)}
    assert "0501" not in listed and "1992" in listed and len(listed) == 342
