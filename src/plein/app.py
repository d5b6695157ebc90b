"""The application factory: create_app(settings) builds the FastAPI app with every domain's routes."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from plein import __version__
from plein.auth.sealing import SESSION_KEY as SEALER
from plein.auth.sealing import Sealer
from plein.auth.throttle import LoginThrottle
from plein.db import make_engine, make_session_factory
from plein.http import ApiVersionHeader, HeaderLimits, SecurityHeaders, install_problem_handlers
from plein.settings import Settings
from plein.storage import storage_from_settings
from plein.zgw.identificatie import COUNTER_ENGINE, counter_engine


def create_app(settings: Settings | None = None, *, serving: bool = False) -> FastAPI:
    """Build the app; the engine is created here, never at import time. `serving`: the app is its process's whole
    life (`plein serve`, `plein demo`), so once it has started its garbage collection is tuned (quiet_collector)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from plein.exchange.checkpoints import in_process_checkpoints
        from plein.notifications.tasks import in_process_delivery
        from plein.registers.brp import spec as brp_spec
        from plein.services.tasks import in_process_decisions

        await asyncio.to_thread(brp_spec.warm)  # once per process, before the first BRP request would pay for it
        if serving:
            quiet_collector()
        async with in_process_delivery(app), in_process_decisions(app), in_process_checkpoints(app):
            yield
        await dispose_engines(app)

    app = FastAPI(
        title="Plein", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/api/openapi.json",
        description="Open-source platform for Dutch municipalities: the app store, the common ground and shared "
        "services.",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.counter_engine = counter_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine, {COUNTER_ENGINE: app.state.counter_engine,
                                                                 SEALER: Sealer.from_settings(settings)})
    app.state.storage = storage_from_settings(settings)
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key.get_secret_value(), session_cookie="plein_session",
        same_site="lax", https_only=settings.session_cookie_secure, max_age=8 * 3600,
    )
    app.add_middleware(ApiVersionHeader)
    app.add_middleware(SecurityHeaders, https=settings.env == "production" or settings.session_cookie_secure)
    app.add_middleware(HeaderLimits)  # added last: runs first

    install_problem_handlers(app)
    _include_domains(app)
    return app


def served_app() -> FastAPI:
    """The app of one `plein serve --workers N` process (uvicorn's factory: settings from the environment)."""
    return create_app(serving=True)


def quiet_collector() -> None:
    """Keep Python's cyclic garbage collector from pausing a busy server.

    Under load a full collection walked every object the process holds (modules, routes, the BRP specification,
    SQLAlchemy's caches: about 200,000) and paused each request in flight for 100 to 300 ms, which was the p99 of a
    BRP lookup. What exists once the app has started lives as long as the process: it is frozen out of the
    collector's sight. Young collections run every 10,000 allocations instead of 700, so fewer objects of requests
    still in flight are moved to the older generations only to die there. Reference counting frees almost
    everything as before; only garbage in cycles waits a little longer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


async def dispose_engines(app: FastAPI) -> None:
    """Close the app's database pools."""
    await app.state.engine.dispose()
    if app.state.counter_engine is not None:
        await app.state.counter_engine.dispose()


def _include_domains(app: FastAPI) -> None:
    from plein.exchange import api as exchange_api
    from plein.notifications import api as notifications_api
    from plein.payments import api as payments_api
    from plein.registers.bag import api as bag_api
    from plein.registers.brp import api as brp_api
    from plein.registers.brp import openapi as brp_openapi
    from plein.services import api as services_api
    from plein.store import api as store_api
    from plein.store import api_wishes as store_wishes_api
    from plein.web import include as include_web
    from plein.zgw import api as zgw_api

    app.include_router(store_api.router)
    app.include_router(store_wishes_api.router)
    exchange_api.include(app)
    app.include_router(brp_openapi.router)  # before the BRP API, whose catch-all answers other paths with 404
    app.include_router(brp_api.router)
    app.include_router(bag_api.router)
    zgw_api.include(app)
    notifications_api.include(app)
    services_api.include(app)
    payments_api.include(app)
    include_web(app)
