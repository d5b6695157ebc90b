"""Organisations: loading all current municipalities from national table 33, look-ups, slugs and themes."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound
from plein.identifiers import oin_for_rsin, stable_rsin
from plein.organisations import themes
from plein.organisations.models import Organisation

EXCLUDED_CODES = {"0000", "1999"}


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name: str


class UnknownOrganisation(LookupError):
    """No organisation has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no organisation with code '{code}'")
        self.code = code


def slugify(name: str) -> str:
    """'Noardeast-Fryslân' -> 'noardeast-fryslan', 'Bergen (NH.)' -> 'bergen-nh'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def current_municipalities() -> list[MunicipalityRow]:
    """Every municipality in table 33 without an end date (excluding 'Onbekend' and 'Registratie Niet Ingezetenen')."""
    text = resources.files("plein.organisations").joinpath("data/tabel33-gemeenten.csv").read_text("utf-8")
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return [
        MunicipalityRow(code=row[0], name=row[1])
        for row in reader
        if not row[4] and row[0] not in EXCLUDED_CODES
    ]


def municipality_identifiers(code: str) -> tuple[str, str]:
    """(RSIN, OIN) for a municipality; table 33 has neither, so they are derived stably from the CBS code."""
    rsin = stable_rsin(f"plein:municipality:{code}")
    return rsin, oin_for_rsin(rsin)


async def load_municipalities(session: AsyncSession) -> int:
    """Add every current municipality that is not there yet; returns how many were added. Safe to run again."""
    existing = set((await session.scalars(select(Organisation.code))).all())
    added = 0
    for row in current_municipalities():
        if row.code in existing:
            continue
        rsin, oin = municipality_identifiers(row.code)
        session.add(Organisation(code=row.code, name=row.name, slug=slugify(row.name), rsin=rsin, oin=oin))
        added += 1
    await session.flush()
    await _load_demo_themes(session)
    await session.commit()
    return added


async def _load_demo_themes(session: AsyncSession) -> None:
    """Give the demo municipalities their demo theme where they have none: a theme set by a beheerder (which always
    holds at least its version) is never overwritten."""
    demo = themes.demo_themes()
    query = select(Organisation).where(Organisation.code.in_(demo))
    for organisation in (await session.scalars(query)).all():
        if not organisation.theme:
            organisation.theme = themes.validate_theme(demo[organisation.code])


async def set_theme(session: AsyncSession, code: str, theme: object) -> Organisation:
    """Set an organisation's theme after the checks of themes.validate_theme (ThemeError names each problem)."""
    try:
        organisation = await get_by_code(session, code)
    except UnknownOrganisation as exc:
        raise NotFound(f"No organisation has the code '{code}'.") from exc
    organisation.theme = themes.validate_theme(theme)
    await session.commit()
    return organisation


async def create_organisation(session: AsyncSession, code: str, name: str, kind: str = "vendor") -> Organisation:
    """Register an organisation that is not a municipality, such as a software vendor."""
    rsin = stable_rsin(f"plein:organisation:{code}")
    organisation = Organisation(code=code, name=name, kind=kind, slug=slugify(name), rsin=rsin, oin=oin_for_rsin(rsin))
    session.add(organisation)
    await session.commit()
    return organisation


async def get_by_code(session: AsyncSession, code: str) -> Organisation:
    organisation = await session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise UnknownOrganisation(code)
    return organisation


async def get_by_slug(session: AsyncSession, slug: str) -> Organisation:
    """A municipality by the slug its pages use (e.g. 'den-haag'); UnknownOrganisation when there is none."""
    organisation = await session.scalar(select(Organisation).where(Organisation.slug == slug,
                                                                   Organisation.kind == "municipality"))
    if organisation is None:
        raise UnknownOrganisation(slug)
    return organisation


async def list_municipalities(session: AsyncSession) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == "municipality").order_by(Organisation.name)
    return list((await session.scalars(query)).all())
