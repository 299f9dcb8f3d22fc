"""Measured rung facts: parsed from fixture ffprobe JSON, checked against the house format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import LocalStore
from tests.transcoder.conftest import ffprobe_json
from transcoder.conformance import (
    MeasuredRendition,
    avc1_codec,
    check_conformance,
    measure_command,
    parse_measured,
)
from transcoder.errors import TranscodeFailed
from transcoder.house import HouseFormat, rung_for_height
from transcoder.pipeline import transcode

# ffprobe -show_entries stream=codec_type,codec_name,profile,level,width,height,avg_frame_rate seg_00000.ts
SEGMENT_720P: dict[str, Any] = {
    "programs": [],
    "streams": [
        {
            "codec_name": "h264",
            "profile": "High",
            "codec_type": "video",
            "width": 1280,
            "height": 720,
            "level": 31,
            "avg_frame_rate": "25/1",
        },
        {"codec_name": "aac", "profile": "LC", "codec_type": "audio", "avg_frame_rate": "0/0"},
    ],
}


def _with_video(**changes: object) -> dict[str, Any]:
    video, audio = SEGMENT_720P["streams"]
    return {"streams": [{**video, **changes}, audio]}


def test_parse_a_segment() -> None:
    assert parse_measured(SEGMENT_720P) == MeasuredRendition(
        width=1280, height=720, frame_rate=25.0, video_codec="avc1.64001f", audio_codec="mp4a.40.2"
    )
    assert parse_measured(SEGMENT_720P).codecs == "avc1.64001f,mp4a.40.2"


def test_codec_strings() -> None:
    assert [avc1_codec("High", level) for level in (40, 31, 30)] == [
        "avc1.640028",
        "avc1.64001f",
        "avc1.64001e",
    ]
    assert avc1_codec("Constrained Baseline", 30) == "avc1.42e01e"
    with pytest.raises(TranscodeFailed):
        avc1_codec("High 4:4:4 Predictive", 30)


def test_missing_streams_fail() -> None:
    with pytest.raises(TranscodeFailed, match="no AAC"):
        parse_measured({"streams": SEGMENT_720P["streams"][:1]})
    with pytest.raises(TranscodeFailed, match=r"no H\.264"):
        parse_measured({"streams": [{**SEGMENT_720P["streams"][0], "codec_name": "hevc"}]})


def test_conforming_rung_passes() -> None:
    profile = HouseFormat.with_heights((720,))
    measured = parse_measured(SEGMENT_720P)
    assert check_conformance(measured, rung=rung_for_height(720), profile=profile) == measured


def test_house_format_breaches_fail_loudly() -> None:
    profile = HouseFormat.with_heights((720,))
    breach = parse_measured(
        _with_video(profile="Constrained Baseline", width=1278, avg_frame_rate="30000/1001")
    )
    with pytest.raises(TranscodeFailed) as caught:
        check_conformance(breach, rung=rung_for_height(720), profile=profile)
    message = str(caught.value)
    assert "size 1278x720 (expected 1280x720)" in message
    assert "video codec avc1.42e01f (expected avc1.64001f)" in message
    assert "frame rate 29.97 (expected 25)" in message


def test_measure_command_reads_the_init_section_with_the_segment() -> None:
    assert measure_command(Path("/o/720p/seg_00000.m4s"), init=Path("/o/720p/init.mp4"))[-1] == (
        "concat:/o/720p/init.mp4|/o/720p/seg_00000.m4s"
    )
    assert measure_command(Path("/o/720p/seg_00000.ts"))[-1] == "/o/720p/seg_00000.ts"


@pytest.mark.slow
def test_master_states_what_the_segments_are(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    # ultrafast alone makes x264 write Constrained Baseline; the house format is High
    store = LocalStore(tmp_path / "store")
    store.put_file("up/a.mp4", media("basic"))
    description = transcode(
        store=store, source_key="up/a.mp4", output_prefix="p/", profile=small_profile, workdir=tmp_path / "w"
    )
    for rendition in description.renditions:
        video = ffprobe_json(store.root / "p" / rendition.segments[-1], "-show_streams")["streams"][0]
        assert video["profile"] == "High"
        assert rendition.codecs == f"{avc1_codec('High', video['level'])},mp4a.40.2"
        assert (rendition.width, rendition.height, rendition.frame_rate) == (
            video["width"],
            video["height"],
            25.0,
        )
    master = (store.root / "p/master.m3u8").read_text(encoding="utf-8")
    assert 'RESOLUTION=320x180,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000' in master
