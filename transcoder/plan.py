"""Pure planning: from what the source is and what the channel wants, decide every filter.

No I/O here; `build.py` turns an `EncodePlan` into ffmpeg arguments mechanically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from transcoder.house import HouseFormat, Rung
from transcoder.loudness import LoudnessMeasurement, limiter_options, loudness_gain, makeup_gain
from transcoder.pictures import Picture, plan_pictures
from transcoder.probe import AudioStream, SourceInfo

__all__ = [
    "EncodePlan",
    "Filter",
    "PicturePlan",
    "RungPlan",
    "choose_audio",
    "fit_inside",
    "plan_encode",
    "rotation_filters",
]

_VIETNAMESE = ("vie", "vi")


@dataclass(frozen=True, slots=True)
class Filter:
    """One ffmpeg filter with named options, in the order given."""

    name: str
    options: tuple[tuple[str, str], ...] = ()

    def kwargs(self) -> dict[str, str]:
        return dict(self.options)


@dataclass(frozen=True, slots=True)
class RungPlan:
    """A rung and the filters that bring the common picture to its exact size."""

    rung: Rung
    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class PicturePlan:
    """A still picture taken inside the encode graph: pick one frame, fit it, square pixels."""

    picture: Picture
    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class EncodePlan:
    """Everything the build needs: one decode, common video filters, then one chain per rung."""

    profile: HouseFormat
    frame_count: int
    audio_position: int | None  # None: the source has no audio, generate silence
    rotation: int
    deinterlace: bool
    loudness: LoudnessMeasurement | None
    video_filters: tuple[Filter, ...]
    audio_filters: tuple[Filter, ...]
    rungs: tuple[RungPlan, ...]
    pictures: tuple[PicturePlan, ...] = ()
    start: float = 0.0  # seconds into the file (ffmpeg's clock) of the first video frame

    @property
    def duration(self) -> float:
        """Output duration in seconds: a whole number of frames at the channel rate."""
        return self.frame_count / self.profile.fps


def choose_audio(streams: Sequence[AudioStream]) -> AudioStream | None:
    """The default-disposition stream, else the Vietnamese one, else the first; None if none."""
    for stream in streams:
        if stream.default:
            return stream
    for stream in streams:
        if (stream.language or "").lower() in _VIETNAMESE:
            return stream
    return streams[0] if streams else None


def rotation_filters(rotation: int) -> tuple[Filter, ...]:
    """Explicit rotation (we pass -noautorotate so the plan, not ffmpeg, decides)."""
    table: dict[int, tuple[Filter, ...]] = {
        0: (),
        90: (Filter("transpose", (("dir", "clock"),)),),
        180: (Filter("hflip"), Filter("vflip")),
        270: (Filter("transpose", (("dir", "cclock"),)),),
    }
    return table[rotation % 360]


def _even(value: Fraction) -> int:
    return max(2, round(value / 2) * 2)


def fit_inside(aspect: Fraction, width: int, height: int) -> tuple[int, int]:
    """The largest even-sided picture of display `aspect` (width/height) inside width x height.

    Computed here rather than by `scale`'s force_original_aspect_ratio, which fits the *stored*
    pixels and so turns a PAL 4:3 frame (720x576, SAR 16:15) into a 5:4 picture."""
    if aspect >= Fraction(width, height):
        return width, min(height, _even(width / aspect))
    return min(width, _even(height * aspect)), height


def _fit_and_pad(aspect: Fraction, width: int, height: int) -> tuple[Filter, ...]:
    """Scale to the fitted size, pad to exactly width x height (centred, black), square pixels."""
    w, h = fit_inside(aspect, width, height)
    return (
        Filter("scale", (("w", str(w)), ("h", str(h)))),
        Filter(
            "pad",
            (
                ("w", str(width)),
                ("h", str(height)),
                ("x", str((width - w) // 2)),
                ("y", str((height - h) // 2)),
                ("color", "black"),
            ),
        ),
        Filter("setsar", (("sar", "1"),)),
    )


def _rung_filters(rung: Rung, aspect: Fraction) -> tuple[Filter, ...]:
    """Fit inside the rung, pad to its exact size, square pixels, 8-bit 4:2:0."""
    return (*_fit_and_pad(aspect, rung.width, rung.height), Filter("format", (("pix_fmts", "yuv420p"),)))


def _picture_filters(picture: Picture, aspect: Fraction) -> tuple[Filter, ...]:
    """One frame (trim by frame number: no decode beyond the main one), fitted and padded."""
    return (
        Filter("trim", (("start_frame", str(picture.frame)), ("end_frame", str(picture.frame + 1)))),
        *_fit_and_pad(aspect, picture.width, picture.height),
    )


def _loudness_filters(measured: LoudnessMeasurement, profile: HouseFormat) -> tuple[Filter, ...]:
    """The gain to the target, the limiter; and, if the limiter took loudness away, the make-up gain
    and the limiter again (see `loudness`). Nothing for audio too quiet to measure."""
    limiter = Filter("alimiter", limiter_options(profile))
    chain: list[Filter] = []
    for gain in (loudness_gain(measured, profile), makeup_gain(measured, profile)):
        if gain is not None:
            chain += [Filter("volume", (("volume", f"{gain:g}dB"),)), limiter]
    return tuple(chain)


def _audio_filters(
    profile: HouseFormat, measured: LoudnessMeasurement | None, *, duration: float, start: float
) -> tuple[Filter, ...]:
    """On the video's clock (its first frame is 0), silence before the audio's first sample and in
    any gap (aresample `first_pts=0`, `async`), stereo 48 kHz, loudness applied (when measured: one
    gain, then a peak limiter with its delay compensated), then padded/trimmed to the video's end."""
    rate = str(profile.audio_sample_rate)
    chain: list[Filter] = [Filter("asetpts", (("expr", f"PTS-{start:.6f}/TB"),))] if start else []
    chain += [
        Filter("aresample", (("out_sample_rate", rate), ("async", "1"), ("first_pts", "0"))),
        Filter("aformat", (("sample_fmts", "fltp"), ("channel_layouts", "stereo"))),
    ]
    if measured is not None:
        chain.extend(_loudness_filters(measured, profile))
    chain.append(Filter("apad", (("whole_dur", f"{duration:.6f}"),)))
    chain.append(Filter("atrim", (("end", f"{duration:.6f}"),)))
    return tuple(chain)


