"""Mounts the ZGW APIs at their standard prefixes, with each standard document served next to its API."""

from __future__ import annotations

from fastapi import FastAPI

from plein.zgw import remote
from plein.zgw.autorisaties import api as autorisaties_api
from plein.zgw.besluiten import api as besluiten_api
from plein.zgw.catalogi import api as catalogi_api
from plein.zgw.documenten import api as documenten_api
from plein.zgw.http import include_schema_routes
from plein.zgw.zaken import api as zaken_api
from plein.zgw.zaken import api_relations as zaken_relations_api


def include(app: FastAPI) -> None:
    include_schema_routes(app)
    remote.include_local_copy(app)
    app.include_router(autorisaties_api.router)
    app.include_router(besluiten_api.router)
    app.include_router(catalogi_api.router)
    app.include_router(documenten_api.router)
    app.include_router(zaken_api.router)
    app.include_router(zaken_relations_api.router)
