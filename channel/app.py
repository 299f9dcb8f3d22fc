"""The FastAPI application factory: the app's state is built here once, as one `AppState`.

Nothing is built at import time or on first use. To add a router: import it here and append it to
`ROUTERS`; to add a service of a package: build it in `_state` as a `Part` under the package's key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from channel.audience import AUDIENCE
from channel.audience.setup import audience_recorder
from channel.audit.anchor import anchor_forever
from channel.auth import routes as auth_routes
from channel.auth.deps import ACCOUNT_POLICY, LOGIN_LIMITS
from channel.auth.policy import account_policy
from channel.auth.throttle import login_limits
from channel.db import make_engine, make_sessionmaker
from channel.grid import audit_routes
from channel.grid.router import router as grid_router
from channel.http.accesslog import AccessLogMiddleware
from channel.http.bodies import BodyLimitMiddleware, BodyPolicy, BodyRule
from channel.http.crash import InternalErrorMiddleware
from channel.http.errors import install_error_handlers
from channel.http.headers import NoSniffMiddleware
from channel.http.requestid import RequestIdMiddleware
from channel.library import media_routes as library_media_routes
from channel.library import routes as library_routes
from channel.library.subtitles import MAX_SUBTITLE_BYTES
from channel.library.uploads import PROGRAMME_HEADER, build_upload_router, upload_service
from channel.library.watchdog import watch_forever
from channel.live import router as live_router
from channel.onair import routes as editorial_routes
from channel.ops import health, metrics
from channel.ops.metrics import (
    METRICS,
    AppMetrics,
    MetricsMiddleware,
    QueueDepthCollector,
    TranscodeJobCollector,
    queue_depth_source,
)
from channel.playout import install_playout, slate_probe
from channel.playout import router as playout_router
from channel.playout.cache import PLAYOUT, TimelineCache
from channel.playout.livemarks import LiveMarks
from channel.reports import campaign_router
from channel.reports import router as reports_router
from channel.settings import Settings
from channel.state import AppState, Part, parts_of
from channel.stores import store_from_settings
from channel.uploads import EXPOSED_HEADERS, UPLOADS, sweep_forever
from channel.web import catchup
from channel.web import router as web_router
from channel.web.assets import ASSETS, scan_assets
from channel.web.pages import page_for_browser
from channel.web.present import PublicProgrammes
from channel.web.public import PUBLIC_PROGRAMMES
from channel.web.public_lean import PublicProgrammeRoute
from channel.web.viewer_lean import ViewerPageRoute
from channel.worker import create_celery
from playlist import Timeline
from storage import Store

__all__ = ["ROUTERS", "ChannelApp", "body_policy", "create_app"]

#: every router the API serves, in order; one line per router
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    auth_routes.router,
    audit_routes.router,
    grid_router,
    live_router,
    editorial_routes.router,
    web_router,
    library_routes.router,
    library_media_routes.router,
    catchup.router,
    playout_router,
    reports_router,
    campaign_router,
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


def _lifespan(
    state: AppState, *, sweep_seconds: float
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Background work of the API while it serves: the sweep of abandoned uploads, the job watchdog, the
    audit chain's anchor, the audience batch's flush."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(
            sweep_forever(state.part(UPLOADS), interval_s=sweep_seconds), name="upload-sweep"
        )
        watchdog = asyncio.create_task(
            watch_forever(state.sessionmaker, celery=state.celery, settings=state.settings),
            name="job-watchdog",
        )
        anchor = asyncio.create_task(
            anchor_forever(state.engine, interval_s=state.settings.audit_anchor_seconds), name="audit-anchor"
        )
        audience = asyncio.create_task(
            state.part(AUDIENCE).flush_forever(state.settings.audience_flush_seconds), name="audience-flush"
        )
        try:
            yield
        finally:
            for task in (sweeper, watchdog, anchor, audience):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            state.engine.dispose()

    return lifespan


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


def _state(settings: Settings, *, engine: Engine, store: Store) -> AppState:
    """Everything the API shares across requests, each built once, here."""
    sessions = make_sessionmaker(engine)
    celery = create_celery(settings)
    playout = TimelineCache(
        sessions,
        slate_stored=slate_probe(store),
        live_rule=LiveMarks(store, grace_seconds=settings.live_grace_seconds).rule,
    )

    def timelines(slug: str) -> Timeline | None:
        live = playout.peek(slug)
        return None if live is None else live.timeline

    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessions,
        store=store,
        celery=celery,
        parts=parts_of(
            Part(METRICS, _app_metrics(settings, engine)),
            Part(LOGIN_LIMITS, login_limits(settings)),
            Part(ACCOUNT_POLICY, account_policy(settings)),
            Part(PLAYOUT, playout),
            Part(AUDIENCE, audience_recorder(settings, sessions=sessions, timelines=timelines)),
            Part(PUBLIC_PROGRAMMES, PublicProgrammes()),
            Part(ASSETS, scan_assets(settings)),
            Part(UPLOADS, upload_service(settings, sessions=sessions, store=store, celery=celery)),
        ),
    )


def _install_middleware(app: FastAPI, state: AppState) -> None:
    """Pure ASGI middleware, each with one job; the first added runs innermost, the last outermost."""
    settings = state.settings
    app.add_middleware(BodyLimitMiddleware, policy=body_policy(settings))  # before routing, auth, parsing
    app.add_middleware(MetricsMiddleware, metrics=state.part(METRICS))
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
    state = _state(
        settings,
        engine=engine or make_engine(settings.resolved_database_url),
        store=store or store_from_settings(settings),
    )
    app = ChannelApp(
        title="legaltv",
        description="Kênh truyền hình giáo dục pháp luật trực tuyến / Online legal-education TV channel",
        version="0.1.0",
        lifespan=_lifespan(state, sweep_seconds=upload_sweep_seconds or settings.upload_sweep_seconds),
    )
    app.state.legaltv = state  # the one attribute: dependencies read it through `channel.state`
    install_error_handlers(app, page_for_browser=page_for_browser)
    _install_middleware(app, state)
    # the lean handlers (live playlists, media files, guide, public programme JSON, the viewer page) in front
    app.front = install_playout(
        _Stack(app),
        cache=state.part(PLAYOUT),
        store=state.store,
        settings=settings,
        lean=(
            PublicProgrammeRoute(
                state.sessionmaker, state.part(PUBLIC_PROGRAMMES), cosmetic=settings.review_cosmetic_fields
            ),
            ViewerPageRoute(state.sessionmaker, state.part(PLAYOUT), settings, state.part(ASSETS)),
        ),
        audience=state.part(AUDIENCE) if settings.audience_counting else None,
    )
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(build_upload_router(service=state.part(UPLOADS)), prefix="/api/uploads")
    return app
