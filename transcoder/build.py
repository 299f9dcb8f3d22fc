"""Pure: an `EncodePlan` to ffmpeg arguments, one decode feeding every rung through `split`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ffmpeg

from transcoder.house import HouseFormat, Rung
from transcoder.inputs import source_input
from transcoder.plan import EncodePlan, Filter

__all__ = [
    "GLOBAL_ARGS",
    "PICTURE_OPTIONS",
    "PLAYLIST_NAME",
    "apply_filters",
    "audio_output_options",
    "build_encode",
    "fan_out",
    "hls_output_options",
    "video_output_options",
]

PLAYLIST_NAME = "index.m3u8"
GLOBAL_ARGS: tuple[str, ...] = (
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "warning",
    "-progress",
    "pipe:1",
    "-y",
)


def apply_filters(stream: Any, filters: Sequence[Filter]) -> Any:
    for f in filters:
        stream = stream.filter(f.name, **f.kwargs())
    return stream


def fan_out(stream: Any, count: int, split_name: str) -> list[Any]:
    """`count` copies of `stream`: the stream itself for one, a split filter for more."""
    if count == 1:
        return [stream]
    node = stream.filter_multi_output(split_name, str(count))
    return [node[i] for i in range(count)]


PICTURE_OPTIONS: dict[str, Any] = {"frames:v": 1, "update": 1, "q:v": 3}


def video_output_options(profile: HouseFormat, rung: Rung) -> dict[str, Any]:
    """libx264 High at the rung's level, fixed closed GOPs aligned on segment starts, VBV."""
    gop = profile.gop_frames
    return {
        "c:v": "libx264",
        "preset": profile.preset,
        "profile:v": "high",
        "8x8dct": 1,  # x264 labels a stream High only if it uses 8x8 transforms (ultrafast does not)
        "level:v": rung.level,
        "pix_fmt": "yuv420p",
        "b:v": f"{rung.bitrate_k}k",
        "maxrate": f"{rung.maxrate_k}k",
        "bufsize": f"{rung.bufsize_k}k",
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
        "flags": "+cgop",
        "force_key_frames": f"expr:gte(t,n_forced*{profile.gop_seconds:g})",
    }


def audio_output_options(profile: HouseFormat) -> dict[str, Any]:
    """AAC-LC stereo at the house rate and bitrate."""
    return {
        "c:a": "aac",
        "b:a": f"{profile.audio_bitrate_k}k",
        "ar": profile.audio_sample_rate,
        "ac": profile.audio_channels,
    }


def hls_output_options(profile: HouseFormat, *, rung_dir: Path) -> dict[str, Any]:
    """A VOD HLS rendition: fixed segment length, segments named `seg_%05d.<ext>`."""
    options: dict[str, Any] = {
        "f": "hls",
        "hls_time": f"{profile.segment_seconds:g}",
        "hls_playlist_type": "vod",
        "hls_segment_filename": str(rung_dir / f"seg_%05d.{profile.segment_extension}"),
        "max_muxing_queue_size": 4096,
        # interleave strictly: a generated audio source (silence) may lag the video, and the default
        # 10 s allowance would put its packets into later segments, leaving early segments without audio
        "max_interleave_delta": 0,
    }
    if profile.segment_format == "fmp4":
        options["hls_segment_type"] = "fmp4"
        options["hls_fmp4_init_filename"] = "init.mp4"
    return options


def build_encode(plan: EncodePlan, *, source: Path, outdir: Path) -> list[str]:
    """The whole ffmpeg command: decode once, common filters, split, per-rung scale+encode+HLS."""
    profile = plan.profile
    upload = source_input(source).stream(noautorotate=None)
    video = apply_filters(upload["v:0"], plan.video_filters)
    if plan.audio_position is None:
        silence = ffmpeg.input(
            f"anullsrc=channel_layout=stereo:sample_rate={profile.audio_sample_rate}", f="lavfi"
        )
        audio = apply_filters(silence["a:0"], plan.audio_filters)
    else:
        audio = apply_filters(upload[f"a:{plan.audio_position}"], plan.audio_filters)
    count = len(plan.rungs)
    videos = fan_out(video, count + len(plan.pictures), "split")
    audios = fan_out(audio, count, "asplit")
    outputs = []
    for picture_plan, v in zip(plan.pictures, videos[count:], strict=True):
        outputs.append(
            ffmpeg.output(
                apply_filters(v, picture_plan.filters),
                str(outdir / picture_plan.picture.name),
                **PICTURE_OPTIONS,
            )
        )
    for rung_plan, v, a in zip(plan.rungs, videos[:count], audios, strict=True):
        rung_dir = outdir / rung_plan.rung.name
        options = {
            **video_output_options(profile, rung_plan.rung),
            **audio_output_options(profile),
            **hls_output_options(profile, rung_dir=rung_dir),
            "t": f"{plan.duration:.6f}",
        }
        outputs.append(
            ffmpeg.output(apply_filters(v, rung_plan.filters), a, str(rung_dir / PLAYLIST_NAME), **options)
        )
    args: list[str] = ffmpeg.merge_outputs(*outputs).get_args()
    return ["ffmpeg", *GLOBAL_ARGS, *args]
