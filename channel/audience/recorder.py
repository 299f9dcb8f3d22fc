"""Heartbeats batched in memory on the hot path, written to the shared counters every few seconds.

Noting a beat is an append to a list (no I/O, no lock: the event loop is one thread). A background
task of the API's lifespan swaps the list out; a worker thread drops repeats, attributes each beat
against the channel's timeline and writes one session per slot, so the hot path never waits on Redis
or the database.
A batch that cannot be written (Redis or the database down) is dropped with a warning: audience
figures may miss those seconds, viewers never notice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from channel.audience.beats import Beat, Counted, attribute
from channel.audience.classify import Hosts, device_class, referrer_class
from channel.audience.counters import Counters
from channel.state import StateKey
from playlist import Timeline

__all__ = ["AUDIENCE", "AudienceRecorder", "Timelines", "first_per_slot", "repeats_dropped"]

log = logging.getLogger(__name__)

#: the live timeline of a channel, if loaded (the playout's cache, handed in by the app)
Timelines = Callable[[str], Timeline | None]

#: beats kept at most between two flushes (a stuck flush cannot grow memory without bound)
MAX_PENDING = 500_000
#: two reloads of one session closer than this bring the same slot (players wait half a target duration)
_REPEAT_US = 500_000


def repeats_dropped(beats: Sequence[Beat]) -> list[Beat]:
    """The first beat of each session per half second: a player (or a benchmark) hammering one URL adds
    no work beyond its first reload."""
    seen: set[tuple[str, str, int]] = set()
    kept: list[Beat] = []
    for beat in beats:
        key = (beat.slug, beat.token, beat.at_us // _REPEAT_US)
        if key not in seen:
            seen.add(key)
            kept.append(beat)
    return kept


def first_per_slot(counted: Sequence[Counted]) -> list[Counted]:
    """One beat per session and slot: only the first can count, whatever replica writes it."""
    found: dict[tuple[str, str, int], Counted] = {}
    for c in counted:
        found.setdefault((c.beat.slug, c.beat.token, c.slot), c)
    return list(found.values())


class AudienceRecorder:
    """The batch of one API process, and where it goes."""

    def __init__(self, counters: Counters, *, timelines: Timelines, zone: ZoneInfo, hosts: Hosts) -> None:
        self.counters = counters
        self.timelines = timelines
        self.zone = zone
        self.hosts = hosts
        self.pending: list[Beat] = []
        self.dropped = 0

    def note(self, *, token: str, slug: str, variant: str, headers: Sequence[tuple[bytes, bytes]]) -> None:
        """One variant reload of session `token`; only the classes of its headers are kept."""
        if len(self.pending) >= MAX_PENDING:
            self.dropped += 1
            return
        ua = referer = host = b""
        for name, value in headers:
            if name == b"user-agent":
                ua = value
            elif name == b"referer":
                referer = value
            elif name == b"host":
                host = value
        agent = ua.decode("latin-1")
        self.pending.append(
            Beat(
                token=token,
                slug=slug,
                variant=variant,
                at_us=int(time.time() * 1_000_000),
                referrer=referrer_class(referer.decode("latin-1"), agent, self.hosts, host.decode("latin-1")),
                device=device_class(agent),
            )
        )

    def attributed(self, beats: Sequence[Beat]) -> list[Counted]:
        """The beats that fell on air, attributed to what aired (beats of unknown channels are dropped)."""
        counted: list[Counted] = []
        for beat in beats:
            timeline = self.timelines(beat.slug)
            if timeline is None:
                continue
            found = attribute(beat, timeline, self.zone)
            if found is not None:
                counted.append(found)
        return counted

    def write(self, beats: Sequence[Beat]) -> int:
        """Attribute and record a batch (in a worker thread); returns how many new slots were counted."""
        return self.counters.record(first_per_slot(self.attributed(repeats_dropped(beats))))

    async def flush(self) -> int:
        """Write what is pending; returns how many new slots were counted."""
        beats, self.pending = self.pending, []
        if not beats:
            return 0
        try:
            return await asyncio.to_thread(self.write, beats)
        except Exception:  # any store failure: drop this batch, keep serving
            log.warning("audience: a batch of %d beats could not be written", len(beats), exc_info=True)
            return 0

    async def flush_forever(self, interval_s: float) -> None:
        """Flush every `interval_s` until cancelled; a last flush on the way out."""
        try:
            while True:
                await asyncio.sleep(interval_s)
                await self.flush()
        finally:
            await self.flush()


AUDIENCE: StateKey[AudienceRecorder] = StateKey("audience", AudienceRecorder)
