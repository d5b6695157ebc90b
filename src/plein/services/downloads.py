"""What the portals of applicants (/mijn for citizens, /zakelijk for companies) share: the way to the login page, and
downloading a document of an aanvraag's zaak that its applicant may see, as an attachment nobody keeps."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound
from plein.services import my_cases
from plein.services.models import Aanvraag
from plein.web.views import redirect


def to_login(request: Request) -> Response:
    """To /inloggen, and back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/inloggen?{urlencode({'next': here})}")


def disposition(filename: str) -> str:
    """An attachment header that keeps a non-ASCII file name (RFC 6266 with an ASCII fallback)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def applicant_document(request: Request, session: AsyncSession, aanvraag: Aanvraag,
                             document_id: uuid.UUID) -> Response:
    """A document of the aanvraag's zaak that its applicant may see (my_cases.FOR_THE_APPLICANT), as an attachment
    that is never kept in a cache; 404 for any other document. The caller has checked that the aanvraag is theirs."""
    found = next((item for item in await my_cases.visible_documents(session, aanvraag) if item.id == document_id),
                 None)
    storage = request.app.state.storage
    if found is None or not found.storage_key or not await storage.exists(found.storage_key):
        raise NotFound("dit document bestaat niet, of hoort niet bij deze zaak")
    headers = {"Content-Disposition": disposition(found.bestandsnaam or "document"), "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    if found.bestandsomvang is not None:
        headers["Content-Length"] = str(found.bestandsomvang)
    return StreamingResponse(storage.read(found.storage_key), media_type=found.formaat or "application/octet-stream",
                             headers=headers)
