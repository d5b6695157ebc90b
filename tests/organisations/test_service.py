"""Municipalities from national table 33: all current ones, with stable identifiers and slugs."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import passes_elfproef
from plein.organisations.models import Organisation
from plein.organisations.service import (
    current_municipalities,
    get_by_code,
    load_municipalities,
    municipality_identifiers,
    slugify,
)


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
