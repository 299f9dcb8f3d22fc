"""Issue 14's "done when": a fleet of simulated players against two API replicas sharing PostgreSQL
and Redis; the counters agree with what the fleet did within 5 %.

Each player behaves like hls.js: it fetches the master through a load balancer (any replica), picks a
variant, reloads it every target duration (half of it when nothing changed), fetches the new
segments, and leaves after its own watch time; some switch variant half-way, some leave early.
Requests alternate between the replicas, so no replica sees a whole session.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis

from channel.audience.redis_counters import RedisCounters
from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade
from channel.reports.periods import span_of
from channel.settings import Settings
from storage import LocalStore
from tests.channel.playout.helpers import seed_channel
from tests.pgschema import pg_schema_url
from tests.redisdb import empty_redis_dbs
from tests.web.service import Service, running_service

TARGET_S = 2.0
PLAYERS = 24
AGENTS = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
    "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36",
    "TiviMate/4.7.0 (Android TV)",
    "VLC/3.0.20 LibVLC/3.0.20",
)


@dataclass
class Player:
    """One simulated viewer and what it really did."""

    join_s: float
    watch_s: float
    switch: bool
    agent: str
    reloads: list[float] = field(default_factory=list)  # wall-clock instants of variant requests
    variants: set[str] = field(default_factory=set)
    segments: int = 0
    error: str | None = None

    @property
    def watched_s(self) -> float:
        """From its first variant playlist to its last, plus the segment that last one brought."""
        return self.reloads[-1] - self.reloads[0] + TARGET_S if self.reloads else 0.0


class Balancer:
    """Round robin over the replicas, like a load balancer in front of them."""

    def __init__(self, replicas: tuple[Service, ...]) -> None:
        self.next = itertools.cycle(replicas)
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        with self.lock:
            return next(self.next).base_url + path


def _uris(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _sequence(text: str) -> int:
    return int(
        next(line for line in text.splitlines() if line.startswith("#EXT-X-MEDIA-SEQUENCE:")).split(":")[1]
    )


def _play(player: Player, balancer: Balancer, slug: str, start: float) -> None:
    try:
        time.sleep(max(0.0, start + player.join_s - time.monotonic()))
        with httpx.Client(timeout=10, headers={"User-Agent": player.agent}) as client:
            master = client.get(balancer.url(f"/live/{slug}/master.m3u8"))
            master.raise_for_status()
            variants = [u for u in _uris(master.text) if not u.startswith("subs")]
            variant = random.choice(variants)
            leave = time.monotonic() + player.watch_s
            switch_at = time.monotonic() + player.watch_s / 2 if player.switch else None
            last_sequence, fetched = -1, set[str]()
            while time.monotonic() < leave:
                if switch_at is not None and time.monotonic() >= switch_at:
                    variant = random.choice([v for v in variants if v != variant])
                    switch_at = None
                player.reloads.append(time.time())
                player.variants.add(variant.split(".")[0])
                playlist = client.get(balancer.url(f"/live/{slug}/{variant}"))
                playlist.raise_for_status()
                sequence = _sequence(playlist.text)
                for uri in _uris(playlist.text)[-1:]:  # the newest segment, as a player at the edge
                    if uri not in fetched:
                        fetched.add(uri)
                        player.segments += 1
                        client.get(uri if uri.startswith("http") else balancer.url(uri))
                changed = sequence != last_sequence
                last_sequence = sequence
                time.sleep(min(TARGET_S if changed else TARGET_S / 2, max(0.0, leave - time.monotonic())))
    except Exception as exc:
        player.error = repr(exc)


def _fleet(rng: random.Random) -> list[Player]:
    players = []
    for i in range(PLAYERS):
        early = i % 4 == 0  # a quarter leave early
        players.append(
            Player(
                join_s=rng.uniform(0, 20),
                watch_s=rng.uniform(12, 20) if early else rng.uniform(40, 75),
                switch=i % 3 == 0,
                agent=AGENTS[i % len(AGENTS)],
            )
        )
    return players


def _within(measured: float, truth: float, share: float = 0.05) -> bool:
    return abs(measured - truth) <= share * truth


@pytest.mark.slow
def test_a_fleet_of_players_is_counted_within_five_percent(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    with pg_schema_url(postgres_url) as database_url, empty_redis_dbs(redis_url) as (counters_url,):
        data = tmp_path / "var"
        settings = Settings(
            data_dir=data, env="test", database_url=database_url, segment_seconds=2, gop_seconds=2
        )
        upgrade(database_url)
        engine = make_engine(database_url)
        try:
            air = seed_channel(
                make_sessionmaker(engine),
                settings,
                store=LocalStore(settings.resolved_storage_path),
                seconds=2.0,
            )
        finally:
            engine.dispose()
        common = {
            "database_url": database_url,
            "audience_redis_url": counters_url,
            "audience_flush_seconds": "1",
            "embedded_worker": "false",
            "segment_seconds": "2",
            "gop_seconds": "2",
        }
        with (
            running_service(data, log_name="api1.log", **common) as one,
            running_service(data, log_name="api2.log", **common) as two,
        ):
            players = _fleet(random.Random(14))
            balancer = Balancer((one, two))
            start = time.monotonic()
            threads = [threading.Thread(target=_play, args=(p, balancer, air.slug, start)) for p in players]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=200)
            time.sleep(3)  # two flushes of each replica
        assert [p.error for p in players if p.error] == []
        assert all(p.segments and p.reloads for p in players)
        assert sum(len(p.variants) > 1 for p in players) >= PLAYERS // 4  # some switched variant

        zone = ZoneInfo(settings.timezone)
        span = span_of("day", datetime.now(UTC).astimezone(zone).date(), zone)
        first = min(p.reloads[0] for p in players)
        counters = RedisCounters(redis.Redis.from_url(counters_url))
        minutes = counters.minutes(
            air.slug, start_us=int((first - 120) * 1e6), end_us=int((time.time() + 60) * 1e6), days=span.days
        )
        truth_minutes = Counter(
            minute for p in players for minute in {int(t // 60) * 60_000_000 for t in p.reloads}
        )
        measured_minutes = {m.minute_us: m.viewers for m in minutes}
        for minute, viewers in truth_minutes.items():
            assert abs(measured_minutes.get(minute, 0) - viewers) <= max(1, 0.05 * viewers), (minute, viewers)
        assert _within(sum(measured_minutes.values()), sum(truth_minutes.values()))
        assert counters.uniques(air.slug, span.days) == PLAYERS
        watched = sum(p.watched_s for p in players)
        rows = counters.watch(air.slug, span.days)
        assert _within(sum(r.watch_ms for r in rows) / 1000, watched), (
            sum(r.watch_ms for r in rows),
            watched,
        )
        assert _within(sum(m.watch_ms for m in minutes) / 1000, watched)
        print(  # the figures for docs/audience.md (pytest -s)
            f"fleet: {PLAYERS} players, viewer-minutes {sum(measured_minutes.values())} counted "
            f"/ {sum(truth_minutes.values())} done, watch time {sum(r.watch_ms for r in rows) / 1000:.0f} s "
            f"counted / {watched:.0f} s done"
        )
        assert {r.device for r in rows} == {"mobile", "desktop", "tv", "other"}
        assert "iptv" in {r.referrer for r in rows}
        assert len({r.variant for r in rows}) > 1
        by_airing = counters.airing_viewers(air.slug, sorted({r.airing.key for r in rows}))
        assert max(by_airing.values()) <= PLAYERS
        assert sum(by_airing.values()) >= PLAYERS
