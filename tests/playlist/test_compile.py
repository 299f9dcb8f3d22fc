"""Compiling a grid: filler for gaps, hard and soft starts, programmes that are not ready."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import timedelta

import pytest

from playlist import GridEntry, ProgrammeMedia, Timeline, compile_timeline, to_us
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)
A = media("a", [6.0] * 10)  # 60 s
B = media("b", [6.0] * 5)  # 30 s
SHORT = media("s", [2.5, 0.4])  # a few seconds


def build(
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None] | None = None,
    *,
    minutes: int = 10,
    fillers: Sequence[ProgrammeMedia] = (),
) -> Timeline:
    return compile_timeline(
        channel=channel(),
        entries=entries,
        programmes={"a": A, "b": B, "s": SHORT} if programmes is None else programmes,
        slate=slate(),
        fillers=fillers,
        horizon=EPOCH + timedelta(minutes=minutes),
    )


def starts(tl: Timeline) -> list[tuple[str, str | None, float]]:
    return [(i.kind, i.programme_id, (i.start_us - to_us(EPOCH)) / 1e6) for i in tl.items]


def test_an_empty_grid_is_slate_up_to_the_horizon_looping_with_discontinuities() -> None:
    tl = build([], minutes=3)
    assert starts(tl) == [("slate", None, 0.0)]
    item = tl.items[0]
    assert item.segment_count == 180
    assert tl.end_us >= to_us(EPOCH) + 180_000_000
    assert [item.discontinuity_of(j) for j in (0, 59, 60, 119, 120)] == [0, 0, 1, 1, 2]
    assert item.starts_run(60)
    assert not item.starts_run(61)


def test_hard_start_cuts_the_previous_item_at_a_boundary_and_slate_fills_to_within_a_second() -> None:
    tl = build([GridEntry("1", "a", EPOCH + 10 * S), GridEntry("2", "b", EPOCH + 47.3 * S)])
    a, gap, b = tl.items[1:4]
    assert (a.programme_id, a.segment_count) == ("a", 6)  # 10 + 36 = 46 ≤ 47.3 < 52
    assert gap.kind == "slate"
    assert gap.segment_count == 1
    assert b.programme_id == "b"
    assert abs(b.start_us - to_us(EPOCH + 47.3 * S)) <= 500_000
    assert [i.discontinuity for i in tl.items[:4]] == [0, 1, 2, 3]
    assert [i.first_msn for i in tl.items[:4]] == [0, 10, 16, 17]


def test_soft_start_follows_the_previous_programme_to_its_end() -> None:
    tl = build([GridEntry("1", "a", EPOCH), GridEntry("2", "b", EPOCH + 30 * S, "soft")])
    assert starts(tl)[:2] == [("programme", "a", 0.0), ("programme", "b", 60.0)]


def test_soft_start_on_an_idle_channel_waits_for_its_time() -> None:
    tl = build([GridEntry("1", "s", EPOCH), GridEntry("2", "b", EPOCH + 20 * S, "soft")])
    assert starts(tl)[:3] == [("programme", "s", 0.0), ("slate", None, 2.9), ("programme", "b", 19.9)]


def test_a_programme_that_is_not_ready_is_replaced_by_filler_and_marked() -> None:
    tl = build(
        [GridEntry("1", "late", EPOCH), GridEntry("2", "b", EPOCH + 60 * S)],
        {"late": None, "b": B},
    )
    filler, b = tl.items[:2]
    assert filler.kind == "slate"
    assert filler.replaced_programme_id == "late"
    assert filler.entry_id == "1"
    assert b.programme_id == "b"
    assert b.start_us == to_us(EPOCH + 60 * S)


@pytest.mark.parametrize(
    "wrong",
    [
        media("w", [6.0], fmt="fmp4"),  # another house format
        media("w", [7.0]),  # a segment longer than the target duration
        None,
    ],
)
def test_media_that_cannot_air_on_the_channel_counts_as_not_ready(wrong: ProgrammeMedia | None) -> None:
    tl = build([GridEntry("1", "w", EPOCH)], {"w": wrong}, minutes=1)
    assert all(i.kind == "slate" and i.replaced_programme_id == "w" for i in tl.items)


def test_long_gaps_take_whole_filler_programmes_then_slate() -> None:
    filler = media("f", [6.0] * 4)  # 24 s
    tl = build([GridEntry("1", "b", EPOCH + 60 * S)], fillers=[filler])
    assert starts(tl)[:5] == [
        ("filler", "f", 0.0),
        ("filler", "f", 24.0),
        ("slate", None, 48.0),
        ("programme", "b", 60.0),
        ("filler", "f", 90.0),
    ]


def test_hard_entries_at_the_same_time_keep_only_the_last_and_reach_back_through_soft_ones() -> None:
    tl = build(
        [
            GridEntry("1", "a", EPOCH + 30 * S),
            GridEntry("2", "s", EPOCH + 30 * S, "soft"),
            GridEntry("3", "b", EPOCH + 30 * S),
        ]
    )
    programmes = [i for i in tl.items if i.kind == "programme"]
    assert [(p.entry_id, p.start_us) for p in programmes] == [("3", to_us(EPOCH + 30 * S))]


def test_overlapping_programmes_and_entries_before_the_epoch_still_compile() -> None:
    tl = build(
        [
            GridEntry("0", "b", EPOCH - 100 * S),
            GridEntry("1", "a", EPOCH + 5 * S),
            GridEntry("2", "b", EPOCH + 20 * S, "soft"),
            GridEntry("3", "a", EPOCH + 21 * S),
        ]
    )
    assert tl.start_us == to_us(EPOCH)
    assert tl.end_us >= to_us(EPOCH + 600 * S)
    # "0" airs from the epoch and "1" cuts it at 6 s, the boundary nearest 5 s (1 s late at most);
    # "2" would follow "1" but "3" cuts "1" first, at 18 s (24 s would be 3 s late)
    programmes = [p for p in tl.items if p.kind == "programme"]
    assert [(p.entry_id, p.segment_count) for p in programmes] == [("0", 1), ("1", 2), ("3", 10)]
    assert programmes[1].start_us == to_us(EPOCH + 6 * S)
    assert programmes[2].start_us == to_us(EPOCH + 21 * S)


def test_a_slate_in_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="slate"):
        compile_timeline(
            channel=channel(), entries=[], programmes={}, slate=slate(fmt="fmp4"), horizon=EPOCH + S
        )


def test_a_horizon_at_the_epoch_still_gives_a_playable_timeline() -> None:
    tl = compile_timeline(channel=channel(), entries=[], programmes={}, slate=slate(), horizon=EPOCH - S)
    assert [(i.kind, i.segment_count) for i in tl.items] == [("slate", 1)]


GOPPED = media("g", [6.0] * 10, gops=True)  # 60 s, 2 s GOPs: version 2 with byte offsets


@pytest.mark.parametrize(
    ("at", "cut", "start"),
    [
        (17.0, 16.0, 17.0),  # the grid: 16 (1 s early, a tie goes early), then 1 s of slate
        (17.4, 18.0, 18.0),  # 18 is 0.6 s late and nearer than 16
        (16.0, 16.0, 16.0),  # on a GOP boundary: no slate
        (18.0, 18.0, 18.0),  # on a segment boundary
        (12.3, 12.0, 12.0),  # 0.3 s of slate would round to none
        (0.8, 0.0, 1.0),  # nothing of g airs (2 s would be 1.2 s late); a 1 s slate segment is nearer
    ],
)
def test_a_hard_start_cuts_between_gops_within_a_second(at: float, cut: float, start: float) -> None:
    tl = build([GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + at * S)], {"g": GOPPED, "b": B})
    programmes = [i for i in tl.items if i.kind == "programme"]
    g = next((i for i in programmes if i.entry_id == "1"), None)
    b = next(i for i in programmes if i.entry_id == "2")
    assert (0.0 if g is None else (g.end_us - to_us(EPOCH)) / 1e6) == cut
    assert (b.start_us - to_us(EPOCH)) / 1e6 == start
    assert abs(cut - at) <= 1.0
    assert abs(start - at) <= 1.0


def test_a_cut_inside_a_segment_is_a_sub_segment_with_each_variants_byte_count() -> None:
    tl = build([GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + 17 * S)], {"g": GOPPED, "b": B})
    g, slate_item, b = tl.items[:3]
    assert (g.segment_count, g.end_us - g.start_us) == (3, 16_000_000)
    assert g.tail is not None
    assert (g.tail.gops, g.tail.duration_us) == (2, 4_000_000)
    assert dict(g.tail.byte_lengths) == {"720p": 188 * 1000 * 2, "360p": 188 * 300 * 2}
    assert [g.partial(j) for j in range(3)] == [None, None, g.tail]
    assert g.duration_us(2) == 4_000_000
    assert (slate_item.kind, slate_item.segment_count) == ("slate", 1)
    assert b.start_us == to_us(EPOCH + 17 * S)
    assert b.first_msn == g.next_msn + 1


def test_media_without_gop_offsets_cut_at_segment_boundaries() -> None:
    tl = build([GridEntry("1", "a", EPOCH), GridEntry("2", "b", EPOCH + 16 * S)])
    a = tl.items[0]
    assert (a.segment_count, a.tail, a.end_us) == (2, None, to_us(EPOCH + 12 * S))  # 18 is 2 s late
    assert tl.items[2].start_us == to_us(EPOCH + 16 * S)  # 4 s of slate fill up to the instant
    late = build([GridEntry("1", "a", EPOCH), GridEntry("2", "b", EPOCH + 17 * S)]).items[0]
    assert late.end_us == to_us(EPOCH + 18 * S)  # the boundary 1 s late is the nearest


def test_gop_tables_missing_a_variant_are_not_used() -> None:
    partial = media("g", [6.0] * 10, gops=True)
    table = partial.gops
    assert table is not None
    lopsided = dataclasses.replace(
        partial, gops=dataclasses.replace(table, offsets={"720p": table.offsets["720p"]})
    )
    tl = build([GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + 16 * S)], {"g": lopsided, "b": B})
    assert (tl.items[0].segment_count, tl.items[0].tail) == (2, None)  # 12 s, not 16 s between GOPs
