"""The compiled playout: items with air start, segments and sequence numbers, and O(log n) lookup."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from playlist.instants import from_us, to_us
from playlist.media import ProgrammeMedia
from playlist.profile import ChannelProfile

__all__ = [
    "Item",
    "ItemKind",
    "OffAirError",
    "PartialSegment",
    "Position",
    "Timeline",
    "last_aired",
    "locate",
]

ItemKind = Literal["programme", "filler", "slate", "emergency"]


class OffAirError(LookupError):
    """The instant lies outside the compiled timeline."""


@dataclass(frozen=True, slots=True)
class PartialSegment:
    """The leading GOPs of a segment, where a hard start cut an item inside it.

    Listed with EXT-X-BYTERANGE: the same URI, bytes ``[0, byte_lengths[variant])``. The duration is
    the same for every variant (their GOPs are aligned); only the byte counts differ.
    """

    gops: int
    duration_us: int
    byte_lengths: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Item:
    """A run of consecutive segments of one source; its first segment follows a discontinuity.

    ``first_segment`` and the item's segment indices may run past the source's end only for a
    looping slate or emergency source: every wrap is a discontinuity too (timestamps jump back). With
    ``tail`` the last segment is only its first GOPs (a cut inside a segment). ``cause`` says why an
    item airs instead of the grid: ``takeover:<id>`` on an emergency item, or the reason a programme was
    withheld (``withdrawn:<id>``) on the filler that replaces it and on the item it cut short.
    """

    kind: ItemKind
    source: ProgrammeMedia
    first_segment: int
    segment_count: int
    start_us: int
    first_msn: int
    discontinuity: int
    programme_id: str | None
    entry_id: str | None
    title: str
    description: str
    replaced_programme_id: str | None = None
    tail: PartialSegment | None = None
    cause: str | None = None

    @property
    def air_start(self) -> datetime:
        return from_us(self.start_us)

    @property
    def end_us(self) -> int:
        return self.start_us + self.offset_us(self.segment_count)

    @property
    def next_msn(self) -> int:
        return self.first_msn + self.segment_count

    @property
    def next_discontinuity(self) -> int:
        return self.discontinuity_of(self.segment_count - 1) + 1

    def offset_us(self, j: int) -> int:
        """Offset of segment ``j`` (``segment_count``: the item's end) from the item's air start."""
        src = self.source
        if self.tail is not None and j == self.segment_count:
            return self.offset_us(j - 1) + self.tail.duration_us
        return src.position(self.first_segment + j) - src.position(self.first_segment)

    def duration_us(self, j: int) -> int:
        if self.tail is not None and j == self.segment_count - 1:
            return self.tail.duration_us
        durations = self.source.durations_us
        return durations[(self.first_segment + j) % len(durations)]

    def partial(self, j: int) -> PartialSegment | None:
        """The cut of segment ``j`` when only its first GOPs air, else None."""
        return self.tail if j == self.segment_count - 1 else None

    def index_at(self, pos_us: int) -> int:
        """Segment airing ``pos_us`` after the item's start (binary search in the source offsets)."""
        src = self.source
        return src.index_at(src.position(self.first_segment) + pos_us) - self.first_segment

    def source_index(self, j: int) -> int:
        return (self.first_segment + j) % self.source.segment_count

    def discontinuity_of(self, j: int) -> int:
        if self.source.is_live:  # every live segment may be the live feed or the slate: each is a run
            return self.discontinuity + j
        src, first = self.source, self.first_segment
        return self.discontinuity + src.runs_through(first + j) - src.runs_through(first)

    def starts_run(self, j: int) -> bool:
        """True when segment ``j`` is preceded by EXT-X-DISCONTINUITY (item start, slate wrap, a change of
        encoder inside the source, or any segment of a live event: which of feed or slate it shows is
        decided segment by segment)."""
        return j == 0 or self.source.is_live or self.source.starts_run(self.first_segment + j)

    @property
    def segment_durations(self) -> tuple[float, ...]:
        return tuple(self.duration_us(j) / 1_000_000 for j in range(self.segment_count))

    @property
    def cumulative_offsets(self) -> tuple[float, ...]:
        return tuple(self.offset_us(j) / 1_000_000 for j in range(self.segment_count + 1))


@dataclass(frozen=True, slots=True)
class Position:
    """Segment ``segment`` of item ``item_index``, airing at ``start_us`` with number ``msn``."""

    item_index: int
    segment: int
    start_us: int
    msn: int


@dataclass(frozen=True, slots=True, eq=False)
class Timeline:
    """Items in air order; contiguous in time and numbers (checked on construction)."""

    channel: ChannelProfile
    items: tuple[Item, ...]
    starts_us: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a timeline needs at least one item")
        if self.items[0].start_us != to_us(self.channel.epoch):
            raise ValueError("the first item must start at the channel epoch")
        prev: Item | None = None
        for item in self.items:
            if item.segment_count < 1:
                raise ValueError("empty item")
            if prev is not None and (
                item.start_us != prev.end_us
                or item.first_msn != prev.next_msn
                or item.discontinuity != prev.next_discontinuity
            ):
                raise ValueError(f"item at {item.air_start.isoformat()} is not contiguous")
            prev = item
        object.__setattr__(self, "starts_us", tuple(i.start_us for i in self.items))

    @property
    def start_us(self) -> int:
        return self.items[0].start_us

    @property
    def end_us(self) -> int:
        return self.items[-1].end_us

    def item_index_at(self, at_us: int) -> int:
        if not self.start_us <= at_us < self.end_us:
            raise OffAirError(f"{from_us(at_us).isoformat()} is outside the compiled timeline")
        return bisect_right(self.starts_us, at_us) - 1


def _position(timeline: Timeline, i: int, j: int) -> Position:
    item = timeline.items[i]
    return Position(
        item_index=i, segment=j, start_us=item.start_us + item.offset_us(j), msn=item.first_msn + j
    )


def locate(timeline: Timeline, at_us: int) -> Position:
    """The segment airing at ``at_us``: bisect over items, then over the item's offsets."""
    i = timeline.item_index_at(at_us)
    item = timeline.items[i]
    return _position(timeline, i, item.index_at(at_us - item.start_us))


def last_aired(timeline: Timeline, at_us: int) -> Position:
    """The newest segment that has fully aired by ``at_us`` (ends at or before it): the live edge.

    Raises OffAirError outside the timeline and before its first segment has ended.
    """
    if at_us >= timeline.end_us:
        raise OffAirError(f"{from_us(at_us).isoformat()} is outside the compiled timeline")
    airing = locate(timeline, at_us)
    if airing.segment > 0:
        return _position(timeline, airing.item_index, airing.segment - 1)
    if airing.item_index == 0:
        raise OffAirError(f"nothing has finished airing by {from_us(at_us).isoformat()}")
    before = airing.item_index - 1
    return _position(timeline, before, timeline.items[before].segment_count - 1)
