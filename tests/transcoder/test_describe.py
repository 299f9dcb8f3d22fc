from __future__ import annotations

import json

from transcoder.describe import AudioDescription, Description, RenditionDescription

DESCRIPTION = Description(
    duration=13.04,
    segment_format="mpegts",
    target_duration=6,
    segment_durations=(6.0, 6.0, 1.04),
    renditions=(
        RenditionDescription(
            name="1080p",
            width=1920,
            height=1080,
            bandwidth=5412000,
            average_bandwidth=4801000,
            codecs="avc1.640028,mp4a.40.2",
            frame_rate=25.0,
            playlist="1080p/index.m3u8",
            init=None,
            segments=("1080p/seg_00000.ts", "1080p/seg_00001.ts", "1080p/seg_00002.ts"),
        ),
    ),
    audio=AudioDescription(
        codec="aac",
        sample_rate=48000,
        channels=2,
        measured_input_i=-31.2,
        measured_input_tp=-9.0,
        output_i=-23.0,
    ),
    poster="poster.jpg",
    thumbnails=("thumbs/thumb_00.jpg",),
)


def test_json_matches_the_documented_shape() -> None:
    data = json.loads(DESCRIPTION.to_json())
    assert list(data) == [
        "version",
        "duration",
        "segment_format",
        "target_duration",
        "segment_durations",
        "renditions",
        "audio",
        "poster",
        "thumbnails",
        "master",
    ]
    assert data["version"] == 1
    assert data["master"] == "master.m3u8"
    assert list(data["renditions"][0]) == [
        "name",
        "width",
        "height",
        "bandwidth",
        "average_bandwidth",
        "codecs",
        "frame_rate",
        "playlist",
        "init",
        "segments",
    ]
    assert list(data["audio"]) == [
        "codec",
        "sample_rate",
        "channels",
        "measured_input_i",
        "measured_input_tp",
        "output_i",
    ]


def test_round_trip() -> None:
    assert Description.from_dict(json.loads(DESCRIPTION.to_json())) == DESCRIPTION
