"""The application factory: create_app(settings) builds the FastAPI app with every domain's routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from plein import __version__
from plein.db import make_engine, make_session_factory
from plein.http import ApiVersionHeader, install_problem_handlers
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.zgw.identificatie import COUNTER_ENGINE, counter_engine


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the engine is created here, never at import time."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from plein.notifications.tasks import in_process_delivery
        from plein.registers.brp import spec as brp_spec

        await asyncio.to_thread(brp_spec.warm)  # once per process, before the first BRP request would pay for it
        async with in_process_delivery(app):
            yield
        await dispose_engines(app)

    app = FastAPI(
        title="Plein", version=__version__, lifespan=lifespan, docs_url="/api/docs", redoc_url=None,
        openapi_url="/api/openapi.json",
        description="Open-source platform for Dutch municipalities: the app store, the common ground and shared "
        "services.",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.counter_engine = counter_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine, {COUNTER_ENGINE: app.state.counter_engine})
    app.state.storage = storage_from_settings(settings)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key.get_secret_value(), session_cookie="plein_session",
        same_site="lax", https_only=settings.session_cookie_secure, max_age=8 * 3600,
    )
    app.add_middleware(ApiVersionHeader)

    install_problem_handlers(app)
    _include_domains(app)
    return app


async def dispose_engines(app: FastAPI) -> None:
    """Close the app's database pools."""
    await app.state.engine.dispose()
    if app.state.counter_engine is not None:
        await app.state.counter_engine.dispose()


def _include_domains(app: FastAPI) -> None:
    from plein.exchange import api as exchange_api
    from plein.notifications import api as notifications_api
    from plein.registers.bag import api as bag_api
    from plein.registers.brp import api as brp_api
    from plein.registers.brp import openapi as brp_openapi
    from plein.store import api as store_api
    from plein.web import include as include_web
    from plein.zgw import api as zgw_api

    app.include_router(store_api.router)
    exchange_api.include(app)
    app.include_router(brp_openapi.router)  # before the BRP API, whose catch-all answers other paths with 404
    app.include_router(brp_api.router)
    app.include_router(bag_api.router)
    zgw_api.include(app)
    notifications_api.include(app)
    include_web(app)
