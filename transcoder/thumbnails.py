"""Poster and thumbnails by seeking into the source, for paths without a one-graph encode (chunks).

The source, not an encoded rung: ffmpeg 5.1 cannot seek in fMP4 HLS, and the source is sharper.
The plan's picture filters (deinterlace, rotation) are applied so pictures look like the programme.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from transcoder.inputs import source_input
from transcoder.pictures import POSTER_NAME, POSTER_SIZE, THUMB_SIZE, thumbnail_names, thumbnail_times
from transcoder.plan import Filter
from transcoder.run import check, run_capture

__all__ = ["filter_text", "make_thumbnails", "thumbnail_command"]


def filter_text(filters: Sequence[Filter]) -> str:
    """Filters as an `-vf` chain."""
    return ",".join(
        f.name + ("=" + ":".join(f"{k}={v}" for k, v in f.options) if f.options else "") for f in filters
    )


def thumbnail_command(
    *, source: Path, outdir: Path, duration: float, count: int, prefilters: Sequence[Filter] = ()
) -> list[str]:
    """One ffmpeg run with one seeking input per picture."""
    poster_at, thumb_ats = thumbnail_times(duration, count)
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    upload = source_input(source)
    for at in (poster_at, *thumb_ats):
        args += upload.args("-noautorotate", "-ss", f"{at:.3f}")
    pre = filter_text(prefilters) + "," if prefilters else ""
    pictures = [(POSTER_NAME, POSTER_SIZE), *((name, THUMB_SIZE) for name in thumbnail_names(count))]
    for index, (name, (w, h)) in enumerate(pictures):
        args += [
            "-map",
            f"{index}:v:0",
            "-frames:v",
            "1",
            "-update",
            "1",
            "-vf",
            f"{pre}scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2",
            "-q:v",
            "3",
            str(outdir / name),
        ]
    return args


def make_thumbnails(
    *,
    source: Path,
    outdir: Path,
    duration: float,
    count: int = 4,
    prefilters: Sequence[Filter] = (),
    timeout: float = 300.0,
) -> tuple[str, tuple[str, ...]]:
    """Write the poster and `count` thumbnails under `outdir`; return their relative names."""
    (outdir / "thumbs").mkdir(parents=True, exist_ok=True)
    check(
        run_capture(
            thumbnail_command(
                source=source, outdir=outdir, duration=duration, count=count, prefilters=prefilters
            ),
            timeout=timeout,
        ),
        "thumbnails",
    )
    return POSTER_NAME, thumbnail_names(count)
