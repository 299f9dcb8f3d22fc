"""Compile a broadcast grid into a playout timeline: hard and soft starts, filler for gaps.

The builder below is the only mutable object of the package; it lives inside one call.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.profile import ChannelProfile
from playlist.timeline import Item, ItemKind, Timeline

__all__ = ["GridEntry", "StartMode", "compile_timeline", "is_ready"]

StartMode = Literal["hard", "soft"]


@dataclass(frozen=True, slots=True)
class GridEntry:
    """One slot of the grid. Hard: cut what airs at ``start``; soft: follow the previous item."""

    entry_id: str
    programme_id: str
    start: datetime
    mode: StartMode = "hard"


def is_ready(channel: ChannelProfile, media: ProgrammeMedia | None) -> bool:
    """Playable on this channel: same format, every variant, no segment longer than the target."""
    if media is None or media.segment_format != channel.segment_format:
        return False
    names = {v.name for v in channel.variants}
    if not names <= set(media.segment_templates):
        return False
    if channel.segment_format == "fmp4" and not names <= set(media.init_keys):
        return False
    return max(media.durations_us) < (channel.target_duration * 1_000_000 + 500_000)


@dataclass(slots=True)
class _Open:
    """The last item, still open: it may yet be cut (never below ``min_count``) or run to ``max_count``."""

    kind: ItemKind
    source: ProgrammeMedia
    first_segment: int
    start_us: int
    min_count: int
    max_count: int
    programme_id: str | None
    entry_id: str | None
    title: str
    description: str
    replaced_programme_id: str | None

    @classmethod
    def of(cls, item: Item, *, min_count: int, max_count: int) -> _Open:
        return cls(
            kind=item.kind,
            source=item.source,
            first_segment=item.first_segment,
            start_us=item.start_us,
            min_count=min_count,
            max_count=max_count,
            programme_id=item.programme_id,
            entry_id=item.entry_id,
            title=item.title,
            description=item.description,
            replaced_programme_id=item.replaced_programme_id,
        )

    def end_for(self, count: int) -> int:
        src = self.source
        return self.start_us + src.position(self.first_segment + count) - src.position(self.first_segment)

    def count_at_or_before(self, at_us: int) -> int:
        pos = at_us - self.start_us
        src = self.source
        count = 0 if pos < 0 else src.index_at(src.position(self.first_segment) + pos) - self.first_segment
        return max(self.min_count, min(self.max_count, count))


@dataclass(slots=True)
class _Builder:
    channel: ChannelProfile
    slate: Slate
    fillers: tuple[ProgrammeMedia, ...]
    end_us: int
    floor_us: int  # nothing before this instant may change (the freeze edge)
    locked: int = 0  # items that are published and may not even be reopened
    next_msn: int = 0
    next_disc: int = 0
    items: list[Item] = field(default_factory=list)
    open: _Open | None = None
    filler_turn: int = 0
    pending: tuple[str, str] | None = None  # (entry_id, programme_id) of a not-ready programme

    @property
    def cursor(self) -> int:
        return self.end_us if self.open is None else self.open.end_for(self.open.max_count)

    def close(self, count: int | None = None) -> None:
        o = self.open
        if o is None:
            return
        self.open = None
        n = o.max_count if count is None else count
        if n <= 0:
            return
        item = Item(
            kind=o.kind,
            source=o.source,
            first_segment=o.first_segment,
            segment_count=n,
            start_us=o.start_us,
            first_msn=self.next_msn,
            discontinuity=self.next_disc,
            programme_id=o.programme_id,
            entry_id=o.entry_id,
            title=o.title,
            description=o.description,
            replaced_programme_id=o.replaced_programme_id,
        )
        self.items.append(item)
        self.next_msn = item.next_msn
        self.next_disc = item.next_discontinuity
        self.end_us = item.end_us

    def cut_before(self, at_us: int) -> None:
        """End whatever airs at ``at_us`` at its last boundary ≤ ``at_us`` (never mid-segment).

        Items closed earlier in this compile (a soft chain ahead of a hard start at the same time)
        are reopened and cut too, but never before the freeze edge.
        """
        at_us = max(at_us, self.floor_us)
        o = self.open
        if o is not None:
            self.close(o.count_at_or_before(at_us) if o.end_for(o.max_count) > at_us else None)
        while len(self.items) > self.locked and self.items[-1].end_us > at_us:
            item = self.items.pop()
            self.next_msn, self.next_disc, self.end_us = item.first_msn, item.discontinuity, item.start_us
            self.open = _Open.of(item, min_count=0, max_count=item.segment_count)
            self.close(self.open.count_at_or_before(at_us))

    def start(self, *, kind: ItemKind, source: ProgrammeMedia, count: int, entry_id: str | None) -> None:
        self.close()
        pending = self.pending
        self.open = _Open(
            kind=kind,
            source=source,
            first_segment=0,
            start_us=self.end_us,
            min_count=0,
            max_count=count,
            programme_id=source.programme_id if kind != "slate" else None,
            entry_id=entry_id if kind == "programme" else (pending[0] if pending else None),
            title=source.title,
            description=source.description,
            replaced_programme_id=pending[1] if pending and kind != "programme" else None,
        )

    def fill(self, until_us: int, *, cover: bool = False) -> None:
        """Fill up to ``until_us`` with whole filler programmes, then slate to the nearest boundary.

        With ``cover`` the slate runs at least to ``until_us`` (the horizon: never run dry).
        """
        self.close()
        while (gap := until_us - self.end_us) > 0:
            filler = self._next_filler(gap)
            if filler is not None:
                self.start(kind="filler", source=filler, count=filler.segment_count, entry_id=None)
                self.close()
                continue
            media = self.slate.media
            idx = media.index_at(gap)
            lo, hi = media.position(idx), media.position(idx + 1)
            count = idx + 1 if (lo < gap if cover else hi - gap < gap - lo) else idx
            if count > 0:
                self.start(kind="slate", source=media, count=count, entry_id=None)
                self.close()
            return

    def _next_filler(self, gap: int) -> ProgrammeMedia | None:
        n = len(self.fillers)
        for step in range(n):
            candidate = self.fillers[(self.filler_turn + step) % n]
            if candidate.duration_us <= gap:
                self.filler_turn = (self.filler_turn + step + 1) % n
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a recompile knows from the previous timeline (empty for a first compile)."""

    missed_before_us: int | None = None
    done: Collection[str] = ()
    placed_later: Collection[str] = ()
    open_entry: str | None = None


