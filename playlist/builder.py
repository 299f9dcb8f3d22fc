"""The timeline builder: the one mutable object of the package, alive inside one compile.

It appends items in air order. A hard start cuts the item on air at the boundary nearest its instant
(`playlist.cuts`: between GOPs inside a segment when the media says where, else between segments);
filler and one-second slate segments then fill up to the instant. `TimelineBuilder.resume` starts it
from the frozen prefix of a previous timeline, so a recompile never rewrites what viewers may hold.
Takeovers and withheld programmes (`playlist.override`) are applied by `playlist.overriding`, which
drives this builder; here is only what they need of it: a cut as early as nothing published forbids.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from playlist.cuts import Cut, OpenItem, cuttable, end_cut
from playlist.grid import GridEntry, is_ready
from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.profile import ChannelProfile
from playlist.timeline import Item, ItemKind, PartialSegment, Timeline

__all__ = ["Pending", "Plan", "TimelineBuilder"]


@dataclass(frozen=True, slots=True)
class Pending:
    """A programme that could not air (not ready, or withheld): the filler replacing it names it."""

    entry_id: str | None
    programme_id: str | None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What a recompile knows from the previous timeline (empty for a first compile)."""

    missed_before_us: int | None = None
    done: Collection[str] = ()
    placed_later: Collection[str] = ()
    open_entry: str | None = None


