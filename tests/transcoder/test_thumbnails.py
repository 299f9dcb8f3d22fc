from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from tests.transcoder.test_inputs import fenced
from tests.transcoder.test_validate import INFO, VIDEO
from transcoder.house import HouseFormat
from transcoder.plan import plan_encode
from transcoder.thumbnails import thumbnail_command


def test_command_seeks_to_the_plans_pictures_and_fits_them_like_the_encode() -> None:
    # PAL 4:3 (SAR 16:15) turned a quarter, starting 0.5 s into the file's clock
    video = replace(VIDEO, width=720, height=576, sample_aspect=Fraction(16, 15), rotation=90, duration=10.0)
    plan = replace(plan_encode(replace(INFO, video=video), HouseFormat(), None), start=0.5)
    plan = replace(plan, pictures=plan.pictures[:2])
    args = thumbnail_command(plan, source=Path("/w/s.mp4"), outdir=Path("/w/o"))
    assert args == [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-noautorotate",
        "-ss",
        "1.500",
        *fenced("file:/w/s.mp4"),
        "-noautorotate",
        "-ss",
        "2.500",
        *fenced("file:/w/s.mp4"),
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-update",
        "1",
        "-vf",
        "setpts=expr=PTS-STARTPTS,transpose=dir=clock,scale=w=540:h=720,"
        "pad=w=1280:h=720:x=370:y=0:color=black,setsar=sar=1",
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
        "setpts=expr=PTS-STARTPTS,transpose=dir=clock,scale=w=136:h=180,"
        "pad=w=320:h=180:x=92:y=0:color=black,setsar=sar=1",
        "-q:v",
        "3",
        "/w/o/thumbs/thumb_00.jpg",
    ]
