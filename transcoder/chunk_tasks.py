"""The chunked encode as a Celery chord: `encode_chunk` x N + `encode_audio` -> `package_chunks`.

`transcoder.transcode_chunked` validates and measures, then replaces itself with the chord, so no
task ever waits on another. Intermediate files live under a deterministic scratch prefix of the
store (re-delivered steps overwrite them); `package_chunks` deletes it when done, and
`transcoder.chunked_cleanup` (the chord's error callback) deletes it and any partial output when
a step fails for good. The whole job has ONE deadline, set when it starts and passed to every
step as a wall-clock instant.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from celery import chord, shared_task
from celery.canvas import Signature

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
from transcoder.errors import SourceRejected, TimedOut
from transcoder.pipeline import Deadline, prepare_source, safe_suffix
from transcoder.profile import Profile
from transcoder.publish import job_folder, output_folder, stored_description, upload_package
from transcoder.tasks import FINAL, RETRYABLE, backoff_seconds, final_failure

__all__ = [
    "chunked_chord",
    "chunked_cleanup_task",
    "encode_audio_task",
    "encode_chunk_task",
    "package_chunks_task",
    "scratch_prefix",
    "transcode_chunked_task",
]

_OPTIONS: dict[str, Any] = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}
#: a step failing with these fails the chord (no retry can help); its error callback cleans up
_NOT_RETRIED: tuple[type[BaseException], ...] = (*FINAL, TimedOut)


def scratch_prefix(output_prefix: str) -> str:
    """Deterministic home of a job's intermediate files, outside the programme's own prefix."""
    return f"transcoder-scratch/{output_folder(output_prefix)}"


def _source(context: WorkerContext, job: Path, source_key: str) -> Path:
    path = job / f"source{safe_suffix(source_key)}"
    context.store.download(source_key, path)
    return path


def chunked_chord(
    *,
    source_key: str,
    output_prefix: str,
    profile: dict[str, Any],
    chunks: list[dict[str, int]],
    loudness: dict[str, float] | None,
    deadline_at: float,
) -> Signature:
    """The chord of one chunked job: immutable steps, and `chunked_cleanup` if it fails."""
    scratch = scratch_prefix(output_prefix)
    header = [encode_chunk_task.si(source_key, scratch, profile, c, deadline_at) for c in chunks]
    header.append(encode_audio_task.si(source_key, scratch, profile, loudness, deadline_at))
    body = package_chunks_task.si(source_key, scratch, output_prefix, profile, chunks, loudness, deadline_at)
    body.link_error(chunked_cleanup_task.si(scratch, output_prefix))
    return chord(header, body)


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
    done = stored_description(context.store, output_prefix)
    if done is not None:  # a re-delivered job whose programme is complete
        return {"ok": True, "description": done.to_dict()}
    house = Profile.from_dict(profile or {})
    deadline_at = time.time() + context.timeout
    try:
        with job_folder(
            context.workdir, kind="chunk", store=context.store, clean_prefix=output_prefix
        ) as job:
            _, measured, plan = prepare_source(
                _source(context, job, source_key), profile=house, deadline=Deadline.at_epoch(deadline_at)
            )
    except SourceRejected as rejected:
        return {"ok": False, **rejected.to_dict()}
    except FINAL as exc:
        return final_failure(exc)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    chunks = plan_chunks(frame_count=plan.frame_count, profile=house, chunk_seconds=chunk_seconds)
    return self.replace(
        chunked_chord(
            source_key=source_key,
            output_prefix=output_prefix,
            profile=house.to_dict(),
            chunks=[c.to_dict() for c in chunks],
            loudness=measurement_to_dict(measured),
            deadline_at=deadline_at,
        )
    )


@shared_task(name="transcoder.encode_chunk", **_OPTIONS)  # type: ignore[untyped-decorator]
def encode_chunk_task(
    self: Any,
    source_key: str,
    scratch: str,
    profile: dict[str, Any],
    chunk: dict[str, int],
    deadline_at: float,
) -> int:
    """Encode one chunk of every rung and store it under `scratch`; returns the chunk index."""
    context = context_of(self.app)
    house, rng = Profile.from_dict(profile), ChunkRange.from_dict(chunk)
    try:
        with job_folder(context.workdir, kind="chunk") as job:
            source = _source(context, job, source_key)
            plan = plan_for(source, profile=house, measured=None)
            files = encode_chunk_local(
                source, job / "chunks", plan=plan, chunk=rng, deadline=Deadline.at_epoch(deadline_at)
            )
            for rung_plan, path in zip(plan.rungs, files, strict=True):
                context.store.put_file(scratch + chunk_name(rung_plan.rung, rng.index), path)
    except _NOT_RETRIED:
        raise
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return rng.index


@shared_task(name="transcoder.encode_audio", **_OPTIONS)  # type: ignore[untyped-decorator]
def encode_audio_task(
    self: Any,
    source_key: str,
    scratch: str,
    profile: dict[str, Any],
    loudness: dict[str, float] | None,
    deadline_at: float,
) -> str:
    """Encode the whole programme's audio once and store it under `scratch`."""
    context = context_of(self.app)
    try:
        with job_folder(context.workdir, kind="audio") as job:
            source = _source(context, job, source_key)
            plan = plan_for(
                source, profile=Profile.from_dict(profile), measured=measurement_from_dict(loudness)
            )
            out = encode_audio_local(
                source, job / AUDIO_NAME, plan=plan, deadline=Deadline.at_epoch(deadline_at)
            )
            context.store.put_file(scratch + AUDIO_NAME, out)
    except _NOT_RETRIED:
        raise
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
    deadline_at: float,
) -> dict[str, Any]:
    """Concatenate the chunks (`-c copy`) into HLS, upload under `output_prefix`, drop the scratch."""
    context = context_of(self.app)
    done = stored_description(context.store, output_prefix)
    if done is not None:  # re-delivered after the upload finished
        context.store.delete_prefix(scratch)
        return {"ok": True, "description": done.to_dict()}
    ranges = [ChunkRange.from_dict(c) for c in chunks]
    deadline = Deadline.at_epoch(deadline_at)
    try:
        with job_folder(
            context.workdir, kind="package", store=context.store, clean_prefix=output_prefix
        ) as job:
            source = _source(context, job, source_key)
            plan = plan_for(
                source, profile=Profile.from_dict(profile), measured=measurement_from_dict(loudness)
            )
            chunk_dir = job / "chunks"
            for name in [AUDIO_NAME, *(chunk_name(rp.rung, c.index) for rp in plan.rungs for c in ranges)]:
                (chunk_dir / name).parent.mkdir(parents=True, exist_ok=True)
                context.store.download(scratch + name, chunk_dir / name)
            outdir = job / "out"
            description = package_chunks_local(
                source, chunk_dir, outdir, plan=plan, chunks=ranges, deadline=deadline
            )
            upload_package(context.store, outdir=outdir, output_prefix=output_prefix, description=description)
    except _NOT_RETRIED:
        raise
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    context.store.delete_prefix(scratch)
    return {"ok": True, "description": description.to_dict()}


@shared_task(name="transcoder.chunked_cleanup", bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def chunked_cleanup_task(self: Any, scratch: str, output_prefix: str) -> dict[str, Any]:
    """The chord's error callback: drop the scratch files and a partial (never a complete) output."""
    store = context_of(self.app).store
    store.delete_prefix(output_folder(scratch))
    complete = stored_description(store, output_prefix) is not None
    if not complete:
        store.delete_prefix(output_folder(output_prefix))
    return {"scratch": scratch, "output_removed": not complete}