class TimelineBuilder:
    """Builds one timeline from ``start_us`` on; used once, by `compile_timeline` or `recompile`."""

    def __init__(
        self,
        *,
        channel: ChannelProfile,
        slate: Slate,
        fillers: Sequence[ProgrammeMedia],
        start_us: int,
        withheld: Mapping[str, str] | None = None,
        sources: Sequence[ProgrammeMedia] = (),
    ) -> None:
        if not is_ready(channel, slate.media):
            raise ValueError("the slate does not match the channel's house format")
        self.channel = channel
        self.slate = slate
        self.fillers = tuple(cuttable(channel, f) for f in fillers if is_ready(channel, f))
        self.end_us = start_us
        self.floor_us = start_us  # nothing before this instant may change (the freeze edge)
        self.locked = 0  # items that are published and may not even be reopened
        self.next_msn = 0
        self.next_disc = 0
        self.items: list[Item] = []
        self.open: OpenItem | None = None
        self.filler_turn = 0
        self.pending: Pending | None = None  # a programme that could not air, until the next entry
        #: programmes that must leave the air (id → cause): cut at the earliest unpublished boundary
        self.withheld: Mapping[str, str] = withheld or {}
        #: media that may be on air besides programmes and fillers (emergency sources): GOP tables
        self.sources = tuple(cuttable(channel, s) for s in sources if is_ready(channel, s))
        #: the item open at the freeze edge and the earliest cut of it that nothing published forbids
        #: (between GOPs of the segment straddling the edge: a segment is listed only once it has aired)
        self.fine: tuple[OpenItem, Cut] | None = None

    # -- resuming from a previous timeline --------------------------------------------------------

    def resume(
        self,
        previous: Timeline,
        *,
        edge_us: int,
        entries: Sequence[GridEntry],
        programmes: Mapping[str, ProgrammeMedia | None],
    ) -> Plan:
        """Take over ``previous`` up to the first boundary at or after ``edge_us`` (frozen: every
        segment starting before it), and say what the rest of the compile must know about it."""
        if edge_us <= previous.start_us:
            return Plan()
        items = previous.items
        index, frozen = len(items), 0
        if edge_us < previous.end_us:
            index = previous.item_index_at(edge_us)
            item = items[index]
            j = item.index_at(edge_us - item.start_us)
            frozen = j if item.start_us + item.offset_us(j) == edge_us else j + 1
            if item.tail is not None and frozen == item.segment_count:  # its sub-segment is out: done
                index, frozen = index + 1, 0
        self._keep(items[:index])
        freeze_end = self.end_us
        open_entry: str | None = None
        if frozen:
            item = items[index]
            by_id = {e.entry_id: e for e in entries}
            entry = by_id.get(item.entry_id) if item.entry_id is not None else None
            extendable = (
                item.kind == "programme" and entry is not None and entry.programme_id == item.programme_id
            )
            source = self._refreshed(item.source, programmes)
            cause = self.withheld.get(item.programme_id or "") if item.kind != "emergency" else None
            least = Cut(frozen)
            if cause is not None:  # withheld: leaves the air as early as nothing published forbids
                least = most = _fine_least(item, source, edge_us=edge_us, frozen=frozen)
            elif item.kind != "programme":
                most = end_cut(item)
            elif extendable:  # runs on while its entry stands
                most = Cut(source.segment_count - item.first_segment)
            else:  # cut at the edge
                most = Cut(frozen)
            self.open = OpenItem.of(item, least=least, most=most, source=source)
            self.fine = (self.open, _fine_least(item, source, edge_us=edge_us, frozen=frozen))
            freeze_end = self.open.end_for(least)
            if cause is not None:
                self.open.cause = cause
                entry_id = item.entry_id if item.kind == "programme" else None
                replaced = item.programme_id if item.kind == "programme" else None
                self.pending = Pending(entry_id, replaced, cause)
            elif extendable:
                open_entry = item.entry_id
            elif item.kind != "programme" and item.replaced_programme_id and item.entry_id:
                self.pending = Pending(item.entry_id, item.replaced_programme_id, item.cause)
        kept = items[:index]
        self.locked = len(kept)
        self.floor_us = freeze_end
        # an entry whose slot ended before now (= edge - one target duration) was missed: skip it;
        # one still running (an urgent announcement "now") starts at the first unpublished boundary
        return Plan(
            missed_before_us=edge_us - self.channel.target_duration * 1_000_000,
            done={i.entry_id for i in kept if i.kind == "programme" and i.entry_id is not None},
            placed_later={
                i.entry_id for i in items[index + (1 if frozen else 0) :] if i.entry_id is not None
            },
            open_entry=open_entry,
        )

    def _keep(self, kept: Sequence[Item]) -> None:
        if kept:
            self.items.extend(kept)
            self.next_msn = kept[-1].next_msn
            self.next_disc = kept[-1].next_discontinuity
            self.end_us = kept[-1].end_us

    def _refreshed(
        self, source: ProgrammeMedia, programmes: Mapping[str, ProgrammeMedia | None]
    ) -> ProgrammeMedia:
        """The same media as given to this compile (with its GOP table), else ``source`` itself.

        A stored timeline carries no GOP tables; the programme or filler on air at the edge gets its
        table back here, so a new hard start can still cut it between GOPs.
        """
        for media in (programmes.get(source.programme_id), *self.fillers, *self.sources):
            if (
                media is not None
                and media.programme_id == source.programme_id
                and media.is_live
                and source.is_live
            ):  # a live event whose end moved: the same wall-clock segments, more or fewer of them
                return media
            if (
                media is not None
                and media.programme_id == source.programme_id
                and media.durations_us == source.durations_us
                and media.segment_templates == source.segment_templates
            ):
                return cuttable(self.channel, media)
        return source

    # -- building -----------------------------------------------------------------------------------

    def close(self, cut: Cut | None = None) -> None:
        """Close the open item at ``cut`` (default: as far as it may run); an empty item vanishes."""
        o = self.open
        if o is None:
            return
        self.open = None
        at = o.most if cut is None else cut
        count = at.count + (1 if at.gops else 0)
        if count <= 0:
            return
        tail = None
        if at.gops:
            table = o.source.gops
            assert table is not None
            k = o.source_index(at.count)
            tail = PartialSegment(
                gops=at.gops,
                duration_us=table.prefix_us(k, at.gops),
                byte_lengths={v.name: table.byte_length(v.name, k, at.gops) for v in self.channel.variants},
            )
        item = Item(
            kind=o.kind,
            source=o.source,
            first_segment=o.first_segment,
            segment_count=count,
            start_us=o.start_us,
            first_msn=self.next_msn,
            discontinuity=self.next_disc,
            programme_id=o.programme_id,
            entry_id=o.entry_id,
            title=o.title,
            description=o.description,
            replaced_programme_id=o.replaced_programme_id,
            tail=tail,
            cause=o.cause,
        )
        self.items.append(item)
        self.next_msn = item.next_msn
        self.next_disc = item.next_discontinuity
        self.end_us = item.end_us

    def fine_floor_us(self) -> int:
        """The earliest instant an override may take the air: inside the segment straddling the edge
        when the item open there can be cut between GOPs, else the freeze edge itself."""
        if self.fine is not None and self.open is self.fine[0]:
            return self.fine[0].end_for(self.fine[1])
        return self.floor_us

    def cut_near(self, at_us: int, *, fine: bool = False) -> None:
        """End whatever airs at ``at_us`` at the boundary nearest it (`OpenItem.cut_near`).

        Items closed earlier in this compile (a soft chain ahead of a hard start at the same time)
        are reopened and cut too, but never before the freeze edge; ``fine`` (an override) may cut
        the segment straddling the edge between its GOPs (`fine_floor_us`).
        """
        o = self.open
        if fine and self.fine is not None and o is self.fine[0]:
            o.least = min(o.least, self.fine[1])
            at_us = max(at_us, self.fine_floor_us())
        else:
            at_us = max(at_us, self.floor_us)
        if o is not None:
            self.close(o.cut_near(at_us) if o.end_for(o.most) > at_us else None)
        while len(self.items) > self.locked and self.items[-1].end_us > at_us:
            item = self.items.pop()
            self.next_msn, self.next_disc, self.end_us = item.first_msn, item.discontinuity, item.start_us
            self.open = OpenItem.of(item, least=Cut(0), most=end_cut(item))
            before = len(self.items)
            self.close(self.open.cut_near(at_us))
            if len(self.items) > before:
                break  # kept, ending at the instant or just after it: what precedes it ends before

    def start(
        self,
        *,
        kind: ItemKind,
        source: ProgrammeMedia,
        count: int,
        entry_id: str | None,
        first_segment: int = 0,
        programme_id: str | None = None,  # an emergency item's (None: the slate)
        title: str | None = None,
        description: str | None = None,
        cause: str | None = None,
    ) -> None:
        """Open an item of ``count`` segments from ``first_segment`` (a join mid-way, a loop) at the end."""
        self.close()
        pending = self.pending if kind in ("filler", "slate") else None
        self.open = OpenItem(
            kind=kind,
            source=cuttable(self.channel, source),
            first_segment=first_segment,
            start_us=self.end_us,
            least=Cut(0),
            most=Cut(count),
            programme_id=programme_id if kind == "emergency" else _programme_of(kind, source),
            entry_id=entry_id if kind == "programme" else (pending.entry_id if pending else None),
            title=source.title if title is None else title,
            description=source.description if description is None else description,
            replaced_programme_id=pending.programme_id if pending else None,
            cause=cause if cause is not None or pending is None else pending.cause,
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

    def place(
        self,
        entries: Sequence[GridEntry],
        *,
        programmes: Mapping[str, ProgrammeMedia | None],
        horizon_us: int,
        plan: Plan,
    ) -> None:
        """Place ``entries`` (in start order) after what is built, but not those ``plan`` says are done."""
        channel = self.channel
        for entry in entries:
            at = to_us(entry.start)
            if at >= horizon_us:
                break
            if entry.entry_id in plan.done or entry.entry_id == plan.open_entry:
                continue
            media = None if entry.programme_id in self.withheld else programmes.get(entry.programme_id)
            ready = media if is_ready(channel, media) else None
            length = ready.duration_us if ready is not None else 0
            if (
                plan.missed_before_us is not None
                and entry.entry_id not in plan.placed_later
                and at + length <= plan.missed_before_us
            ):
                continue  # its whole slot passed before anything could still change: missed
            if entry.mode == "hard" or (self.open is not None and self.open.kind != "programme"):
                self.cut_near(at)  # soft follows a programme, never filler left open by a freeze
            self.fill(at)
            self.pending = None
            if ready is None:
                self.pending = Pending(
                    entry.entry_id, entry.programme_id, self.withheld.get(entry.programme_id)
                )
            else:
                self.start(kind="programme", source=ready, count=ready.segment_count, entry_id=entry.entry_id)

    def finish(self, horizon_us: int) -> Timeline:
        """Close what is open and fill to the horizon: the timeline never runs dry."""
        self.close()
        self.fill(horizon_us if self.items else max(horizon_us, self.end_us + 1), cover=True)
        return Timeline(channel=self.channel, items=tuple(self.items))


def _programme_of(kind: ItemKind, source: ProgrammeMedia) -> str | None:
    return None if kind == "slate" else source.programme_id


def _fine_least(item: Item, source: ProgrammeMedia, *, edge_us: int, frozen: int) -> Cut:
    """The earliest cut of ``item`` (reopened on ``source``) that keeps every GOP starting before the
    edge: inside segment ``frozen - 1`` (which straddles the edge) when its GOP table says where."""
    if frozen == 0:
        return Cut(0)
    j = frozen - 1
    table = source.gops
    start = item.start_us + item.offset_us(j)
    if table is None or start >= edge_us or item.partial(j) is not None:
        return Cut(frozen)
    k = (item.first_segment + j) % source.segment_count
    for g in range(1, table.gop_count(k)):
        if start + table.prefix_us(k, g) >= edge_us:
            return Cut(j, g)
    return Cut(frozen)
