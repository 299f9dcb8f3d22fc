"""Poster and thumbnails by seeking into the source, for paths without a one-graph encode (chunks).

The source, not an encoded rung: ffmpeg 5.1 cannot seek in fMP4 HLS, and the source is sharper.
The pictures are the plan's own (`plan.pictures`): the same frames, fitted the same way, after the
plan's picture filters (deinterlace, rotation), so they look like the programme.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from transcoder.inputs import source_input
from transcoder.plan import EncodePlan, Filter
from transcoder.run import FFMPEG_QUIET, check, run_capture

__all__ = ["filter_text", "make_thumbnails", "thumbnail_command"]


def filter_text(filters: Sequence[Filter]) -> str:
    """Filters as an `-vf` chain."""
    return ",".join(
        f.name + ("=" + ":".join(f"{k}={v}" for k, v in f.options) if f.options else "") for f in filters
    )


def thumbnail_command(plan: EncodePlan, *, source: Path, outdir: Path) -> list[str]:
    """One ffmpeg run with one seeking input per picture of the plan."""
    args = list(FFMPEG_QUIET)
    upload = source_input(source)
    for picture_plan in plan.pictures:
        at = plan.start + picture_plan.picture.frame / plan.profile.fps
        args += upload.args("-noautorotate", "-ss", f"{at:.3f}")
    common = [f for f in plan.video_filters if f.name != "fps"]
    for index, picture_plan in enumerate(plan.pictures):
        chain = [*common, *(f for f in picture_plan.filters if f.name != "trim")]
        args += [
            "-map",
            f"{index}:v:0",
            "-frames:v",
            "1",
            "-update",
            "1",
            "-vf",
            filter_text(chain),
            "-q:v",
            "3",
            str(outdir / picture_plan.picture.name),
        ]
    return args


def make_thumbnails(
    plan: EncodePlan, *, source: Path, outdir: Path, timeout: float = 300.0
) -> tuple[str, tuple[str, ...]]:
    """Write the plan's poster and thumbnails under `outdir`; return their relative names."""
    for picture_plan in plan.pictures:
        (outdir / picture_plan.picture.name).parent.mkdir(parents=True, exist_ok=True)
    check(run_capture(thumbnail_command(plan, source=source, outdir=outdir), timeout=timeout), "thumbnails")
    names = [picture_plan.picture.name for picture_plan in plan.pictures]
    return names[0], tuple(names[1:])
