"""A live contribution into the house format in real time, cut on the wall clock. Pure: arguments in,
ffmpeg arguments out, and the reading of what ffmpeg reports.

The input's timestamps are the ingest's wall clock (``-use_wallclock_as_timestamps``, ``-copyts``),
shifted so that 0 is the first segment boundary the encode starts at (``first_index``): segment ``n``
of the event covers ``[start + n·D, start + (n+1)·D)``. The first frame and sample are put at exactly 0
(``fps`` start_time, ``aresample`` first_pts: the segment muxer counts from its first packet) and the
frame rate is made constant on that grid,
a keyframe opens every GOP of the grid, and the segment muxer cuts every D, so each file is exactly
one wall-clock segment; the first and last of a run (a publisher joining or leaving mid-segment) are
partial and dropped by `aligned_segment` (the slate covers them). Every rung is scaled to fit and
padded to its exact size with square pixels (portrait, 4:3, any SAR), at the house rate, GOP,
codecs, AAC 48 kHz stereo (mono is upmixed), loudness brought near the target by a dynamic normaliser and
a true-peak limiter (short look-ahead: a live segment must be ready within the grace).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from transcoder.build import audio_output_options, video_output_options
from transcoder.house import HouseFormat

__all__ = [
    "LIST_NAME",
    "ListedSegment",
    "LiveEncode",
    "aligned_segment",
    "build_live_encode",
    "parse_segment_list",
]

LIST_NAME = "segments.csv"
#: real-time loudness: ffmpeg's dynamic normaliser steering the level to an RMS near the house target
#: (frames of 150 ms, smoothed over 5: under a second of look-ahead), at most +26 dB so a muted
#: microphone's hiss is not raised to speech level, then a limiter at the house true peak. One-pass
#: loudnorm was measured adding ~3 s (its look-ahead): past the grace a live segment has.
_FRAME_MS = 150
_SMOOTHING_FRAMES = 5
_MAX_GAIN = 20.0
#: each channel's RMS over the stereo feed's integrated loudness: speech's RMS sits ~3 dB above its
#: LUFS in mono, and two equal channels add 3 dB of loudness (measured on synthesised voice)
_RMS_OVER_LUFS_DB = 0.0
#: no look-ahead and no B-frames: a frame leaves the encoder a few frames (its threads) after entering
_NO_LOOKAHEAD = "rc-lookahead=0:sync-lookahead=0:bframes=0:mbtree=0"
#: how far a cut may sit from its wall-clock boundary and still count as aligned (a frame at 25 fps)
_TOLERANCE_S = 0.041


@dataclass(frozen=True, slots=True)
class LiveEncode:
    """One run of the live encoder: what it reads, from which segment on, where it writes."""

    house: HouseFormat
    input_url: str
    event_start_us: int
    first_index: int
    outdir: Path
    input_options: tuple[str, ...] = ()
    #: stamp the input with the ingest's clock; False reads a recorded file on its own timestamps
    #: (tests and benchmarks feed files as fast as they encode)
    wall_clock: bool = True
    #: False for a contribution without sound (a camera without a microphone): silence airs with it
    has_audio: bool = True

    @property
    def origin_s(self) -> float:
        """Wall clock (s since the epoch) of t = 0: the start of segment ``first_index``."""
        return (self.event_start_us / 1_000_000) + self.first_index * self.house.segment_seconds


def _fit(width: int, height: int, *, up: bool) -> str:
    """`scale` options for the largest even-sided picture of the input's aspect inside width x height,
    rounded to the nearest even size like `transcoder.plan.fit_inside` (the live input's size is
    known only to ffmpeg, and may change when a publisher reconnects); ``up=False`` never enlarges."""
    wide = f"gte(iw/ih\\,{width}/{height})"
    w = f"if({wide}\\,{width}\\,min({width}\\,max(2\\,round({height}*iw/ih/2)*2)))"
    h = f"if({wide}\\,min({height}\\,max(2\\,round({width}*ih/iw/2)*2))\\,{height})"
    if not up:
        w, h = f"min(iw\\,{w})", f"min(ih\\,{h})"
    return f"scale=w={w}:h={h}"


def _video_graph(job: LiveEncode) -> str:
    """One decode, square pixels, then a cascade: each rung's picture is scaled from the one above it
    (never up), so only the first scale works at the source's size; each rung then fits its own box
    (a no-op unless the source is smaller) and is padded to it. Scaling every rung from the source
    kept the single filter thread ~40 % busier."""
    house = job.house
    rungs = house.rungs
    parts = [
        f"[0:v:0]setpts=PTS-{job.origin_s:.6f}/TB,fps={house.fps}:start_time=0,"
        # an anamorphic source (SD with SAR 16:15, HDV 1440x1080) to square pixels; SAR 1 passes as is
        "scale=w=round(iw*sar/2)*2:h=ih,setsar=1[c0]"
    ]
    for i, rung in enumerate(rungs):
        branch = f"[c{i}]"
        if i + 1 < len(rungs):
            below = rungs[i + 1]
            parts.append(f"[c{i}]split=2[b{i}][d{i}]")
            parts.append(f"[d{i}]{_fit(below.width, below.height, up=False)}[c{i + 1}]")
            branch = f"[b{i}]"
        parts.append(
            f"{branch}{_fit(rung.width, rung.height, up=True)},pad=w={rung.width}:h={rung.height}:"
            f"x=(ow-iw)/2:y=(oh-ih)/2:color=black,setsar=1,format=yuv420p[v{i}]"
        )
    return ";".join(parts)


def _audio_graph(job: LiveEncode) -> str:
    house = job.house
    count = len(house.rungs)
    outputs = "".join(f"[a{i}]" for i in range(count))
    if not job.has_audio:
        # generated in the graph, from 0 = the first boundary: the muxers pull it at the video's pace
        return f"anullsrc=r={house.audio_sample_rate}:cl=stereo,asplit={count}{outputs}"
    return (
        f"[0:a:0]asetpts=PTS-{job.origin_s:.6f}/TB,atrim=start=0,"
        f"aresample={house.audio_sample_rate}:async=1:first_pts=0,"
        f"aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"dynaudnorm=f={_FRAME_MS}:g={_SMOOTHING_FRAMES}:p=0.9:m={_MAX_GAIN:g}:"
        f"r={10 ** ((house.loudness_i + _RMS_OVER_LUFS_DB) / 20):.4f},"
        f"alimiter=limit={10 ** (house.loudness_tp / 20):.4f}:attack=5:release=50:level=disabled,"
        f"asplit={count}{outputs}"
    )


def _keyframes(house: HouseFormat) -> str:
    """A keyframe at the first frame of every GOP of the wall-clock grid (also when joining late)."""
    gop = f"{house.gop_seconds:g}"
    return f"expr:isnan(prev_forced_t)+gte(floor(t/{gop}+0.0001),floor(prev_forced_t/{gop}+0.0001)+1)"


def build_live_encode(job: LiveEncode) -> list[str]:
    """ffmpeg arguments: one decode, the ladder, one segment muxer per rung writing ``<rung>/`` files
    named by segment index and a CSV list of what it cut (``LIST_NAME``)."""
    house = job.house
    args = [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "warning",
        "-y",
        "-copyts",  # keep the wall clock: ffmpeg would otherwise start every input at 0
        *(("-use_wallclock_as_timestamps", "1") if job.wall_clock else ()),
        "-fflags",
        "+genpts",
        *job.input_options,
        "-i",
        job.input_url,
        "-filter_complex",
        f"{_video_graph(job)};{_audio_graph(job)}",
    ]
    for i, rung in enumerate(house.rungs):
        video = video_output_options(house, rung)
        video["force_key_frames"] = _keyframes(house)
        audio = audio_output_options(house)
        rung_dir = job.outdir / rung.name
        args += ["-map", f"[v{i}]", "-map", f"[a{i}]"]
        for name, value in {**video, **audio}.items():
            args += [f"-{name}", str(value)]
        args += [
            # what `-tune zerolatency` turns off, but keeping x264's frame threads: sliced threads
            # encode one frame at a time, so the rungs ran one after another (1.40x against 1.74x
            # real time on a 20 s 1080p trial; docs/benchmarks.md)
            "-x264-params",
            _NO_LOOKAHEAD,
            "-f",
            "segment",
            "-segment_format",
            "mpegts",
            "-segment_time",
            f"{house.segment_seconds:g}",
            "-segment_start_number",
            str(job.first_index),
            "-segment_list",
            str(rung_dir / LIST_NAME),
            "-segment_list_type",
            "csv",
            "-segment_list_flags",
            "live",
            "-max_muxing_queue_size",
            "4096",
            str(rung_dir / "run_%05d.ts"),
        ]
    return args


@dataclass(frozen=True, slots=True)
class ListedSegment:
    """A line of the segment muxer's CSV: the file and its start and end (s, on the encode's clock)."""

    filename: str
    start_s: float
    end_s: float


def parse_segment_list(text: str) -> list[ListedSegment]:
    """The complete lines of a CSV segment list (a line still being written is left for later)."""
    out: list[ListedSegment] = []
    for line in text.split("\n")[:-1]:
        parts = line.strip().split(",")
        if len(parts) != 3:
            continue
        try:
            out.append(ListedSegment(parts[0], float(parts[1]), float(parts[2])))
        except ValueError:
            continue
    return out


def aligned_segment(listed: ListedSegment, *, segment_seconds: float, first_index: int) -> int | None:
    """The event's segment index of a cut file, or None when it is not one whole wall-clock segment."""
    k = round(listed.start_s / segment_seconds)
    start_ok = abs(listed.start_s - k * segment_seconds) <= _TOLERANCE_S
    end_ok = abs(listed.end_s - (k + 1) * segment_seconds) <= _TOLERANCE_S
    return first_index + k if start_ok and end_ok and k >= 0 else None
