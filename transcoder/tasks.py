"""Thin Celery tasks: primitives in, one transcoder function, a `TranscodeResult` out.

Every job-level task runs its work through `run_attempt`: the attempt beats while it works (the
service stores the beats, with the progress, on the job's record), stops when the beat says it is no
longer wanted, retries transient failures by the one policy of `transcoder.retry`, and turns the
rest into results: a rejected source, a cancelled job or a missing source is a normal result
(`{"ok": False, "code", "message"}`) the caller stores on the programme.
Outputs are deterministic and a complete prefix is returned as stored, so `acks_late` re-delivery,
and a re-queued attempt finishing after a lost one, are safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task

from transcoder.context import WorkerContext, context_of
from transcoder.errors import Cancelled, SourceRejected
from transcoder.house import HouseFormat, HouseFormatPayload
from transcoder.payloads import (
    CANCELLED,
    SUPERSEDED,
    Rejected,
    TranscodeResult,
    final_failure,
    rejection,
    succeeded,
)
from transcoder.pipeline import transcode
from transcoder.pulse import Pulse
from transcoder.retry import FINAL, TASK_OPTIONS, retrying
from transcoder.slate import make_slate

__all__ = ["make_slate_task", "run_attempt", "transcode_task"]

T = TypeVar("T")


def run_attempt(task: Any, work: Callable[[WorkerContext, Pulse], T]) -> T | Rejected:
    """Run `work` as the attempt `task.request.id` of its job: beating, retried, its failures as results.

    An attempt its job no longer wants (cancelled while queued, or replaced by a re-queued attempt,
    whose late twin this is) returns at once, before touching the store.
    """
    context = context_of(task.app)
    pulse = context.pulse(str(task.request.id))
    if not pulse.start():
        return SUPERSEDED
    with pulse:
        try:
            with retrying(task, pulse):
                return work(context, pulse)
        except SourceRejected as rejected:
            return rejection(rejected)
        except Cancelled:
            return CANCELLED
        except FINAL as exc:
            return final_failure(exc)


@shared_task(name="transcoder.transcode", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def transcode_task(
    self: Any, source_key: str, output_prefix: str, profile: HouseFormatPayload
) -> TranscodeResult:
    """Transcode `source_key` to `output_prefix`: the programme's description, or why there is none."""
    house = HouseFormat.from_payload(profile)  # a malformed payload fails the task before any work

    def work(context: WorkerContext, pulse: Pulse) -> TranscodeResult:
        return succeeded(
            transcode(
                store=context.store,
                source_key=source_key,
                output_prefix=output_prefix,
                profile=house,
                workdir=context.workdir,
                on_progress=pulse.report,
                should_cancel=pulse.should_stop,
                timeout=context.timeout,
            )
        )

    return run_attempt(self, work)


@shared_task(name="transcoder.make_slate", **TASK_OPTIONS)  # type: ignore[untyped-decorator]
def make_slate_task(
    self: Any,
    output_prefix: str,
    profile: HouseFormatPayload,
    channel_name: str = "legaltv",
    duration: float = 60.0,
) -> TranscodeResult:
    """Generate the filler slate under `output_prefix`; returns its description."""
    house = HouseFormat.from_payload(profile)

    def work(context: WorkerContext, pulse: Pulse) -> TranscodeResult:
        return succeeded(
            make_slate(
                store=context.store,
                output_prefix=output_prefix,
                profile=house,
                workdir=context.workdir,
                channel_name=channel_name,
                duration=duration,
                on_progress=pulse.report,
                timeout=context.timeout,
            )
        )

    return run_attempt(self, work)
