"""Timelines survive a trip through JSON (the service stores them in its database)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from playlist import (
    GridEntry,
    Timeline,
    Track,
    compile_timeline,
    render_media,
    timeline_from_dict,
    timeline_to_dict,
)
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)


def test_round_trip_keeps_items_and_bytes() -> None:
    tl = compile_timeline(
        channel=channel(fmt="fmp4", subtitles=True),
        entries=[GridEntry("1", "a", EPOCH + 10 * S), GridEntry("2", "gone", EPOCH + 80 * S)],
        programmes={"a": media("a", [6.0] * 10, fmt="fmp4", languages=["vi"]), "gone": None},
        slate=slate(fmt="fmp4"),
        fillers=[media("f", [6.0, 3.0], fmt="fmp4", title="Phim ngắn")],
        horizon=EPOCH + 400 * S,
    )
    data = json.loads(json.dumps(timeline_to_dict(tl)))
    back = timeline_from_dict(data)
    assert back.channel == tl.channel
    assert back.items == tl.items
    for at in (EPOCH + 30 * S, EPOCH + 95 * S, EPOCH + 399 * S):
        for track in (Track.video("360p"), Track.subtitles("vi", empty_key="e.vtt")):
            assert render_media(back, track=track, at=at) == render_media(tl, track=track, at=at)


def test_a_long_timeline_stays_compact() -> None:
    programmes = {f"p{k}": media(f"p{k}", [6.0] * 300) for k in range(20)}
    entries = [GridEntry(str(i), f"p{i % 20}", EPOCH + i * 1800 * S) for i in range(2000)]
    tl = compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(),
        horizon=EPOCH + 2000 * 1800 * S,
    )
    size = len(json.dumps(timeline_to_dict(tl), separators=(",", ":")))
    assert size < 150 * len(tl.items) + 20 * 6000  # a short row per item; sources once each


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        timeline_from_dict({"format": 99})


def test_sub_segments_survive_the_trip_and_format_1_is_still_read() -> None:
    tl = compile_timeline(
        channel=channel(),
        entries=[GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + 17 * S)],
        programmes={"g": media("g", [6.0] * 10, gops=True), "b": media("b", [6.0] * 3)},
        slate=slate(),
        horizon=EPOCH + 100 * S,
    )
    data = json.loads(json.dumps(timeline_to_dict(tl)))
    assert "segment_gops" not in json.dumps(data)
    assert all("gops" not in s for s in data["sources"])
    back = timeline_from_dict(data)
    assert back.items == tl.items
    assert back.items[0].tail == tl.items[0].tail is not None
    whole = [row for row in data["items"] if row[10] is None]
    assert whole
    assert len(whole) < len(data["items"])
    uncut = timeline_to_dict(build_uncut())
    old = {**uncut, "format": 1, "items": [row[:10] for row in uncut["items"]]}  # as stored before cuts
    assert timeline_from_dict(old).items == build_uncut().items


def build_uncut() -> Timeline:
    return compile_timeline(
        channel=channel(),
        entries=[GridEntry("1", "b", EPOCH + 6 * S)],
        programmes={"b": media("b", [6.0] * 3)},
        slate=slate(),
        horizon=EPOCH + 100 * S,
    )
