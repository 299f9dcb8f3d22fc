"""Takeovers, releases and withheld programmes in the pure compile (`playlist.override`, `playlist.overriding`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pytest

from playlist import (
    EMERGENCY_TITLE,
    GridEntry,
    ProgrammeMedia,
    Takeover,
    Timeline,
    compile_timeline,
    now_next,
    recompile,
    render_xmltv,
    timeline_from_dict,
    timeline_to_dict,
    to_us,
)
from playlist.overriding import grid_slots
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)
GOPPED: dict[str, ProgrammeMedia | None] = {
    "a": media("a", [6.0] * 20, gops=True),  # 120 s, 2 s GOPs
    "b": media("b", [6.0] * 10, gops=True),  # 60 s
    "c": media("c", [6.0] * 10),  # 60 s, no GOP table (description v1)
    "notice": media("notice", [4.0, 4.0, 2.0], gops=True, title="Thông báo của Bộ Tư pháp"),
}
GRID = (
    GridEntry("1", "a", EPOCH + 10 * S),
    GridEntry("2", "b", EPOCH + 130 * S),
    GridEntry("3", "c", EPOCH + 200 * S),
    GridEntry("4", "a", EPOCH + 300 * S),
)
HORIZON = EPOCH + timedelta(minutes=10)


def first(entries: Sequence[GridEntry] = GRID) -> Timeline:
    return compile_timeline(
        channel=channel(), entries=entries, programmes=GOPPED, slate=slate(), horizon=HORIZON
    )


def again(
    previous: Timeline,
    *,
    now: datetime,
    takeovers: Sequence[Takeover] = (),
    withheld: Mapping[str, str] | None = None,
    entries: Sequence[GridEntry] = GRID,
    programmes: Mapping[str, ProgrammeMedia | None] = GOPPED,
) -> Timeline:
    """What the service does on air: recompile with the edge one target duration ahead of now."""
    return recompile(
        previous,
        entries=entries,
        programmes=programmes,
        slate=slate(),
        horizon=HORIZON,
        publish_edge=now + 6 * S,
        takeovers=takeovers,
        withheld=withheld,
    )


def stored(tl: Timeline) -> Timeline:
    return timeline_from_dict(json.loads(json.dumps(timeline_to_dict(tl))))


Segment = tuple[int, str, int, int | None, int]


def segments(tl: Timeline) -> dict[int, Segment]:
    """msn → (start, key, duration, byte length of a cut, discontinuity)."""
    out: dict[int, Segment] = {}
    for item in tl.items:
        for j in range(item.segment_count):
            partial = item.partial(j)
            out[item.first_msn + j] = (
                item.start_us + item.offset_us(j),
                item.source.segment_key("720p", item.source_index(j)),
                item.duration_us(j),
                None if partial is None else partial.byte_lengths["720p"],
                item.discontinuity_of(j),
            )
    return out


def assert_published_kept(old: Timeline, new: Timeline, *, edge: datetime) -> None:
    """Every segment that has ended by the edge is untouched; the one straddling it may only have been
    cut to a prefix of itself (same number, start and URI): nobody can have listed it yet."""
    before, after = segments(old), segments(new)
    for msn, seg in before.items():
        start, key, duration, _, disc = seg
        if start >= to_us(edge):
            continue
        if start + duration <= to_us(edge):
            assert after[msn] == seg, f"published segment {msn} changed"
        else:
            start2, key2, duration2, _, disc2 = after[msn]
            assert (start2, key2, disc2) == (start, key, disc)
            assert start + duration2 >= to_us(edge)
            assert duration2 <= duration


def test_a_takeover_cuts_between_gops_at_the_edge_and_loops_the_slate_until_released() -> None:
    tl = stored(first())
    now = EPOCH + 41 * S  # "a" airs from 10 s in 6 s segments of three 2 s GOPs
    new = again(tl, now=now, takeovers=[Takeover("t1", now)])
    edge = now + 6 * S
    assert_published_kept(tl, new, edge=edge)
    a, emergency = new.items[1], new.items[2]
    assert a.programme_id == "a"
    assert a.end_us == to_us(EPOCH + 48 * S)  # segment 40–46 aired, 46–52 cut after one GOP (≥ edge 47)
    assert a.tail is not None
    assert a.tail.gops == 1
    assert emergency.kind == "emergency"
    assert emergency.cause == "takeover:t1"
    assert emergency.programme_id is None  # the slate
    assert emergency.start_us - to_us(now) <= 8_000_000  # within a target duration and one GOP
    assert emergency.end_us >= to_us(HORIZON)  # until released: nothing of the grid comes back
    assert len(new.items) == 3
    assert emergency.segment_count > 60  # the 60 s slate loops, a discontinuity at every wrap
    assert emergency.discontinuity_of(60) == emergency.discontinuity + 1
    on, following = now_next(new, EPOCH + 50 * S)
    assert (on.kind, on.title, on.programme_id) == ("emergency", "Thông báo khẩn", None)
    assert following is None
    assert now_next(new, EPOCH + 50 * S, lang="en")[0].title == "Emergency notice"


def test_a_takeover_keeps_its_loop_across_recompiles_and_releases_into_the_grid_mid_programme() -> None:
    started = EPOCH + 41 * S
    taken = stored(again(stored(first()), now=started, takeovers=[Takeover("t1", started)]))
    emergency = taken.items[2]
    # a scheduler publishes meanwhile (one entry more): the emergency item simply runs on
    more = (*GRID, GridEntry("5", "b", EPOCH + 150 * S))
    later = stored(again(taken, now=EPOCH + 100 * S, takeovers=[Takeover("t1", started)], entries=more))
    assert later.items[:2] == taken.items[:2]
    assert later.items[2].first_msn == emergency.first_msn
    assert later.items[2].segment_count >= emergency.segment_count
    assert len(later.items) == 3
    # released at 221 s: "c" (hard at 200 s, 60 s, no GOP table) is what the grid has on air then
    released = EPOCH + 221 * S
    back = again(later, now=released, takeovers=[Takeover("t1", started, released)], entries=more)
    edge = released + 6 * S
    assert_published_kept(later, back, edge=edge)
    emergency, joined = back.items[2], back.items[3]
    assert emergency.end_us == to_us(edge)  # the slate's 1 s segments: exactly at the edge
    assert (joined.kind, joined.programme_id, joined.entry_id) == ("programme", "c", "3")
    assert joined.start_us == to_us(edge)
    # 227 s is 27 s into "c": the nearest segment boundary is 24 s (segment 4), 3 s behind the grid
    assert joined.first_segment == 4
    assert joined.segment_count == 6
    after = back.items[4]
    assert (after.kind, after.start_us) == ("slate", joined.end_us)
    four = next(i for i in back.items if i.entry_id == "4")
    assert four.start_us == to_us(EPOCH + 300 * S)  # the grid goes on as planned
    assert not [i for i in back.items if i.entry_id in ("2", "5")]  # swallowed by the takeover
    # and they stay swallowed when the grid is published again later
    settled = again(
        stored(back), now=EPOCH + 240 * S, takeovers=[Takeover("t1", started, released)], entries=more
    )
    assert not [i for i in settled.items if i.entry_id in ("2", "5")]
    assert settled.items[:4] == back.items[:4]


def test_a_release_joins_a_soft_entry_where_the_grid_has_it_not_at_its_nominal_time() -> None:
    grid = [GridEntry("1", "a", EPOCH + 10 * S), GridEntry("2", "b", EPOCH + 60 * S, "soft")]
    slots = grid_slots(grid, programmes={k: v for k, v in GOPPED.items() if v is not None})
    assert [(s.entry.entry_id, s.start_us, s.end_us) for s in slots] == [
        ("1", to_us(EPOCH + 10 * S), to_us(EPOCH + 130 * S)),
        ("2", to_us(EPOCH + 130 * S), to_us(EPOCH + 190 * S)),
    ]
    tl = stored(first(grid))
    started, released = EPOCH + 20 * S, EPOCH + 140 * S
    taken = stored(again(tl, now=started, entries=grid, takeovers=[Takeover("t", started)]))
    back = again(taken, now=released, entries=grid, takeovers=[Takeover("t", started, released)])
    joined = next(i for i in back.items if i.kind == "programme" and i.start_us > to_us(started))
    assert joined.entry_id == "2"  # "a" still runs in the grid until 130 s, "b" follows it
    assert joined.first_segment == 3  # 146 s is 16 s into "b": segment 3 starts at 18 s
    assert joined.start_us == to_us(EPOCH + 146 * S)


def test_an_emergency_programme_loops_and_a_hard_cut_needs_no_gop_table_on_the_slate() -> None:
    tl = stored(first())
    notice = GOPPED["notice"]
    assert notice is not None
    now = EPOCH + 205 * S  # "c" airs from 200 s: 6 s segments, no GOP table
    new = again(tl, now=now, takeovers=[Takeover("t2", now, source=notice)])
    c, emergency = new.items[-2], new.items[-1]
    assert c.programme_id == "c"
    assert c.end_us == to_us(EPOCH + 212 * S)  # no GOP table: the first segment boundary ≥ 211 s
    assert c.tail is None
    assert (emergency.kind, emergency.programme_id, emergency.title) == (
        "emergency",
        "notice",
        "Thông báo khẩn",
    )
    assert emergency.description == "Thông báo của Bộ Tư pháp"
    assert emergency.source_index(3) == 0
    assert emergency.starts_run(3)
    xmltv = render_xmltv([new], start=EPOCH + 200 * S, end=EPOCH + 300 * S)
    assert '<title lang="vi">Thông báo khẩn</title>' in xmltv
    assert "Thông báo của Bộ Tư pháp" not in xmltv


def test_an_unready_emergency_programme_falls_back_to_the_slate() -> None:
    fmp4 = media("x", [6.0], fmt="fmp4")
    now = EPOCH + 41 * S
    new = again(stored(first()), now=now, takeovers=[Takeover("t", now, source=fmp4)])
    assert new.items[2].kind == "emergency"
    assert new.items[2].source.programme_id == "slate"


def test_a_withheld_programme_leaves_the_air_at_the_first_unpublished_gop_and_filler_says_why() -> None:
    tl = stored(first())
    now = EPOCH + 43 * S
    new = again(tl, now=now, withheld={"a": "withdrawn:w1"})  # its media is known, but may not air
    edge = now + 6 * S
    assert_published_kept(tl, new, edge=edge)
    a, filler = new.items[1], new.items[2]
    assert a.end_us == to_us(EPOCH + 50 * S)  # 46–52 s straddles the 49 s edge: two GOPs kept
    assert a.cause == "withdrawn:w1"
    assert (filler.kind, filler.replaced_programme_id, filler.cause) == ("slate", "a", "withdrawn:w1")
    assert filler.entry_id == "1"
    later = [i for i in new.items if i.entry_id == "4"]
    assert next((i.kind, i.replaced_programme_id, i.cause) for i in later) == ("slate", "a", "withdrawn:w1")
    assert "b" in {i.programme_id for i in new.items}
    back = stored(new)
    assert [i.cause for i in back.items] == [i.cause for i in new.items]


def test_a_takeover_in_a_first_compile_cuts_near_its_instant() -> None:
    tl = compile_timeline(
        channel=channel(),
        entries=GRID,
        programmes=GOPPED,
        slate=slate(),
        horizon=HORIZON,
        takeovers=[Takeover("t", EPOCH + 61 * S, EPOCH + 150 * S)],
    )
    a, emergency, joined = tl.items[1:4]
    assert a.end_us == to_us(EPOCH + 60 * S)  # nearest GOP boundary
    assert (emergency.start_us, emergency.end_us) == (to_us(EPOCH + 60 * S), to_us(EPOCH + 150 * S))
    assert (joined.entry_id, joined.first_segment) == ("2", 3)  # "b" since 130 s: 20 s in, nearer 18 s


def test_a_takeover_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="released before"):
        Takeover("t", EPOCH + 10 * S, EPOCH)
    assert Takeover("t", EPOCH).cause == "takeover:t"
    assert EMERGENCY_TITLE["en"] == "Emergency notice"


def test_format_two_timelines_are_still_read() -> None:
    data = timeline_to_dict(first())
    data["format"] = 2
    for row in data["items"]:
        del row[11]
    back = timeline_from_dict(data)
    assert [i.cause for i in back.items] == [None] * len(back.items)
    assert back.items == first().items
