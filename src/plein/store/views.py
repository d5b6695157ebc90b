"""The store's pages: search, app pages, admission reports, and a municipality's adoptions with their forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import semver
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams

from plein.auth.service import Principal
from plein.bounds import MAX_PAGE
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.store import (
    adoptions,
    categories,
    costs,
    forms,
    harvest,
    present,
    reviews,
    service,
    views_curator,
    views_market,
    views_publisher,
    views_wishes,
)
from plein.store.listing import FACETS
from plein.store.models import Adoption, App, Release
from plein.store.search import SearchQuery, search_apps
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, login_url, redirect, render, templates

router = APIRouter(include_in_schema=False)

FACET_LABELS = {
    "category": "Categorie", "softwareType": "Soort software", "developmentStatus": "Ontwikkelstatus",
    "licence": "Licentie", "kind": "Soort (service/integratie)", "pricing": "Prijsmodel", "publisher": "Uitgever",
    "standard": "Standaard",
}
VALUE_LABELS = {
    "kind": {"service": "Dienst op Plein (service)", "integration": "Integratie"},
    "pricing": {"free": "Gratis", "one-off": "Eenmalig", "yearly": "Per jaar", "per-inhabitant": "Per inwoner"},
    "developmentStatus": {"concept": "Concept", "development": "In ontwikkeling", "beta": "Bèta",
                          "stable": "Stabiel", "obsolete": "Verouderd"},
    "softwareType": {"standalone/web": "Webapplicatie", "standalone/mobile": "Mobiele app",
                     "standalone/desktop": "Desktopapplicatie", "standalone/iot": "Internet of things",
                     "standalone/other": "Zelfstandige software", "addon": "Uitbreiding", "library": "Bibliotheek",
                     "configurationFiles": "Configuratiebestanden"},
}
SORT_LABELS = {"relevance": "Relevantie", "adoptions": "Aantal gemeenten", "newest": "Nieuwste",
               "rating": "Beoordeling"}
STATUS_LABELS = {"planned": "Gepland", "active": "In gebruik", "ended": "Beëindigd", "accepted": "Toegelaten",
                 "rejected": "Afgewezen", "passed": "Geslaagd", "failed": "Mislukt"}
ACTION_LABELS = {"planned": "Geadopteerd (gepland)", "activated": "In gebruik genomen",
                 "configured": "Opties gewijzigd", "upgraded": "Geüpgraded", "ended": "Beëindigd"}
SEVERITY_LABELS = {"error": "Fout", "warning": "Waarschuwing"}
SEARCH_MESSAGES = {
    "page": f"Het paginanummer moet een geheel getal van 1 tot en met {MAX_PAGE:_} zijn.".replace("_", "."),
    "pageSize": "Het aantal apps per pagina moet een geheel getal van 1 tot en met 100 zijn.",
    "sort": "Kies een sortering: relevantie, aantal gemeenten, nieuwste of beoordeling.",
    "q": "De zoektekst mag hoogstens 200 tekens lang zijn.",
}
PAGE_PARAMS = ("q", "sort", "pageSize", *FACETS)


def _int_param(params: QueryParams, name: str, default: int, problems: list[InvalidParam]) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        problems.append(InvalidParam(name, "type", "not an integer"))
        return default


def search_query(params: QueryParams) -> tuple[SearchQuery, list[InvalidParam]]:
    """The API's query parameters (q, sort, page, pageSize, facets) read leniently: unknown ones are ignored."""
    problems: list[InvalidParam] = []
    filters = {facet: [v for v in params.getlist(facet) if v] for facet in FACETS}
    query = SearchQuery(
        text=params.get("q", "").strip(), filters={k: v for k, v in filters.items() if v},
        sort=params.get("sort") or None, page=_int_param(params, "page", 1, problems),
        page_size=_int_param(params, "pageSize", 20, problems),
    )
    if not problems:
        try:
            query.validate()
        except InvalidInput as exc:
            problems = exc.invalid_params
    return query, problems