def _run(
    builder: _Builder,
    *,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    horizon_us: int,
    plan: _Plan,
) -> Timeline:
    channel = builder.channel
    for entry in sorted(entries, key=lambda e: (to_us(e.start), e.entry_id)):
        at = to_us(entry.start)
        if at >= horizon_us:
            break
        if entry.entry_id in plan.done or entry.entry_id == plan.open_entry:
            continue
        media = programmes.get(entry.programme_id)
        ready = media if is_ready(channel, media) else None
        length = ready.duration_us if ready is not None else 0
        if (
            plan.missed_before_us is not None
            and entry.entry_id not in plan.placed_later
            and at + length <= plan.missed_before_us
        ):
            continue  # its whole slot passed before anything could still change: missed
        if entry.mode == "hard" or (builder.open is not None and builder.open.kind != "programme"):
            builder.cut_before(at)  # soft follows a programme, never filler left open by a freeze
        builder.fill(at)
        builder.pending = None
        if ready is None:
            builder.pending = (entry.entry_id, entry.programme_id)
        else:
            builder.start(kind="programme", source=ready, count=ready.segment_count, entry_id=entry.entry_id)
    builder.close()
    builder.fill(horizon_us if builder.items else max(horizon_us, builder.end_us + 1), cover=True)
    return Timeline(channel=channel, items=tuple(builder.items))


def _validated_fillers(
    channel: ChannelProfile, slate: Slate, fillers: Sequence[ProgrammeMedia]
) -> tuple[ProgrammeMedia, ...]:
    if not is_ready(channel, slate.media):
        raise ValueError("the slate does not match the channel's house format")
    return tuple(f for f in fillers if is_ready(channel, f))


def compile_timeline(
    *,
    channel: ChannelProfile,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    slate: Slate,
    fillers: Sequence[ProgrammeMedia] = (),
    horizon: datetime,
) -> Timeline:
    """First compile, from the channel's epoch to at least ``horizon``."""
    builder = _Builder(
        channel=channel,
        slate=slate,
        fillers=_validated_fillers(channel, slate, fillers),
        end_us=to_us(channel.epoch),
        floor_us=to_us(channel.epoch),
    )
    return _run(builder, entries=entries, programmes=programmes, horizon_us=to_us(horizon), plan=_Plan())
