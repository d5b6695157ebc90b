"""The business portal /zakelijk: the zaken of the logged-in company (by KvK number) in every municipality and by
every employee, each with its status history, documents and decision; never another company's."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Forbidden, NotFound
from plein.http import SessionDep
from plein.services import downloads, my_cases
from plein.services.models import CONCEPT, Aanvraag
from plein.store import service as store
from plein.web.views import PagePrincipal, render

router = APIRouter(include_in_schema=False)
BUSINESS = "business"
PAGE_SIZE = 25
Pagina = Annotated[int, Query(alias="pagina", ge=1, le=100_000)]


@dataclass
class CompanyCase:
    """One zaak of the company in the overview: the aanvraag as /mijn lists it, and where it is handled."""

    item: my_cases.Listed
    municipality: str


def _company(principal: Principal) -> Principal:
    """Only a company's login (eHerkenning) sees /zakelijk; a citizen or a staff member is told what it is for."""
    if principal.kind != BUSINESS:
        raise Forbidden("de zakelijke omgeving is voor bedrijven: log in met eHerkenning namens uw bedrijf. Als "
                        "inwoner vindt u uw eigen zaken onder Mijn zaken")
    return principal


def _submitted(company: Principal) -> Select[Aanvraag]:
    """The company's aanvragen that were sent (a concept is no zaak yet), of every employee."""
    return select(Aanvraag).where(Aanvraag.subject_kind == BUSINESS, Aanvraag.subject == company.id,
                                  Aanvraag.status != CONCEPT)


async def company_cases(session: AsyncSession, company: Principal, page: int) -> tuple[list[CompanyCase], int]:
    """One page of the company's zaken, the last sent first, and how many there are in all."""
    query = _submitted(company)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    found = list(await session.scalars(query.order_by(Aanvraag.submitted_at.desc(), Aanvraag.id.desc())
                                       .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    names: dict[str, str] = {}
    rows = []
    for item in await my_cases.listed(session, found):
        code = item.aanvraag.municipality
        if code not in names:
            names[code] = await my_cases.municipality_name(session, code)
        rows.append(CompanyCase(item, names[code]))
    return rows, total


async def company_aanvraag(session: AsyncSession, company: Principal, aanvraag_id: uuid.UUID) -> Aanvraag:
    """A sent aanvraag of this company (whoever of its employees sent it); 404 for any other, without telling
    whether it exists."""
    aanvraag = await session.scalar(_submitted(company).where(Aanvraag.id == aanvraag_id))
    if aanvraag is None:
        raise NotFound("deze zaak bestaat niet, of is niet van uw bedrijf")
    return aanvraag


async def mandate_names(session: AsyncSession, company: Principal) -> list[str]:
    """The services this login holds a machtiging for, by their names in the store."""
    names = []
    for app in sorted(company.mandates):
        try:
            names.append((await store.get_app(session, app)).name)
        except NotFound:
            names.append(app)
    return sorted(names)


def _pages(total: int, page: int) -> dict[str, Any]:
    count = max(1, math.ceil(total / PAGE_SIZE))
    return {"page": page, "page_count": count,
            "previous": f"/zakelijk?pagina={page - 1}" if page > 1 else None,
            "next": f"/zakelijk?pagina={page + 1}" if page < count else None}


def _page(request: Request, company: Principal, name: str, context: dict[str, Any]) -> Response:
    response = render(request, f"services/zakelijk_{name}.html", {"company": company, **context})
    response.headers["Cache-Control"] = "no-store"  # the company's cases, with names of persons: never kept
    return response


@router.get("/zakelijk")
async def overview(request: Request, session: SessionDep, principal: PagePrincipal, pagina: Pagina = 1) -> Response:
    if principal is None:
        return downloads.to_login(request)
    company = _company(principal)
    rows, total = await company_cases(session, company, pagina)
    if pagina > 1 and not rows:
        raise NotFound("deze pagina van het overzicht bestaat niet")
    return _page(request, company, "zaken", {
        "rows": rows, "total": total, "mandates": await mandate_names(session, company), **_pages(total, pagina)})


@router.get("/zakelijk/zaken/{aanvraag_id}")
async def zaak(request: Request, session: SessionDep, principal: PagePrincipal, aanvraag_id: uuid.UUID) -> Response:
    if principal is None:
        return downloads.to_login(request)
    company = _company(principal)
    aanvraag = await company_aanvraag(session, company, aanvraag_id)
    return _page(request, company, "zaak", {"zaak": await my_cases.detail(session, aanvraag)})


@router.get("/zakelijk/zaken/{aanvraag_id}/documenten/{document_id}")
async def download(request: Request, session: SessionDep, principal: PagePrincipal, aanvraag_id: uuid.UUID,
                   document_id: uuid.UUID) -> Response:
    if principal is None:
        return downloads.to_login(request)
    company = _company(principal)
    aanvraag = await company_aanvraag(session, company, aanvraag_id)
    return await downloads.applicant_document(request, session, aanvraag, document_id)


def include(app: FastAPI) -> None:
    app.include_router(router)
