"""Mounts the ZGW APIs at their standard prefixes, with each standard document served next to its API."""

from __future__ import annotations

from fastapi import FastAPI

from plein.zgw.autorisaties import api as autorisaties_api
from plein.zgw.http import include_schema_routes


def include(app: FastAPI) -> None:
    include_schema_routes(app)
    app.include_router(autorisaties_api.router)
