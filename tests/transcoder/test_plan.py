from __future__ import annotations

from dataclasses import replace

import pytest

from tests.transcoder.test_validate import INFO, VIDEO
from transcoder.loudness import LoudnessMeasurement
from transcoder.plan import Filter, choose_audio, plan_encode, rotation_filters
from transcoder.probe import AudioStream
from transcoder.profile import Profile


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
    plan = plan_encode(info, Profile(), None)
    assert [f.name for f in plan.video_filters] == ["bwdif", "transpose", "fps"]
    assert plan.video_filters[-1] == Filter("fps", (("fps", "25"),))
    assert (plan.frame_count, plan.duration) == (251, 10.04)
    assert plan.audio_position is None
    assert [f.name for f in plan.audio_filters] == ["aresample", "aformat", "apad", "atrim"]
    assert plan.audio_filters[-1] == Filter("atrim", (("end", "10.040000"),))


def test_plan_applies_measured_loudness_linearly() -> None:
    measured = LoudnessMeasurement(
        input_i=-40.0, input_tp=-20.0, input_lra=3.0, input_thresh=-50.0, target_offset=0.1
    )
    info = replace(INFO, audio=(_audio(0, "eng"), _audio(1, "vie")))
    plan = plan_encode(info, Profile(), measured)
    assert plan.audio_position == 1
    loudnorm = next(f for f in plan.audio_filters if f.name == "loudnorm").kwargs()
    assert loudnorm["linear"] == "true"
    assert (loudnorm["I"], loudnorm["TP"], loudnorm["measured_I"], loudnorm["offset"]) == (
        "-23",
        "-1",
        "-40.00",
        "0.10",
    )
    names = [f.name for f in plan.audio_filters]
    assert names == ["aresample", "aformat", "loudnorm", "aresample", "apad", "atrim"]


def test_every_rung_is_scaled_to_fit_and_padded_exactly() -> None:
    plan = plan_encode(INFO, Profile(), None)
    assert [rp.rung.name for rp in plan.rungs] == ["1080p", "720p", "480p", "360p"]
    chain = plan.rungs[2].filters
    assert [f.name for f in chain] == ["scale", "pad", "setsar", "format"]
    assert chain[0].kwargs() == {
        "w": "854",
        "h": "480",
        "force_original_aspect_ratio": "decrease",
        "force_divisible_by": "2",
    }
    assert chain[1].kwargs()["x"] == "(ow-iw)/2"


def test_cannot_plan_without_video() -> None:
    with pytest.raises(ValueError):
        plan_encode(replace(INFO, video=None), Profile(), None)