def plan_encode(
    info: SourceInfo,
    profile: HouseFormat,
    measured: LoudnessMeasurement | None,
) -> EncodePlan:
    """Decide the encode of a validated source (validate first: a video stream is required)."""
    video = info.video
    if video is None:
        raise ValueError("cannot plan a source without video")
    duration = info.video_duration or 0.0
    frame_count = max(1, round(duration * profile.fps))
    audio = choose_audio(info.audio)
    # the first frame is 0 whatever the container's clock says, so fps neither repeats it to fill
    # a gap before it nor drops the tail to keep the programme's length
    video_filters: list[Filter] = [Filter("setpts", (("expr", "PTS-STARTPTS"),))]
    if video.interlaced:
        video_filters.append(Filter("bwdif", (("mode", "send_frame"), ("parity", "auto"), ("deint", "all"))))
    video_filters.extend(rotation_filters(video.rotation))
    video_filters.append(Filter("fps", (("fps", str(profile.fps)),)))
    out_duration = frame_count / profile.fps
    start = info.video_offset
    aspect = video.display_aspect
    return EncodePlan(
        profile=profile,
        frame_count=frame_count,
        audio_position=audio.position if audio is not None else None,
        rotation=video.rotation,
        deinterlace=video.interlaced,
        loudness=measured if audio is not None else None,
        video_filters=tuple(video_filters),
        audio_filters=_audio_filters(
            profile, measured if audio is not None else None, duration=out_duration, start=start
        ),
        rungs=tuple(RungPlan(rung=r, filters=_rung_filters(r, aspect)) for r in profile.rungs),
        pictures=tuple(
            PicturePlan(picture=p, filters=_picture_filters(p, aspect))
            for p in plan_pictures(frame_count=frame_count, fps=profile.fps)
        ),
        start=start,
    )
