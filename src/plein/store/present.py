"""Turning store rows into the API's output shapes; the pages use the same shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import NotFound
from plein.store import adoptions, advisories, costs, service
from plein.store.checks.licence import licence_of
from plein.store.listing import licence_is_open, localised_description
from plein.store.models import Adoption, Advisory, App, Release, Review
from plein.store.schemas import (
    AdoptionEventOut,
    AdoptionOut,
    AdvisoryEventOut,
    AdvisoryOut,
    AppDetail,
    AppSummary,
    AppUser,
    CostItem,
    CostsOut,
    DataRequest,
    InhabitantsOut,
    ReleaseDetail,
    ReleaseSummary,
    ReviewHidden,
    ReviewOut,
    ReviewReply,
    WriteRequest,
)


def app_summary(app: App, score: float | None = None) -> AppSummary:
    return AppSummary(
        slug=app.slug, name=app.name, short_description=app.short_description, kind=app.kind,
        publisher=app.publisher.code, publisher_name=app.publisher.name, latest_version=app.latest_version,
        latest_released_at=app.latest_released_at, adoption_count=app.adoption_count, review_count=app.review_count,
        rating_average=round(app.rating_average, 2) if app.rating_average is not None else None, score=score,
    )


def release_summary(release: Release) -> ReleaseSummary:
    findings = release.report.get("findings", [])
    errors = sum(1 for finding in findings if finding.get("severity") == "error")
    return ReleaseSummary(
        version=release.version, status=release.status,
        created_at=release.created_at, sha256=release.sha256, licence=release.licence,
        errors=errors, warnings=len(findings) - errors,
        withdrawn_at=release.withdrawn_at, withdrawn_reason=release.withdrawn_reason,
    )


def release_detail(release: Release) -> ReleaseDetail:
    return ReleaseDetail(
        **release_summary(release).model_dump(), app=release.app.slug, publiccode=release.publiccode,
        manifest=release.manifest, report=release.report,
    )


def _data_requests(manifest: dict[str, Any]) -> list[DataRequest]:
    requests = (manifest.get("requires") or {}).get("data") or []
    return [DataRequest(source=r["register"], fields=r["fields"], activity=r["activity"], purpose=r["purpose"],
                        legal_basis=r["legalBasis"], scope=r.get("scope", "gemeente")) for r in requests]


def _write_requests(manifest: dict[str, Any]) -> list[WriteRequest]:
    requests = (manifest.get("requires") or {}).get("writes") or []
    return [WriteRequest(source=r["register"], mutation=r["mutation"], activity=r["activity"], purpose=r["purpose"],
                         legal_basis=r["legalBasis"]) for r in requests]


async def app_detail(session: AsyncSession, slug: str, actor: Principal | None) -> AppDetail:
    app = await service.get_app(session, slug)
    releases = await service.app_releases(session, app, actor)
    if not app.listed and not service.may_see_rejected(app, actor):
        raise NotFound(f"no app '{slug}' in the store")
    latest = next((r for r in releases if r.id == app.latest_release_id), releases[0] if releases else None)
    publiccode = (latest.publiccode if latest else None) or {}
    manifest = (latest.manifest if latest else None) or {}
    users = await service.app_users(session, app)
    return AppDetail(
        **app_summary(app).model_dump(), description=localised_description(publiccode),
        licence=licence_of(publiccode), licence_open=licence_is_open(publiccode),
        pricing=manifest.get("pricing") or {"model": "free"},
        options=adoptions.options_schema(latest) if latest else {},
        data=_data_requests(manifest), writes=_write_requests(manifest),
        standards=list((manifest.get("requires") or {}).get("standards") or []),
        releases=[release_summary(release) for release in releases],
        users=[AppUser(municipality=a.organisation.code, municipality_name=a.organisation.name, status=a.status,
                       since=a.activated_at or a.created_at, version=a.release.version) for a in users],
    )


async def adoption_out(session: AsyncSession, adoption: Adoption, with_history: bool = False) -> AdoptionOut:
    history = None
    if with_history:
        events = await adoptions.adoption_history(session, adoption)
        history = [AdoptionEventOut(action=e.action, version=e.version, options=e.options, actor=e.actor, at=e.at)
                   for e in events]
    return AdoptionOut(
        id=str(adoption.id), municipality=adoption.organisation.code, app=adoption.app.slug,
        app_name=adoption.app.name, version=adoption.release.version, status=adoption.status,
        options=adoption.options, created_at=adoption.created_at, activated_at=adoption.activated_at,
        ended_at=adoption.ended_at, history=history,
    )


def review_out(review: Review) -> ReviewOut:
    reply = (ReviewReply(text=review.reply, by=review.reply_by or "", at=review.reply_at)
             if review.reply is not None and review.reply_at is not None else None)
    hidden = (ReviewHidden(reason=review.hidden_reason or "", by=review.hidden_by or "", at=review.hidden_at)
              if review.hidden_at is not None else None)
    return ReviewOut(
        municipality=review.organisation.code, municipality_name=review.organisation.name, rating=review.rating,
        text=review.text, version=review.version, created_at=review.created_at, updated_at=review.updated_at,
        reply=reply, hidden=hidden,
    )


def inhabitants_out(figure: costs.Inhabitants) -> InhabitantsOut:
    return InhabitantsOut(count=figure.count, source=figure.source, since=figure.since, set_by=figure.set_by)


def costs_out(found: costs.MunicipalityCosts) -> CostsOut:
    items = [CostItem(adoption=str(a.id), app=a.app.slug, app_name=a.app.name, version=a.release.version,
                      status=a.status, pricing_model=cost.model, one_off_eur=float(cost.one_off),
                      yearly_eur=float(cost.yearly)) for a, cost in found.items]
    return CostsOut(inhabitants=inhabitants_out(found.inhabitants), items=items,
                    one_off_total_eur=float(found.one_off), yearly_total_eur=float(found.yearly))


async def advisory_out(session: AsyncSession, advisory: Advisory) -> AdvisoryOut:
    events = await advisories.history(session, advisory)
    return AdvisoryOut(
        id=advisory.identifier, app=advisory.app.slug, aliases=list(advisory.aliases), affected=advisory.affected,
        fixed=advisory.fixed, cvss=advisory.cvss_vector, score=advisory.score, severity=advisory.severity,
        summary=advisory.summary, details=advisory.details, status=advisory.status,
        published_at=advisory.published_at, modified_at=advisory.modified_at, withdrawn_at=advisory.withdrawn_at,
        history=[AdvisoryEventOut(action=e.action, reason=e.reason, notified=list(e.notified), actor=e.actor,
                                  at=e.at) for e in events],
    )
