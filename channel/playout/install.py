"""Mount the playout on the app: the timeline cache on ``app.state``, the lean handlers, the router."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.types import ASGIApp

from channel.ops.lean import LeanMiddleware, LeanRoute
from channel.playout.cache import TimelineCache
from channel.playout.guide import EpgRoute, NowRoute
from channel.playout.hot import LivePlaylistMiddleware
from channel.playout.routes import router
from channel.playout.sendfile import MediaFileMiddleware
from channel.playout.slate import slate_probe
from channel.playout.tokens import media_uris

__all__ = ["install_playout", "router"]


def install_playout(app: FastAPI, inner: ASGIApp, *, lean: Sequence[LeanRoute] = ()) -> ASGIApp:
    """The lean handlers in front of `inner` (the app's whole stack): live playlists, then media files
    sent by path, then the guide (and the `lean` routes given). They answer most of the traffic, so they
    sit outside even FastAPI's own error and telemetry middleware (measured in docs/delivery.md)."""
    app.state.playout = TimelineCache(app.state.sessionmaker, slate_stored=slate_probe(app.state.store))
    settings = app.state.settings
    origins = list(settings.cors_origins)
    routes: tuple[LeanRoute, ...] = (NowRoute(app.state.playout), EpgRoute(app.state.playout), *lean)
    guide = LeanMiddleware(inner, routes=routes, cors_origins=origins)
    media = MediaFileMiddleware(guide, store=app.state.store, cors_origins=origins)
    return LivePlaylistMiddleware(
        media, cache=app.state.playout, cors_origins=origins, uris=media_uris(settings)
    )
