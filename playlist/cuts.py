"""Where an item may end: the segment and GOP boundaries of its source, and the one nearest an instant.

A hard start cuts the item on air at the boundary nearest its instant — between GOPs inside a segment
when the media's GOP table says where (the item then ends with a `PartialSegment`), else between
segments — never more than `LATE_LIMIT_US` after it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from playlist.media import ProgrammeMedia
from playlist.profile import ChannelProfile
from playlist.timeline import Item, ItemKind

__all__ = ["LATE_LIMIT_US", "Cut", "OpenItem", "cuttable", "end_cut"]

#: a cut may fall this long after a hard start's instant when that boundary is the nearest one
LATE_LIMIT_US = 1_000_000


@dataclass(frozen=True, slots=True, order=True)
class Cut:
    """Where an open item would end: after ``count`` whole segments and ``gops`` GOPs of the next."""

    count: int
    gops: int = 0


def end_cut(item: Item) -> Cut:
    """The cut an item was closed at."""
    if item.tail is None:
        return Cut(item.segment_count)
    return Cut(item.segment_count - 1, item.tail.gops)


def cuttable(channel: ChannelProfile, media: ProgrammeMedia) -> ProgrammeMedia:
    """``media`` with its GOP table only if the table covers every variant of the channel."""
    table = media.gops
    if table is None or all(v.name in table.offsets for v in channel.variants):
        return media
    return dataclasses.replace(media, gops=None)


@dataclass(slots=True)
class OpenItem:
    """The last item, still open: it may yet be cut (never before ``least``) or run to ``most``."""

    kind: ItemKind
    source: ProgrammeMedia
    first_segment: int
    start_us: int
    least: Cut
    most: Cut
    programme_id: str | None
    entry_id: str | None
    title: str
    description: str
    replaced_programme_id: str | None
    cause: str | None = None

    @classmethod
    def of(cls, item: Item, *, least: Cut, most: Cut, source: ProgrammeMedia | None = None) -> OpenItem:
        """Reopen ``item`` (with ``source``, a copy of its own that may carry a GOP table)."""
        src = item.source if source is None else source
        if most.gops and src.gops is None:  # its sub-segment can no longer be rebuilt: end before it
            most = Cut(most.count)
        return cls(
            kind=item.kind,
            source=src,
            first_segment=item.first_segment,
            start_us=item.start_us,
            least=least,
            most=most,
            programme_id=item.programme_id,
            entry_id=item.entry_id,
            title=item.title,
            description=item.description,
            replaced_programme_id=item.replaced_programme_id,
            cause=item.cause,
        )

    def source_index(self, count: int) -> int:
        return (self.first_segment + count) % self.source.segment_count

    def end_for(self, cut: Cut) -> int:
        src = self.source
        end = self.start_us + src.position(self.first_segment + cut.count) - src.position(self.first_segment)
        if cut.gops:
            assert src.gops is not None
            end += src.gops.prefix_us(self.source_index(cut.count), cut.gops)
        return end

    def _inside(self, count: int) -> list[Cut]:
        """The boundaries of the segment after ``count`` whole ones: its start, GOP starts, its end."""
        table = self.source.gops
        gops = 1 if table is None else table.gop_count(self.source_index(count))
        return [*(Cut(count, g) for g in range(gops)), Cut(count + 1)]

    def cut_near(self, at_us: int) -> Cut:
        """The boundary nearest ``at_us`` within [least, most]: the last one at or before it, or the
        first one after it when that is nearer and at most `LATE_LIMIT_US` late."""
        src = self.source
        pos = at_us - self.start_us
        count = 0 if pos < 0 else src.index_at(src.position(self.first_segment) + pos) - self.first_segment
        near = {c for c in self._inside(count) if self.least <= c <= self.most}
        candidates = sorted({self.least, self.most, *near})
        early = [c for c in candidates if self.end_for(c) <= at_us]
        if not early:
            return candidates[0]
        lo = early[-1]
        later = [c for c in candidates if c > lo]
        if later:
            after = self.end_for(later[0]) - at_us
            if after <= LATE_LIMIT_US and after < at_us - self.end_for(lo):
                return later[0]
        return lo
