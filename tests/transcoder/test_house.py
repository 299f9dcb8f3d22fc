from __future__ import annotations

import json
import re

import pytest

from transcoder.house import HouseFormat, Rung, ladder, rung_for_height


def test_default_profile_is_the_house_format() -> None:
    profile = HouseFormat()
    assert [(r.name, r.width, r.height, r.maxrate_k, r.level, r.video_codec) for r in profile.rungs] == [
        ("1080p", 1920, 1080, 5000, "4.0", "avc1.640028"),
        ("720p", 1280, 720, 2800, "3.1", "avc1.64001f"),
        ("480p", 854, 480, 1400, "3.0", "avc1.64001e"),
        ("360p", 640, 360, 800, "3.0", "avc1.64001e"),
    ]
    assert (profile.fps, profile.gop_frames, profile.segment_seconds, profile.segment_format) == (
        25,
        50,
        6.0,
        "mpegts",
    )
    assert (profile.audio_sample_rate, profile.audio_channels, profile.audio_bitrate_k) == (48000, 2, 128)
    assert (profile.loudness_i, profile.loudness_tp, profile.max_duration) == (-23.0, -1.0, 14400.0)


def test_optional_240p_and_small_rungs() -> None:
    assert rung_for_height(240) == Rung(
        height=240, width=426, bitrate_k=350, maxrate_k=400, bufsize_k=800, level="3.0"
    )
    assert [r.name for r in ladder((240, 1080, 360))] == ["1080p", "360p", "240p"]
    small = rung_for_height(180)
    assert (small.width, small.level) == (320, "3.0")
    assert small.bitrate_k < small.maxrate_k < small.bufsize_k


def test_round_trips_through_json_primitives() -> None:
    profile = HouseFormat.with_heights(
        (720, 240), segment_format="fmp4", preset="ultrafast", max_duration=60.0
    )
    data = json.loads(json.dumps(profile.to_payload()))
    assert HouseFormat.from_payload(data) == profile
    assert HouseFormat.from_payload(HouseFormat.with_heights((360, 240)).to_payload()).rungs == ladder(
        (360, 240)
    )
    assert HouseFormat.from_payload(HouseFormat().to_payload()) == HouseFormat()
    assert profile.heights == (720, 240)


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"heights": [360, 240]}, "missing ['audio_bitrate_k'"),  # the old shortcut is no payload
        ({}, "missing ['audio_bitrate_k'"),
        ({**HouseFormat().to_payload(), "loudness_lra": 7.0}, "unknown ['loudness_lra']"),
        ({**HouseFormat().to_payload(), "rungs": [{"height": 360}]}, "a rung is malformed"),
        ({**HouseFormat().to_payload(), "segment_seconds": 5.0}, "whole number of GOPs"),
    ],
)
def test_a_payload_is_a_whole_house_format_or_refused(payload: dict[str, object], named: str) -> None:
    """No field is guessed: a worker refuses what the service did not fully send."""
    with pytest.raises(ValueError, match=re.escape(named)):
        HouseFormat.from_payload(payload)


@pytest.mark.parametrize(
    "changes",
    [
        {"segment_seconds": 5.0},
        {"gop_seconds": 0.03},
        {"segment_format": "webm"},
        {"rungs": ()},
        {"rungs": ladder((360, 360))},
    ],
)
def test_inconsistent_profiles_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        HouseFormat(**changes)  # type: ignore[arg-type]
