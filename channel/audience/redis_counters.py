"""Audience counters in Redis: HyperLogLogs for distinct sessions, hashes for watch time.

Keys (under `prefix`): ``seen:<slug>:<token>:<slot>`` marks a counted slot (SET NX, minutes-long
expiry: a replica flushing late never counts it twice); ``cc:<slug>:<minute>`` and
``u:<slug>:<day>`` and ``av:<slug>:<airing>`` are HyperLogLogs of sessions per minute, local day and
airing; ``w:<slug>:<day>`` maps ``airing|variant|referrer|device`` to milliseconds watched,
``wm:<slug>:<day>`` minute to milliseconds, ``air:<slug>:<day>`` airing to its title and start.

A minute's HyperLogLog lives an hour: each flush that touched it copies its count into
``ccd:<slug>:<day>`` (minute to viewers) with one script, so the last copy (made after every replica
added its sessions) is the final count, and a month's or a quarter's report reads a hash per day
instead of tens of thousands of HyperLogLogs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import redis

from channel.audience.beats import Airing, Counted
from channel.audience.counters import MinutePoint, WatchRow

__all__ = ["KEEP_SECONDS", "MINUTE_HLL_SECONDS", "PREFIX", "SEEN_SECONDS", "RedisCounters"]

PREFIX: Final = "legaltv:audience:"
#: a counted slot is remembered this long: longer than any flush delay between replicas
SEEN_SECONDS: Final = 900
#: counters are kept ~13 months, enough for a year-on-year monthly report
KEEP_SECONDS: Final = 400 * 86400
_MINUTE_US = 60_000_000
#: a minute's HyperLogLog outlives every replica's flush of that minute
MINUTE_HLL_SECONDS: Final = 3600
#: PFCOUNT and store in one step, so the copy made last holds every replica's sessions
_COPY_COUNT = """
local n = redis.call('PFCOUNT', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], n)
redis.call('EXPIRE', KEYS[2], ARGV[2])
return n
"""


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
        self.copy_count = client.register_script(_COPY_COUNT)

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
        minutes: set[tuple[str, str, int]] = set()
        for c in fresh:
            b = c.beat
            pipe.pfadd(f"{p}cc:{b.slug}:{c.minute_us}", b.token)
            minutes.add((b.slug, c.day, c.minute_us))
            keys = (f"{p}u:{b.slug}:{c.day}", f"{p}av:{b.slug}:{c.airing.key}")
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
        for slug, _day, minute in minutes:
            pipe.expire(f"{p}cc:{slug}:{minute}", MINUTE_HLL_SECONDS)
        pipe.execute()
        copies = self.client.pipeline(transaction=False)
        for slug, day, minute in minutes:
            self.copy_count(
                keys=[f"{p}cc:{slug}:{minute}", f"{p}ccd:{slug}:{day}"],
                args=[minute, KEEP_SECONDS],
                client=copies,
            )
        copies.execute()
        return len(fresh)

    def minutes(self, slug: str, *, start_us: int, end_us: int, days: Sequence[str]) -> list[MinutePoint]:
        viewers = self._per_minute("ccd", slug, days)
        watch = self._per_minute("wm", slug, days)
        return [
            MinutePoint(minute_us=m, viewers=n, watch_ms=watch.get(m, 0))
            for m, n in sorted(viewers.items())
            if start_us <= m < end_us and n
        ]

    def _per_minute(self, kind: str, slug: str, days: Sequence[str]) -> dict[int, int]:
        """A per-day hash of minute to number (viewers, milliseconds), over several days."""
        pipe = self.client.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(f"{self.prefix}{kind}:{slug}:{day}")
        found: dict[int, int] = {}
        for raw in pipe.execute():
            for minute, value in raw.items():
                found[int(minute)] = found.get(int(minute), 0) + int(value)
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
