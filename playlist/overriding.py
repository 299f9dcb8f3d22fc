"""One compile with takeovers: the grid up to each takeover, its emergency source looping, then the grid
again from the release, joining the entry scheduled at that instant mid-way (`playlist.override`).

Entries that would have started during a takeover are swallowed, in this compile and every later one
given the same takeover, so a release never replays what the emergency replaced. Cuts for a takeover
and a release go as early as nothing published forbids (`TimelineBuilder.cut_near` with ``fine``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from playlist.builder import Plan, TimelineBuilder
from playlist.cuts import LATE_LIMIT_US, Cut, OpenItem
from playlist.grid import GridEntry, is_ready
from playlist.instants import to_us
from playlist.media import ProgrammeMedia
from playlist.override import EMERGENCY_TITLE, Takeover
from playlist.timeline import Timeline

__all__ = ["GridSlot", "grid_slots", "run"]

_FOREVER_US = 1 << 62


@dataclass(frozen=True, slots=True)
class GridSlot:
    """Where the grid alone puts an entry: hard at its start, soft after what precedes it, and cut by
    the next entry that starts before it ends."""

    entry: GridEntry
    media: ProgrammeMedia
    start_us: int
    end_us: int


def grid_slots(entries: Sequence[GridEntry], *, programmes: Mapping[str, ProgrammeMedia]) -> list[GridSlot]:
    """The slots of the ready entries, in start order (what "scheduled at an instant" means on release)."""
    slots: list[GridSlot] = []
    prev_end = -_FOREVER_US
    for entry in entries:
        media = programmes.get(entry.programme_id)
        at = to_us(entry.start)
        start = at if entry.mode == "hard" else max(at, prev_end)
        if slots and slots[-1].end_us > start:
            last = slots[-1]
            slots[-1] = GridSlot(last.entry, last.media, last.start_us, start)
        if media is None:
            prev_end = max(prev_end, start)
            continue
        slots.append(GridSlot(entry, media, start, start + media.duration_us))
        prev_end = start + media.duration_us
    return [s for s in slots if s.end_us > s.start_us]


def _end_us(span: Takeover) -> int:
    return _FOREVER_US if span.end is None else to_us(span.end)


def _same_source(o: OpenItem, source: ProgrammeMedia) -> bool:
    return (
        o.source.programme_id == source.programme_id
        and o.source.segment_templates == source.segment_templates
        and o.source.durations_us == source.durations_us
    )


def _loop_cut(o: OpenItem, until_us: int) -> Cut:
    """The whole segments of a looping item needed to reach ``until_us`` (at least one)."""
    src = o.source
    idx = src.index_at(src.position(o.first_segment) + max(0, until_us - o.start_us))
    return Cut(max(1, idx - o.first_segment + 1))


def _source(builder: TimelineBuilder, span: Takeover) -> ProgrammeMedia:
    """The emergency programme if it may air on this channel, else the slate."""
    src = span.source
    if src is not None and src.programme_id not in builder.withheld and is_ready(builder.channel, src):
        return src
    return builder.slate.media


def _airing(builder: TimelineBuilder, span: Takeover) -> bool:
    o = builder.open
    return o is not None and o.kind == "emergency" and o.cause == span.cause


def _take_over(builder: TimelineBuilder, span: Takeover, *, until_us: int) -> None:
    """Put the emergency source on air at the start (or the earliest unpublished boundary)."""
    source = _source(builder, span)
    o = builder.open
    if o is not None and _airing(builder, span) and _same_source(o, source):
        o.most = max(o.most, _loop_cut(o, until_us))  # still on: the loop runs on
        return
    at = to_us(span.start)
    builder.cut_near(at, fine=True)
    builder.close()
    if at - builder.end_us > LATE_LIMIT_US:  # a gap before it (nothing was on air to cut)
        builder.fill(at)
    builder.pending = None
    is_slate = source is builder.slate.media
    count = source.index_at(max(1, until_us - builder.end_us)) + 1
    builder.start(
        kind="emergency",
        source=source,
        count=count,
        entry_id=None,
        programme_id=None if is_slate else source.programme_id,
        title=EMERGENCY_TITLE["vi"],
        description="" if is_slate else source.title,
        cause=span.cause,
    )


def _release(
    builder: TimelineBuilder,
    span: Takeover,
    *,
    slots: Sequence[GridSlot],
) -> str | None:
    """End the emergency at the release (or the earliest unpublished boundary) and join the entry the
    grid has on air then, at its segment nearest the instant; returns that entry's id."""
    builder.cut_near(_end_us(span), fine=True)
    builder.close()
    now_us = builder.end_us
    builder.pending = None
    on = [s for s in slots if s.start_us <= now_us < s.end_us]
    if not on:
        return None
    slot = on[-1]
    media = slot.media
    offset = now_us - slot.start_us
    k = media.index_at(offset)
    if media.position(k + 1) - offset < offset - media.position(k):
        k += 1
    if k >= media.segment_count or slot.start_us + media.position(k) >= slot.end_us:
        return None
    builder.start(
        kind="programme",
        source=media,
        count=media.segment_count - k,
        entry_id=slot.entry.entry_id,
        first_segment=k,
    )
    return slot.entry.entry_id


def run(
    builder: TimelineBuilder,
    *,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    horizon_us: int,
    plan: Plan,
    takeovers: Sequence[Takeover] = (),
) -> Timeline:
    """Place ``entries`` after what ``builder`` holds, with ``takeovers`` overriding them, to the horizon."""
    ordered = sorted(entries, key=lambda e: (to_us(e.start), e.entry_id))
    spans = sorted(takeovers, key=lambda t: (to_us(t.start), t.takeover_id))
    covered = [(to_us(t.start), _end_us(t)) for t in spans]
    grid = [e for e in ordered if not any(a <= to_us(e.start) < b for a, b in covered)]
    ready = {
        k: m
        for k, m in programmes.items()
        if m is not None and k not in builder.withheld and is_ready(builder.channel, m)
    }
    pos = 0
    joined: str | None = None
    for span in spans:
        t0, t1 = to_us(span.start), _end_us(span)
        if t0 >= horizon_us:
            break
        if t1 <= builder.fine_floor_us() and not _airing(builder, span):
            continue  # over before anything may still change
        if t0 > builder.floor_us:  # the grid runs until the takeover
            before = [e for e in grid[pos:] if to_us(e.start) < t0 and e.entry_id != joined]
            builder.place(before, programmes=programmes, horizon_us=horizon_us, plan=plan)
        while pos < len(grid) and to_us(grid[pos].start) < min(t1, horizon_us):
            pos += 1  # entries before it that did not air are overridden, those during it swallowed
        _take_over(builder, span, until_us=min(t1, horizon_us))
        if t1 >= horizon_us:
            break
        joined = _release(builder, span, slots=grid_slots(ordered, programmes=ready))
    rest = [e for e in grid[pos:] if e.entry_id != joined]
    builder.place(rest, programmes=programmes, horizon_us=horizon_us, plan=plan)
    return builder.finish(horizon_us)
