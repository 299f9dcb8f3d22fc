"""Mount the playout on the app: the timeline cache on ``app.state``, the lean live handler, the router."""

from __future__ import annotations

from fastapi import FastAPI

from channel.playout.cache import TimelineCache
from channel.playout.hot import LivePlaylistMiddleware
from channel.playout.routes import router
from channel.playout.slate import slate_probe

__all__ = ["install_playout", "router"]


def install_playout(app: FastAPI) -> None:
    """Call after every other middleware is added, so the live handler runs first (outermost)."""
    app.state.playout = TimelineCache(app.state.sessionmaker, slate_stored=slate_probe(app.state.store))
    app.add_middleware(
        LivePlaylistMiddleware, cache=app.state.playout, cors_origins=list(app.state.settings.cors_origins)
    )
