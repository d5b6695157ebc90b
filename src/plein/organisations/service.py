"""Organisations: loading all current municipalities from national table 33, look-ups and slugs."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.identifiers import oin_for_rsin, stable_rsin
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
    await session.commit()
    return added


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


async def list_municipalities(session: AsyncSession) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == "municipality").order_by(Organisation.name)
    return list((await session.scalars(query)).all())
