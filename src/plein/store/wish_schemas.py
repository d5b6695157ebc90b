"""Input and output shapes of the wishes (joint demand) in the store API (camelCase JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from plein.store.schemas import InhabitantsOut, Schema


class WishContent(Schema):
    title: str = Field(max_length=200)
    description: str = Field(description="What the municipalities need, and why.", max_length=10000)
    standards: list[str] = Field(default_factory=list, max_length=20, description=(
        "Standards a solution must meet: an alias of the store's list of standards or a standard apps in the store "
        "name (e.g. zgw-zaken-1.5), an alias of the publiccode.yml list (alias:gdpr), or the standard's URL or URN."))
    budget_eur: float = Field(description="The estimated budget of the whole commission, in euros (whole cents).")
    split: Literal["equal", "per-inhabitant"] = Field(
        "equal", description="How the budget is split over the joined municipalities.")


class WishCreate(WishContent):
    municipality: str = Field(description="Code of the municipality that posts the wish (its beheerder acts).",
                              max_length=20)


class WishChange(Schema):
    status: Literal["commissioned", "fulfilled", "withdrawn"] = Field(description=(
        "commissioned: the poster's beheerder makes it a joint commission (with `commissioner` and `note`); "
        "fulfilled: a publisher links its admitted app (`app`, optionally `version`); withdrawn: the poster's "
        "beheerder withdraws an open wish, saying why in `reason`."))
    commissioner: str | None = Field(None, max_length=20, description=(
        "Code of the joint commissioner: a joined municipality or a cooperation of municipalities."))
    note: str | None = Field(None, max_length=2000, description="About the commission (e.g. the tender).")
    reason: str | None = Field(None, max_length=2000, description="Why the wish is withdrawn (10 to 2000 characters).")
    app: str | None = Field(None, max_length=100, description="The admitted app that fulfils the wish (its slug).")
    version: str | None = Field(None, max_length=100, description="The release; the newest admitted when left out.")


class WishShareOut(Schema):
    municipality: str
    municipality_name: str
    poster: bool = Field(description="Whether this municipality posted the wish.")
    joined_at: dt.datetime
    inhabitants: InhabitantsOut
    budget_eur: float = Field(description="This municipality's part of the budget under the split.")


class WishEventOut(Schema):
    action: Literal["posted", "joined", "left", "changed", "commissioned", "fulfilled", "withdrawn"]
    municipality: str | None = Field(description="The municipality that posted, joined or left.")
    detail: dict[str, Any]
    notified: list[str] = Field(description="Codes of the municipalities that were told (kanaal `store`).")
    actor: str
    at: dt.datetime


class WishSummary(Schema):
    id: str = Field(description="WENS-yyyy-nnnn")
    title: str
    status: Literal["open", "commissioned", "fulfilled", "withdrawn"]
    municipality: str = Field(description="Code of the municipality that posted it.")
    municipality_name: str
    budget_eur: float
    split: Literal["equal", "per-inhabitant"]
    participant_count: int = Field(description="Number of municipalities that joined (the poster included).")
    created_at: dt.datetime


class WishFulfilment(Schema):
    app: str
    app_name: str
    version: str
    publisher: str
    at: dt.datetime


class WishCommission(Schema):
    commissioner: str
    commissioner_name: str
    note: str | None
    at: dt.datetime


class WishOut(WishSummary):
    description: str
    standards: list[str]
    inhabitants: int = Field(description="The inhabitants of the joined municipalities together.")
    equal_fallback: bool = Field(description="Split per inhabitant, but no joined municipality has inhabitants: "
                                 "the budget is split equally.")
    participants: list[WishShareOut]
    commission: WishCommission | None = None
    fulfilment: WishFulfilment | None = None
    history: list[WishEventOut]
