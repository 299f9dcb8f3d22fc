"""Recompile after a grid edit without rewriting anything viewers may already hold.

Every segment whose air start is before ``publish_edge`` keeps its item, number, URI, duration
and date-time; the edit applies from the first segment boundary at or after the edge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from playlist.compile import GridEntry, _Builder, _Open, _Plan, _run, _validated_fillers
from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.timeline import Timeline

__all__ = ["recompile"]


def recompile(
    previous: Timeline,
    *,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    slate: Slate,
    fillers: Sequence[ProgrammeMedia] = (),
    horizon: datetime,
    publish_edge: datetime,
) -> Timeline:
    """Compile ``entries`` again, keeping ``previous`` up to the first boundary ≥ ``publish_edge``.

    The service passes ``publish_edge = now + target duration``; an entry whose start is already
    frozen (an urgent announcement "now") airs at that boundary. Entries not placed before whose
    whole slot ended before ``publish_edge - target duration`` (now) are skipped as missed.
    """
    channel = previous.channel
    edge = to_us(publish_edge)
    builder = _Builder(
        channel=channel,
        slate=slate,
        fillers=_validated_fillers(channel, slate, fillers),
        end_us=previous.start_us,
        floor_us=previous.start_us,
    )
    horizon_us = to_us(horizon)
    if edge <= previous.start_us:
        return _run(builder, entries=entries, programmes=programmes, horizon_us=horizon_us, plan=_Plan())
    items = previous.items
    if edge >= previous.end_us:
        index, frozen = len(items), 0
    else:
        index = previous.item_index_at(edge)
        item = items[index]
        j = item.index_at(edge - item.start_us)
        frozen = j if item.start_us + item.offset_us(j) == edge else j + 1
    kept = items[:index]
    if kept:
        builder.items.extend(kept)
        builder.next_msn = kept[-1].next_msn
        builder.next_disc = kept[-1].next_discontinuity
        builder.end_us = kept[-1].end_us
    by_id = {e.entry_id: e for e in entries}
    open_entry: str | None = None
    freeze_end = builder.end_us
    if frozen:
        item = items[index]
        still = item.entry_id is not None and (
            (e := by_id.get(item.entry_id)) is not None and e.programme_id == item.programme_id
        )
        extendable = item.kind == "programme" and still
        if item.kind == "programme":  # runs on while its entry stands; cut at the edge otherwise
            most = item.source.segment_count - item.first_segment if extendable else frozen
        else:
            most = item.segment_count
        builder.open = _Open.of(item, min_count=frozen, max_count=most)
        freeze_end = builder.open.end_for(frozen)
        if extendable:
            open_entry = item.entry_id
        elif item.kind != "programme" and item.replaced_programme_id and item.entry_id:
            builder.pending = (item.entry_id, item.replaced_programme_id)
    done = {i.entry_id for i in kept if i.kind == "programme" and i.entry_id is not None}
    later = {i.entry_id for i in items[index + (1 if frozen else 0) :] if i.entry_id is not None}
    builder.locked = len(kept)
    builder.floor_us = freeze_end
    # an entry whose slot ended before now (= edge - one target duration) was missed: skip it;
    # one still running (an urgent announcement "now") starts at the first unpublished boundary
    now = edge - channel.target_duration * 1_000_000
    plan = _Plan(missed_before_us=now, done=done, placed_later=later, open_entry=open_entry)
    return _run(builder, entries=entries, programmes=programmes, horizon_us=horizon_us, plan=plan)
