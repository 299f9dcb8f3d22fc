"""The live encode takes any contribution to the house format, as the transcoder does files (issue 12):
any shape (anamorphic SD, portrait, 60 fps, mono 44.1 kHz, through the rung cascade), and speech at any
level brought near the house loudness in real time."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.transcoder.checks import active_box, loudness
from tests.transcoder.conftest import ffprobe_json
from transcoder.house import HouseFormat
from transcoder.live import LIST_NAME, LiveEncode, build_live_encode, parse_segment_list

pytestmark = pytest.mark.slow

HOUSE = HouseFormat.with_heights((360, 180), preset="ultrafast", segment_seconds=1.0, gop_seconds=1.0)
FOUR_THREE = {"360p": (480, 360, 80, 0), "180p": (240, 180, 40, 0)}
SIXTEEN_NINE = {"360p": (640, 360, 0, 0), "180p": (320, 180, 0, 0)}
# 9:16 shown whole at full height: 202 (360p) and 102 (180p) wide, centred on an even column (4:2:0)
PORTRAIT = {"360p": (202, 360, 218, 0), "180p": (102, 180, 108, 0)}


def live_encode(source: Path, outdir: Path) -> dict[str, list[Path]]:
    """Run the live ladder over a recorded file; each rung's segments in order."""
    job = LiveEncode(
        house=HOUSE, input_url=str(source), event_start_us=0, first_index=0, outdir=outdir, wall_clock=False
    )
    for rung in HOUSE.rungs:
        (outdir / rung.name).mkdir(parents=True)
    subprocess.run(build_live_encode(job), check=True, timeout=120, capture_output=True)
    segments = {}
    for rung in HOUSE.rungs:
        listed = parse_segment_list((outdir / rung.name / LIST_NAME).read_text())
        assert listed, rung.name
        segments[rung.name] = [outdir / rung.name / s.filename for s in listed]
    return segments


@pytest.mark.parametrize(
    ("name", "boxes"),
    [
        ("pal_4_3", FOUR_THREE),  # 720x576 MPEG-2, SAR 16:15, mono 44.1 kHz
        ("ntsc_16_9", SIXTEEN_NINE),  # 720x480 H.264, SAR 32:27, 29.97 fps
        ("portrait", PORTRAIT),  # a phone held upright: 360x640, 30 fps
    ],
)
def test_every_rung_shows_the_display_aspect_in_its_exact_box(
    name: str, boxes: dict[str, tuple[int, int, int, int]], media: Callable[[str], Path], tmp_path: Path
) -> None:
    segments = live_encode(media(name), tmp_path)
    for rung in HOUSE.rungs:
        segment = segments[rung.name][0]
        streams = {s["codec_type"]: s for s in ffprobe_json(segment, "-show_streams")["streams"]}
        video, audio = streams["video"], streams["audio"]
        assert (video["width"], video["height"]) == (rung.width, rung.height)
        assert video["sample_aspect_ratio"] == "1:1"
        assert video["r_frame_rate"] == "25/1"
        assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
        assert active_box(segment) == boxes[rung.name], rung.name


def test_a_60_fps_1080p_feed_comes_out_at_the_house_rate(
    media: Callable[[str], Path], tmp_path: Path
) -> None:
    segments = live_encode(media("hd60"), tmp_path)
    for rung in HOUSE.rungs:
        frames = ffprobe_json(
            segments[rung.name][0], "-count_frames", "-select_streams", "v:0", "-show_streams"
        )
        stream = frames["streams"][0]
        assert (stream["width"], stream["height"], stream["r_frame_rate"]) == (
            rung.width,
            rung.height,
            "25/1",
        )
        assert int(stream["nb_read_frames"]) == 25  # one whole 1 s segment at 25 fps


@pytest.mark.parametrize("name", ["speech_loud", "speech_quiet"])
def test_speech_at_any_level_airs_near_the_house_loudness(
    name: str, media: Callable[[str], Path], tmp_path: Path
) -> None:
    source = media(name)
    before, _ = loudness(source)
    aired = tmp_path / "aired.ts"
    with aired.open("wb") as out:  # MPEG-TS segments concatenate into one stream
        for segment in live_encode(source, tmp_path / "live")["180p"]:
            out.write(segment.read_bytes())
    level, peak = loudness(aired)
    assert abs(before - HOUSE.loudness_i) > 9  # the source was far off the target
    assert abs(level - HOUSE.loudness_i) <= 2.0, (before, level)
    assert peak <= HOUSE.loudness_tp + 0.5
