"""The FastAPI application factory; every piece of state lives on `app.state`, nothing at import time.

To add a router: import it here and append it to `ROUTERS`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine

from channel.auth import routes as auth_routes
from channel.db import make_engine, make_sessionmaker
from channel.grid.router import router as grid_router
from channel.library import media_routes as library_media_routes
from channel.library import routes as library_routes
from channel.library.deps import celery_for
from channel.library.uploads import PROGRAMME_HEADER, build_upload_router
from channel.library.watchdog import watch_forever
from channel.ops import health, metrics
from channel.ops.errors import install_error_handlers
from channel.ops.logging import RequestIdMiddleware
from channel.ops.metrics import (
    AppMetrics,
    MetricsMiddleware,
    QueueDepthCollector,
    TranscodeJobCollector,
    queue_depth_source,
)
from channel.playout import install_playout
from channel.playout import router as playout_router
from channel.settings import Settings
from channel.stores import store_from_settings
from channel.uploads import DEFAULT_SWEEP_SECONDS, EXPOSED_HEADERS, UploadStore, sweep_forever
from channel.web import router as web_router
from storage import Store

__all__ = ["ROUTERS", "create_app"]

#: every router the API serves, in order; one line per router
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    auth_routes.router,
    grid_router,
    web_router,
    library_routes.router,
    library_media_routes.router,
    playout_router,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work of the API while it serves: the sweep of abandoned uploads, the job watchdog."""
    sweeper = asyncio.create_task(
        sweep_forever(app.state.uploads, interval_s=app.state.upload_sweep_seconds), name="upload-sweep"
    )
    watchdog = asyncio.create_task(
        watch_forever(app.state.sessionmaker, celery=celery_for(app.state), settings=app.state.settings),
        name="job-watchdog",
    )
    try:
        yield
    finally:
        for task in (sweeper, watchdog):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        app.state.engine.dispose()


def _app_metrics(settings: Settings, engine: Engine) -> AppMetrics:
    app_metrics = AppMetrics.create()
    app_metrics.registry.register(TranscodeJobCollector(engine))
    source = queue_depth_source(broker_url=settings.resolved_broker_url, broker_folder=settings.broker_folder)
    app_metrics.registry.register(QueueDepthCollector(source))
    return app_metrics


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: Store | None = None,
    upload_sweep_seconds: float = DEFAULT_SWEEP_SECONDS,
) -> FastAPI:
    """The API for `settings`; pass `engine` or `store` to share existing ones (tests, embedding).

    Abandoned uploads are swept at start-up and then every `upload_sweep_seconds`.
    """
    engine = engine or make_engine(settings.resolved_database_url)
    app = FastAPI(
        title="legaltv",
        description="Kênh truyền hình giáo dục pháp luật trực tuyến / Online legal-education TV channel",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.store = store or store_from_settings(settings)
    app.state.metrics = _app_metrics(settings, engine)
    app.state.uploads = UploadStore(settings.data_dir / "uploads")
    app.state.upload_sweep_seconds = upload_sweep_seconds

    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", *EXPOSED_HEADERS, PROGRAMME_HEADER],
    )
    app.add_middleware(RequestIdMiddleware)  # added last, so outermost: every response carries the id
    install_playout(app)  # the lean live-playlist handler, in front of everything else
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(
        build_upload_router(settings, app_state=app.state, store=app.state.uploads), prefix="/api/uploads"
    )
    return app
