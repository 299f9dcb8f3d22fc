from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from tests.transcoder.test_validate import INFO, VIDEO
from transcoder.house import HouseFormat, rung_for_height
from transcoder.loudness import LoudnessMeasurement
from transcoder.plan import Filter, choose_audio, fit_inside, plan_encode, rotation_filters
from transcoder.probe import AudioStream


def _audio(position: int, language: str | None, default: bool = False) -> AudioStream:
    return AudioStream(
        index=position + 1,
        position=position,
        codec="aac",
        language=language,
        default=default,
        channels=6,
        layout="5.1",
        sample_rate=48000,
    )


def test_audio_choice_default_then_vietnamese_then_first() -> None:
    assert choose_audio([]) is None
    assert choose_audio(
        [_audio(0, "eng"), _audio(1, "vie", default=False), _audio(2, "fra", default=True)]
    ) == _audio(2, "fra", default=True)
    assert choose_audio([_audio(0, "eng"), _audio(1, "vie")]) == _audio(1, "vie")
    assert choose_audio([_audio(0, "eng"), _audio(1, "VI")]) == _audio(1, "VI")
    assert choose_audio([_audio(0, "eng"), _audio(1, None)]) == _audio(0, "eng")


@pytest.mark.parametrize(
    ("rotation", "names"), [(0, []), (90, ["transpose"]), (180, ["hflip", "vflip"]), (270, ["transpose"])]
)
def test_rotation_filters(rotation: int, names: list[str]) -> None:
    assert [f.name for f in rotation_filters(rotation)] == names


def test_rotation_directions() -> None:
    assert rotation_filters(90) == (Filter("transpose", (("dir", "clock"),)),)
    assert rotation_filters(270) == (Filter("transpose", (("dir", "cclock"),)),)


def test_plan_deinterlaces_then_rotates_then_converts_rate() -> None:
    info = replace(INFO, video=replace(VIDEO, interlaced=True, rotation=90, frame_rate=59.94, duration=10.05))
    plan = plan_encode(info, HouseFormat(), None)
    assert [f.name for f in plan.video_filters] == ["setpts", "bwdif", "transpose", "fps"]
    assert plan.video_filters[0] == Filter("setpts", (("expr", "PTS-STARTPTS"),))
    assert plan.video_filters[-1] == Filter("fps", (("fps", "25"),))
    assert (plan.frame_count, plan.duration, plan.start) == (251, 10.04, 0.0)
    assert plan.audio_position is None
    assert [f.name for f in plan.audio_filters] == ["aresample", "aformat", "apad", "atrim"]
    assert plan.audio_filters[-1] == Filter("atrim", (("end", "10.040000"),))


def test_the_programme_starts_at_the_first_video_frame() -> None:
    # MPEG-PS: the file's clock starts with the audio at 0.5 s, the video 0.170022 s later
    info = replace(INFO, start_time=0.5, video=replace(VIDEO, start_time=0.670022), audio=(_audio(0, None),))
    plan = plan_encode(info, HouseFormat(), None)
    assert plan.start == 0.170022
    assert plan.audio_filters[:2] == (
        Filter("asetpts", (("expr", "PTS-0.170022/TB"),)),
        Filter("aresample", (("out_sample_rate", "48000"), ("async", "1"), ("first_pts", "0"))),
    )
    assert plan_encode(replace(info, start_time=None), HouseFormat(), None).start == 0.0


