"""Mount the playout on the app: the lean handlers in front of everything, then the router."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp

from channel.audience import AudienceRecorder
from channel.mediauris import media_uris
from channel.ops.lean import LeanMiddleware, LeanRoute
from channel.playout.cache import TimelineCache
from channel.playout.guide import EpgRoute, NowRoute
from channel.playout.hot import LivePlaylistMiddleware
from channel.playout.routes import router
from channel.playout.sendfile import MediaFileMiddleware
from channel.settings import Settings
from storage import Store

__all__ = ["install_playout", "router"]


def install_playout(
    inner: ASGIApp,
    *,
    cache: TimelineCache,
    store: Store,
    settings: Settings,
    lean: Sequence[LeanRoute] = (),
    audience: AudienceRecorder | None = None,
) -> ASGIApp:
    """The lean handlers in front of `inner` (the app's whole stack): live playlists, then media files
    sent by path, then the guide (and the `lean` routes given). They answer most of the traffic, so they
    sit outside even FastAPI's own error and telemetry middleware (measured in docs/delivery.md).
    With `audience`, the live master hands out session tokens and variant reloads are counted."""
    origins = list(settings.cors_origins)
    routes: tuple[LeanRoute, ...] = (NowRoute(cache), EpgRoute(cache), *lean)
    guide = LeanMiddleware(inner, routes=routes, cors_origins=origins)
    media = MediaFileMiddleware(guide, store=store, cors_origins=origins)
    return LivePlaylistMiddleware(
        media, cache=cache, cors_origins=origins, uris=media_uris(settings), audience=audience
    )
