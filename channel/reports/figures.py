"""Report figures as pure functions of what the counters and the as-run log hold: no I/O here.

Viewers over time are the peak of concurrent viewers per bucket (a minute, an hour or a day, by the
period's length); watch time is summed; a programme filed under two legal topics counts for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from channel.audience.counters import MinutePoint, WatchRow

__all__ = [
    "DAY",
    "HOUR",
    "MINUTE",
    "Bucket",
    "Facts",
    "Point",
    "ProgrammeFigure",
    "Share",
    "bucket_for",
    "by_dimension",
    "by_programme",
    "by_topic",
    "series",
]

_MINUTE_US = 60_000_000


@dataclass(frozen=True, slots=True)
class Bucket:
    """How wide one point of "viewers over time" is, and its name."""

    name: str
    width_us: int


MINUTE = Bucket("minute", _MINUTE_US)
HOUR = Bucket("hour", 60 * _MINUTE_US)
DAY = Bucket("day", 24 * 60 * _MINUTE_US)


def bucket_for(days: int) -> Bucket:
    """A day by minute, up to a week by hour, longer periods by day (at most a few hundred points)."""
    return MINUTE if days <= 1 else HOUR if days <= 7 else DAY


@dataclass(frozen=True, slots=True)
class Point:
    """Peak concurrent viewers and watch time in one bucket."""

    start_us: int
    peak_viewers: int
    watch_ms: int


def series(minutes: Iterable[MinutePoint], *, start_us: int, bucket: Bucket) -> list[Point]:
    """Minutes grouped into buckets counted from `start_us` (local midnight): peak and sum."""
    peaks: dict[int, int] = defaultdict(int)
    watch: dict[int, int] = defaultdict(int)
    for m in minutes:
        at = start_us + (m.minute_us - start_us) // bucket.width_us * bucket.width_us
        peaks[at] = max(peaks[at], m.viewers)
        watch[at] += m.watch_ms
    return [Point(at, peaks[at], watch[at]) for at in sorted(peaks)]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the library says of a programme: its title, legal topics (slug, name) and documents."""

    title: str
    topics: tuple[tuple[str, str], ...] = ()
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgrammeFigure:
    """One programme (or filler) over the period: its airings, viewers and watch time."""

    programme_id: str | None
    title: str
    airings: int
    viewers: int
    watch_ms: int

    @property
    def average_ms(self) -> int:
        """Average watch time per viewer of an airing."""
        return self.watch_ms // self.viewers if self.viewers else 0


def by_programme(
    rows: Sequence[WatchRow], viewers: Mapping[str, int], facts: Mapping[str, Facts]
) -> list[ProgrammeFigure]:
    """Programmes by watch time, most watched first; viewers add up each airing's distinct sessions."""
    airings: dict[str, set[str]] = defaultdict(set)
    watch: dict[str, int] = defaultdict(int)
    titles: dict[str, str] = {}
    ids: dict[str, str | None] = {}
    for row in rows:
        name = row.airing.programme_id or row.airing.kind
        airings[name].add(row.airing.key)
        watch[name] += row.watch_ms
        ids[name] = row.airing.programme_id
        known = facts.get(row.airing.programme_id or "")
        titles[name] = known.title if known else row.airing.title
    figures = [
        ProgrammeFigure(
            programme_id=ids[name],
            title=titles[name],
            airings=len(keys),
            viewers=sum(viewers.get(k, 0) for k in keys),
            watch_ms=watch[name],
        )
        for name, keys in airings.items()
    ]
    return sorted(figures, key=lambda f: (-f.watch_ms, f.title))


@dataclass(frozen=True, slots=True)
class Share:
    """A name (a topic, a variant, a class) and the watch time it got."""

    key: str
    name: str
    watch_ms: int


def by_topic(rows: Sequence[WatchRow], facts: Mapping[str, Facts]) -> list[Share]:
    """Watch time per legal topic; a programme under no topic, and filler, count as "khác" (other)."""
    watch: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        known = facts.get(row.airing.programme_id or "")
        for topic in known.topics if known and known.topics else (("", "Khác / Other"),):
            watch[topic] += row.watch_ms
    return sorted((Share(k, n, ms) for (k, n), ms in watch.items()), key=lambda s: (-s.watch_ms, s.key))


def by_dimension(rows: Sequence[WatchRow], dimension: str) -> list[Share]:
    """Watch time by variant, referrer or device class."""
    watch: dict[str, int] = defaultdict(int)
    for row in rows:
        watch[str(getattr(row, dimension))] += row.watch_ms
    return sorted((Share(k, k, ms) for k, ms in watch.items()), key=lambda s: (-s.watch_ms, s.key))
