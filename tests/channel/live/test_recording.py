"""A recording's joins: where its segments' timestamps do not follow on, its playlists say so."""

from __future__ import annotations

import m3u8

from channel.live.recording import Aired, discontinuities
from playlist import render_static_vod


def _aired(live: bool, index: int) -> Aired:
    return Aired(duration_us=2_000_000, keys={"180p": f"k{index}"}, live=live, index=index)


def test_only_consecutive_feed_segments_continue_each_other() -> None:
    aired = [
        _aired(False, 0),  # slate before the publisher connected
        _aired(True, 1),
        _aired(True, 2),  # one run of the encoder
        _aired(False, 3),  # lost: slate
        _aired(False, 4),  # slate again (each slate segment restarts its own timestamps)
        _aired(True, 5),  # back
        _aired(True, 7),  # a segment dropped without slate between: another run
    ]
    assert discontinuities(aired) == [1, 3, 4, 5, 6]
    assert discontinuities([]) == discontinuities([_aired(True, 0)]) == []


def test_the_static_playlist_marks_each_join_for_players() -> None:
    text = render_static_vod(
        [(2_000_000, f"seg_{i:05d}.ts") for i in range(4)], target_duration=2, discontinuities={1, 3}
    )
    parsed = m3u8.M3U8(text, strict=True)
    assert [s.discontinuity for s in parsed.segments] == [False, True, False, True]
    assert parsed.is_endlist
