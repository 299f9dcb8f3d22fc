from __future__ import annotations

from pathlib import Path

from tests.transcoder.test_inputs import fenced
from transcoder.plan import Filter
from transcoder.thumbnails import thumbnail_command


def test_command_seeks_each_input_and_applies_the_picture_filters() -> None:
    args = thumbnail_command(
        source=Path("/w/s.mp4"),
        outdir=Path("/w/o"),
        duration=10.0,
        count=1,
        prefilters=[Filter("transpose", (("dir", "clock"),))],
    )
    assert args == [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-noautorotate",
        "-ss",
        "1.000",
        *fenced("file:/w/s.mp4"),
        "-noautorotate",
        "-ss",
        "5.000",
        *fenced("file:/w/s.mp4"),
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-update",
        "1",
        "-vf",
        "transpose=dir=clock,scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2",
        "-q:v",
        "3",
        "/w/o/poster.jpg",
        "-map",
        "1:v:0",
        "-frames:v",
        "1",
        "-update",
        "1",
        "-vf",
        "transpose=dir=clock,scale=320:180:force_original_aspect_ratio=decrease,pad=320:180:(ow-iw)/2:(oh-ih)/2",
        "-q:v",
        "3",
        "/w/o/thumbs/thumb_00.jpg",
    ]