def page_url(params: QueryParams, page: int) -> str:
    kept = [(k, v) for k, v in params.multi_items() if k in PAGE_PARAMS and v]
    return "/?" + urlencode([*kept, ("page", str(page))])


def page_numbers(current: int, pages: int) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 6 … 20."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def facet_label(facet: str, value: str) -> str:
    """A facet value for people: Dutch words for the standard's values (the value itself stays in the URL)."""
    if facet in VALUE_LABELS:
        return VALUE_LABELS[facet].get(value, value)
    if facet == "category":
        return categories.label(value)
    return value


def facet_groups(facets: dict[str, list[dict[str, Any]]], chosen: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Facets as checkbox groups; a chosen value without matches stays visible so it can be unticked."""
    groups = []
    for name in FACETS:
        values = list(facets.get(name, []))
        present_values = {item["value"] for item in values}
        values += [{"value": v, "count": 0} for v in chosen.get(name, []) if v not in present_values]
        if not values:
            continue
        options = [{"value": item["value"], "count": item["count"], "checked": item["value"] in chosen.get(name, []),
                    "label": item.get("label") or facet_label(name, item["value"])} for item in values]
        groups.append({"name": name, "legend": FACET_LABELS[name], "values": options})
    return groups


@router.get("/")
async def home(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    query, problems = search_query(request.query_params)
    context: dict[str, Any] = {"query": query, "sorts": SORT_LABELS, "result": None, "groups": [],
                               "problems": [SEARCH_MESSAGES.get(p.name, p.reason) for p in problems]}
    if problems:
        return render(request, "store/home.html", context, status=400)
    result = await search_apps(session, query)
    context.update(
        result=result, summaries=[present.app_summary(app) for app, _ in result.apps],
        groups=facet_groups(result.facets, query.filters),
        pages=[(n, page_url(request.query_params, n) if n else "") for n in page_numbers(query.page, result.pages)],
        sort=query.sort or ("relevance" if query.text else "adoptions"),
    )
    return render(request, "store/home.html", context)


@router.get("/apps/{slug}")
async def app_page(slug: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    with views_market.not_found_in_dutch(f"Er is geen app '{slug[:100]}' in de store."):
        detail = await present.app_detail(session, slug, principal)
    users = {user.municipality for user in detail.users}
    existing = [code for code, _ in request.state.managed if not (await _municipality(session, code)).ended]
    context = {
        "app": detail, "options": forms.describe_options(detail.options),
        "adopt": [(code, name, code in users) for code, name in request.state.managed if code in existing],
        **await views_market.app_parts(session, request, slug, principal),
        "origin": await harvest.origin(session, slug),
    }
    return render(request, "store/app.html", context)


async def _app_page_again(request: Request, session: SessionDep, slug: str, principal: Principal | None,
                          errors: dict[str, str], submitted: dict[str, str]) -> Response:
    """The app page once more after a refused review form, with the errors at their fields (nothing was saved)."""
    response = await app_page(slug, request, session, principal)
    assert response.context is not None  # type: ignore[attr-defined]
    context = dict(response.context)  # type: ignore[attr-defined]
    context.update(review_errors=errors, submitted=submitted)
    return render(request, "store/app.html", context, status=400)


@router.post("/apps/{slug}/beoordelingen/{code}")
async def write_review(slug: str, code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                       form: csrf.CheckedForm) -> Response:
    _check_manager(principal, await _municipality(session, code))
    assert principal is not None
    fields = csrf.text_fields(form)
    rating = int(fields["rating"]) if fields.get("rating", "").isdigit() else 0
    try:
        await reviews.write_review(session, code, slug, rating, fields.get("text", ""), principal,
                                   request.app.state.settings.store_review_min_days)
    except InvalidInput as exc:
        errors = views_market.field_errors(exc, views_market.REVIEW_MESSAGES)
        return await _app_page_again(request, session, slug, principal, errors, {**fields, "code": code})
    flash(request, "Uw beoordeling is opgeslagen.")
    return redirect(f"/apps/{slug}#beoordelingen")


@router.post("/apps/{slug}/beoordelingen/{code}/reactie")
async def reply_to_review(slug: str, code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                          form: csrf.CheckedForm) -> Response:
    if principal is None:
        raise Forbidden("log in als uitgever om te reageren")
    fields = csrf.text_fields(form)
    try:
        await reviews.reply(session, slug, code, fields.get("text", ""), principal)
    except InvalidInput as exc:
        errors = {f"reply-{code}": views_market.field_errors(exc, views_market.REVIEW_MESSAGES).get("text", "")}
        return await _app_page_again(request, session, slug, principal, errors, {})
    flash(request, "Uw reactie is geplaatst.")
    return redirect(f"/apps/{slug}#beoordelingen")


@router.post("/apps/{slug}/beoordelingen/{code}/verbergen")
async def hide_review(slug: str, code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                      form: csrf.CheckedForm) -> Response:
    if principal is None:
        raise Forbidden("log in als curator om beoordelingen te verbergen")
    try:
        await reviews.hide(session, slug, code, csrf.text_fields(form).get("reason", ""), principal)
    except InvalidInput:
        errors = {f"hide-{code}": views_market.REVIEW_MESSAGES["reason"]}
        return await _app_page_again(request, session, slug, principal, errors, {})
    flash(request, "De beoordeling is verborgen; de gemeente ziet de reden.")
    return redirect(f"/apps/{slug}#beoordelingen")


@router.get("/apps/{slug}/releases/{version}")
async def release_page(slug: str, version: str, request: Request, session: SessionDep,
                       principal: PagePrincipal) -> Response:
    with views_market.not_found_in_dutch(f"De store heeft geen versie {version[:40]} van app '{slug[:100]}'."):
        app = await service.get_app(session, slug)
        row = await service.get_release(session, app, version, principal)
    release = present.release_detail(row)
    findings = sorted(release.report.get("findings", []), key=lambda f: (f.get("severity") != "error",
                                                                          f.get("file") or "", f.get("line") or 0))
    return render(request, "store/release.html", {"app": app, "release": release, "findings": findings,
                                                  **views_publisher.release_parts(row, principal)})


async def _municipality(session: SessionDep, code: str) -> Organisation:
    try:
        return await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(f"er is geen gemeente met code {code}") from exc


def _may_manage(principal: Principal | None, code: str) -> bool:
    return principal is not None and principal.has_role(code, "beheerder")


async def newer_releases(session: SessionDep, adoption: Adoption) -> list[Release]:
    current = semver.Version.parse(adoption.release.version)
    releases = await service.app_releases(session, adoption.app, None)
    return [r for r in releases if r.status == "accepted" and r.withdrawn_at is None
            and semver.Version.parse(r.version) > current]


@router.get("/gemeenten/{code}/apps")
async def municipality_apps(code: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    municipality = await _municipality(session, code)
    manage = _may_manage(principal, code)
    rows = []
    found = await adoptions.municipality_adoptions(session, code)
    for adoption in found:
        schema = adoptions.options_schema(adoption.release)
        rows.append({
            "adoption": adoption, "options": forms.display_options(schema, adoption.options),
            "newer": await newer_releases(session, adoption) if manage and adoption.status != "ended" else [],
        })
    context = {"municipality": municipality, "rows": rows, "manage": manage,
               **await views_market.municipality_parts(session, municipality, found),
               **await views_wishes.municipality_parts(session, municipality)}
    return render(request, "store/municipality.html", context)


@router.post("/gemeenten/{code}/inwoners")
async def set_inhabitants(code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                          form: csrf.CheckedForm) -> Response:
    """The beheerder sets the municipality's own number of inhabitants, or goes back to the BRP count."""
    _check_manager(principal, await _municipality(session, code))
    assert principal is not None
    fields = csrf.text_fields(form)
    text = fields.get("inhabitants", "").replace(".", "").replace(" ", "").strip()
    number = int(text) if text.isdigit() else -1
    try:
        await costs.set_inhabitants(session, code, None if "use_brp" in fields else number, principal)
    except InvalidInput:
        response = await municipality_apps(code, request, session, principal)
        context = dict(response.context)  # type: ignore[attr-defined]
        context["inhabitant_error"] = "Vul het aantal inwoners in als geheel getal van 1 tot en met 10.000.000"
        context["inhabitant_value"] = fields.get("inhabitants", "")
        return render(request, "store/municipality.html", context, status=400)
    flash(request, "Het aantal inwoners voor de kosten is opgeslagen.")
    return redirect(f"/gemeenten/{code}/apps#kosten")


def _require_login(request: Request, principal: Principal | None) -> Response | None:
    return redirect(login_url(request)) if principal is None else None


def _check_manager(principal: Principal | None, municipality: Organisation) -> None:
    if not _may_manage(principal, municipality.code):
        raise Forbidden(f"alleen een functioneel beheerder van {municipality.name} mag dit doen")


async def _adopt_page(session: SessionDep, code: str, slug: str,
                      version: str | None) -> tuple[Organisation, App, Release, list[Release]]:
    """The municipality, the app, the chosen release (default: the newest admitted) and all admitted releases."""
    municipality = await _municipality(session, code)
    app = await service.get_app(session, slug)
    releases = [r for r in await service.app_releases(session, app, None)
                if r.status == "accepted" and r.withdrawn_at is None]
    if not releases:
        raise NotFound(f"app '{slug}' heeft geen toegelaten versie om te adopteren")
    chosen = next((r for r in releases if r.version == version), None)
    release = chosen or next((r for r in releases if r.id == app.latest_release_id), releases[0])
    return municipality, app, release, releases


def _adopt_context(page: tuple[Organisation, App, Release, list[Release]], values: dict[str, Any],
                   errors: dict[str, str], submitted: dict[str, str] | None) -> dict[str, Any]:
    municipality, app, release, releases = page
    fields = forms.form_fields(adoptions.options_schema(release), values, errors, submitted)
    return {"municipality": municipality, "app": app, "release": release, "releases": releases, "fields": fields,
            "summary": forms.error_summary(fields, errors), "error_count": len(errors),
            "activate": bool(submitted and "activate" in submitted)}


@router.get("/gemeenten/{code}/apps/adopteren")
async def adopt_form(code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                     app: str = "", version: str | None = None) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    _check_manager(principal, await _municipality(session, code))
    page = await _adopt_page(session, code, app, version)
    values = forms.initial_values(adoptions.options_schema(page[2]))
    return render(request, "store/adopt.html", _adopt_context(page, values, {}, None))


@router.post("/gemeenten/{code}/apps/adopteren")
async def adopt(code: str, request: Request, session: SessionDep, principal: PagePrincipal,
                form: csrf.CheckedForm) -> Response:
    _check_manager(principal, await _municipality(session, code))
    assert principal is not None
    fields = csrf.text_fields(form)
    page = await _adopt_page(session, code, fields.get("app", ""), fields.get("version"))
    municipality, app, release, _ = page
    names = (municipality.name, app.name)
    schema = adoptions.options_schema(release)
    options, errors = forms.check_options(schema, fields)
    status = 400
    if not errors:
        try:
            await adoptions.adopt(session, code, app.slug, options, principal, version=release.version,
                                  activate="activate" in fields, base_url=str(request.base_url))
        except Conflict as exc:
            codes = {param.code for param in exc.invalid_params}
            errors, status = {"adoption": f"{names[0]} gebruikt {names[1]} al. Beheer die adoptie (upgraden of "
                                          "beëindigen) op de pagina met de apps van de gemeente."
                              if "already-adopted" in codes else
                              f"{names[0]} bestaat niet meer (opgeheven) en kan geen apps meer adopteren."
                              if "municipality-ended" in codes else exc.detail}, 409
            page = await _adopt_page(session, code, fields.get("app", ""), fields.get("version"))
        except InvalidInput as exc:
            errors = forms.errors_from(exc.invalid_params, schema) or {"adoption": exc.detail}
            page = await _adopt_page(session, code, fields.get("app", ""), fields.get("version"))
        else:
            flash(request, f"{names[1]} is geadopteerd voor {names[0]}.")
            return redirect(f"/gemeenten/{code}/apps")
    return render(request, "store/adopt.html", _adopt_context(page, {}, errors, fields), status=status)


async def _adoption_context(session: SessionDep, code: str, adoption_id: str,
                            principal: Principal | None) -> dict[str, Any]:
    municipality = await _municipality(session, code)
    adoption = await adoptions.get_adoption(session, code, adoption_id, principal)
    schema = adoptions.options_schema(adoption.release)
    manage = _may_manage(principal, code) and adoption.status != "ended"
    fields = forms.form_fields(schema, forms.initial_values(schema, adoption.options))
    newer = await newer_releases(session, adoption) if adoption.status != "ended" else []
    return {
        "municipality": municipality, "adoption": adoption, "manage": manage, "fields": fields, "summary": [],
        "options": forms.display_options(schema, adoption.options),
        "history": [(event, forms.display_options(schema, event.options))  # option titles, not their keys
                    for event in await adoptions.adoption_history(session, adoption)],
        "newer": newer if manage else [], **await views_market.adoption_parts(session, adoption, newer),
    }


@router.get("/gemeenten/{code}/apps/{adoption_id}")
async def adoption_page(code: str, adoption_id: str, request: Request, session: SessionDep,
                        principal: PagePrincipal) -> Response:
    with views_market.not_found_in_dutch(f"Er is geen adoptie {adoption_id[:40]} bij gemeente {code[:20]}."):
        context = await _adoption_context(session, code, adoption_id, principal)
    return render(request, "store/adoption.html", context)


async def _managed_adoption(session: SessionDep, code: str, adoption_id: str,
                            principal: Principal | None) -> tuple[Organisation, Adoption]:
    municipality = await _municipality(session, code)
    _check_manager(principal, municipality)
    return municipality, await adoptions.get_adoption(session, code, adoption_id, principal)


@router.post("/gemeenten/{code}/apps/{adoption_id}/configureren")
async def configure(code: str, adoption_id: str, request: Request, session: SessionDep, principal: PagePrincipal,
                    form: csrf.CheckedForm) -> Response:
    _, adoption = await _managed_adoption(session, code, adoption_id, principal)
    assert principal is not None
    fields = csrf.text_fields(form)
    schema = adoptions.options_schema(adoption.release)
    options, errors = forms.check_options(schema, fields)
    if not errors:
        try:
            await adoptions.change_adoption(session, code, adoption_id, principal, options=options)
        except InvalidInput as exc:
            errors = forms.errors_from(exc.invalid_params, schema)
        else:
            flash(request, f"De opties van {adoption.app.name} zijn opgeslagen.")
            return redirect(f"/gemeenten/{code}/apps/{adoption_id}")
    context = await _adoption_context(session, code, adoption_id, principal)
    context["fields"] = forms.form_fields(schema, {}, errors, fields)
    context.update(summary=forms.error_summary(context["fields"], errors), error_count=len(errors))
    return render(request, "store/adoption.html", context, status=400)


@router.post("/gemeenten/{code}/apps/{adoption_id}/upgraden")
async def upgrade(code: str, adoption_id: str, request: Request, session: SessionDep, principal: PagePrincipal,
                  form: csrf.CheckedForm) -> Response:
    municipality, adoption = await _managed_adoption(session, code, adoption_id, principal)
    assert principal is not None
    fields = csrf.text_fields(form)
    release = next((r for r in await newer_releases(session, adoption) if r.version == fields.get("version")), None)
    if release is None:
        raise InvalidInput("kies een nieuwere, toegelaten versie om naar te upgraden")
    schema = adoptions.options_schema(release)
    options, errors = forms.check_options(schema, fields) if "with_options" in fields else (None, {})
    if not errors:
        try:
            await adoptions.change_adoption(session, code, adoption_id, principal, version=release.version,
                                            options=options, base_url=str(request.base_url))
        except (Conflict, InvalidInput) as exc:
            errors = forms.errors_from(exc.invalid_params, schema) or {"version": exc.detail}
            # the refused change was rolled back, which expires what was loaded: load it again
            municipality, adoption = await _managed_adoption(session, code, adoption_id, principal)
            release = next(r for r in await newer_releases(session, adoption) if r.version == fields.get("version"))
        else:
            flash(request, f"{adoption.app.name} is geüpgraded naar versie {release.version}.")
            return redirect(f"/gemeenten/{code}/apps/{adoption_id}")
    submitted = fields if "with_options" in fields else None
    values = forms.initial_values(schema, adoption.options)
    form_fields = forms.form_fields(schema, values, errors, submitted)
    context = {"municipality": municipality, "adoption": adoption, "release": release, "fields": form_fields,
               "summary": forms.error_summary(form_fields, errors), "error_count": len(errors)}
    return render(request, "store/upgrade.html", context, status=400 if submitted else 409)


@router.post("/gemeenten/{code}/apps/{adoption_id}/activeren")
async def activate(code: str, adoption_id: str, request: Request, session: SessionDep, principal: PagePrincipal,
                   form: csrf.CheckedForm) -> Response:
    _, adoption = await _managed_adoption(session, code, adoption_id, principal)
    assert principal is not None
    await adoptions.change_adoption(session, code, adoption_id, principal, status="active",
                                    base_url=str(request.base_url))
    flash(request, f"{adoption.app.name} is in gebruik genomen.")
    return redirect(f"/gemeenten/{code}/apps")


@router.get("/gemeenten/{code}/apps/{adoption_id}/beeindigen")
async def end_confirm(code: str, adoption_id: str, request: Request, session: SessionDep,
                      principal: PagePrincipal) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    municipality, adoption = await _managed_adoption(session, code, adoption_id, principal)
    return render(request, "store/end.html", {"municipality": municipality, "adoption": adoption})


@router.post("/gemeenten/{code}/apps/{adoption_id}/beeindigen")
async def end(code: str, adoption_id: str, request: Request, session: SessionDep, principal: PagePrincipal,
              form: csrf.CheckedForm) -> Response:
    _, adoption = await _managed_adoption(session, code, adoption_id, principal)
    assert principal is not None
    await adoptions.change_adoption(session, code, adoption_id, principal, status="ended",
                                    base_url=str(request.base_url))
    flash(request, f"Het gebruik van {adoption.app.name} is beëindigd.")
    return redirect(f"/gemeenten/{code}/apps")


def include(app: FastAPI) -> None:
    """Register the store's pages and the words its templates use."""
    templates.env.globals.update(
        status_labels=STATUS_LABELS, action_labels=ACTION_LABELS, severity_labels=SEVERITY_LABELS,
        value_labels=VALUE_LABELS, display_value=forms.display_value,
        severity_names=views_market.SEVERITY_NAMES, pricing_periods=views_market.PRICING_PERIODS,
        wish_status_names=views_wishes.WISH_STATUS_NAMES, wish_split_names=views_wishes.WISH_SPLIT_NAMES,
        wish_action_names=views_wishes.WISH_ACTION_NAMES, wish_field_names=views_wishes.WISH_FIELD_NAMES,
    )
    app.include_router(views_publisher.router)  # before the app routes: /publiceren, …/intrekken
    app.include_router(views_curator.router)
    app.include_router(router)
    app.include_router(views_market.router)
    app.include_router(views_wishes.router)
