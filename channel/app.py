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
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from channel.audit import routes as audit_routes
from channel.audit.anchor import anchor_forever
from channel.auth import routes as auth_routes
from channel.auth.policy import account_policy
from channel.auth.throttle import login_limits
from channel.db import make_engine, make_sessionmaker
from channel.editorial import routes as editorial_routes
from channel.grid.router import router as grid_router
from channel.library import media_routes as library_media_routes
from channel.library import routes as library_routes
from channel.library.deps import celery_for
from channel.library.subtitles import MAX_SUBTITLE_BYTES
from channel.library.uploads import PROGRAMME_HEADER, build_upload_router, upload_service
from channel.library.watchdog import watch_forever
from channel.ops import health, metrics
from channel.ops.accesslog import AccessLogMiddleware
from channel.ops.crash import InternalErrorMiddleware
from channel.ops.errors import install_error_handlers
from channel.ops.metrics import (
    AppMetrics,
    MetricsMiddleware,
    QueueDepthCollector,
    TranscodeJobCollector,
    queue_depth_source,
)
from channel.ops.requestid import RequestIdMiddleware
from channel.playout import install_playout
from channel.playout import router as playout_router
from channel.security.bodies import BodyLimitMiddleware, BodyPolicy, BodyRule
from channel.security.headers import NoSniffMiddleware
from channel.settings import Settings
from channel.stores import store_from_settings
from channel.uploads import EXPOSED_HEADERS, sweep_forever
from channel.web import router as web_router
from channel.web.present import PublicProgrammes
from channel.web.public_lean import PublicProgrammeRoute
from storage import Store

__all__ = ["ROUTERS", "ChannelApp", "body_policy", "create_app"]

#: every router the API serves, in order; one line per router
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    auth_routes.router,
    audit_routes.router,
    grid_router,
    editorial_routes.router,
    web_router,
    library_routes.router,
    library_media_routes.router,
    playout_router,
)


class ChannelApp(FastAPI):
    """The FastAPI app with `front`, the lean handlers, called before its own middleware stack."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)


class _Stack:
    """The app's own stack (FastAPI's error handling, our middleware, the routes), behind the front."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(self.app, scope, receive, send)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work of the API while it serves: the sweep of abandoned uploads, the job watchdog, the
    audit chain's anchor."""
    sweeper = asyncio.create_task(
        sweep_forever(app.state.uploads, interval_s=app.state.upload_sweep_seconds), name="upload-sweep"
    )
    watchdog = asyncio.create_task(
        watch_forever(app.state.sessionmaker, celery=celery_for(app.state), settings=app.state.settings),
        name="job-watchdog",
    )
    anchor = asyncio.create_task(
        anchor_forever(app.state.engine, interval_s=app.state.settings.audit_anchor_seconds),
        name="audit-anchor",
    )
    try:
        yield
    finally:
        for task in (sweeper, watchdog, anchor):
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


def body_policy(settings: Settings) -> BodyPolicy:
    """Bodies of ordinary routes are small; uploads keep their own limits (tus, source, subtitles)."""
    return BodyPolicy(
        max_bytes=settings.max_body_bytes,
        timeout_s=settings.body_timeout_seconds,
        rules=(
            BodyRule.of(r"/api/uploads(/.*)?", max_bytes=None, upload=True),  # tus checks Upload-Length
            BodyRule.of(r"/api/programmes/[^/]+/source", max_bytes=settings.max_upload_bytes, upload=True),
            BodyRule.of(r"/api/programmes/[^/]+/subtitles", max_bytes=MAX_SUBTITLE_BYTES, upload=True),
        ),
    )


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Pure ASGI middleware, each with one job; the first added runs innermost, the last outermost."""
    app.add_middleware(BodyLimitMiddleware, policy=body_policy(settings))  # before routing, auth, parsing
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", *EXPOSED_HEADERS, PROGRAMME_HEADER],
    )
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)  # every response below carries the id
    if settings.trusted_proxies:  # X-Forwarded-For/-Proto believed from these peers only, never by default
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(NoSniffMiddleware)  # every answer; the lean handler's own headers carry it too


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: Store | None = None,
    upload_sweep_seconds: float | None = None,
) -> FastAPI:
    """The API for `settings`; pass `engine` or `store` to share existing ones (tests, embedding).

    Abandoned uploads are swept at start-up and then every `upload_sweep_seconds` (default: the setting).
    """
    engine = engine or make_engine(settings.resolved_database_url)
    app = ChannelApp(
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
    app.state.uploads = upload_service(settings, app_state=app.state)
    app.state.upload_sweep_seconds = upload_sweep_seconds or settings.upload_sweep_seconds
    app.state.login_limits = login_limits(settings)
    app.state.account_policy = account_policy(settings)
    app.state.public_programmes = PublicProgrammes()

    install_error_handlers(app)
    _install_middleware(app, settings)
    # the lean handlers (live playlists, media files, guide, public programme JSON) in front of everything
    app.front = install_playout(
        app, _Stack(app), lean=(PublicProgrammeRoute(app.state.sessionmaker, app.state.public_programmes),)
    )
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(build_upload_router(service=app.state.uploads), prefix="/api/uploads")
    return app