def test_plan_applies_measured_loudness_as_one_gain_and_a_limiter() -> None:
    measured = LoudnessMeasurement(input_i=-40.0, input_tp=-20.0, input_lra=3.0, input_thresh=-50.0)
    info = replace(INFO, audio=(_audio(0, "eng"), _audio(1, "vie")))
    plan = plan_encode(info, HouseFormat(), measured)
    assert plan.audio_position == 1
    names = [f.name for f in plan.audio_filters]  # no asetpts: the video starts with the file
    assert names == ["aresample", "aformat", "volume", "alimiter", "apad", "atrim"]
    assert plan.audio_filters[2:4] == (
        Filter("volume", (("volume", "17dB"),)),
        Filter("alimiter", (("limit", "0.7943"), ("level", "false"), ("latency", "true"))),
    )
    silent = replace(measured, input_i=-70.0)
    assert [f.name for f in plan_encode(info, HouseFormat(), silent).audio_filters][2:] == ["apad", "atrim"]
    # the limiter took 1.6 LU away with the peaks: made up after it, then limited again
    limited = replace(measured, input_tp=-8.0, limited_i=-24.6)
    chain = plan_encode(info, HouseFormat(), limited).audio_filters[2:6]
    assert [f.name for f in chain] == ["volume", "alimiter", "volume", "alimiter"]
    assert chain[2] == Filter("volume", (("volume", "1.6dB"),))


def test_every_rung_is_scaled_to_fit_and_padded_exactly() -> None:
    plan = plan_encode(INFO, HouseFormat(), None)
    assert [rp.rung.name for rp in plan.rungs] == ["1080p", "720p", "480p", "360p"]
    chain = plan.rungs[2].filters
    assert [f.name for f in chain] == ["scale", "pad", "setsar", "format"]
    assert chain[0].kwargs() == {"w": "854", "h": "480"}
    assert chain[1].kwargs() == {"w": "854", "h": "480", "x": "0", "y": "0", "color": "black"}


@pytest.mark.parametrize(
    ("size", "sar", "rotation", "box", "fitted"),
    [
        ((720, 576), Fraction(16, 15), 0, (1280, 720), (960, 720)),  # PAL 4:3, not 900x720 (5:4)
        ((720, 576), Fraction(64, 45), 0, (1280, 720), (1280, 720)),  # PAL 16:9
        ((720, 480), Fraction(8, 9), 0, (1280, 720), (960, 720)),  # NTSC 4:3
        ((720, 480), Fraction(32, 27), 0, (1280, 720), (1280, 720)),  # NTSC 16:9
        ((720, 576), Fraction(16, 15), 0, (426, 240), (320, 240)),
        ((720, 576), Fraction(16, 15), 0, (854, 480), (640, 480)),
        ((1920, 1080), Fraction(1), 90, (1280, 720), (404, 720)),  # a vertical phone video
        ((1440, 1080), Fraction(4, 3), 0, (1920, 1080), (1920, 1080)),  # HDV
        ((2000, 200), Fraction(1), 0, (640, 360), (640, 64)),  # letterboxed
    ],
)
def test_rungs_fit_the_display_aspect_not_the_stored_pixels(
    size: tuple[int, int], sar: Fraction, rotation: int, box: tuple[int, int], fitted: tuple[int, int]
) -> None:
    video = replace(VIDEO, width=size[0], height=size[1], sample_aspect=sar, rotation=rotation)
    assert fit_inside(video.display_aspect, *box) == fitted
    rung = rung_for_height(box[1])
    if rung.width == box[0]:
        plan = plan_encode(replace(INFO, video=video), HouseFormat(rungs=(rung,)), None)
        scale, pad = plan.rungs[0].filters[:2]
        assert (scale.kwargs()["w"], scale.kwargs()["h"]) == (str(fitted[0]), str(fitted[1]))
        assert (pad.kwargs()["x"], pad.kwargs()["y"]) == (
            str((box[0] - fitted[0]) // 2),
            str((box[1] - fitted[1]) // 2),
        )
        poster = plan.pictures[0].filters[1].kwargs()
        assert (poster["w"], poster["h"]) == tuple(
            str(v) for v in fit_inside(video.display_aspect, 1280, 720)
        )


def test_cannot_plan_without_video() -> None:
    with pytest.raises(ValueError):
        plan_encode(replace(INFO, video=None), HouseFormat(), None)
