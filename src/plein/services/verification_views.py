"""The public pages where anyone checks a document's verification code (/verifieer) and, by uploading the PDF,
whether the file is the genuine, unchanged document; they show no personal data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from plein.errors import PayloadTooLarge
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.services import verification
from plein.services.verification import Comparison, Verificatie
from plein.web import csrf
from plein.web.views import PagePrincipal, redirect, render

router = APIRouter(include_in_schema=False)
MAX_PDF_BYTES = 20 * 1024 * 1024  # Plein's documents are far smaller; a larger file cannot be one of them
FORM_OVERHEAD = 64 * 1024  # the multipart boundaries, the CSRF token and the file name around the file
ENTRY = "services/verifieer.html"
RESULT = "services/verifieer_code.html"


def _not_too_large(request: Request) -> None:
    """Refuse a body larger than a document can be before reading it (when the client says how large it is)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_PDF_BYTES + FORM_OVERHEAD:
        raise PayloadTooLarge(f"het bestand is groter dan {MAX_PDF_BYTES // (1024 * 1024)} MB; documenten van "
                              "Plein zijn veel kleiner, dus dit is niet het goede bestand")


async def _issuer(session: AsyncSession, code: str) -> str:
    try:
        organisation = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation:
        return code
    return f"Gemeente {organisation.name}" if organisation.kind == "municipality" else organisation.name


async def _facts(session: AsyncSession, found: Verificatie) -> dict[str, Any]:
    """What the page shows of a code: never the zaak, the document or anything about the person."""
    return {"code": verification.display(found.code), "kind": found.kind,
            "issuer": await _issuer(session, found.municipality), "issued_at": found.issued_at,
            "withdrawn_at": found.withdrawn_at}


def _entry(request: Request, *, code: str = "", error: str = "", status: int = 200,
           heading: str = "Document controleren") -> Response:
    context = {"code": code, "error": error, "error_count": 1 if error else 0, "heading": heading,
               "summary": [("#code", error)] if error else []}
    return render(request, ENTRY, context, status=status)


@router.get("/verifieer")
async def entry(request: Request, principal: PagePrincipal,
                code: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """The form to enter a code; with ?code= (the form sent) it goes to the code's page, or says what is wrong."""
    if code is None:
        return _entry(request)
    canonical = verification.normalise(code)
    if not code.strip():
        return _entry(request, error="Vul de verificatiecode in die op het document staat.", status=400)
    if canonical is None:
        return _entry(request, code=code, status=400, error="Dit is geen geldige verificatiecode. Een code heeft 20 "
                      "letters en cijfers in groepen van vier, zoals op het document. Controleer de code.")
    return redirect(f"/verifieer/{verification.display(canonical)}")


async def _known(request: Request, session: AsyncSession, code: str) -> Verificatie | Response:
    """The finished verification of the code in the path, or the 404 page saying the code is malformed or unknown."""
    try:
        return await verification.look_up(session, code)
    except verification.MalformedCode:
        return _entry(request, code=code[:100], status=404, heading="Geen geldige verificatiecode",
                      error="Dit is geen geldige verificatiecode. Een code heeft 20 letters en cijfers in groepen van "
                      "vier, zoals op het document. Controleer de code.")
    except verification.UnknownCode:
        shown = verification.display(verification.normalise(code) or code)
        return _entry(request, code=shown, status=404, heading="Verificatiecode niet bekend",
                      error=f"De verificatiecode {shown} is niet bekend. Het document is niet via Plein door een "
                      "gemeente uitgegeven, of de code is verkeerd overgenomen.")


def _result(request: Request, facts: dict[str, Any], *, comparison: Comparison | None = None, error: str = "",
            status: int = 200) -> Response:
    other = comparison.other if comparison is not None else None
    context = {**facts, "outcome": comparison.outcome.value if comparison else None, "error": error,
               "error_count": 1 if error else 0, "summary": [("#bestand", error)] if error else [],
               "other": verification.display(other.code) if other is not None else None}
    return render(request, RESULT, context, status=status)


@router.get("/verifieer/{code}")
async def show(request: Request, session: SessionDep, principal: PagePrincipal, code: str) -> Response:
    """Whether the code is known: the kind of document, who issued it and when, whether it was withdrawn."""
    found = await _known(request, session, code)
    if isinstance(found, Response):
        return found
    return _result(request, await _facts(session, found))


@router.post("/verifieer/{code}", dependencies=[Depends(_not_too_large)])
async def check(request: Request, session: SessionDep, principal: PagePrincipal, code: str,
                form: csrf.CheckedForm) -> Response:
    """Whether the uploaded PDF is the document of this code, byte for byte (its sha256)."""
    found = await _known(request, session, code)
    if isinstance(found, Response):
        return found
    facts = await _facts(session, found)
    upload = form.get("bestand")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _result(request, facts, error="Kies het PDF-bestand dat u wilt controleren.", status=400)
    content = await upload.read(MAX_PDF_BYTES + 1)
    if len(content) > MAX_PDF_BYTES:
        return _result(request, facts, status=413, error=f"Het bestand is groter dan {MAX_PDF_BYTES // (1024 * 1024)}"
                       " MB. Documenten van Plein zijn veel kleiner: dit is niet het goede bestand.")
    if not content:
        return _result(request, facts, error="Het gekozen bestand is leeg. Kies het PDF-bestand van het document.",
                       status=400)
    return _result(request, facts, comparison=await verification.compare(session, found, content))


def include(app: FastAPI) -> None:
    app.include_router(router)
