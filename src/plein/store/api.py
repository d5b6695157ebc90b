"""The store API (/api/store/v1): search apps, read releases and reports, publish, adopt."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse

from plein.bounds import MAX_PAGE
from plein.errors import InvalidInput, InvalidParam, NotFound, PayloadTooLarge
from plein.http import OptionalPrincipal, PrefixRouter, PrincipalDep, SessionDep
from plein.openapi import API_DOCUMENTS, api_document
from plein.store import adoptions, advisories, costs, feed, osv, present, reviews, service
from plein.store.checks.manifest import manifest_schema
from plein.store.checks.service import service_schema
from plein.store.listing import FACETS
from plein.store.package import PackageLimits, load_archive
from plein.store.schemas import (
    AdoptionChange,
    AdoptionCreate,
    AdoptionOut,
    AdvisoryChange,
    AdvisoryCreate,
    AdvisoryOut,
    AppDetail,
    AppPage,
    CostsOut,
    FacetValue,
    HideIn,
    InhabitantsIn,
    InhabitantsOut,
    OsvFeed,
    PublishResponse,
    ReleaseDetail,
    ReleaseSummary,
    ReplyIn,
    ReviewIn,
    ReviewOut,
)
from plein.store.search import SearchQuery, search_apps

router = PrefixRouter(prefix="/api/store/v1", tags=["store"])
STORE_API = next(api for api in API_DOCUMENTS if api.name == "store")


def limits(request: Request) -> PackageLimits:
    settings = request.app.state.settings
    return PackageLimits(max_archive_bytes=settings.store_max_archive_bytes,
                         max_unpacked_bytes=settings.store_max_unpacked_bytes)


def search_query(request: Request, q: str, sort: str | None, page: int, page_size: int) -> SearchQuery:
    """Facet filters come as repeated query parameters named after the facet (category=…&category=…)."""
    known = {"q", "sort", "page", "pageSize", *FACETS}
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise InvalidInput("unknown query parameters", [
            InvalidParam(name, "unknown-parameter", f"known parameters: {', '.join(sorted(known))}")
            for name in unknown
        ])
    filters = {facet: request.query_params.getlist(facet) for facet in FACETS if facet in request.query_params}
    return SearchQuery(text=q, filters=filters, sort=sort, page=page, page_size=page_size)


FacetFilter = Annotated[list[str] | None, Query(description="Only apps with one of these values of this facet.")]


@router.get("/apps", summary="Search the store", operation_id="searchApps")
async def list_apps(
    request: Request, session: SessionDep,
    q: Annotated[str, Query(max_length=200, description="Words to find in names, descriptions and features.")] = "",
    sort: Annotated[str | None, Query(description="relevance, adoptions, newest or rating.")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=100)] = 20,
    category: FacetFilter = None, software_type: Annotated[list[str] | None, Query(alias="softwareType")] = None,
    development_status: Annotated[list[str] | None, Query(alias="developmentStatus")] = None,
    licence: FacetFilter = None, kind: FacetFilter = None, pricing: FacetFilter = None,
    publisher: FacetFilter = None, standard: FacetFilter = None,
) -> AppPage:
    """Apps admitted to the store, with facet counts; filter by facet with e.g. `?category=…&kind=service`."""
    query = search_query(request, q, sort, page, page_size)
    result = await search_apps(session, query)
    return AppPage(
        total=result.total, page=query.page, page_size=query.page_size, pages=result.pages,
        sort=query.sort or ("relevance" if q.strip() else "adoptions"),
        results=[present.app_summary(app, score if q.strip() else None) for app, score in result.apps],
        facets={name: [FacetValue(**value) for value in values] for name, values in result.facets.items()},
    )


@router.get("/apps/{slug}", summary="One app", operation_id="getApp")
async def get_app(slug: str, session: SessionDep, principal: OptionalPrincipal) -> AppDetail:
    return await present.app_detail(session, slug, principal)


@router.get("/apps/{slug}/releases", summary="Releases of an app", operation_id="listReleases")
async def list_releases(slug: str, session: SessionDep, principal: OptionalPrincipal) -> list[ReleaseSummary]:
    app = await service.get_app(session, slug)
    return [present.release_summary(r) for r in await service.app_releases(session, app, principal)]


@router.get("/apps/{slug}/releases/{version}", summary="One release with its admission report",
            operation_id="getRelease")
async def get_release(slug: str, version: str, session: SessionDep, principal: OptionalPrincipal) -> ReleaseDetail:
    app = await service.get_app(session, slug)
    return present.release_detail(await service.get_release(session, app, version, principal))


@router.get("/apps/{slug}/releases/{version}/package", summary="Download the release's package archive",
            operation_id="downloadRelease", response_class=StreamingResponse,
            responses={200: {"description": "The archive as published", "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/gzip": {"schema": {"type": "string", "format": "binary"}}}}})
async def download_release(
    request: Request, slug: str, version: str, session: SessionDep, principal: OptionalPrincipal
) -> StreamingResponse:
    app = await service.get_app(session, slug)
    release = await service.get_release(session, app, version, principal)
    if release.archive_key is None:
        raise NotFound(f"release {version} of '{slug}' was published before archives were kept")
    kind = "zip" if release.archive_key.endswith(".zip") else "tar.gz"
    media = "application/zip" if kind == "zip" else "application/gzip"
    headers = {"Content-Disposition": f'attachment; filename="{slug}-{version}.{kind}"',
               "Content-Length": str(release.size), "ETag": f'"{release.sha256}"'}
    return StreamingResponse(request.app.state.storage.read(release.archive_key), media_type=media, headers=headers)


@router.post("/releases", status_code=201, summary="Publish a release", operation_id="publishRelease",
             responses={200: {"description": "The release was rejected; its report says why"}})
async def publish_release(
    request: Request, session: SessionDep, principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="The app package as .zip or .tar.gz.")],
    publisher: Annotated[str, Form(description="Code of the publishing organisation.", max_length=20)],
) -> JSONResponse:
    """Runs the admission pipeline; an accepted release is listed (201), a rejected one kept with its report (200)."""
    package_limits = limits(request)
    data = await file.read(package_limits.max_archive_bytes + 1)
    if len(data) > package_limits.max_archive_bytes:
        raise PayloadTooLarge(f"the archive is larger than {package_limits.max_archive_bytes:,} bytes",
                              [InvalidParam("file", "maxSize", "the archive is too large")])
    loaded = load_archive(data, file.filename or "package", package_limits)
    result = await service.publish(session, request.app.state.storage, loaded, publisher, principal)
    body = PublishResponse(app=result.release.app.slug, version=result.release.version,
                           status=result.release.status, report=result.report)
    status = 201 if result.release.status == "accepted" else 200
    return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=status)


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getOpenapiJSON")
async def get_openapi_document(request: Request) -> dict[str, Any]:
    return api_document(request.app, STORE_API)


@router.get("/schemas/plein-manifest.json", summary="JSON Schema of plein.yaml", operation_id="getManifestSchema")
async def get_manifest_schema() -> dict[str, Any]:
    return manifest_schema()


@router.get("/schemas/plein-service.json", summary="JSON Schema of service/service.yaml",
            operation_id="getServiceSchema")
async def get_service_schema() -> dict[str, Any]:
    return service_schema()


@router.get("/municipalities/{code}/adoptions", summary="A municipality's apps", operation_id="listAdoptions")
async def list_adoptions(code: str, session: SessionDep) -> list[AdoptionOut]:
    found = await adoptions.municipality_adoptions(session, code)
    return [await present.adoption_out(session, adoption) for adoption in found]


@router.post("/municipalities/{code}/adoptions", status_code=201, summary="Adopt an app",
             operation_id="createAdoption")
async def create_adoption(code: str, body: AdoptionCreate, request: Request, session: SessionDep,
                          principal: PrincipalDep) -> AdoptionOut:
    adoption = await adoptions.adopt(session, code, body.app, body.options, principal, version=body.version,
                                     activate=body.status == "active", base_url=str(request.base_url))
    return await present.adoption_out(session, adoption, with_history=True)


@router.get("/municipalities/{code}/adoptions/{adoption_id}", summary="One adoption with its history",
            operation_id="getAdoption")
async def get_adoption(code: str, adoption_id: str, session: SessionDep, principal: OptionalPrincipal) -> AdoptionOut:
    adoption = await adoptions.get_adoption(session, code, adoption_id, principal)
    return await present.adoption_out(session, adoption, with_history=True)


@router.patch("/municipalities/{code}/adoptions/{adoption_id}", summary="Configure, upgrade, activate or end",
              operation_id="changeAdoption")
async def change_adoption(
    code: str, adoption_id: str, body: AdoptionChange, request: Request, session: SessionDep, principal: PrincipalDep
) -> AdoptionOut:
    adoption = await adoptions.change_adoption(session, code, adoption_id, principal, status=body.status,
                                               version=body.version, options=body.options,
                                               base_url=str(request.base_url))
    return await present.adoption_out(session, adoption, with_history=True)


@router.get("/municipalities/{code}/inhabitants", summary="The inhabitants costs are reckoned with",
            operation_id="getInhabitants")
async def get_inhabitants(code: str, session: SessionDep) -> InhabitantsOut:
    """The municipality's own figure when its beheerder set one, else the persons registered in it in the BRP."""
    return present.inhabitants_out(await costs.municipality_inhabitants(session, code))


