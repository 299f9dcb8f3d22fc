from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests.transcoder.test_inputs import fenced
from transcoder.errors import SourceRejected
from transcoder.probe import is_still_image, parse_probe, probe, probe_command

PHONE_JSON = {
    "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.5", "size": "1000"},
    "streams": [
        {
            "index": 0,
            "codec_type": "video",
            "codec_name": "h264",
            "width": 1920,
            "height": 1080,
            "avg_frame_rate": "30000/1001",
            "r_frame_rate": "30/1",
            "nb_frames": "375",
            "pix_fmt": "yuv420p",
            "field_order": "progressive",
            "duration": "12.5",
            "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}],
        },
        {
            "index": 1,
            "codec_type": "audio",
            "codec_name": "aac",
            "channels": 1,
            "channel_layout": "mono",
            "sample_rate": "44100",
            "disposition": {"default": 1},
            "tags": {"language": "vie"},
        },
        {"index": 2, "codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}},
    ],
}


def test_parse_probe_reads_rotation_rate_and_audio() -> None:
    info = parse_probe(PHONE_JSON)
    assert info.video is not None
    assert (info.video.rotation, info.video.display_size) == (90, (1080, 1920))
    assert info.video.frame_rate == pytest.approx(29.97, abs=0.01)
    assert (info.video.frame_count, info.video.bit_depth, info.video.interlaced) == (375, 8, False)
    assert info.audio[0].language == "vie"
    assert (info.audio[0].default, info.audio[0].channels, info.audio[0].sample_rate) == (True, 1, 44100)
    assert info.video_duration == 12.5


def test_parse_probe_rotate_tag_interlace_and_depth() -> None:
    data = {
        "format": {"format_name": "mpeg", "duration": "N/A"},
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "hevc",
                "width": 720,
                "height": 576,
                "field_order": "tt",
                "pix_fmt": "yuv420p10le",
                "tags": {"rotate": "180"},
                "avg_frame_rate": "0/0",
                "r_frame_rate": "25/1",
            }
        ],
    }
    info = parse_probe(data)
    assert info.duration is None
    assert info.video is not None
    assert (info.video.rotation, info.video.interlaced, info.video.bit_depth, info.video.frame_rate) == (
        180,
        True,
        10,
        25.0,
    )
    assert info.audio == ()


def test_png_is_a_still_image() -> None:
    png = parse_probe(
        {
            "format": {"format_name": "png_pipe"},
            "streams": [{"codec_type": "video", "codec_name": "png", "width": 9, "height": 9}],
        }
    )
    assert is_still_image(png)
    assert not is_still_image(parse_probe(PHONE_JSON))


def test_probe_command_fences_the_upload() -> None:
    assert probe_command(Path("/w/-x.mp4")) == [
        "ffprobe",
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        *fenced("file:/w/-x.mp4"),
    ]


def test_probe_real_files(media: Callable[[str], Path]) -> None:
    hevc = probe(media("hevc"))
    assert hevc.video is not None
    assert (hevc.video.codec, hevc.video.bit_depth, hevc.video.frame_rate) == ("hevc", 10, 50.0)
    assert [(a.language, a.channels) for a in hevc.audio] == [("eng", 6), ("vie", 6)]
    interlaced = probe(media("interlaced"))
    assert interlaced.video is not None
    assert interlaced.video.interlaced
    phone = probe(media("phone"))
    assert phone.video is not None
    assert phone.video.rotation == 270


def test_probe_rejects_what_ffprobe_cannot_read(media: Callable[[str], Path], tmp_path: Path) -> None:
    with pytest.raises(SourceRejected) as caught:
        probe(media("random"))
    assert caught.value.code == "not_media"
    assert "/" not in caught.value.message


def test_parse_probe_reads_pixel_aspect_and_start_times() -> None:
    data: dict[str, Any] = {
        "format": {"format_name": "mpeg", "start_time": "0.500000"},
        "streams": [
            {
                "codec_type": "video",
                "width": 720,
                "height": 576,
                "sample_aspect_ratio": "16:15",
                "start_time": "0.670022",
            },
            {"codec_type": "audio", "start_time": "0.500000"},
        ],
    }
    info = parse_probe(data)
    assert info.video is not None
    assert (info.video.sample_aspect, info.video.display_aspect) == (Fraction(16, 15), Fraction(4, 3))
    assert (info.start_time, info.video.start_time, info.video_offset) == (0.5, 0.670022, 0.170022)
    turned = parse_probe({**data, "streams": [{**data["streams"][0], "tags": {"rotate": "90"}}]})
    assert turned.video is not None
    assert turned.video.display_aspect == Fraction(3, 4)
    for unknown in ("0:1", "N/A", None, "1:0", "-4:3"):
        stream = {**data["streams"][0], "sample_aspect_ratio": unknown}
        video = parse_probe({"format": {}, "streams": [stream]}).video
        assert video is not None
        assert video.sample_aspect == 1
    negative = parse_probe(
        {"format": {"start_time": "-0.04"}, "streams": [{**data["streams"][0], "start_time": "0"}]}
    )
    assert negative.video_offset == 0.04
