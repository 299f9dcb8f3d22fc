"""The chunked encode as a Celery chord: `encode_chunk` x N + `encode_audio` -> `package_chunks`.

`transcoder.transcode_chunked` validates and measures, then replaces itself with the chord, so no
task ever waits on another. Every step takes the job as one `ChunkedJob` payload and beats with the
job's attempt id: the job's record shows one job whose progress counts the parts finished, and a
step of an attempt that was re-queued stops before touching anything. Intermediate files live under
a deterministic scratch prefix of the attempt (re-delivered steps overwrite them); `package_chunks`
deletes it when done, and `transcoder.chunked_cleanup` (the chord's error callback) deletes it, and
a partial output of the attempt still wanted, when a step fails for good. The whole job has ONE
deadline, set when it starts and passed to every step as a wall-clock instant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from celery import chord, shared_task
from celery.canvas import Signature

from transcoder.chunk_pipeline import (
    encode_audio_local,
    encode_chunk_local,
    measurement_from_dict,
    measurement_to_dict,
    package_chunks_local,
    plan_for,
)
from transcoder.chunk_plan import AUDIO_NAME, ChunkRange, chunk_name, plan_chunks
from transcoder.context import WorkerContext, context_of
from transcoder.describe import Description
from transcoder.errors import Cancelled, TimedOut
from transcoder.house import HouseFormat, HouseFormatPayload
from transcoder.payloads import ChunkedJob, Rejected, Succeeded, succeeded
from transcoder.pipeline import Deadline, prepare_source, safe_suffix
from transcoder.progress import CHUNKED_STAGES, stage_reporter
from transcoder.publish import job_folder, output_folder, stored_description, upload_package
from transcoder.pulse import Pulse
from transcoder.retry import FINAL, TASK_OPTIONS, retrying
from transcoder.tasks import run_attempt

__all__ = [
    "chunked_chord",
    "chunked_cleanup_task",
    "encode_audio_task",
    "encode_chunk_task",
    "package_chunks_task",
    "parts_percent",
    "scratch_prefix",
    "transcode_chunked_task",
]

T = TypeVar("T")

#: a step failing with these fails the chord (no retry can help); its error callback cleans up
_NOT_RETRIED: tuple[type[BaseException], ...] = (*FINAL, TimedOut)


def scratch_prefix(output_prefix: str, attempt: str) -> str:
    """Deterministic home of an attempt's intermediate files, outside the programme's own prefix."""
    return f"transcoder-scratch/{output_folder(output_prefix)}{output_folder(attempt)}"


def parts_percent(*, finished: int, chunks: int, rungs: int) -> float:
    """Percent of the encode done when `finished` of the job's files are stored: one per chunk and
    rung, and the audio."""
    return min(100.0, finished * 100.0 / (chunks * rungs + 1))


def _source(context: WorkerContext, job: Path, source_key: str) -> Path:
    path = job / f"source{safe_suffix(source_key)}"
    context.store.download(source_key, path)
    return path


def _run_step(task: Any, job: ChunkedJob, work: Callable[[WorkerContext, Pulse], T]) -> T:
    """One step of the chord: beating with the job's attempt id; stopped if the job no longer wants it."""
    context = context_of(task.app)
    pulse = context.pulse(job["attempt"])
    if not pulse.start():
        raise Cancelled("the job no longer wants this attempt")
    with pulse, retrying(task, pulse, final=_NOT_RETRIED):
        return work(context, pulse)


def _report_parts(context: WorkerContext, pulse: Pulse, job: ChunkedJob) -> None:
    """The encode's share of the job, from the parts every worker has stored so far."""
    finished = sum(1 for _ in context.store.iter_keys(job["scratch"]))
    rungs = len(job["profile"]["rungs"])
    percent = parts_percent(finished=finished, chunks=len(job["chunks"]), rungs=rungs)
    stage_reporter(pulse.report, "encode", table=CHUNKED_STAGES)(percent)


def chunked_chord(job: ChunkedJob) -> Signature:
    """The chord of one chunked job: immutable steps, and `chunked_cleanup` if it fails."""
    header = [encode_chunk_task.si(job, chunk) for chunk in job["chunks"]]
    header.append(encode_audio_task.si(job))
    body = package_chunks_task.si(job)
    body.link_error(chunked_cleanup_task.si(job["scratch"], job["output_prefix"], job["attempt"]))
    return chord(header, body)


