"""Long programmes in chunks (pure): segment-aligned ranges and the ffmpeg arguments per step.

Chunk video is encoded per chunk (all rungs, one decode), the audio once for the whole programme,
then each rung is concatenated with `-c copy` and segmented into HLS without re-encoding. Chunk
starts are whole segments, so GOPs and segment boundaries land exactly where a single job puts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from transcoder.build import (
    GLOBAL_ARGS,
    PLAYLIST_NAME,
    apply_filters,
    audio_output_options,
    fan_out,
    hls_output_options,
    video_output_options,
)
from transcoder.house import HouseFormat, Rung
from transcoder.inputs import source_input
from transcoder.plan import EncodePlan, Filter

__all__ = [
    "AUDIO_NAME",
    "SEEK_MARGIN",
    "ChunkRange",
    "build_audio_encode",
    "build_chunk_encode",
    "build_package_rung",
    "chunk_name",
    "concat_list",
    "plan_chunks",
]

AUDIO_NAME = "audio.m4a"
#: seconds decoded (and dropped) before a chunk's first frame; more than any B-frame reordering
SEEK_MARGIN = 2.0


@dataclass(frozen=True, slots=True)
class ChunkRange:
    """Frames [start_frame, start_frame + frame_count) of the output, at the channel rate."""

    index: int
    start_frame: int
    frame_count: int

    def start(self, fps: int) -> float:
        return self.start_frame / fps

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChunkRange:
        return cls(
            index=int(data["index"]),
            start_frame=int(data["start_frame"]),
            frame_count=int(data["frame_count"]),
        )


def plan_chunks(*, frame_count: int, profile: HouseFormat, chunk_seconds: float) -> tuple[ChunkRange, ...]:
    """Cut `frame_count` output frames into chunks of about `chunk_seconds`, each a whole number of
    segments (the last takes the remainder)."""
    segment_frames = round(profile.segment_seconds * profile.fps)
    per_chunk = max(1, round(chunk_seconds / profile.segment_seconds)) * segment_frames
    starts = range(0, frame_count, per_chunk)
    return tuple(
        ChunkRange(index=i, start_frame=start, frame_count=min(per_chunk, frame_count - start))
        for i, start in enumerate(starts)
    )


def chunk_name(rung: Rung, index: int) -> str:
    """Where chunk `index` of `rung` lives, relative to the chunk folder or scratch prefix."""
    return f"{rung.name}/chunk_{index:05d}.mp4"


def _chunk_start(plan: EncodePlan, chunk: ChunkRange) -> tuple[dict[str, str], tuple[Filter, ...]]:
    """Input seek and trim that make the chunk's first frame the first one through the plan's filters.

    The seek lands `SEEK_MARGIN` early: ffmpeg seeks to the keyframe at or before it, and a keyframe
    found right at the chunk's start may be one whose leading B-frames (an open GOP, common in
    MPEG-2) include the chunk's first frame, which then cannot be decoded. The trim then drops
    everything up to half a frame before that frame (`plan.start` on), so rounding can neither
    drop it nor keep the one before; the plan's `setpts` makes it time 0."""
    if chunk.start_frame == 0:
        return {}, ()
    at = plan.start + chunk.start(plan.profile.fps) - 0.5 / plan.profile.fps
    seek = max(0.0, at - SEEK_MARGIN)
    trim = (Filter("trim", (("start", f"{at - seek:.6f}"),)),)
    return ({"ss": f"{seek:.6f}"} if seek > 0 else {}), trim


def build_chunk_encode(plan: EncodePlan, chunk: ChunkRange, *, source: Path, outdir: Path) -> list[str]:
    """Video only, every rung from one decode, frames of `chunk` only (see `_chunk_start`)."""
    profile = plan.profile
    seek, trim = _chunk_start(plan, chunk)
    upload = source_input(source).stream(noautorotate=None, **seek)
    video = apply_filters(upload["v:0"], (*trim, *plan.video_filters))
    outputs = []
    for rung_plan, v in zip(plan.rungs, fan_out(video, len(plan.rungs), "split"), strict=True):
        options = {
            **video_output_options(profile, rung_plan.rung),
            "frames:v": chunk.frame_count,
            "an": None,
            "f": "mp4",
        }
        path = outdir / chunk_name(rung_plan.rung, chunk.index)
        outputs.append(ffmpeg.output(apply_filters(v, rung_plan.filters), str(path), **options))
    args: list[str] = ffmpeg.merge_outputs(*outputs).get_args()
    return ["ffmpeg", *GLOBAL_ARGS, *args]


def build_audio_encode(plan: EncodePlan, *, source: Path, out: Path) -> list[str]:
    """The whole programme's audio, once: same chain as the single job (loudness, pad/trim)."""
    profile = plan.profile
    if plan.audio_position is None:
        silence = ffmpeg.input(
            f"anullsrc=channel_layout=stereo:sample_rate={profile.audio_sample_rate}", f="lavfi"
        )
        audio = apply_filters(silence["a:0"], plan.audio_filters)
    else:
        audio = apply_filters(source_input(source).stream()[f"a:{plan.audio_position}"], plan.audio_filters)
    args: list[str] = ffmpeg.output(audio, str(out), **audio_output_options(profile), f="mp4").get_args()
    return ["ffmpeg", *GLOBAL_ARGS, *args]


def concat_list(paths: Sequence[Path]) -> str:
    """A concat-demuxer list of absolute paths (single quotes escaped)."""
    return "".join("file '{}'\n".format(str(p).replace("'", "'\\''")) for p in paths)


def build_package_rung(
    profile: HouseFormat, rung: Rung, *, list_file: Path, audio: Path, rung_dir: Path
) -> list[str]:
    """Concatenate a rung's chunks and the audio with `-c copy` and segment them into HLS."""
    video_in = ffmpeg.input(str(list_file), f="concat", safe=0)
    audio_in = ffmpeg.input(str(audio))
    options = {**hls_output_options(profile, rung_dir=rung_dir), "c": "copy"}
    output = ffmpeg.output(video_in["v:0"], audio_in["a:0"], str(rung_dir / PLAYLIST_NAME), **options)
    args: list[str] = output.get_args()
    return ["ffmpeg", *GLOBAL_ARGS, *args]
