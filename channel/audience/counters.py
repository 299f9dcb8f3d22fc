"""Where counted beats go and what reports read back: one interface, Redis or the database behind it.

Both implementations count a session once per slot of air time (the first replica to record it
wins), so several API replicas may record the same session without double counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from channel.audience.beats import Airing, Counted

__all__ = ["Counters", "MinutePoint", "WatchRow"]


@dataclass(frozen=True, slots=True)
class MinutePoint:
    """One minute of a channel: distinct sessions seen in it, and the watch time they added."""

    minute_us: int
    viewers: int
    watch_ms: int


@dataclass(frozen=True, slots=True)
class WatchRow:
    """Watch time of one airing by one variant, referrer class and device class."""

    airing: Airing
    variant: str
    referrer: str
    device: str
    watch_ms: int


class Counters(Protocol):
    """Audience counters shared by every replica."""

    def record(self, counted: Sequence[Counted]) -> int:
        """Count each session once per slot; returns how many slots were new."""

    def minutes(self, slug: str, *, start_us: int, end_us: int, days: Sequence[str]) -> list[MinutePoint]:
        """Minutes with viewers in [start, end) (the local `days` it covers), in order."""

    def watch(self, slug: str, days: Sequence[str]) -> list[WatchRow]:
        """Watch time on these local days, by airing, variant, referrer and device."""

    def uniques(self, slug: str, days: Sequence[str]) -> int:
        """Distinct sessions over these local days together."""

    def airing_viewers(self, slug: str, keys: Sequence[str]) -> dict[str, int]:
        """Distinct sessions of each airing."""
