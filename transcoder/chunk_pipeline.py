"""Run the chunked encode's three steps on local files, and an in-process sequential orchestration.

The Celery chord (chunk_tasks.py) calls the same three step functions on different workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from transcoder.chunk_plan import (
    AUDIO_NAME,
    ChunkRange,
    build_audio_encode,
    build_chunk_encode,
    build_package_rung,
    chunk_name,
    concat_list,
    plan_chunks,
)
from transcoder.describe import Description
from transcoder.house import HouseFormat
from transcoder.loudness import LoudnessMeasurement
from transcoder.pipeline import Deadline, finish_package, prepare_source, safe_suffix
from transcoder.plan import EncodePlan, plan_encode
from transcoder.probe import probe
from transcoder.publish import publish
from transcoder.run import check, run_ffmpeg
from transcoder.types import OnProgress, ShouldCancel, TranscodeStore

__all__ = [
    "encode_audio_local",
    "encode_chunk_local",
    "measurement_from_dict",
    "measurement_to_dict",
    "package_chunks_local",
    "plan_for",
    "transcode_chunked",
]


def encode_chunk_local(
    source: Path,
    chunk_dir: Path,
    *,
    plan: EncodePlan,
    chunk: ChunkRange,
    deadline: Deadline,
    should_cancel: ShouldCancel | None = None,
) -> list[Path]:
    """Encode one chunk of every rung into `chunk_dir`; returns the files written."""
    for rung_plan in plan.rungs:
        (chunk_dir / rung_plan.rung.name).mkdir(parents=True, exist_ok=True)
    result = run_ffmpeg(
        build_chunk_encode(plan, chunk, source=source, outdir=chunk_dir),
        timeout=deadline.left(),
        should_cancel=should_cancel,
    )
    check(result, f"chunk {chunk.index}")
    return [chunk_dir / chunk_name(rp.rung, chunk.index) for rp in plan.rungs]


def encode_audio_local(source: Path, out: Path, *, plan: EncodePlan, deadline: Deadline) -> Path:
    """Encode the whole programme's audio once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    check(run_ffmpeg(build_audio_encode(plan, source=source, out=out), timeout=deadline.left()), "audio")
    return out


def package_chunks_local(
    source: Path,
    chunk_dir: Path,
    outdir: Path,
    *,
    plan: EncodePlan,
    chunks: Sequence[ChunkRange],
    deadline: Deadline,
) -> Description:
    """Concatenate each rung's chunks with the audio (`-c copy`) into HLS, then describe."""
    for rung_plan in plan.rungs:
        rung = rung_plan.rung
        rung_dir = outdir / rung.name
        rung_dir.mkdir(parents=True, exist_ok=True)
        list_file = chunk_dir / f"{rung.name}.concat.txt"
        list_file.write_text(
            concat_list([chunk_dir / chunk_name(rung, c.index) for c in chunks]), encoding="utf-8"
        )
        command = build_package_rung(
            plan.profile, rung, list_file=list_file, audio=chunk_dir / AUDIO_NAME, rung_dir=rung_dir
        )
        check(run_ffmpeg(command, timeout=deadline.left()), f"package {rung.name}")
    return finish_package(source, outdir, plan=plan, deadline=deadline)


def transcode_chunked(
    *,
    store: TranscodeStore,
    source_key: str,
    output_prefix: str,
    profile: HouseFormat,
    workdir: Path,
    chunk_seconds: float = 120.0,
    on_progress: OnProgress | None = None,
    timeout: float = 6 * 3600.0,
) -> Description:
    """Like `pipeline.transcode`, through the chunk path, run sequentially in this process."""
    deadline = Deadline.after(timeout)

    def produce(job_dir: Path) -> tuple[Path, Description]:
        source = job_dir / f"source{safe_suffix(source_key)}"
        store.download(source_key, source)
        _, _, plan = prepare_source(source, profile=profile, deadline=deadline, on_progress=on_progress)
        chunks = plan_chunks(frame_count=plan.frame_count, profile=profile, chunk_seconds=chunk_seconds)
        chunk_dir = job_dir / "chunks"
        for chunk in chunks:
            encode_chunk_local(source, chunk_dir, plan=plan, chunk=chunk, deadline=deadline)
        encode_audio_local(source, chunk_dir / AUDIO_NAME, plan=plan, deadline=deadline)
        outdir = job_dir / "out"
        description = package_chunks_local(
            source, chunk_dir, outdir, plan=plan, chunks=chunks, deadline=deadline
        )
        return outdir, description

    return publish(
        store,
        output_prefix=output_prefix,
        workdir=workdir,
        kind="chunked",
        produce=produce,
        on_progress=on_progress,
    )


def plan_for(source: Path, *, profile: HouseFormat, measured: LoudnessMeasurement | None) -> EncodePlan:
    """Re-plan on another worker from the source itself (probing is cheap, planning is pure)."""
    return plan_encode(probe(source), profile, measured)


def measurement_to_dict(measured: LoudnessMeasurement | None) -> dict[str, float] | None:
    return asdict(measured) if measured is not None else None


def measurement_from_dict(data: dict[str, float] | None) -> LoudnessMeasurement | None:
    return LoudnessMeasurement.from_dict(data) if data is not None else None
