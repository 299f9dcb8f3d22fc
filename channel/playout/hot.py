"""The hot path: live playlists answered by a lean ASGI handler in front of the FastAPI app.

A player reloads its media playlist every few seconds, so this is most of the traffic. The bytes
depend only on (channel, track, timeline version, window, live-edge segment), and the live edge
moves once per segment: each rendered playlist is kept until the next segment airs, and a reload in
between is one dict lookup. Anything unusual (a query string, an unknown channel or track, off air,
another method) goes on to the FastAPI routes, which answer it with the usual error envelope.

This path skips the metrics and request-id middleware (measured in docs/benchmarks.md): it adds CORS
itself, so browsers embedding the player see the same headers as on every other route.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channel.playout.cache import PlayoutUnavailable, TimelineCache
from channel.playout.serve import HLS_TYPE, MASTER_CACHE, live_cache_control, render_live, track_for
from playlist import OffAirError, live_edge, render_master, to_us

__all__ = ["LivePlaylistMiddleware"]

_HLS = HLS_TYPE.encode()
_MASTER = "master.m3u8"
_VARY = (b"vary", b"Origin")


@dataclass(frozen=True, slots=True)
class _Rendered:
    version: int
    window_s: float
    valid_until_us: int  # the next segment's air start: the bytes hold until then
    headers: list[tuple[bytes, bytes]]
    body: bytes
    headers_any_origin: list[tuple[bytes, bytes]] = field(init=False)
    headers_no_origin: list[tuple[bytes, bytes]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "headers_any_origin", [*self.headers, (b"access-control-allow-origin", b"*")]
        )
        object.__setattr__(self, "headers_no_origin", [*self.headers, _VARY])


class LivePlaylistMiddleware:
    """``GET|HEAD /live/<slug>/<name>.m3u8`` without a query, from memory; everything else passes on."""

    def __init__(self, app: ASGIApp, *, cache: TimelineCache, cors_origins: list[str]) -> None:
        self.app = app
        self.cache = cache
        self.any_origin = "*" in cors_origins
        self.origins = {o.encode() for o in cors_origins}
        self.rendered: dict[tuple[str, str], _Rendered] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["query_string"] or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        if not path.startswith("/live/") or not path.endswith(".m3u8"):
            return await self.app(scope, receive, send)
        slug, _, name = path[6:].partition("/")
        if not slug or "/" in name:
            return await self.app(scope, receive, send)
        found = await self._playlist(slug, name)
        if found is None:
            return await self.app(scope, receive, send)
        await self._send(scope, send, found)

    async def _playlist(self, slug: str, name: str) -> _Rendered | None:
        live = self.cache.peek(slug)
        if live is None or not self.cache.fresh(slug):
            try:
                live = await self.cache.aget(slug)
            except PlayoutUnavailable:
                return None
        now_us = int(time.time() * 1_000_000)
        done = self.rendered.get((slug, name))
        if (
            done is not None
            and done.version == live.version
            and done.window_s == live.window_s
            and now_us < done.valid_until_us
        ):
            return done
        timeline = live.timeline
        if name == _MASTER:
            body, cache, until = render_master(timeline.channel).encode(), MASTER_CACHE, 1 << 62
        else:
            track = track_for(timeline.channel, name)
            if track is None:
                return None
            at = datetime.fromtimestamp(now_us / 1_000_000, UTC)
            try:
                _, next_start = live_edge(timeline, at)
                body = render_live(timeline, track=track, at=at, window_s=live.window_s)
            except OffAirError:
                return None
            cache, until = live_cache_control(timeline.channel), to_us(next_start)
        headers = [
            (b"content-type", _HLS),
            (b"cache-control", cache.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),  # as on every response (channel/security/headers.py)
        ]
        done = _Rendered(live.version, live.window_s, until, headers, body)
        self.rendered[(slug, name)] = done
        return done

    def _headers(self, scope: Scope, found: _Rendered) -> list[tuple[bytes, bytes]]:
        """The rendered headers plus CORS as CORSMiddleware would answer a simple request.

        Unless every origin is allowed, the answer depends on the Origin header, so it always says
        `Vary: Origin`: a shared cache must not hand one origin's answer (with or without the
        allow-origin header) to another.
        """
        if self.any_origin:
            return found.headers_any_origin
        for key, value in scope["headers"]:
            if key == b"origin" and value in self.origins:
                return [*found.headers, (b"access-control-allow-origin", value), _VARY]
        return found.headers_no_origin

    async def _send(self, scope: Scope, send: Send, found: _Rendered) -> None:
        start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": self._headers(scope, found),
        }
        await send(start)
        body = b"" if scope["method"] == "HEAD" else found.body
        await send({"type": "http.response.body", "body": body})
