from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcoder.describe import DESCRIPTION_VERSION, AudioDescription, Description, RenditionDescription

DESCRIPTION = Description(
    duration=13.04,
    segment_format="mpegts",
    target_duration=6,
    segment_durations=(6.0, 6.0, 1.04),
    segment_gops=((2.0, 2.0, 2.0), (2.0, 2.0, 2.0), (1.04,)),
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
            gop_offsets=((351_540, 702_328), (349_476, 698_200), ()),
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
        "segment_gops",
        "renditions",
        "audio",
        "poster",
        "thumbnails",
        "master",
    ]
    assert data["version"] == 2
    assert data["segment_gops"] == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [1.04]]
    assert data["renditions"][0]["gop_offsets"] == [[351_540, 702_328], [349_476, 698_200], []]
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
        "gop_offsets",
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


def test_version_1_is_read_as_one_gop_per_segment_without_offsets() -> None:
    data = json.loads(DESCRIPTION.to_json())
    data["version"] = 1
    del data["segment_gops"]
    for rendition in data["renditions"]:
        del rendition["gop_offsets"]
    old = Description.from_dict(data)
    assert old.version == 1
    assert old.segment_gops == ((6.0,), (6.0,), (1.04,))
    assert old.renditions[0].gop_offsets == ((), (), ())
    assert old.renditions[0].segments == DESCRIPTION.renditions[0].segments


def test_the_documented_example_follows_the_contract() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs/media-description.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
    described = Description.from_dict(example)
    assert described.version == DESCRIPTION_VERSION == 2
    for duration, gops in zip(described.segment_durations, described.segment_gops, strict=True):
        assert sum(gops) == pytest.approx(duration, abs=1e-6)
    for rendition in described.renditions:
        assert [len(o) for o in rendition.gop_offsets] == [len(g) - 1 for g in described.segment_gops]
        assert all(list(o) == sorted(o) for o in rendition.gop_offsets)
