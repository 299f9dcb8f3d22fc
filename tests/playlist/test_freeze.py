"""Recompiling on air: the published part is frozen, changes start at the next unpublished boundary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from playlist import (
    GridEntry,
    Timeline,
    compile_timeline,
    recompile,
    timeline_from_dict,
    timeline_to_dict,
    to_us,
)
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)
PROGRAMMES = {"a": media("a", [6.0] * 20), "b": media("b", [6.0] * 5), "news": media("news", [4.0, 4.0])}
GRID = (GridEntry("1", "a", EPOCH + 10 * S), GridEntry("2", "b", EPOCH + 130 * S, "soft"))
HORIZON = EPOCH + timedelta(minutes=10)


def first() -> Timeline:
    return compile_timeline(
        channel=channel(), entries=GRID, programmes=PROGRAMMES, slate=slate(), horizon=HORIZON
    )


def again(previous: Timeline, entries: Sequence[GridEntry], *, edge: datetime) -> Timeline:
    return recompile(
        previous, entries=entries, programmes=PROGRAMMES, slate=slate(), horizon=HORIZON, publish_edge=edge
    )


def segments_before(tl: Timeline, edge: datetime) -> list[tuple[int, str, int, int, int]]:
    out = []
    for item in tl.items:
        for j in range(item.segment_count):
            start = item.start_us + item.offset_us(j)
            if start < to_us(edge):
                key = item.source.segment_key("720p", item.source_index(j))
                out.append((item.first_msn + j, key, item.duration_us(j), item.discontinuity_of(j), start))
    return out


def test_recompiling_the_same_grid_changes_nothing() -> None:
    tl = first()
    assert again(tl, GRID, edge=EPOCH + 50 * S).items == tl.items
    assert again(tl, GRID, edge=EPOCH + 49 * S).items == tl.items


def test_an_urgent_announcement_now_airs_at_the_next_unpublished_boundary() -> None:
    tl = first()
    now = EPOCH + 41 * S  # a airs from 10 s in 6 s segments
    edge = now + 6 * S  # the service publishes one segment ahead
    new = again(tl, [*GRID, GridEntry("u", "news", now)], edge=edge)
    assert segments_before(new, edge) == segments_before(tl, edge)
    a, news, rest = new.items[1:4]
    assert (a.programme_id, a.segment_count) == ("a", 7)  # segment 6 airs 46..52 and 46 < 47
    assert news.entry_id == "u"
    assert news.start_us == to_us(EPOCH + 52 * S)
    assert news.discontinuity == a.discontinuity + 1
    assert news.first_msn == a.next_msn
    assert rest.kind == "slate"  # b is soft at 130 s: the channel idles until then
    b = new.items[4]
    assert (b.programme_id, b.start_us) == ("b", to_us(EPOCH + 130 * S))


def test_removing_the_programme_on_air_cuts_it_at_the_freeze_edge_and_fills() -> None:
    tl = first()
    edge = EPOCH + 40 * S  # exactly a boundary: segments from 40 s on are not published yet
    new = again(tl, [GRID[1]], edge=edge)
    a, filler = new.items[1:3]
    assert a.segment_count == 5
    assert filler.kind == "slate"
    assert filler.start_us == to_us(edge)


def test_moving_the_next_programme_earlier_takes_effect_after_the_edge() -> None:
    tl = first()
    moved = [GRID[0], GridEntry("2", "b", EPOCH + 70 * S)]  # now hard at 70 s
    new = again(tl, moved, edge=EPOCH + 20 * S)
    b = next(i for i in new.items if i.programme_id == "b")
    assert b.start_us == to_us(EPOCH + 70 * S)


def test_an_entry_whose_slot_has_passed_is_skipped_and_one_still_running_starts_now() -> None:
    tl = first()
    edge = EPOCH + 300 * S
    missed = GridEntry("old", "news", EPOCH + 200 * S)  # 8 s long, long over
    running = GridEntry("run", "a", EPOCH + 250 * S)  # 120 s long, still on
    new = again(tl, [*GRID, missed, running], edge=edge)
    ids = [i.entry_id for i in new.items if i.kind == "programme"]
    assert "old" not in ids
    run = next(i for i in new.items if i.entry_id == "run")
    assert to_us(edge) <= run.start_us < to_us(edge) + 1_000_000
    assert segments_before(new, edge) == segments_before(tl, edge)


def test_an_edge_before_the_epoch_is_a_fresh_compile() -> None:
    tl = first()
    assert again(tl, GRID, edge=EPOCH - S).items == tl.items


GOPPED = {**PROGRAMMES, "g": media("g", [6.0] * 20, gops=True)}


def stored(tl: Timeline) -> Timeline:
    """The timeline as the service reloads it: sources without GOP tables."""
    back = timeline_from_dict(json.loads(json.dumps(timeline_to_dict(tl))))
    assert all(i.source.gops is None for i in back.items)
    return back


def test_a_hard_start_added_on_air_cuts_the_stored_programme_between_gops() -> None:
    grid = [GridEntry("1", "g", EPOCH + 10 * S)]
    tl = stored(
        compile_timeline(channel=channel(), entries=grid, programmes=GOPPED, slate=slate(), horizon=HORIZON)
    )
    edge = EPOCH + 40 * S
    new = recompile(
        tl,
        entries=[*grid, GridEntry("2", "b", EPOCH + 61 * S)],
        programmes=GOPPED,
        slate=slate(),
        horizon=HORIZON,
        publish_edge=edge,
    )
    assert segments_before(new, edge) == segments_before(tl, edge)
    g = new.items[1]
    assert g.end_us == to_us(EPOCH + 60 * S)  # 10 + 48 + one GOP of the 9th segment: 1 s early
    assert g.tail is not None
    assert g.tail.gops == 1
    b = next(i for i in new.items if i.entry_id == "2")
    assert b.start_us == to_us(EPOCH + 61 * S)


def test_a_published_sub_segment_stays_and_an_unpublished_one_is_cut_again() -> None:
    grid = [GridEntry("1", "g", EPOCH + 10 * S), GridEntry("2", "b", EPOCH + 27 * S)]
    tl = compile_timeline(channel=channel(), entries=grid, programmes=GOPPED, slate=slate(), horizon=HORIZON)
    g = tl.items[1]
    assert g.tail is not None
    assert g.end_us == to_us(EPOCH + 26 * S)
    published = recompile(
        stored(tl),
        entries=[grid[0]],
        programmes=GOPPED,
        slate=slate(),
        horizon=HORIZON,
        publish_edge=EPOCH + 23 * S,
    )
    assert published.items[1] == g  # its sub-segment (22–26) started before the edge: kept as it was
    moved = recompile(
        stored(tl),
        entries=[grid[0], GridEntry("2", "b", EPOCH + 31 * S)],
        programmes=GOPPED,
        slate=slate(),
        horizon=HORIZON,
        publish_edge=EPOCH + 21 * S,
    )
    g2 = moved.items[1]
    assert g2.end_us == to_us(EPOCH + 30 * S)  # the sub-segment was not published: cut again near 31 s
    assert g2.tail is not None
    assert g2.tail.gops == 1
