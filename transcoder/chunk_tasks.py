"""The chunked encode as a Celery chord: `encode_chunk` x N + `encode_audio` -> `package_chunks`.

`transcoder.transcode_chunked` validates and measures, then replaces itself with the chord, so no
task ever waits on another. Intermediate files live under a deterministic scratch prefix of the
store (re-delivered steps overwrite them); `package_chunks` deletes it when done.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery import chord, shared_task

from transcoder.chunked import (
    encode_audio_local,
    encode_chunk_local,
    measurement_from_dict,
    measurement_to_dict,
    package_chunks_local,
    plan_for,
)
from transcoder.chunks import AUDIO_NAME, ChunkRange, chunk_name, plan_chunks
from transcoder.context import WorkerContext, context_of
from transcoder.errors import SourceRejected
from transcoder.pipeline import Deadline, output_folder, prepare_source, safe_suffix, upload_package
from transcoder.profile import Profile
from transcoder.tasks import RETRYABLE, backoff_seconds

__all__ = [
    "encode_audio_task",
    "encode_chunk_task",
    "package_chunks_task",
    "scratch_prefix",
    "transcode_chunked_task",
]

_OPTIONS: dict[str, Any] = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}


def scratch_prefix(output_prefix: str) -> str:
    """Deterministic home of a job's intermediate files, outside the programme's own prefix."""
    return f"transcoder-scratch/{output_folder(output_prefix)}"


@contextmanager
def _job_dir(context: WorkerContext) -> Iterator[Path]:
    context.workdir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="chunk-", dir=context.workdir))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _source(context: WorkerContext, job: Path, source_key: str) -> Path:
    path = job / f"source{safe_suffix(source_key)}"
    context.store.download(source_key, path)
    return path


@shared_task(name="transcoder.transcode_chunked", **_OPTIONS)  # type: ignore[untyped-decorator]
def transcode_chunked_task(
    self: Any,
    source_key: str,
    output_prefix: str,
    profile: dict[str, Any] | None = None,
    chunk_seconds: float = 120.0,
) -> Any:
    """Validate and measure, then become the chord; a rejection is returned like `transcoder.transcode`."""
    context = context_of(self.app)
    output_prefix = output_folder(output_prefix)
    house = Profile.from_dict(profile or {})
    try:
        with _job_dir(context) as job:
            _, measured, plan = prepare_source(
                _source(context, job, source_key), profile=house, deadline=Deadline.after(context.timeout)
            )
    except SourceRejected as rejected:
        context.store.delete_prefix(output_prefix)
        return {"ok": False, **rejected.to_dict()}
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    chunks = plan_chunks(frame_count=plan.frame_count, profile=house, chunk_seconds=chunk_seconds)
    scratch = scratch_prefix(output_prefix)
    profile_data = house.to_dict()
    loudness = measurement_to_dict(measured)
    header = [encode_chunk_task.si(source_key, scratch, profile_data, c.to_dict()) for c in chunks]
    header.append(encode_audio_task.si(source_key, scratch, profile_data, loudness))
    body = package_chunks_task.si(
        source_key, scratch, output_prefix, profile_data, [c.to_dict() for c in chunks], loudness
    )
    return self.replace(chord(header, body))


@shared_task(name="transcoder.encode_chunk", **_OPTIONS)  # type: ignore[untyped-decorator]
def encode_chunk_task(
    self: Any, source_key: str, scratch: str, profile: dict[str, Any], chunk: dict[str, int]
) -> int:
    """Encode one chunk of every rung and store it under `scratch`; returns the chunk index."""
    context = context_of(self.app)
    house, rng = Profile.from_dict(profile), ChunkRange.from_dict(chunk)
    try:
        with _job_dir(context) as job:
            source = _source(context, job, source_key)
            plan = plan_for(source, profile=house, measured=None)
            files = encode_chunk_local(
                source, job / "chunks", plan=plan, chunk=rng, deadline=Deadline.after(context.timeout)
            )
            for rung_plan, path in zip(plan.rungs, files, strict=True):
                context.store.put_file(scratch + chunk_name(rung_plan.rung, rng.index), path)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return rng.index


@shared_task(name="transcoder.encode_audio", **_OPTIONS)  # type: ignore[untyped-decorator]
def encode_audio_task(
    self: Any, source_key: str, scratch: str, profile: dict[str, Any], loudness: dict[str, float] | None
) -> str:
    """Encode the whole programme's audio once and store it under `scratch`."""
    context = context_of(self.app)
    try:
        with _job_dir(context) as job:
            source = _source(context, job, source_key)
            plan = plan_for(
                source, profile=Profile.from_dict(profile), measured=measurement_from_dict(loudness)
            )
            out = encode_audio_local(
                source, job / AUDIO_NAME, plan=plan, deadline=Deadline.after(context.timeout)
            )
            context.store.put_file(scratch + AUDIO_NAME, out)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return scratch + AUDIO_NAME


@shared_task(name="transcoder.package_chunks", **_OPTIONS)  # type: ignore[untyped-decorator]
def package_chunks_task(
    self: Any,
    source_key: str,
    scratch: str,
    output_prefix: str,
    profile: dict[str, Any],
    chunks: list[dict[str, int]],
    loudness: dict[str, float] | None,
) -> dict[str, Any]:
    """Concatenate the chunks (`-c copy`) into HLS, upload under `output_prefix`, drop the scratch."""
    context = context_of(self.app)
    ranges = [ChunkRange.from_dict(c) for c in chunks]
    try:
        with _job_dir(context) as job:
            source = _source(context, job, source_key)
            plan = plan_for(
                source, profile=Profile.from_dict(profile), measured=measurement_from_dict(loudness)
            )
            chunk_dir = job / "chunks"
            for name in [AUDIO_NAME, *(chunk_name(rp.rung, c.index) for rp in plan.rungs for c in ranges)]:
                (chunk_dir / name).parent.mkdir(parents=True, exist_ok=True)
                context.store.download(scratch + name, chunk_dir / name)
            outdir = job / "out"
            deadline = Deadline.after(context.timeout)
            description = package_chunks_local(
                source, chunk_dir, outdir, plan=plan, chunks=ranges, deadline=deadline
            )
            try:
                upload_package(
                    context.store, outdir=outdir, output_prefix=output_prefix, description=description
                )
            except BaseException:
                context.store.delete_prefix(output_prefix)
                raise
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    context.store.delete_prefix(scratch)
    return {"ok": True, "description": description.to_dict()}
