"""Heartbeats: what the hot path notes per variant reload, and what it means once attributed.

A `Beat` is noted in memory on the hot path (a tuple's worth of work). At flush time it is
`attribute`d against the channel's compiled timeline: the newest segment listed at that instant
(the live edge) names the airing it belongs to and its *slot*, the target-duration-long stretch of
air time it brought. A session is counted once per slot whichever replica saw it and however often
the player reloaded, so watch time is slots × target duration (docs/audience.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from channel.audience.classify import Device, Referrer
from playlist import OffAirError, Timeline, last_aired

__all__ = ["Airing", "Beat", "Counted", "airing_key", "attribute", "local_day", "minute_of"]

_MINUTE_US = 60_000_000


@dataclass(frozen=True, slots=True)
class Beat:
    """One variant reload carrying a session token, as noted on the hot path."""

    token: str
    slug: str
    variant: str
    at_us: int
    referrer: Referrer
    device: Device


@dataclass(frozen=True, slots=True)
class Airing:
    """One item of the timeline as it aired: a programme (or filler, a takeover) from its air start."""

    key: str
    kind: str
    programme_id: str | None
    title: str
    start_us: int


@dataclass(frozen=True, slots=True)
class Counted:
    """A beat attributed: its minute, local day, slot, airing and the watch time the slot stands for."""

    beat: Beat
    minute_us: int
    day: str
    slot: int
    airing: Airing
    watch_ms: int


def minute_of(at_us: int) -> int:
    """The start of the UTC minute holding `at_us` (minutes are the same in every timezone we use)."""
    return at_us - at_us % _MINUTE_US


def local_day(at_us: int, zone: ZoneInfo) -> str:
    """The day (YYYY-MM-DD) in the channel's timezone."""
    return datetime.fromtimestamp(at_us / 1_000_000, UTC).astimezone(zone).date().isoformat()


def airing_key(programme_id: str | None, kind: str, start_us: int) -> str:
    """A stable name for one airing, the same on every replica: what aired and when it started."""
    return f"{programme_id or kind}@{start_us}"


def attribute(beat: Beat, timeline: Timeline, zone: ZoneInfo) -> Counted | None:
    """What `beat` counts for; None when nothing had aired at that instant (no playlist was served)."""
    try:
        edge = last_aired(timeline, beat.at_us)
    except OffAirError:
        return None
    item = timeline.items[edge.item_index]
    target_us = timeline.channel.target_duration * 1_000_000
    edge_end_us = edge.start_us + item.duration_us(edge.segment)
    airing = Airing(
        key=airing_key(item.programme_id, item.kind, item.start_us),
        kind=item.kind,
        programme_id=item.programme_id,
        title=item.title,
        start_us=item.start_us,
    )
    return Counted(
        beat=beat,
        minute_us=minute_of(beat.at_us),
        day=local_day(beat.at_us, zone),
        slot=edge_end_us // target_us,
        airing=airing,
        watch_ms=target_us // 1000,
    )
