"""Mount the playout on the app: the timeline cache on ``app.state``, the lean live handler, the router."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from channel.ops.lean import LeanMiddleware, LeanRoute
from channel.playout.cache import TimelineCache
from channel.playout.guide import EpgRoute, NowRoute
from channel.playout.hot import LivePlaylistMiddleware
from channel.playout.routes import router
from channel.playout.sendfile import MediaFileMiddleware
from channel.playout.slate import slate_probe
from channel.playout.tokens import media_uris

__all__ = ["install_playout", "router"]


def install_playout(app: FastAPI, *, lean: Sequence[LeanRoute] = ()) -> None:
    """Call after every other middleware is added, so the lean handlers run first (outermost): live
    playlists, then media files sent by path, then the guide (and the `lean` routes given)."""
    app.state.playout = TimelineCache(app.state.sessionmaker, slate_stored=slate_probe(app.state.store))
    settings = app.state.settings
    origins = list(settings.cors_origins)
    routes: tuple[LeanRoute, ...] = (NowRoute(app.state.playout), EpgRoute(app.state.playout), *lean)
    app.add_middleware(LeanMiddleware, routes=routes, cors_origins=origins)
    app.add_middleware(MediaFileMiddleware, store=app.state.store, cors_origins=origins)
    app.add_middleware(
        LivePlaylistMiddleware,
        cache=app.state.playout,
        cors_origins=origins,
        uris=media_uris(settings),
    )