@shared_task(name="transcoder.transcode_chunked", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def transcode_chunked_task(
    self: Any,
    source_key: str,
    output_prefix: str,
    profile: HouseFormatPayload,
    chunk_seconds: float = 120.0,
) -> Any:
    """Validate and measure, then become the chord; a rejection is returned like `transcoder.transcode`."""
    house = HouseFormat.from_payload(profile)  # a malformed payload fails the task before any work
    attempt = str(self.request.id)
    prefix = output_folder(output_prefix)

    def work(context: WorkerContext, pulse: Pulse) -> Succeeded | ChunkedJob:
        done = stored_description(context.store, prefix)
        if done is not None:  # a re-delivered job whose programme is complete
            return succeeded(done)
        deadline_at = time.time() + context.timeout
        with job_folder(context.workdir, kind="chunk", store=context.store, clean_prefix=prefix) as folder:
            stage_reporter(pulse.report, "download", table=CHUNKED_STAGES)
            _, measured, plan = prepare_source(
                _source(context, folder, source_key),
                profile=house,
                deadline=Deadline.at_epoch(deadline_at),
                on_progress=pulse.report,
                should_cancel=pulse.should_stop,
            )
        chunks = plan_chunks(frame_count=plan.frame_count, profile=house, chunk_seconds=chunk_seconds)
        # the parts may wait for free workers: the job is not lost before its deadline
        pulse.defer(deadline_at - time.time())
        return ChunkedJob(
            attempt=attempt,
            source_key=source_key,
            scratch=scratch_prefix(prefix, attempt),
            output_prefix=prefix,
            profile=house.to_payload(),
            chunks=[c.to_dict() for c in chunks],
            loudness=measurement_to_dict(measured),
            deadline_at=deadline_at,
        )

    outcome: Succeeded | ChunkedJob | Rejected = run_attempt(self, work)
    if "ok" in outcome:
        return outcome
    return self.replace(chunked_chord(outcome))


@shared_task(name="transcoder.encode_chunk", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def encode_chunk_task(self: Any, job: ChunkedJob, chunk: dict[str, int]) -> int:
    """Encode one chunk of every rung and store it under the job's scratch; returns the chunk index."""
    rng = ChunkRange.from_dict(chunk)

    def work(context: WorkerContext, pulse: Pulse) -> int:
        with job_folder(context.workdir, kind="chunk") as folder:
            source = _source(context, folder, job["source_key"])
            plan = plan_for(source, profile=HouseFormat.from_payload(job["profile"]), measured=None)
            files = encode_chunk_local(
                source,
                folder / "chunks",
                plan=plan,
                chunk=rng,
                deadline=Deadline.at_epoch(job["deadline_at"]),
                should_cancel=pulse.should_stop,
            )
            for rung_plan, path in zip(plan.rungs, files, strict=True):
                context.store.put_file(job["scratch"] + chunk_name(rung_plan.rung, rng.index), path)
        _report_parts(context, pulse, job)
        return rng.index

    return _run_step(self, job, work)


@shared_task(name="transcoder.encode_audio", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def encode_audio_task(self: Any, job: ChunkedJob) -> str:
    """Encode the whole programme's audio once and store it under the job's scratch."""

    def work(context: WorkerContext, pulse: Pulse) -> str:
        with job_folder(context.workdir, kind="audio") as folder:
            source = _source(context, folder, job["source_key"])
            plan = plan_for(
                source,
                profile=HouseFormat.from_payload(job["profile"]),
                measured=measurement_from_dict(job["loudness"]),
            )
            out = encode_audio_local(
                source, folder / AUDIO_NAME, plan=plan, deadline=Deadline.at_epoch(job["deadline_at"])
            )
            context.store.put_file(job["scratch"] + AUDIO_NAME, out)
        _report_parts(context, pulse, job)
        return job["scratch"] + AUDIO_NAME

    return _run_step(self, job, work)


@shared_task(name="transcoder.package_chunks", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def package_chunks_task(self: Any, job: ChunkedJob) -> Succeeded:
    """Concatenate the chunks (`-c copy`) into HLS, upload under the output prefix, drop the scratch."""
    scratch, output_prefix = job["scratch"], job["output_prefix"]

    def work(context: WorkerContext, pulse: Pulse) -> Description:
        done = stored_description(context.store, output_prefix)
        if done is not None:  # re-delivered after the upload finished
            return done
        stage_reporter(pulse.report, "package", table=CHUNKED_STAGES)
        ranges = [ChunkRange.from_dict(c) for c in job["chunks"]]
        with job_folder(
            context.workdir, kind="package", store=context.store, clean_prefix=output_prefix
        ) as folder:
            source = _source(context, folder, job["source_key"])
            plan = plan_for(
                source,
                profile=HouseFormat.from_payload(job["profile"]),
                measured=measurement_from_dict(job["loudness"]),
            )
            chunk_dir = folder / "chunks"
            names = [AUDIO_NAME, *(chunk_name(rp.rung, c.index) for rp in plan.rungs for c in ranges)]
            for name in names:
                (chunk_dir / name).parent.mkdir(parents=True, exist_ok=True)
                context.store.download(scratch + name, chunk_dir / name)
            outdir = folder / "out"
            description = package_chunks_local(
                source,
                chunk_dir,
                outdir,
                plan=plan,
                chunks=ranges,
                deadline=Deadline.at_epoch(job["deadline_at"]),
            )
            upload_package(
                context.store,
                outdir=outdir,
                output_prefix=output_prefix,
                description=description,
                on_progress=pulse.report,
            )
        return description

    description = _run_step(self, job, work)
    context_of(self.app).store.delete_prefix(scratch)
    return succeeded(description)


@shared_task(name="transcoder.chunked_cleanup", bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def chunked_cleanup_task(self: Any, scratch: str, output_prefix: str, attempt: str) -> dict[str, Any]:
    """The chord's error callback: drop the attempt's scratch files and, if the job still wants this
    attempt, its partial (never a complete) output; a replaced attempt leaves the output to its successor."""
    context = context_of(self.app)
    context.store.delete_prefix(output_folder(scratch))
    owned = context.pulse(attempt).beat()
    complete = stored_description(context.store, output_prefix) is not None
    remove = owned and not complete
    if remove:
        context.store.delete_prefix(output_folder(output_prefix))
    return {"scratch": scratch, "output_removed": remove}