@router.put("/municipalities/{code}/inhabitants", summary="Set the municipality's own number of inhabitants",
            operation_id="setInhabitants")
async def set_inhabitants(code: str, body: InhabitantsIn, session: SessionDep,
                          principal: PrincipalDep) -> InhabitantsOut:
    return present.inhabitants_out(await costs.set_inhabitants(session, code, body.inhabitants, principal))


@router.get("/municipalities/{code}/costs", summary="What a municipality's apps cost it", operation_id="getCosts")
async def get_costs(code: str, session: SessionDep) -> CostsOut:
    """Each open adoption at the price of the release in use, and the totals (docs/store.md says how)."""
    return present.costs_out(await costs.municipality_costs(session, code))


@router.get("/apps/{slug}/reviews", summary="Reviews of an app by municipalities that use it",
            operation_id="listReviews")
async def list_reviews(slug: str, session: SessionDep, principal: OptionalPrincipal) -> list[ReviewOut]:
    app = await service.get_app(session, slug)
    return [present.review_out(review) for review in await reviews.app_reviews(session, app, principal)]


@router.put("/apps/{slug}/reviews/{code}", summary="Write or edit a municipality's review",
            operation_id="writeReview")
async def write_review(slug: str, code: str, body: ReviewIn, request: Request, session: SessionDep,
                       principal: PrincipalDep) -> ReviewOut:
    """Only a municipality whose adoption has been active for PLEIN_STORE_REVIEW_MIN_DAYS days; one per app."""
    min_days = request.app.state.settings.store_review_min_days
    review = await reviews.write_review(session, code, slug, body.rating, body.text, principal, min_days)
    return present.review_out(review)


