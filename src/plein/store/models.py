"""Tables of the store: apps, releases with their admission reports, search terms, facets, adoptions, the
inhabitant figures costs are reckoned with, reviews by adopters, security advisories, and the curator's admission
policy and list of standards."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow
from plein.organisations.models import Organisation


class App(Base):
    """An app in the store; its listing fields are copied from its newest accepted release."""

    __tablename__ = "store_apps"
    __table_args__ = (
        Index("ix_store_apps_listed_adoptions", "listed", "adoption_count"),
        Index("ix_store_apps_listed_released", "listed", "latest_released_at"),
        Index("ix_store_apps_listed_rating", "listed", "rating_average"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    publisher_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    short_description: Mapped[str] = mapped_column(Text, default="")
    listed: Mapped[bool] = mapped_column(default=False)
    latest_release_id: Mapped[uuid.UUID | None] = mapped_column()  # no FK: releases point at apps already
    latest_version: Mapped[str | None] = mapped_column(String(100))
    latest_released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    adoption_count: Mapped[int] = mapped_column(Integer, default=0)
    review_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # visible reviews
    rating_average: Mapped[float | None] = mapped_column(Float)  # of the visible reviews; NULL without any
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    publisher: Mapped[Organisation] = relationship(lazy="joined")


class Release(Base):
    """One published version of an app with its package facts and its admission report (accepted or rejected)."""

    __tablename__ = "store_releases"
    __table_args__ = (
        Index(
            "uq_store_releases_accepted_version", "app_id", "version", unique=True,
            sqlite_where=text("status = 'accepted'"), postgresql_where=text("status = 'accepted'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    publiccode: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    service: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # service/service.yaml, parsed
    service_files: Mapped[dict[str, str] | None] = mapped_column(JSONType)  # service/templates/*.html, by path
    report: Mapped[dict[str, Any]] = mapped_column(JSONType)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    archive_key: Mapped[str | None] = mapped_column(String(300))
    licence: Mapped[str | None] = mapped_column(String(200))
    published_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the publisher withdrew it (final)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    app: Mapped[App] = relationship(foreign_keys=[app_id], lazy="joined")


class AppTerm(Base):
    """A search term of an app with its weight (name counts more than features, features more than text)."""

    __tablename__ = "store_app_terms"
    __table_args__ = (Index("ix_store_app_terms_term_app", "term", "app_id", "weight"),)

    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(100), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class AppFacet(Base):
    """One facet value of a listed app (category, softwareType, licence, …); several per facet are allowed.

    Only listed apps have facet and term rows, and each has exactly one `kind` facet: search counts totals from
    it. Whatever unlists an app must delete its AppTerm and AppFacet rows.
    """

    __tablename__ = "store_app_facets"
    __table_args__ = (Index("ix_store_app_facets_facet_value_app", "facet", "value", "app_id"),)

    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class Adoption(Base):
    """A municipality's use of an app: the release, its own options, and where it stands."""

    __tablename__ = "store_adoptions"
    __table_args__ = (
        Index(
            "uq_store_adoptions_open", "organisation_id", "app_id", unique=True,
            sqlite_where=text("status != 'ended'"), postgresql_where=text("status != 'ended'"),
        ),
        Index("ix_store_adoptions_app_status", "app_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id"))
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_releases.id"))
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    app: Mapped[App] = relationship(lazy="joined")
    release: Mapped[Release] = relationship(lazy="joined")


class AdoptionEvent(Base):
    """One step in an adoption's history: planned, activated, configured, upgraded, ended."""

    __tablename__ = "store_adoption_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    adoption_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_adoptions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(100))
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InhabitantFigure(Base):
    """A number of inhabitants a municipality's beheerder set for reckoning costs, from a moment on.

    The newest row counts; a row without a number means: from then on, count the persons registered in the BRP
    again. Rows are never changed, so it stays visible which figure was used when."""

    __tablename__ = "store_inhabitant_figures"
    __table_args__ = (Index("ix_store_inhabitant_figures_org_from", "organisation_id", "valid_from"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    set_by: Mapped[str] = mapped_column(String(200))


class Review(Base):
    """A municipality's review of an app (one per municipality and app), the publisher's one reply, and whether a
    curator hid it and why."""

    __tablename__ = "store_reviews"
    __table_args__ = (
        UniqueConstraint("app_id", "organisation_id", name="uq_store_reviews_app_organisation"),
        Index("ix_store_reviews_app_updated", "app_id", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(100))  # the release the municipality used when it wrote this
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reply: Mapped[str | None] = mapped_column(Text)
    reply_by: Mapped[str | None] = mapped_column(String(200))
    reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by: Mapped[str | None] = mapped_column(String(200))
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Advisory(Base):
    """A security advisory about an app: which versions are affected, which version fixes it, how severe it is."""

    __tablename__ = "store_advisories"
    __table_args__ = (Index("ix_store_advisories_app_status", "app_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    identifier: Mapped[str] = mapped_column(String(40), unique=True)  # PLEIN-2026-0001
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_apps.id", ondelete="CASCADE"))
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)  # CVE and GHSA ids
    affected: Mapped[str] = mapped_column(String(200))  # a semver range: >=1.0.0 <1.2.3
    fixed: Mapped[str | None] = mapped_column(String(100))
    cvss_vector: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(10))  # none, low, medium, high, critical
    summary: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="published")  # published | withdrawn
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(200))
    app: Mapped[App] = relationship(lazy="joined")


class AdvisoryEvent(Base):
    """One step in an advisory's history (published, corrected, withdrawn) with the advisory as it was then."""

    __tablename__ = "store_advisory_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    advisory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_advisories.id", ondelete="CASCADE"),
                                                   index=True)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    notified: Mapped[list[str]] = mapped_column(JSONType, default=list)  # codes of the municipalities told
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HarvestSource(Base):
    """Another catalogue the store harvests apps from (a Plein feed or a list of publiccode.yml URLs), with the
    organisation its apps are published under here and what its last harvest gave."""

    __tablename__ = "store_harvest_sources"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # plein-feed | url-list
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_harvested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class HarvestedItem(Base):
    """One app of a harvest source: its remote URL, what was fetched last (version, modified date, ETag) so a next
    harvest skips what did not change, and the app it became here."""

    __tablename__ = "store_harvested_items"
    __table_args__ = (UniqueConstraint("source_id", "remote_url", name="uq_store_harvested_items_source_url"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_harvest_sources.id", ondelete="CASCADE"))
    remote_url: Mapped[str] = mapped_column(String(2000))
    app_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("store_apps.id", ondelete="SET NULL"), index=True)
    remote_page: Mapped[str | None] = mapped_column(String(2000))  # where people read about it at the source
    remote_publisher: Mapped[str | None] = mapped_column(String(300))  # the publisher's name at the source
    version: Mapped[str | None] = mapped_column(String(100))
    remote_modified: Mapped[str | None] = mapped_column(String(100))  # the feed's `modified`, or Last-Modified
    etag: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # accepted | rejected | failed
    message: Mapped[str] = mapped_column(Text, default="")
    first_harvested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    harvested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[HarvestSource] = relationship(lazy="joined")


class AdmissionPolicy(Base):
    """One version of the admission policy: which finding codes count as an error or a warning (codes not named
    keep the severity their check gives). Versions are never changed; the newest one applies."""

    __tablename__ = "store_admission_policies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    severities: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)  # rule code -> error | warning
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Standard(Base):
    """A standard apps may require from the platform (requires.standards in plein.yaml), kept by the curator."""

    __tablename__ = "store_standards"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    alias: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
