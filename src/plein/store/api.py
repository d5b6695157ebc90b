"""The store API (/api/store/v1): search apps, read releases and reports, publish, adopt."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse

from plein.bounds import MAX_PAGE
from plein.errors import InvalidInput, InvalidParam, NotFound, PayloadTooLarge
from plein.http import OptionalPrincipal, PrefixRouter, PrincipalDep, SessionDep
from plein.openapi import API_DOCUMENTS, api_document
from plein.store import adoptions, present, service
from plein.store.checks.manifest import manifest_schema
from plein.store.checks.service import service_schema
from plein.store.listing import FACETS
from plein.store.package import PackageLimits, load_archive
from plein.store.schemas import (
    AdoptionChange,
    AdoptionCreate,
    AdoptionOut,
    AppDetail,
    AppPage,
    FacetValue,
    PublishResponse,
    ReleaseDetail,
    ReleaseSummary,
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
    sort: Annotated[str | None, Query(description="relevance, adoptions or newest.")] = None,
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
