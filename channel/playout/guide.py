"""The guide's now/next and day as lean answers (`channel.ops.lean`): the same bytes as the routes.

Now/next is recomputed at most once a second and whenever the item on air ends; a day of the guide
once a second (a publish shows within a second of the timeline cache seeing it, and "today" turns at
the channel's midnight). Both are served from the timelines in memory; an unknown channel, a
malformed date or one the route would refuse go on to the routes in `channel.playout.routes`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from channel.ops.lean import Answer, Key, json_bytes
from channel.playout.cache import Live, PlayoutUnavailable, TimelineCache
from channel.playout.serve import EPG_CACHE, NOW_CACHE, epg_json, local_day, now_json
from playlist import OffAirError, Timeline, to_us

__all__ = ["REFRESH_SECONDS", "EpgRoute", "NowRoute", "on_air_until"]

#: how old a kept answer may get before it is computed again
REFRESH_SECONDS = 1.0

_NOW = re.compile(r"/api/channels/([a-z0-9][a-z0-9-]{0,99})/now")
_EPG = re.compile(r"/api/channels/([a-z0-9][a-z0-9-]{0,99})/epg")
_DATE = re.compile(rb"date=(\d{4}-\d{2}-\d{2})")


def on_air_until(timeline: Timeline, now: float) -> float:
    """When the item on air at ``now`` ends (both Unix seconds): what is said about it changes then.
    `OffAirError` outside the compiled timeline."""
    return timeline.items[timeline.item_index_at(to_us(datetime.fromtimestamp(now, UTC)))].end_us / 1_000_000


async def _live(cache: TimelineCache, slug: str) -> Live | None:
    """The channel's loaded timeline (refreshed in the background when stale), None when unknown."""
    live = cache.peek(slug)
    if live is None or not cache.fresh(slug):
        try:
            live = await cache.aget(slug)
        except PlayoutUnavailable:
            return None
    return live


class NowRoute:
    """``GET /api/channels/<slug>/now`` without a query."""

    cookieless = False

    def __init__(self, cache: TimelineCache) -> None:
        self.cache = cache

    def key(self, path: str, query: bytes) -> Key | None:
        match = _NOW.fullmatch(path)
        return ("now", match.group(1)) if match and not query else None

    async def answer(self, key: Key, now: float) -> Answer | None:
        slug = key[1]
        live = await _live(self.cache, slug)
        if live is None:
            return None
        at = datetime.fromtimestamp(now, UTC)
        timeline = live.timeline
        try:
            body = json_bytes(now_json(timeline, slug=slug, at=at))
        except OffAirError:
            return None
        return Answer(body, NOW_CACHE, until=min(now + REFRESH_SECONDS, on_air_until(timeline, now)))


class EpgRoute:
    """``GET /api/channels/<slug>/epg``, today or ``?date=YYYY-MM-DD``."""

    cookieless = False

    def __init__(self, cache: TimelineCache) -> None:
        self.cache = cache

    def key(self, path: str, query: bytes) -> Key | None:
        match = _EPG.fullmatch(path)
        if match is None:
            return None
        if not query:
            return ("epg", match.group(1))
        date = _DATE.fullmatch(query)
        return ("epg", match.group(1), date.group(1).decode()) if date else None

    async def answer(self, key: Key, now: float) -> Answer | None:
        slug, text = key[1], (key[2] if len(key) > 2 else None)
        live = await _live(self.cache, slug)
        if live is None:
            return None
        try:
            day = local_day(live.timeline, text=text, now=datetime.fromtimestamp(now, UTC))
        except ValueError:
            return None
        body = json_bytes(epg_json(live.timeline, slug=slug, day=day))
        return Answer(body, EPG_CACHE, until=now + REFRESH_SECONDS)
