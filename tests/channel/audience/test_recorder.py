"""The in-memory batch: repeats dropped before any work, one beat per session and slot, and a store
that fails loses its batch, never the service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channel.audience import AudienceRecorder, Beat, Counted, Hosts, MinutePoint, WatchRow
from channel.audience.recorder import first_per_slot, repeats_dropped
from playlist import GridEntry, Timeline, compile_timeline, to_us
from tests.playlist.builders import EPOCH, channel, media, slate

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TIMELINE: Timeline = compile_timeline(
    channel=channel(),
    entries=[GridEntry("e", "a", EPOCH + timedelta(seconds=30))],
    programmes={"a": media("a", [6.0] * 20)},
    slate=slate(),
    horizon=EPOCH + timedelta(minutes=5),
)
START_US = to_us(EPOCH) + 10_000_000

beats = st.builds(
    Beat,
    token=st.sampled_from(["a" * 22, "b" * 22, "c" * 22]),
    slug=st.just("k"),
    variant=st.sampled_from(["720p", "360p"]),
    at_us=st.integers(START_US, START_US + 200_000_000),
    referrer=st.just("site"),
    device=st.just("tv"),
)


@given(st.lists(beats, max_size=80))
def test_dropping_repeats_and_keeping_one_beat_per_slot_loses_no_slot(batch: list[Beat]) -> None:
    recorder = AudienceRecorder(
        _Failing(), timelines=lambda _slug: TIMELINE, zone=HCM, hosts=Hosts(frozenset())
    )
    every = recorder.attributed(batch)
    kept = first_per_slot(recorder.attributed(repeats_dropped(batch)))
    slots = {(c.beat.token, c.slot) for c in every}
    assert {(c.beat.token, c.slot) for c in kept} == slots
    assert len(kept) == len(slots)


class _Failing:
    """Counters whose store is down."""

    def record(self, counted: Sequence[Counted]) -> int:
        raise ConnectionError("redis is down")

    def minutes(self, slug: str, *, start_us: int, end_us: int, days: Sequence[str]) -> list[MinutePoint]:
        raise ConnectionError("redis is down")

    def watch(self, slug: str, days: Sequence[str]) -> list[WatchRow]:
        raise ConnectionError("redis is down")

    def uniques(self, slug: str, days: Sequence[str]) -> int:
        raise ConnectionError("redis is down")

    def airing_viewers(self, slug: str, keys: Sequence[str]) -> dict[str, int]:
        raise ConnectionError("redis is down")


def test_a_batch_the_store_refuses_is_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    recorder = AudienceRecorder(
        _Failing(), timelines=lambda _slug: TIMELINE, zone=HCM, hosts=Hosts(frozenset())
    )
    recorder.note(token="a" * 22, slug="k", variant="720p", headers=[(b"user-agent", b"VLC/3.0")])
    with caplog.at_level(logging.WARNING):
        assert asyncio.run(recorder.flush()) == 0
    assert recorder.pending == []
    assert "could not be written" in caplog.text
