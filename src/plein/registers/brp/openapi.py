"""GET /haalcentraal/api/brp/openapi.yaml and .json: the Haal Centraal BRP Personen document next to the API.

The document is the one shipped in the package (registers.brp.spec), served as it is: it is the contract the
endpoint answers to, so clients can generate code from it or check responses against it. No login is needed.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from plein.registers.brp import spec

router = APIRouter(tags=["brp"])
BASE = "/haalcentraal/api/brp"
HEADERS = {"API-Version": spec.VERSION, "Cache-Control": "public, max-age=3600"}


@router.get(f"{BASE}/openapi.yaml", include_in_schema=False)
async def openapi_yaml() -> Response:
    """The document in YAML, byte for byte as published."""
    return Response(spec.document_text(), media_type="application/yaml; charset=utf-8", headers=HEADERS)


@router.get(f"{BASE}/openapi.json", include_in_schema=False)
async def openapi_json() -> JSONResponse:
    """The same document as JSON."""
    return JSONResponse(spec.document(), headers=HEADERS)
