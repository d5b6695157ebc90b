"""Publishing releases through the admission pipeline, and reading apps and releases back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.storage import FileStorage
from plein.store import listing, policy
from plein.store.checks import AdmissionReport, CheckContext, run_checks
from plein.store.checks.licence import licence_of
from plein.store.findings import Finding
from plein.store.models import Adoption, App, AppFacet, AppTerm, Release
from plein.store.package import MANIFEST, PUBLICCODE, SERVICE, SERVICE_TEMPLATES, LoadResult
from plein.store.yamldoc import YamlDocError, load_yaml


class PackageRejected(InvalidInput):
    """The package could not be read far enough to know which app it is; nothing was stored."""

    title = "The package cannot be admitted"
    code = "package-rejected"

    def __init__(self, detail: str, findings: list[Finding]) -> None:
        params = [InvalidParam(f.file or "package", f.rule, f.message) for f in findings if f.severity == "error"]
        super().__init__(detail, params, {"findings": [finding.as_dict() for finding in findings]})
        self.findings = findings


@dataclass
class PublishResult:
    release: Release
    report: dict[str, Any]


def _manifest_identity(loaded: LoadResult) -> tuple[str, str, str]:
    """(app id, kind, version) from plein.yaml, enough to file the release; raises when even that is missing."""
    if loaded.package is None:
        raise PackageRejected("the archive could not be read as an app package", loaded.findings)
    raw = loaded.package.files.get(MANIFEST)
    if raw is None:
        missing = Finding("manifest", "manifest.missing", "error", "the package has no plein.yaml at its root")
        raise PackageRejected("the package has no plein.yaml, so it is not known which app it is", [missing])
    try:
        data = load_yaml(raw).data
    except YamlDocError as exc:
        bad = Finding("manifest", f"manifest.{exc.rule}", "error", str(exc), file=MANIFEST, line=exc.line)
        raise PackageRejected("plein.yaml cannot be read", [bad]) from exc
    ident = data.get("id") if isinstance(data, dict) else None
    if not isinstance(ident, str) or not listing.tokens(ident):
        bad = Finding("manifest", "manifest.id", "error", "plein.yaml has no valid `id`", file=MANIFEST)
        raise PackageRejected("plein.yaml does not say which app this is", [bad])
    return ident, str(data.get("kind", "")), str(data.get("version", ""))


async def accepted_versions(session: AsyncSession, app_id: uuid.UUID | None) -> list[str]:
    if app_id is None:
        return []
    query = select(Release.version).where(Release.app_id == app_id, Release.status == "accepted")
    return list((await session.scalars(query)).all())


async def check_package(session: AsyncSession | None, loaded: LoadResult) -> AdmissionReport:
    """Run the admission pipeline without storing anything (`plein store check`)."""
    if loaded.package is None:
        raise PackageRejected("the archive could not be read as an app package", loaded.findings)
    if session is None:  # offline: the checks' own severities, no list of standards
        return run_checks(CheckContext(loaded.package, []), archive_findings=loaded.findings)
    try:
        slug, _, _ = _manifest_identity(loaded)
    except PackageRejected:
        slug = ""
    app = await session.scalar(select(App).where(App.slug == slug)) if slug else None
    earlier = await accepted_versions(session, app.id if app else None)
    context = await policy.admission_context(session, loaded.package, earlier)
    return run_checks(context, archive_findings=loaded.findings)


async def publish(
    session: AsyncSession, storage: FileStorage, loaded: LoadResult, publisher_code: str, actor: Principal
) -> PublishResult:
    """Admit a package: run every check, keep the archive and the release with its report, list it if accepted."""
    slug, kind, version = _manifest_identity(loaded)
    publisher = await _publisher(session, publisher_code, actor)
    app = await session.scalar(select(App).where(App.slug == slug))
    if app is not None and app.publisher_id != publisher.id:
        raise Forbidden(f"app '{slug}' is published by another organisation ({app.publisher.name})")
    earlier = await accepted_versions(session, app.id if app else None)
    if version in earlier:
        raise Conflict(f"release {version} of '{slug}' already exists; publish a higher version",
                       [InvalidParam("version", "duplicate", f"{version} is already published")])
    assert loaded.package is not None
    report = run_checks(await policy.admission_context(session, loaded.package, earlier),
                        archive_findings=loaded.findings)
    context_publiccode, context_manifest, context_service = _parsed(loaded)
    if app is None:
        app = App(slug=slug, kind=kind or "service", publisher_id=publisher.id, name=slug)
        app.publisher = publisher
        session.add(app)
        await session.flush()
    archive_key = f"store/{slug}/{version}-{report.sha256[:16]}.{loaded.package.archive_type}"
    await storage.put(archive_key, loaded.package.archive)
    release = Release(
        app_id=app.id, version=version, status=report.verdict, publiccode=context_publiccode,
        manifest=context_manifest, service=context_service, service_files=_service_files(loaded),
        report=report.as_dict(), sha256=report.sha256,
        size=report.size, licence=licence_of(context_publiccode), published_by=actor.id, archive_key=archive_key,
    )
    release.app = app
    session.add(release)
    await session.flush()
    if report.accepted:
        await list_release(session, app, release, publisher.code)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"release {version} of '{slug}' was published at the same moment by another request") from exc
    return PublishResult(release, report.as_dict())


def _parsed(loaded: LoadResult) -> tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]:
    """The parsed publiccode.yml, plein.yaml and service/service.yaml, when they parse, for storing with the
    release."""
    assert loaded.package is not None
    parsed: list[dict[str, Any] | None] = []
    for name in (PUBLICCODE, MANIFEST, SERVICE):
        try:
            data = load_yaml(loaded.package.files[name]).data
            parsed.append(_jsonable(data) if isinstance(data, dict) else None)
        except (KeyError, YamlDocError):
            parsed.append(None)
    return parsed[0], parsed[1], parsed[2]


def _service_files(loaded: LoadResult) -> dict[str, str] | None:
    """The templates of a service definition (service/templates/*.html), as text, for the engine to fill."""
    assert loaded.package is not None
    found = {}
    for name, content in loaded.package.files.items():
        if name.startswith(SERVICE_TEMPLATES) and name.endswith(".html"):
            try:
                found[name.removeprefix("service/")] = content.decode("utf-8")
            except UnicodeDecodeError:
                continue  # the service check reports it
    return found or None


def _jsonable(value: Any) -> Any:
    """YAML dates and other scalars as JSON-friendly values."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


async def _publisher(session: AsyncSession, code: str, actor: Principal) -> Organisation:
    try:
        publisher = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(str(exc), [InvalidParam("publisher", "unknown", str(exc))]) from exc
    if not actor.has_role(code, "publisher"):
        raise Forbidden(f"you may not publish for {publisher.name}: the publisher role for {code} is needed")
    return publisher


async def list_release(session: AsyncSession, app: App, release: Release, publisher_code: str) -> None:
    """Make the accepted release the app's listing: fields, facets and search terms."""
    publiccode = release.publiccode or {}
    manifest = release.manifest or {}
    description = listing.localised_description(publiccode)
    app.name = str(publiccode.get("name", app.slug))
    app.short_description = str(description.get("shortDescription", "")).strip()
    app.kind = str(manifest.get("kind", app.kind))
    app.listed = True
    app.latest_release_id = release.id
    app.latest_version = release.version
    app.latest_released_at = release.created_at
    await session.execute(delete(AppTerm).where(AppTerm.app_id == app.id))
    await session.execute(delete(AppFacet).where(AppFacet.app_id == app.id))
    terms = listing.search_terms(publiccode)
    if terms:
        await session.execute(insert(AppTerm), [{"app_id": app.id, "term": t, "weight": w} for t, w in terms.items()])
    facets = listing.facet_values(publiccode, manifest, publisher_code)
    await session.execute(insert(AppFacet), [{"app_id": app.id, "facet": f, "value": v} for f, v in facets])


async def unlist(session: AsyncSession, app: App) -> None:
    """The app leaves the listing (search, facets, the feed); its releases, reports and adoptions stay."""
    app.listed = False
    app.latest_release_id = app.latest_version = app.latest_released_at = None
    await session.execute(delete(AppTerm).where(AppTerm.app_id == app.id))
    await session.execute(delete(AppFacet).where(AppFacet.app_id == app.id))


async def newest_listable(session: AsyncSession, app: App, besides: Release | None = None) -> Release | None:
    """The app's newest admitted release that is not withdrawn (other than `besides`), which its listing shows."""
    query = select(Release).where(Release.app_id == app.id, Release.status == "accepted",
                                  Release.withdrawn_at.is_(None))
    if besides is not None:
        query = query.where(Release.id != besides.id)
    return await session.scalar(query.order_by(Release.created_at.desc()).limit(1))


async def get_app(session: AsyncSession, slug: str) -> App:
    app = await session.scalar(select(App).where(App.slug == slug))
    if app is None:
        raise NotFound(f"no app '{slug}' in the store")
    return app


CURATOR_ORGANISATION = "plein"  # the store's governance: the curator role of this organisation


def is_curator(actor: Principal | None) -> bool:
    """A curator of the store (the curator role of organisation `plein`, or all rights)."""
    return actor is not None and actor.has_role(CURATOR_ORGANISATION, "curator")


def may_see_rejected(app: App, actor: Principal | None) -> bool:
    """The app's publisher; for a harvested app (no one publishes it here) the curators, who run the harvest."""
    if app.publisher.kind == "harvest" and is_curator(actor):
        return True
    return actor is not None and actor.has_role(app.publisher.code, "publisher")


async def app_releases(session: AsyncSession, app: App, actor: Principal | None) -> list[Release]:
    """Releases newest first; rejected ones only for the app's publisher."""
    query = select(Release).where(Release.app_id == app.id).order_by(Release.created_at.desc())
    if not may_see_rejected(app, actor):
        query = query.where(Release.status == "accepted")
    return list((await session.scalars(query)).all())


async def get_release(session: AsyncSession, app: App, version: str, actor: Principal | None) -> Release:
    query = select(Release).where(Release.app_id == app.id, Release.version == version)
    releases = list((await session.scalars(query.order_by(Release.created_at.desc()))).all())
    visible = [r for r in releases if r.status == "accepted" or may_see_rejected(app, actor)]
    if not visible:
        raise NotFound(f"app '{app.slug}' has no release {version}")
    return visible[0]


async def release_by_id(session: AsyncSession, release_id: uuid.UUID) -> Release:
    release = await session.get(Release, release_id)
    if release is None:
        raise NotFound(f"no release {release_id}")
    return release


async def app_users(session: AsyncSession, app: App) -> list[Adoption]:
    """The municipalities that use the app (planned or active), oldest first."""
    query = (
        select(Adoption).where(Adoption.app_id == app.id, Adoption.status != "ended")
        .order_by(func.coalesce(Adoption.activated_at, Adoption.created_at))
    )
    return list((await session.scalars(query)).all())
