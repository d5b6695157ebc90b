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
    score: float | None = Field(None, description="Relevance of the app for the search text.")


class AppPage(Schema):
    total: int = Field(description="Exact number of apps that match.")
    page: int
    page_size: int
    pages: int
    sort: str
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
