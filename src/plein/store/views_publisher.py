"""The publisher's pages: upload a package (the same limits and admission pipeline as the API), see one's own
releases and their reports, and withdraw a release with a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.store import policy, publisher, service
from plein.store.api import limits
from plein.store.models import App, Release
from plein.store.package import load_archive
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, getal, login_url, redirect, render

router = APIRouter(include_in_schema=False)

PAGE = "/publiceren"
FORM_OVERHEAD = 64 * 1024  # the multipart boundaries, the CSRF token and the other fields around the file
REASON_MESSAGE = (f"Schrijf waarom u deze versie intrekt ({publisher.REASON_MIN} tot en met {publisher.REASON_MAX} "
                  "tekens); gemeenten die haar gebruiken zien de reden")


def size(limit: int) -> str:
    """A size limit for people: whole megabytes, or bytes below one."""
    megabytes = limit // (1024 * 1024)
    return f"{megabytes} MB" if megabytes else f"{getal(limit)} bytes"


def _not_too_large(request: Request) -> None:
    """Refuse a body larger than the archive limit allows before reading it (when the client says its size)."""
    length = request.headers.get("content-length", "")
    largest = limits(request).max_archive_bytes
    if length.isdigit() and int(length) > largest + FORM_OVERHEAD:
        raise PayloadTooLarge(f"het pakket is groter dan {size(largest)}, de grens van de store")


async def _organisations(session: AsyncSession, principal: Principal) -> list[tuple[str, str]]:
    found = []
    for code in publisher.publisher_codes(principal):
        try:
            found.append((code, (await organisations.get_by_code(session, code)).name))
        except organisations.UnknownOrganisation:
            continue
    return found


async def _page(request: Request, session: AsyncSession, principal: Principal, *, errors: dict[str, str] | None = None,
                findings: list[dict[str, Any]] | None = None, chosen: str = "", status: int = 200) -> Response:
    context = {"organisations": await _organisations(session, principal),
               "releases": await publisher.own_releases(session, principal), "errors": errors or {},
               "findings": findings or [], "chosen": chosen, "error_count": len(errors or {}),
               "max_size": size(limits(request).max_archive_bytes)}
    return render(request, "store/publish.html", context, status=status)


def _publisher(principal: Principal | None) -> Principal:
    if principal is None or not publisher.publisher_codes(principal):
        raise Forbidden("alleen een uitgever (de rol publisher van een organisatie) kan hier pakketten publiceren")
    return principal


@router.get(PAGE)
async def publish_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if principal is None:
        return redirect(login_url(request))
    return await _page(request, session, _publisher(principal))


@router.post(PAGE, dependencies=[Depends(_not_too_large)])
async def publish(request: Request, session: SessionDep, principal: PagePrincipal,
                  form: csrf.CheckedForm) -> Response:
    actor = _publisher(principal)
    code = str(form.get("publisher") or "")
    upload = form.get("pakket")
    if code not in publisher.publisher_codes(actor):
        return await _page(request, session, actor, errors={"publisher": "Kies de organisatie waarvoor u publiceert"},
                           status=400)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, session, actor, chosen=code, status=400,
                           errors={"pakket": "Kies het pakket: een .zip- of .tar.gz-bestand"})
    package_limits = limits(request)
    data = await upload.read(package_limits.max_archive_bytes + 1)
    if len(data) > package_limits.max_archive_bytes:
        return await _page(request, session, actor, chosen=code, status=413, errors={
            "pakket": f"Het pakket is groter dan {size(package_limits.max_archive_bytes)}, de grens van de store"})
    loaded = load_archive(data, upload.filename, package_limits)
    try:
        result = await service.publish(session, request.app.state.storage, loaded, code, actor)
    except service.PackageRejected as exc:
        return await _page(request, session, actor, chosen=code, status=400, findings=[
            f.as_dict() for f in exc.findings], errors={"pakket": "Het pakket kan niet worden gelezen als app-pakket"
                                                         f" ({exc.detail}); zie de bevindingen hieronder"})
    except (Forbidden, Conflict, NotFound) as exc:
        return await _page(request, session, actor, chosen=code, status=exc.status, errors={"pakket": exc.detail})
    release = result.release
    if release.status == "accepted":
        flash(request, f"{release.app.name} {release.version} is toegelaten en staat in de store.")
    else:
        flash(request, f"{release.app.slug} {release.version} is afgewezen; het rapport zegt waarom. Alleen uw "
              "organisatie ziet het.", "warning")
    return redirect(f"/apps/{release.app.slug}/releases/{release.version}")


def release_parts(release: Release, principal: Principal | None) -> dict[str, Any]:
    """For the report page: the policy version it ran under, the withdrawal, and whether the viewer may withdraw."""
    return {"policy_version": policy.report_policy_version(release.report), "withdrawn": release.withdrawn_at,
            "withdrawn_reason": release.withdrawn_reason,
            "may_withdraw": release.status == "accepted" and release.withdrawn_at is None
            and publisher.may_withdraw(release, principal)}


async def _own_release(session: AsyncSession, slug: str, version: str,
                       principal: Principal | None) -> tuple[App, Release]:
    app = await service.get_app(session, slug)
    release = await service.get_release(session, app, version, principal)
    if not publisher.may_withdraw(release, principal):
        raise Forbidden(f"alleen de uitgever van {app.name} mag versies intrekken")
    return app, release


async def _withdraw_page(request: Request, session: AsyncSession, app: App, release: Release, *, error: str = "",
                         reason: str = "", status: int = 200) -> Response:
    users = await publisher.users_of(session, release)
    context = {"app": app, "release": release, "users": sorted({u.organisation.name for u in users}),
               "error": error, "reason": reason, "error_count": 1 if error else 0}
    return render(request, "store/withdraw.html", context, status=status)


@router.get("/apps/{slug}/releases/{version}/intrekken")
async def withdraw_confirm(slug: str, version: str, request: Request, session: SessionDep,
                           principal: PagePrincipal) -> Response:
    if principal is None:
        return redirect(login_url(request))
    app, release = await _own_release(session, slug, version, principal)
    return await _withdraw_page(request, session, app, release)


@router.post("/apps/{slug}/releases/{version}/intrekken")
async def withdraw(slug: str, version: str, request: Request, session: SessionDep, principal: PagePrincipal,
                   form: csrf.CheckedForm) -> Response:
    app, release = await _own_release(session, slug, version, principal)
    assert principal is not None
    reason = csrf.text_fields(form).get("reason", "")
    try:
        await publisher.withdraw(session, release, reason, principal)
    except InvalidInput:
        return await _withdraw_page(request, session, app, release, error=REASON_MESSAGE, reason=reason, status=400)
    flash(request, f"Versie {version} van {app.name} is ingetrokken.")
    return redirect(f"/apps/{slug}/releases/{version}")