@router.put("/apps/{slug}/reviews/{code}/reply", summary="The publisher's reply to a review",
            operation_id="replyToReview")
async def reply_to_review(slug: str, code: str, body: ReplyIn, session: SessionDep,
                          principal: PrincipalDep) -> ReviewOut:
    return present.review_out(await reviews.reply(session, slug, code, body.text, principal))


@router.put("/apps/{slug}/reviews/{code}/hidden", summary="A curator hides a review", operation_id="hideReview")
async def hide_review(slug: str, code: str, body: HideIn, session: SessionDep, principal: PrincipalDep) -> ReviewOut:
    return present.review_out(await reviews.hide(session, slug, code, body.reason, principal))


def _input(body: AdvisoryCreate | AdvisoryChange, current: AdvisoryOut | None = None) -> advisories.AdvisoryInput:
    def pick(name: str) -> Any:
        value = getattr(body, name)
        return value if value is not None or current is None else getattr(current, name)

    return advisories.AdvisoryInput(affected=pick("affected") or "", cvss=pick("cvss") or "",
                                    summary=pick("summary") or "", details=pick("details") or "",
                                    fixed=pick("fixed"), aliases=list(pick("aliases") or []))


@router.post("/apps/{slug}/advisories", status_code=201, summary="Publish a security advisory",
             operation_id="publishAdvisory")
async def publish_advisory(slug: str, body: AdvisoryCreate, request: Request, session: SessionDep,
                           principal: PrincipalDep) -> AdvisoryOut:
    """The app's publisher or a curator; every municipality on an affected version is notified (kanaal `store`)."""
    advisory = await advisories.publish(session, slug, _input(body), principal, str(request.base_url))
    return await present.advisory_out(session, advisory)


@router.get("/advisories", summary="Security advisories in the OSV format", operation_id="listAdvisories")
async def list_advisories(
    request: Request, session: SessionDep,
    app: Annotated[str | None, Query(description="Only the advisories of this app.", max_length=100)] = None,
) -> OsvFeed:
    """Every advisory as an OSV entry (https://ossf.github.io/osv-schema/), withdrawn ones included."""
    found = await advisories.list_advisories(session, await service.get_app(session, app) if app else None)
    versions = await advisories.admitted_versions(session, {advisory.app_id for advisory in found})
    return OsvFeed(vulns=[osv.entry(advisory, versions[advisory.app_id], str(request.base_url))
                          for advisory in found])


@router.get("/advisories/{identifier}", summary="One security advisory in the OSV format",
            operation_id="getAdvisory")
async def get_advisory(identifier: str, request: Request, session: SessionDep) -> dict[str, Any]:
    advisory = await advisories.get_advisory(session, identifier)
    versions = await advisories.admitted_versions(session, [advisory.app_id])
    return osv.entry(advisory, versions[advisory.app_id], str(request.base_url))


@router.get("/advisories/{identifier}/history", summary="An advisory with its corrections and withdrawal",
            operation_id="getAdvisoryHistory")
async def get_advisory_history(identifier: str, session: SessionDep) -> AdvisoryOut:
    return await present.advisory_out(session, await advisories.get_advisory(session, identifier))


@router.patch("/advisories/{identifier}", summary="Correct or withdraw an advisory", operation_id="changeAdvisory")
async def change_advisory(identifier: str, body: AdvisoryChange, request: Request, session: SessionDep,
                          principal: PrincipalDep) -> AdvisoryOut:
    """With `status: withdrawn` the advisory is withdrawn; otherwise the given fields are corrected. Both need a
    reason, and both are kept in the history."""
    base_url = str(request.base_url)
    if body.status == "withdrawn":
        advisory = await advisories.withdraw(session, identifier, body.reason, principal, base_url)
    else:
        current = await present.advisory_out(session, await advisories.get_advisory(session, identifier))
        advisory = await advisories.correct(session, identifier, _input(body, current), body.reason, principal,
                                            base_url)
    return await present.advisory_out(session, advisory)


router.include_router(feed.router)  # /feed and /apps/{slug}/publiccode.yml: the export feed (federation)
