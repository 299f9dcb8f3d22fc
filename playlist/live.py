"""Live events in the playout: a live slot as a source of wall-clock segments, and which of them aired.

Segment ``n`` of an event covers ``[start + n·D, start + (n+1)·D)`` (D: the channel's segment
duration) and is stored by the ingest under ``live/<event>/<rung>/seg_<n:05d>.ts``; once every rung
of it is stored the ingest writes a small marker holding the instant it did (`live_mark_key`).
Whether segment ``n`` airs as the feed or as the slate is a pure function of that instant, the
segment's end and a grace (`decide`): it is the feed when the marker came before ``end + grace``,
the slate when it did not; before ``end + grace`` without a marker it is undecided and not listed
yet. Every replica reading the same markers decides the same, and a decision never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from playlist.instants import to_us
from playlist.media import ProgrammeMedia
from playlist.profile import SegmentFormat

__all__ = [
    "LIVE_PREFIX",
    "LIVE_SOURCE_PREFIX",
    "NO_LIVE",
    "Arrivals",
    "Decision",
    "GapSlate",
    "LiveRule",
    "decide",
    "event_of_source",
    "live_mark_key",
    "live_media",
    "live_segment_key",
    "live_segment_template",
    "live_source_id",
    "segment_count_between",
]

LIVE_PREFIX = "live/"
#: the programme id a live event's source carries in a timeline (never a programme's UUID)
LIVE_SOURCE_PREFIX = "live:"

Decision = Literal["live", "slate", "wait"]
#: (live source id, segment index) → when its marker was written (µs since the epoch), None: not yet
Arrivals = Callable[[str, int], int | None]


def live_source_id(event_id: str) -> str:
    return f"{LIVE_SOURCE_PREFIX}{event_id}"


def event_of_source(programme_id: str | None) -> str | None:
    """The event id of a live source id, else None."""
    if programme_id is None or not programme_id.startswith(LIVE_SOURCE_PREFIX):
        return None
    return programme_id[len(LIVE_SOURCE_PREFIX) :]


def live_segment_template(event_id: str, rung: str, *, ext: str = "ts") -> str:
    return f"{LIVE_PREFIX}{event_id}/{rung}/seg_{{:05d}}.{ext}"


def live_segment_key(event_id: str, rung: str, n: int, *, ext: str = "ts") -> str:
    return live_segment_template(event_id, rung, ext=ext).format(n)


def live_mark_key(event_id: str, n: int) -> str:
    """Written last, once every rung of segment ``n`` is stored: its body is the instant (µs)."""
    return f"{LIVE_PREFIX}{event_id}/marks/{n:05d}"


@dataclass(frozen=True, slots=True)
class GapSlate:
    """Slate segments exactly one live segment long, looped to fill live segments that did not arrive."""

    templates: Mapping[str, str]
    count: int


def segment_count_between(*, start: datetime, end: datetime, segment_us: int) -> int:
    """Whole segments from start covering up to end (the last one may run past end; at least one)."""
    length = to_us(end) - to_us(start)
    return max(1, -(-length // segment_us))


def live_media(
    *,
    event_id: str,
    title: str,
    description: str,
    start: datetime,
    end: datetime,
    segment_us: int,
    variants: Sequence[str],
    segment_format: SegmentFormat,
    gap: GapSlate,
) -> ProgrammeMedia:
    """The source a live event airs: one segment per D from its start, the gap slate where none came."""
    count = segment_count_between(start=start, end=end, segment_us=segment_us)
    ext = "ts" if segment_format == "mpegts" else "m4s"
    return ProgrammeMedia(
        programme_id=live_source_id(event_id),
        title=title,
        description=description,
        segment_format=segment_format,
        durations_us=(segment_us,) * count,
        segment_templates={v: live_segment_template(event_id, v, ext=ext) for v in variants},
        gap_templates=dict(gap.templates),
        gap_count=gap.count,
    )


@dataclass(frozen=True, slots=True)
class LiveRule:
    """How the playout reads live markers: ``arrivals``, and how long past a segment's end it waits."""

    arrivals: Arrivals
    grace_us: int = 2_000_000


def _never(_source: str, _index: int) -> int | None:
    return None


#: no ingest at all: every live segment is the slate, decided at once (tests, VOD of past intervals)
NO_LIVE = LiveRule(arrivals=_never, grace_us=0)


def decide(rule: LiveRule, *, source: str, index: int, end_us: int, at_us: int) -> Decision:
    """Feed or slate for live segment ``index`` ending at ``end_us``, as known at ``at_us``.

    Stable: once "live" or "slate" it stays so at every later instant (markers are never rewritten).
    """
    deadline = end_us + rule.grace_us
    arrived = rule.arrivals(source, index)
    if arrived is not None and arrived <= deadline:
        return "live"
    return "slate" if at_us >= deadline else "wait"
