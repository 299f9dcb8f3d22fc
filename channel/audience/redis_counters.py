"""Audience counters in Redis: HyperLogLogs for distinct sessions, hashes for watch time.

Keys (under `prefix`): ``seen:<slug>:<token>:<slot>`` marks a counted slot (SET NX, minutes-long
expiry: a replica flushing late never counts it twice); ``cc:<slug>:<minute>`` and
``u:<slug>:<day>`` and ``av:<slug>:<airing>`` are HyperLogLogs of sessions per minute, local day and
airing; ``w:<slug>:<day>`` maps ``airing|variant|referrer|device`` to milliseconds watched,
``wm:<slug>:<day>`` minute to milliseconds, ``air:<slug>:<day>`` airing to its title and start.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import redis

from channel.audience.beats import Airing, Counted
from channel.audience.counters import MinutePoint, WatchRow

__all__ = ["KEEP_SECONDS", "PREFIX", "SEEN_SECONDS", "RedisCounters"]

PREFIX: Final = "legaltv:audience:"
#: a counted slot is remembered this long: longer than any flush delay between replicas
SEEN_SECONDS: Final = 900
#: counters are kept ~13 months, enough for a year-on-year monthly report
KEEP_SECONDS: Final = 400 * 86400
_MINUTE_US = 60_000_000


def _airing_json(airing: Airing) -> str:
    return json.dumps([airing.kind, airing.programme_id, airing.title, airing.start_us], ensure_ascii=False)


def _airing_of(key: str, raw: bytes | str | None) -> Airing:
    kind, programme_id, title, start_us = json.loads(raw) if raw else ("unknown", None, "", 0)
    return Airing(
        key=key,
        kind=str(kind),
        programme_id=programme_id and str(programme_id),
        title=str(title),
        start_us=int(start_us),
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisCounters:
    """`Counters` in one Redis (shared by every replica)."""

    def __init__(self, client: redis.Redis, *, prefix: str = PREFIX) -> None:
        self.client = client
        self.prefix = prefix

    def record(self, counted: Sequence[Counted]) -> int:
        if not counted:
            return 0
        p = self.prefix
        marks = self.client.pipeline(transaction=False)
        for c in counted:
            marks.set(f"{p}seen:{c.beat.slug}:{c.beat.token}:{c.slot}", 1, nx=True, ex=SEEN_SECONDS)
        fresh = [c for c, new in zip(counted, marks.execute(), strict=True) if new]
        pipe = self.client.pipeline(transaction=False)
        touched: set[str] = set()
        for c in fresh:
            b = c.beat
            keys = (
                f"{p}cc:{b.slug}:{c.minute_us}",
                f"{p}u:{b.slug}:{c.day}",
                f"{p}av:{b.slug}:{c.airing.key}",
            )
            for key in keys:
                pipe.pfadd(key, b.token)
            field = f"{c.airing.key}|{b.variant}|{b.referrer}|{b.device}"
            pipe.hincrby(f"{p}w:{b.slug}:{c.day}", field, c.watch_ms)
            pipe.hincrby(f"{p}wm:{b.slug}:{c.day}", str(c.minute_us), c.watch_ms)
            pipe.hsetnx(f"{p}air:{b.slug}:{c.day}", c.airing.key, _airing_json(c.airing))
            touched.update(keys)
            touched.update(f"{p}{kind}:{b.slug}:{c.day}" for kind in ("w", "wm", "air"))
        for key in touched:
            pipe.expire(key, KEEP_SECONDS)
        pipe.execute()
        return len(fresh)

    def minutes(self, slug: str, *, start_us: int, end_us: int, days: Sequence[str]) -> list[MinutePoint]:
        first = start_us - start_us % _MINUTE_US
        starts = list(range(first, end_us, _MINUTE_US))
        pipe = self.client.pipeline(transaction=False)
        for minute in starts:
            pipe.pfcount(f"{self.prefix}cc:{slug}:{minute}")
        counts: list[int] = pipe.execute()
        watch = self._minute_watch(slug, days)
        return [
            MinutePoint(minute_us=m, viewers=n, watch_ms=watch.get(m, 0))
            for m, n in zip(starts, counts, strict=True)
            if n
        ]

    def _minute_watch(self, slug: str, days: Sequence[str]) -> dict[int, int]:
        found: dict[int, int] = {}
        for day in days:
            raw: dict[Any, Any] = self.client.hgetall(f"{self.prefix}wm:{slug}:{day}")  # type: ignore[assignment]
            for minute, ms in raw.items():
                found[int(minute)] = found.get(int(minute), 0) + int(ms)
        return found

    def watch(self, slug: str, days: Sequence[str]) -> list[WatchRow]:
        rows: dict[tuple[str, str, str, str], int] = {}
        airings: dict[str, Airing] = {}
        for day in days:
            raw: dict[Any, Any] = self.client.hgetall(f"{self.prefix}w:{slug}:{day}")  # type: ignore[assignment]
            meta: dict[Any, Any] = self.client.hgetall(f"{self.prefix}air:{slug}:{day}")  # type: ignore[assignment]
            for key, value in meta.items():
                airings.setdefault(_text(key), _airing_of(_text(key), value))
            for field, ms in raw.items():
                airing, variant, referrer, device = _text(field).split("|")
                dims = (airing, variant, referrer, device)
                rows[dims] = rows.get(dims, 0) + int(ms)
        return [
            WatchRow(
                airing=airings.get(a) or _airing_of(a, None), variant=v, referrer=r, device=d, watch_ms=ms
            )
            for (a, v, r, d), ms in sorted(rows.items())
        ]

    def uniques(self, slug: str, days: Sequence[str]) -> int:
        if not days:
            return 0
        return int(self.client.pfcount(*(f"{self.prefix}u:{slug}:{day}" for day in days)))

    def airing_viewers(self, slug: str, keys: Sequence[str]) -> dict[str, int]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.pfcount(f"{self.prefix}av:{slug}:{key}")
        return {key: int(n) for key, n in zip(keys, pipe.execute(), strict=True)}
