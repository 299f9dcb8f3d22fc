"""Items and lookup: contiguous numbers and times, binary search for the segment on air."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from playlist import GridEntry, OffAirError, Timeline, compile_timeline, locate, to_us
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)


def timeline() -> Timeline:
    return compile_timeline(
        channel=channel(),
        entries=[GridEntry("1", "a", EPOCH + 3 * S)],
        programmes={"a": media("a", [6.0, 6.0, 1.5])},
        slate=slate(),
        horizon=EPOCH + 60 * S,
    )


def test_locate_finds_the_segment_airing_at_an_instant() -> None:
    tl = timeline()
    base = to_us(EPOCH)
    pos = locate(tl, base + 15_000_000)
    assert (pos.item_index, pos.segment, pos.msn) == (1, 2, 5)
    assert pos.start_us == base + 15_000_000
    assert locate(tl, base + 14_999_999).segment == 1
    assert locate(tl, base).msn == 0
    with pytest.raises(OffAirError):
        locate(tl, tl.end_us)


def test_items_expose_durations_offsets_and_air_start() -> None:
    a = timeline().items[1]
    assert a.segment_durations == (6.0, 6.0, 1.5)
    assert a.cumulative_offsets == (0.0, 6.0, 12.0, 13.5)
    assert a.air_start == EPOCH + 3 * S
    assert (a.first_msn, a.discontinuity, a.next_msn, a.next_discontinuity) == (3, 1, 6, 2)


def test_a_timeline_with_a_hole_or_a_jump_in_numbers_is_refused() -> None:
    tl = timeline()
    items = list(tl.items)
    with pytest.raises(ValueError, match="contiguous"):
        Timeline(channel=tl.channel, items=(items[0], replace(items[1], first_msn=99), *items[2:]))
    with pytest.raises(ValueError, match="contiguous"):
        Timeline(channel=tl.channel, items=(items[0], replace(items[1], start_us=items[1].start_us + 1)))
    with pytest.raises(ValueError, match="epoch"):
        Timeline(channel=tl.channel, items=tuple(items[1:]))
