"""Organisations: municipalities kept in step with national table 33, look-ups, slugs and themes."""

from __future__ import annotations

import csv
import datetime as dt
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
# National table 33 (gemeenten), the package's one copy; tests/organisations checks it equals ../shared/specs/brp.
TABLE_33 = ("plein.registers", "data/tabel33-gemeenten.csv")


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name: str
    ended_on: dt.date | None = None


class UnknownOrganisation(LookupError):
    """No organisation has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no organisation with code '{code}'")
        self.code = code


def slugify(name: str) -> str:
    """'Noardeast-Fryslân' -> 'noardeast-fryslan', 'Bergen (NH.)' -> 'bergen-nh'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def municipality_table() -> list[MunicipalityRow]:
    """Every municipality in table 33 with its end date, ended ones too (excluding 'Onbekend' and 'Registratie
    Niet Ingezetenen')."""
    package, path = TABLE_33
    reader = csv.reader(io.StringIO(resources.files(package).joinpath(path).read_text("utf-8")))
    next(reader)
    return [MunicipalityRow(code=row[0], name=row[1], ended_on=_lo3_date(row[4]))
            for row in reader if row[0] not in EXCLUDED_CODES]


def _lo3_date(text: str) -> dt.date | None:
    """Table 33's yyyymmdd, or None when empty."""
    return dt.datetime.strptime(text, "%Y%m%d").replace(tzinfo=dt.UTC).date() if text else None


def current_municipalities() -> list[MunicipalityRow]:
    """Every municipality in table 33 without an end date (excluding 'Onbekend' and 'Registratie Niet Ingezetenen')."""
    return [row for row in municipality_table() if row.ended_on is None]


def municipality_identifiers(code: str) -> tuple[str, str]:
    """(RSIN, OIN) for a municipality; table 33 has neither, so they are derived stably from the CBS code."""
    rsin = stable_rsin(f"plein:municipality:{code}")
    return rsin, oin_for_rsin(rsin)


async def load_municipalities(session: AsyncSession) -> int:
    """Bring the municipalities in step with table 33; returns how many were added. A current municipality that is
    missing is added; one already there takes the table's name and end date, so a municipality that merged away
    stays, marked ended, with its adoptions and history. Slugs never change (they are in URLs). Safe to run again."""
    rows = municipality_table()
    query = select(Organisation).where(Organisation.code.in_([row.code for row in rows]))
    existing = {organisation.code: organisation for organisation in (await session.scalars(query)).all()}
    slugs = set((await session.scalars(select(Organisation.slug))).all())
    added = 0
    for row in rows:
        organisation = existing.get(row.code)
        if organisation is not None:
            if organisation.kind == "municipality":
                organisation.name, organisation.ended_on = row.name, row.ended_on
            continue
        if row.ended_on is not None:
            continue
        slug = slugify(row.name) if slugify(row.name) not in slugs else f"{slugify(row.name)}-{row.code}"
        rsin, oin = municipality_identifiers(row.code)
        session.add(Organisation(code=row.code, name=row.name, slug=slug, rsin=rsin, oin=oin))
        slugs.add(slug)
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
    """The municipalities that exist today (not those that ended), by name."""
    query = (select(Organisation).where(Organisation.kind == "municipality", Organisation.ended_on.is_(None))
             .order_by(Organisation.name))
    return list((await session.scalars(query)).all())
