"""What an app costs a municipality: its pricing model applied to the municipality's inhabitants (counted in the BRP,
or the figure its beheerder set), in euros rounded to the cent as docs/store.md writes down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.registers.brp import service as brp
from plein.store import adoptions
from plein.store.models import Adoption, InhabitantFigure, Release

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_INHABITANTS = 10_000_000  # more than the largest municipality will ever have


@dataclass(frozen=True)
class Inhabitants:
    """The number costs are reckoned with, where it comes from, and from when it counts."""

    count: int
    source: Literal["brp", "beheerder"]
    since: dt.datetime | None  # beheerder: when it was set; brp: when a set figure was cleared (None: always BRP)
    set_by: str | None


@dataclass(frozen=True)
class Cost:
    """One app's cost for one municipality: once, and each year."""

    model: str
    one_off: Decimal
    yearly: Decimal


def cents(amount: Decimal) -> Decimal:
    """Rounded to the cent, halves away from zero (docs/store.md)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cost_of(pricing: dict[str, Any] | None, inhabitants: int) -> Cost:
    """The pricing model of plein.yaml applied: per-inhabitant is a yearly amount per inhabitant."""
    model = str((pricing or {}).get("model", "free"))
    amount = Decimal(str((pricing or {}).get("amountEur", 0)))
    if model == "one-off":
        return Cost(model, cents(amount), ZERO)
    if model == "yearly":
        return Cost(model, ZERO, cents(amount))
    if model == "per-inhabitant":
        return Cost(model, ZERO, cents(amount * inhabitants))
    return Cost("free", ZERO, ZERO)


def release_pricing(release: Release | None) -> dict[str, Any]:
    pricing = (release.manifest or {}).get("pricing") if release is not None else None
    return pricing if isinstance(pricing, dict) else {"model": "free"}


async def _organisation(session: AsyncSession, code: str) -> Organisation:
    try:
        return await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(str(exc)) from exc


async def inhabitant_history(session: AsyncSession, organisation: Organisation) -> list[InhabitantFigure]:
    """Every figure the beheerders set (or cleared), newest first."""
    query = (select(InhabitantFigure).where(InhabitantFigure.organisation_id == organisation.id)
             .order_by(InhabitantFigure.valid_from.desc()))
    return list((await session.scalars(query)).all())


async def inhabitants(session: AsyncSession, organisation: Organisation) -> Inhabitants:
    """The beheerder's figure when one is set, else the persons registered in the municipality in the BRP now."""
    history = await inhabitant_history(session, organisation)
    current = history[0] if history else None
    if current is not None and current.inhabitants is not None:
        return Inhabitants(current.inhabitants, "beheerder", current.valid_from, current.set_by)
    count = await brp.count_inhabitants(session, organisation.code)
    return Inhabitants(count, "brp", current.valid_from if current else None, current.set_by if current else None)


async def municipality_inhabitants(session: AsyncSession, code: str) -> Inhabitants:
    return await inhabitants(session, await _organisation(session, code))


async def set_inhabitants(session: AsyncSession, code: str, number: int | None, actor: Principal) -> Inhabitants:
    """Set the municipality's own figure (None: count in the BRP again); kept with who set it and from when."""
    organisation = await adoptions.managed_municipality(session, code, actor)
    if number is not None and (isinstance(number, bool) or not 0 < number <= MAX_INHABITANTS):
        raise InvalidInput("the number of inhabitants is not valid", [InvalidParam(
            "inhabitants", "range", f"must be a whole number from 1 to {MAX_INHABITANTS:,}, or null to use the BRP")])
    session.add(InhabitantFigure(organisation_id=organisation.id, inhabitants=number, valid_from=utcnow(),
                                 set_by=actor.id))
    await session.commit()
    return await inhabitants(session, organisation)


@dataclass(frozen=True)
class MunicipalityCosts:
    """The costs of a municipality's open adoptions, each and in total."""

    inhabitants: Inhabitants
    items: list[tuple[Adoption, Cost]]

    @property
    def yearly(self) -> Decimal:
        return sum((cost.yearly for _, cost in self.items), ZERO)

    @property
    def one_off(self) -> Decimal:
        return sum((cost.one_off for _, cost in self.items), ZERO)


async def municipality_costs(session: AsyncSession, code: str) -> MunicipalityCosts:
    """What the open (planned or active) adoptions cost, each at the price of the release the municipality uses."""
    organisation = await _organisation(session, code)
    figure = await inhabitants(session, organisation)
    open_adoptions = await adoptions.municipality_adoptions(session, code, include_ended=False)
    items = [(adoption, cost_of(release_pricing(adoption.release), figure.count)) for adoption in open_adoptions]
    return MunicipalityCosts(figure, items)


async def app_cost(session: AsyncSession, code: str, release: Release | None) -> tuple[Cost, Inhabitants]:
    """What a release of an app would cost the municipality."""
    figure = await inhabitants(session, await _organisation(session, code))
    return cost_of(release_pricing(release), figure.count), figure
