from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from storage import LocalStore
from tests.transcoder.checks import assert_house_format
from tests.transcoder.conftest import ffprobe_json
from transcoder.house import HouseFormat
from transcoder.slate import find_font, make_slate, slate_profile, slate_source_command


def test_slate_profile_has_one_second_gops_and_segments() -> None:
    profile = slate_profile(HouseFormat())
    assert (profile.gop_frames, profile.segment_seconds, profile.rungs) == (25, 1.0, HouseFormat().rungs)


def test_font_is_dejavu() -> None:
    assert find_font().name.startswith("DejaVuSans")


def test_source_command_reads_texts_from_files() -> None:
    args = slate_source_command(
        out=Path("/w/s.mp4"),
        font=Path("/f/D.ttf"),
        name_file=Path("/w/n.txt"),
        message_file=Path("/w/m.txt"),
        width=1920,
        height=1080,
        fps=25,
        duration=60,
    )
    assert args[args.index("-i") + 1] == "color=c=0x0b1a2e:s=1920x1080:r=25:d=60"
    assert "textfile=/w/n.txt:fontcolor=white:fontsize=120" in args[args.index("-vf") + 1]
    assert "fontfile=/f/D.ttf" in args[args.index("-vf") + 1]


@pytest.mark.slow
def test_slate_is_house_format_in_one_second_segments(tmp_path: Path) -> None:
    profile = HouseFormat.with_heights((180, 144), preset="ultrafast")
    store = LocalStore(tmp_path / "store")
    description = make_slate(
        store=store,
        output_prefix="slate/v1",
        profile=profile,
        workdir=tmp_path / "w",
        channel_name="Pháp luật & Đời sống",
        duration=20.0,  # long enough that generated silence once lagged the video by whole segments
    )
    root = tmp_path / "store/slate/v1"
    assert_house_format(root, slate_profile(profile))  # every segment carries its audio
    assert description.segment_durations == (1.0,) * 20
    frames = ffprobe_json(
        root / "180p/seg_00001.ts",
        "-select_streams",
        "v:0",
        "-count_frames",
        "-show_entries",
        "stream=nb_read_frames",
    )["streams"][0]["nb_read_frames"]
    assert int(frames) == 25
    # The card is not black: the text is drawn.
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(root / "180p/seg_00000.ts"),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    assert max(raw) > 180
    assert sorted(raw)[len(raw) // 2] < 60
