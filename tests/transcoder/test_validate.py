from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from tests.transcoder.test_inputs import fenced
from transcoder.errors import SourceRejected
from transcoder.house import HouseFormat
from transcoder.probe import SourceInfo, VideoStream, probe
from transcoder.validate import check_decodable, decode_check_command, validate

VIDEO = VideoStream(
    index=0,
    codec="h264",
    width=1280,
    height=720,
    rotation=0,
    interlaced=False,
    frame_rate=25.0,
    frame_count=250,
    pix_fmt="yuv420p",
    bit_depth=8,
    duration=10.0,
)
INFO = SourceInfo(format_name="mov,mp4", duration=10.0, size=1, video=VIDEO, audio=())


def _code(info: SourceInfo, profile: HouseFormat | None = None) -> str:
    with pytest.raises(SourceRejected) as caught:
        validate(info, profile or HouseFormat())
    assert caught.value.message_vi
    assert caught.value.message_en
    assert caught.value.message.startswith(caught.value.message_vi)
    return caught.value.code


def test_a_good_source_passes() -> None:
    validate(INFO, HouseFormat())


@pytest.mark.parametrize(
    ("info", "code"),
    [
        (replace(INFO, format_name="tty"), "not_media"),
        (replace(INFO, video=None), "no_video"),
        (replace(INFO, format_name="png_pipe", video=replace(VIDEO, codec="png")), "still_image"),
        (replace(INFO, video=replace(VIDEO, codec="mjpeg", frame_count=1)), "still_image"),
        (replace(INFO, duration=0.5, video=replace(VIDEO, duration=0.5)), "too_short"),
        (replace(INFO, duration=None, video=replace(VIDEO, duration=None)), "too_short"),
        (replace(INFO, duration=5 * 3600, video=replace(VIDEO, duration=5 * 3600)), "too_long"),
        (replace(INFO, video=replace(VIDEO, width=8, height=8)), "bad_dimensions"),
        (replace(INFO, video=replace(VIDEO, width=10000, height=720)), "bad_dimensions"),
        (replace(INFO, video=replace(VIDEO, width=2000, height=100)), "bad_dimensions"),
        # stored 720x576 but shown 25 times as wide as high: the pixel aspect counts
        (
            replace(INFO, video=replace(VIDEO, width=720, height=576, sample_aspect=Fraction(20))),
            "bad_dimensions",
        ),
    ],
)
def test_each_problem_has_its_code(info: SourceInfo, code: str) -> None:
    assert _code(info) == code


def test_max_duration_comes_from_the_profile() -> None:
    assert _code(INFO, HouseFormat(max_duration=5.0)) == "too_long"
    with pytest.raises(SourceRejected, match="too long") as caught:
        validate(INFO, HouseFormat(max_duration=5.0))
    assert "0:00:10" in caught.value.message_vi


@pytest.mark.parametrize(
    ("name", "code"),
    [("png", "still_image"), ("audio_only", "no_video"), ("short", "too_short"), ("thin", "bad_dimensions")],
)
def test_real_rejects(name: str, code: str, media: Callable[[str], Path]) -> None:
    assert _code(probe(media(name))) == code


def test_truncated_mp4_is_corrupt_though_ffprobe_reads_it(media: Callable[[str], Path]) -> None:
    path = media("truncated")
    info = probe(path)
    validate(info, HouseFormat())  # the header still claims the full 4 s
    assert info.duration == pytest.approx(4.0, abs=0.1)
    with pytest.raises(SourceRejected) as caught:
        check_decodable(path)
    assert caught.value.code == "corrupt"
    assert str(path.parent) not in caught.value.message


def test_a_whole_file_decodes(media: Callable[[str], Path]) -> None:
    check_decodable(media("basic"))


def test_decode_check_command() -> None:
    last_second = ["-sseof", "-1", *fenced("file:/w/s.mp4"), "-map", "0:v:0", "-f", "null", "-"]
    quiet = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-xerror"]
    assert decode_check_command(Path("/w/s.mp4")) == [*quiet, "-skip_frame", "nokey", *last_second]
    every_frame = decode_check_command(Path("/w/s.mp4"), keyframes_only=False)
    assert "-skip_frame" not in every_frame
    assert every_frame[every_frame.index("-sseof") :] == last_second
