"""The hot path: live playlists answered by a lean ASGI handler in front of the FastAPI app.

A player reloads its media playlist every few seconds, so this is most of the traffic. The bytes
depend only on (channel, track, timeline version, window, newest fully aired segment), which changes
exactly when a segment completes: each rendered playlist is kept until then, and a reload in between
is one dict lookup. Its Cache-Control counts down to that instant, so no cache keeps it longer.
Anything unusual (a query string, an unknown channel or track, off air, a channel about to start,
another method) goes on to the FastAPI routes, which answer it with the usual error envelope.

Audience measurement (docs/audience.md): with a recorder, the master hands every request its own
session token in the variant URIs (`?s=<token>`, so the master is `private, no-store`), and a
variant request whose whole query is such a token is answered with exactly the bytes of the same
request without it (one rendered playlist per segment still), after noting a heartbeat in memory.

This path skips the metrics and request-id middleware (measured in docs/benchmarks.md): it adds CORS
itself, so browsers embedding the player see the same headers as on every other route. A media
playlist also carries `Expires` (see `live_expires`): caches in front count down to the same instant.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channel.audience import AudienceRecorder, mint_token, session_query, token_of
from channel.mediauris import MediaUris
from channel.ops.cors import Headers, SimpleCors
from channel.playout.cache import Live, PlayoutUnavailable, TimelineCache
from channel.playout.livemarks import live_near
from channel.playout.serve import HLS_TYPE, MASTER_CACHE, MEDIA_PREFIX, live_expires, render_live, track_for
from playlist import NO_LIVE, LiveRule, OffAirError, Track, from_us, live_edge, render_master, to_us

__all__ = ["LivePlaylistMiddleware"]

_HLS = HLS_TYPE.encode()
_MASTER = "master.m3u8"


_FOREVER_US = 1 << 62
#: stands for the session token in a master rendered once per timeline version (same length)
_PLACEHOLDER = session_query("_" * 22)
_NO_STORE = b"private, no-store"
#: how far before the window a live item still matters (its awaited segments hold the edge back)
_LIVE_REACH_US = 60_000_000
_PLAIN = MediaUris(MEDIA_PREFIX)


@dataclass(frozen=True, slots=True)
class _Rendered:
    version: int
    window_s: float
    valid_until_us: int  # when the next segment completes: the bytes hold until then
    cache_control: bytes | None  # fixed (the master); None: counts down to valid_until_us
    headers: Headers
    body: bytes
    #: the full header lists already built, by (max-age, allowed origin): a handful per segment
    answers: dict[tuple[int, bytes | None], Headers] = field(default_factory=dict, compare=False)

    def max_age(self, now_us: int) -> int:
        """Seconds a cache may keep it (-1: a fixed Cache-Control, the master's)."""
        if self.cache_control is not None:
            return -1
        return max(0, (self.valid_until_us - now_us) // 1_000_000)

    def cache_header(self, now_us: int) -> tuple[bytes, bytes]:
        if self.cache_control is not None:
            return (b"cache-control", self.cache_control)
        return (b"cache-control", b"public, max-age=%d" % self.max_age(now_us))


class LivePlaylistMiddleware:
    """``GET|HEAD /live/<slug>/<name>.m3u8`` without a query, from memory; everything else passes on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: TimelineCache,
        cors_origins: list[str],
        uris: MediaUris = _PLAIN,
        audience: AudienceRecorder | None = None,
    ) -> None:
        self.app = app
        self.audience = audience
        self.cache = cache
        self.cors = SimpleCors(cors_origins)
        self.uris = uris
        self.rendered: dict[tuple[str, str], _Rendered] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        query: bytes = scope["query_string"]
        token = token_of(query) if query else None
        if query and token is None:
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        if not path.startswith("/live/") or not path.endswith(".m3u8"):
            return await self.app(scope, receive, send)
        slug, _, name = path[6:].partition("/")
        if not slug or "/" in name or (token is not None and name == _MASTER):
            return await self.app(scope, receive, send)
        now_us = int(time.time() * 1_000_000)
        found = await self._playlist(slug, name, now_us)
        if found is None:
            return await self.app(scope, receive, send)
        if token is not None and self.audience is not None and scope["method"] == "GET":
            self.audience.note(token=token, slug=slug, variant=name[:-5], headers=scope["headers"])
        await self._send(scope, send, found, now_us)

    async def _playlist(self, slug: str, name: str, now_us: int) -> _Rendered | None:
        live = self.cache.peek(slug)
        if live is None or not self.cache.fresh(slug):
            try:
                live = await self.cache.aget(slug)
            except PlayoutUnavailable:
                return None
        if not live.on_air:
            return None  # the route answers "about to start"
        done = self.rendered.get((slug, name))
        if (
            done is not None
            and done.version == live.version
            and done.window_s == live.window_s
            and now_us < done.valid_until_us
        ):
            return done
        timeline = live.timeline
        cache: bytes | None = None
        expires: Headers = []
        if name == _MASTER and self.audience is not None:
            body = render_master(timeline.channel, variant_query=_PLACEHOLDER).encode()
            cache, until = _NO_STORE, _FOREVER_US
        elif name == _MASTER:
            body, cache, until = render_master(timeline.channel).encode(), MASTER_CACHE.encode(), _FOREVER_US
        else:
            track = track_for(timeline.channel, name)
            if track is None:
                return None
            at = datetime.fromtimestamp(now_us / 1_000_000, UTC)
            try:
                if live_near(
                    timeline, at_us=now_us, window_us=round(live.window_s * 1_000_000) + _LIVE_REACH_US
                ):
                    # a live event in the window: its markers are read from the store, off the loop
                    next_start, rendered = await asyncio.to_thread(self._render_live, live, track, at)
                else:
                    next_start, rendered = self._render(live, track, at, NO_LIVE)
                body = self.uris.sign(rendered, now=now_us / 1_000_000)
            except OffAirError:
                return None
            until = to_us(next_start)
            expires = [(b"expires", live_expires(from_us(until)).encode())]
        headers = [
            (b"content-type", _HLS),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),  # as on every response (channel/http/headers.py)
            *expires,
        ]
        done = _Rendered(live.version, live.window_s, until, cache, headers, body)
        self.rendered[(slug, name)] = done
        return done

    def _render_live(self, live: Live, track: Track, at: datetime) -> tuple[datetime, bytes]:
        return self._render(live, track, at, self.cache.live_rule)

    def _render(self, live: Live, track: Track, at: datetime, rule: LiveRule) -> tuple[datetime, bytes]:
        _, next_start = live_edge(live.timeline, at, live=rule)
        rendered = render_live(
            live.timeline, track=track, at=at, window_s=live.window_s, prefix=self.uris.prefix, live=rule
        )
        return next_start, rendered

    def _headers(self, scope: Scope, found: _Rendered, now_us: int) -> Headers:
        """The rendered headers, Cache-Control as of now, and CORS (`SimpleCors`)."""
        origin = self.cors.allowed(scope)
        answer = (found.max_age(now_us), origin)
        headers = found.answers.get(answer)
        if headers is None:
            headers = [*found.headers, found.cache_header(now_us), *self.cors.headers(origin)]
            found.answers[answer] = headers
        return headers

    async def _send(self, scope: Scope, send: Send, found: _Rendered, now_us: int) -> None:
        start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": self._headers(scope, found, now_us),
        }
        await send(start)
        body = b"" if scope["method"] == "HEAD" else found.body
        if found.cache_control == _NO_STORE:  # the counted master: this request's own session
            body = body.replace(_PLACEHOLDER.encode(), session_query(mint_token()).encode())
        await send({"type": "http.response.body", "body": body})
