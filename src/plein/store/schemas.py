"""Input and output shapes of the store API (camelCase JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class FacetValue(Schema):
    value: str
    count: int
    label: str | None = None


class AppSummary(Schema):
    slug: str = Field(description="Stable identifier of the app (the manifest's id).")
    name: str
    short_description: str
    kind: str
    publisher: str = Field(description="Code of the publishing organisation.")
    publisher_name: str
    latest_version: str | None
    latest_released_at: dt.datetime | None
    adoption_count: int = Field(description="Number of municipalities actively using the app.")
    review_count: int = Field(0, description="Number of (visible) reviews by municipalities that use the app.")
    rating_average: float | None = Field(None, description="Average rating (1-5) of those reviews; null without any.")
    score: float | None = Field(None, description="Relevance of the app for the search text.")


class AppPage(Schema):
    total: int = Field(description="Exact number of apps that match.")
    page: int
    page_size: int
    pages: int
    sort: str = Field(description="relevance, adoptions, newest or rating.")
    results: list[AppSummary]
    facets: dict[str, list[FacetValue]]


class DataRequest(Schema):
    source: str = Field(alias="register", description="The source register: brp or bag.")
    fields: list[str]
    activity: str
    purpose: str
    legal_basis: str
    scope: Literal["gemeente", "landelijk"] = Field(
        "gemeente", description="gemeente: persons registered in the adopting municipality; landelijk: persons "
        "registered anywhere.")


class WriteRequest(Schema):
    source: str = Field(alias="register", description="The source register the app's effects change: brp.")
    mutation: str = Field(description="The kind of change, e.g. verhuizing.")
    activity: str
    purpose: str
    legal_basis: str


class ReleaseSummary(Schema):
    version: str
    status: Literal["accepted", "rejected"]
    created_at: dt.datetime
    sha256: str
    licence: str | None
    errors: int
    warnings: int
    withdrawn_at: dt.datetime | None = Field(None, description="When the publisher withdrew the release: it can no "
                                             "longer be adopted; municipalities that use it keep running it.")
    withdrawn_reason: str | None = Field(None, description="Why the publisher withdrew it.")


class ReleaseDetail(ReleaseSummary):
    app: str
    publiccode: dict[str, Any] | None
    manifest: dict[str, Any] | None
    report: dict[str, Any]


class AppUser(Schema):
    municipality: str
    municipality_name: str
    status: str
    since: dt.datetime
    version: str


class AppDetail(AppSummary):
    description: dict[str, Any] = Field(description="The description in Dutch, else English.")
    licence: str | None
    licence_open: bool
    pricing: dict[str, Any]
    options: dict[str, Any] = Field(description="JSON Schema of the options a municipality chooses.")
    data: list[DataRequest] = Field(description="The personal data the app asks for, and why.")
    writes: list[WriteRequest] = Field(description="The register changes the app makes (write grants), and why.")
    standards: list[str]
    releases: list[ReleaseSummary]
    users: list[AppUser]


class PublishResponse(Schema):
    app: str
    version: str
    status: Literal["accepted", "rejected"]
    report: dict[str, Any]


class AdoptionCreate(Schema):
    app: str = Field(description="The app to adopt (its slug).", min_length=1, max_length=100)
    version: str | None = Field(None, description="Release to adopt; the newest admitted release when left out.")
    options: dict[str, Any] = Field(default_factory=dict, description="The municipality's options.")
    status: Literal["planned", "active"] = "planned"


class AdoptionChange(Schema):
    status: Literal["planned", "active", "ended"] | None = None
    version: str | None = Field(None, description="Upgrade to this (newer) admitted release.")
    options: dict[str, Any] | None = Field(None, description="New options; validated against the release.")


class AdoptionEventOut(Schema):
    action: str
    version: str
    options: dict[str, Any]
    actor: str
    at: dt.datetime


class AdoptionOut(Schema):
    id: str
    municipality: str
    app: str
    app_name: str
    version: str
    status: str
    options: dict[str, Any]
    created_at: dt.datetime
    activated_at: dt.datetime | None
    ended_at: dt.datetime | None
    history: list[AdoptionEventOut] | None = None


class ReviewIn(Schema):
    rating: int = Field(description="1 (poor) to 5 (excellent).")
    text: str = Field(description="What the municipality thinks of the app, and why.", max_length=5000)


class ReplyIn(Schema):
    text: str = Field(description="The publisher's reply (one per review).", max_length=5000)


class HideIn(Schema):
    reason: str = Field(description="Why the curator hides the review; its author sees it.", max_length=5000)


class ReviewReply(Schema):
    text: str
    by: str
    at: dt.datetime


class ReviewHidden(Schema):
    reason: str
    by: str
    at: dt.datetime


class ReviewOut(Schema):
    municipality: str
    municipality_name: str
    rating: int
    text: str
    version: str = Field(description="The version of the app the municipality used when it wrote the review.")
    created_at: dt.datetime
    updated_at: dt.datetime
    reply: ReviewReply | None = None
    hidden: ReviewHidden | None = Field(None, description="Set when a curator hid the review (shown only to its "
                                        "author and to curators).")


class InhabitantsIn(Schema):
    inhabitants: int | None = Field(description="The municipality's own figure; null: count the persons "
                                    "registered in the BRP again.")


class InhabitantsOut(Schema):
    count: int
    source: Literal["brp", "beheerder"] = Field(description="brp: persons registered in the municipality now; "
                                                "beheerder: the figure the municipality set.")
    since: dt.datetime | None = Field(description="From when this source counts (null: always the BRP).")
    set_by: str | None


class CostItem(Schema):
    adoption: str
    app: str
    app_name: str
    version: str
    status: str
    pricing_model: str
    one_off_eur: float
    yearly_eur: float


class CostsOut(Schema):
    inhabitants: InhabitantsOut
    items: list[CostItem]
    one_off_total_eur: float
    yearly_total_eur: float = Field(description="Yearly total over all open (planned or active) adoptions.")


class AdvisoryCreate(Schema):
    aliases: list[str] = Field(default_factory=list, description="CVE or GHSA ids of the same vulnerability.")
    affected: str = Field(description="The affected versions as a semver range, e.g. >=1.0.0 <1.2.3.",
                          max_length=200)
    fixed: str | None = Field(None, description="The version that fixes it.", max_length=100)
    cvss: str = Field(description="CVSS 3.1 vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N.",
                      max_length=200)
    summary: str = Field(max_length=200)
    details: str = Field(max_length=20000)


class AdvisoryChange(Schema):
    status: Literal["withdrawn"] | None = Field(None, description="withdrawn: the advisory was wrong.")
    reason: str = Field(description="Why the advisory is corrected or withdrawn (kept in its history).",
                        max_length=2000)
    aliases: list[str] | None = None
    affected: str | None = Field(None, max_length=200)
    fixed: str | None = Field(None, max_length=100)
    cvss: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=200)
    details: str | None = Field(None, max_length=20000)


class AdvisoryEventOut(Schema):
    action: str
    reason: str
    notified: list[str] = Field(description="Codes of the municipalities that were told.")
    actor: str
    at: dt.datetime


class AdvisoryOut(Schema):
    id: str
    app: str
    aliases: list[str]
    affected: str
    fixed: str | None
    cvss: str
    score: float
    severity: str
    summary: str
    details: str
    status: Literal["published", "withdrawn"]
    published_at: dt.datetime
    modified_at: dt.datetime
    withdrawn_at: dt.datetime | None
    history: list[AdvisoryEventOut]


class OsvFeed(Schema):
    vulns: list[dict[str, Any]] = Field(description="The advisories as OSV entries (https://ossf.github.io/"
                                        "osv-schema/), withdrawn ones with their `withdrawn` time.")
