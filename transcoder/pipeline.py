"""The single-job transcode: download, probe, validate, measure, plan, build, run, package, upload.

The only impure orchestration in the package; each step is a function of its own module.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from transcoder.build import build_encode
from transcoder.describe import AudioDescription, Description
from transcoder.errors import TimedOut, TranscodeFailed
from transcoder.house import HouseFormat
from transcoder.loudness import LoudnessMeasurement, measure
from transcoder.package import describe_output, measure_rungs, read_rendition, write_package
from transcoder.plan import EncodePlan, plan_encode
from transcoder.probe import SourceInfo, probe
from transcoder.progress import stage_reporter
from transcoder.publish import output_folder, publish, upload_package
from transcoder.run import check, run_ffmpeg
from transcoder.thumbnails import make_thumbnails
from transcoder.types import OnProgress, ShouldCancel, TranscodeStore
from transcoder.validate import check_decodable, validate

__all__ = [
    "Deadline",
    "audio_description",
    "encode_local",
    "finish_package",
    "output_folder",
    "prepare_source",
    "safe_suffix",
    "segments_written",
    "transcode",
    "upload_package",
]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A job-wide hard deadline; each subprocess gets what is left of it."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(at=time.monotonic() + seconds)

    @classmethod
    def at_epoch(cls, epoch_seconds: float) -> Deadline:
        """From a wall-clock instant (`time.time()` based), the form a deadline travels in a job payload."""
        return cls(at=time.monotonic() + (epoch_seconds - time.time()))

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise TimedOut("the transcode exceeded its time limit")
        return remaining


def safe_suffix(key: str) -> str:
    """The key's extension if it is short and plain ASCII (it helps ffprobe), else nothing."""
    suffix = PurePosixPath(key).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def prepare_source(
    path: Path,
    *,
    profile: HouseFormat,
    deadline: Deadline,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> tuple[SourceInfo, LoudnessMeasurement | None, EncodePlan]:
    """Probe, validate (raising `SourceRejected`), measure loudness and plan."""
    stage_reporter(on_progress, "probe")
    info = probe(path, timeout=deadline.left())
    validate(info, profile)
    check_decodable(path, timeout=deadline.left())
    stage_reporter(on_progress, "loudness")
    plan0 = plan_encode(info, profile, None)
    measured = None
    if plan0.audio_position is not None:
        measured = measure(
            path,
            audio_position=plan0.audio_position,
            profile=profile,
            timeout=deadline.left(),
            should_cancel=should_cancel,
        )
    return info, measured, plan_encode(info, profile, measured)


def audio_description(profile: HouseFormat, measured: LoudnessMeasurement | None) -> AudioDescription:
    """Audio facts for description.json; `output_i` is the target the linear pass applies."""
    return AudioDescription(
        codec="aac",
        sample_rate=profile.audio_sample_rate,
        channels=profile.audio_channels,
        measured_input_i=measured.input_i if measured else None,
        measured_input_tp=measured.input_tp if measured else None,
        output_i=profile.loudness_i if measured else None,
    )


def segments_written(outdir: Path, plan: EncodePlan) -> float:
    """Percent of the programme whose segments every rung has finished writing in `outdir`.

    The HLS muxer writes each segment straight to its final name, so the newest file of a rung may be
    incomplete; only the ones before it count. A progress signal of its own: ffmpeg's reports come late.
    """
    if plan.duration <= 0:
        return 0.0
    pattern = f"seg_*.{plan.profile.segment_extension}"
    finished = min(
        (max(0, sum(1 for _ in (outdir / rp.rung.name).glob(pattern)) - 1) for rp in plan.rungs), default=0
    )
    return min(100.0, finished * plan.profile.segment_seconds * 100.0 / plan.duration)


def encode_local(
    source: Path,
    outdir: Path,
    *,
    plan: EncodePlan,
    deadline: Deadline,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> Description:
    """Encode every rung into `outdir`, then thumbnails, description.json and master.m3u8."""
    for rung_plan in plan.rungs:
        (outdir / rung_plan.rung.name).mkdir(parents=True, exist_ok=True)
    for picture_plan in plan.pictures:
        (outdir / picture_plan.picture.name).parent.mkdir(parents=True, exist_ok=True)
    encode_progress = stage_reporter(on_progress, "encode")
    result = run_ffmpeg(
        build_encode(plan, source=source, outdir=outdir),
        timeout=deadline.left(),
        duration=plan.duration,
        on_progress=encode_progress,
        should_cancel=should_cancel,
        watch=lambda: segments_written(outdir, plan),
    )
    check(result, "encode")
    stage_reporter(on_progress, "package")
    return finish_package(source, outdir, plan=plan, deadline=deadline, pictures_ready=True)


def finish_package(
    source: Path, outdir: Path, *, plan: EncodePlan, deadline: Deadline, pictures_ready: bool = False
) -> Description:
    """After the rungs are in `outdir`: check them, measure them, pictures (unless the encode made
    them), description.json, master.m3u8."""
    profile = plan.profile
    outputs = [read_rendition(outdir / rp.rung.name, rp.rung) for rp in plan.rungs]
    names = [pp.picture.name for pp in plan.pictures]
    if pictures_ready:
        missing = [name for name in names if not (outdir / name).is_file()]
        if missing:
            raise TranscodeFailed(f"the encode did not write {', '.join(missing)}")
        poster, thumbs = names[0], tuple(names[1:])
    else:
        poster, thumbs = make_thumbnails(plan, source=source, outdir=outdir, timeout=deadline.left())
    measured, gops = measure_rungs(outdir, profile=profile, outputs=outputs, timeout=deadline.left())
    description = describe_output(
        outputs,
        measured=measured,
        gops=gops,
        profile=profile,
        audio=audio_description(profile, plan.loudness),
        poster=poster,
        thumbnails=thumbs,
    )
    write_package(outdir, description)
    return description


def transcode(
    *,
    store: TranscodeStore,
    source_key: str,
    output_prefix: str,
    profile: HouseFormat,
    workdir: Path,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    timeout: float = 6 * 3600.0,
) -> Description:
    """Source object to a complete house-format programme under `output_prefix` (ends with '/').

    A prefix that is already complete (a re-delivered job) is returned as stored, not re-encoded.
    Raises `SourceRejected` for an unusable source, `Cancelled`, `TimedOut` or `TranscodeFailed`;
    on any failure nothing is left under `output_prefix`.
    """
    deadline = Deadline.after(timeout)

    def produce(job_dir: Path) -> tuple[Path, Description]:
        stage_reporter(on_progress, "download")
        source = job_dir / f"source{safe_suffix(source_key)}"  # safe name, original extension
        store.download(source_key, source)
        _, _, plan = prepare_source(
            source, profile=profile, deadline=deadline, on_progress=on_progress, should_cancel=should_cancel
        )
        outdir = job_dir / "out"
        description = encode_local(
            source, outdir, plan=plan, deadline=deadline, on_progress=on_progress, should_cancel=should_cancel
        )
        return outdir, description

    return publish(
        store,
        output_prefix=output_prefix,
        workdir=workdir,
        kind="transcode",
        produce=produce,
        on_progress=on_progress,
    )
