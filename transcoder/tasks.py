"""Thin Celery tasks: primitives in, one transcoder function, primitives out.

A rejected source is a normal, non-retried result (`{"ok": False, "code", "message"}`) the caller
stores on the programme; transient failures (ffmpeg crash, storage I/O) are retried with backoff; a missing source
is a final `source_missing` result.
Outputs are deterministic and a complete prefix is returned as stored, so `acks_late` re-delivery is safe.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from storage.errors import InvalidKey, NotFound, StorageError
from transcoder.context import context_of
from transcoder.errors import Cancelled, SourceRejected, TranscodeFailed
from transcoder.pipeline import transcode
from transcoder.profile import Profile
from transcoder.slate import make_slate
from transcoder.types import OnProgress, ShouldCancel

__all__ = ["FINAL", "RETRYABLE", "backoff_seconds", "final_failure", "make_slate_task", "transcode_task"]

#: transient: an ffmpeg crash, local I/O, the object store failing for a while
RETRYABLE: tuple[type[BaseException], ...] = (TranscodeFailed, OSError, StorageError)
#: storage errors no retry can cure (caught before RETRYABLE, whose StorageError they are)
FINAL: tuple[type[StorageError], ...] = (NotFound, InvalidKey)
_MAX_RETRIES = 3


def backoff_seconds(retries: int) -> int:
    """30 s, 60 s, 120 s … capped at 10 minutes."""
    return int(min(600, 30 * 2**retries))


def final_failure(exc: StorageError) -> dict[str, Any]:
    """The non-retried result for a missing source or an unusable key."""
    if isinstance(exc, NotFound):
        return {
            "ok": False,
            "code": "source_missing",
            "message": "Không tìm thấy tệp nguồn trong kho lưu trữ. (The source file is missing from storage.)",
        }
    return {
        "ok": False,
        "code": "invalid_key",
        "message": "Đường dẫn lưu trữ không hợp lệ. (The storage key is not valid.)",
    }


def _reporter(task: Any) -> OnProgress:
    """Progress as Celery PROGRESS state, sent only when the whole percent or the stage changes."""
    last: list[tuple[int, str]] = []

    def report(percent: float, stage: str) -> None:
        key = (int(percent), stage)
        if last and last[0] == key:
            return
        last[:] = [key]
        task.update_state(state="PROGRESS", meta={"percent": percent, "stage": stage})

    return report


def _canceller(task: Any) -> ShouldCancel | None:
    check = context_of(task.app).is_cancelled
    task_id = str(task.request.id)
    return (lambda: check(task_id)) if check is not None else None


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name="transcoder.transcode",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=_MAX_RETRIES,
)
def transcode_task(
    self: Any, source_key: str, output_prefix: str, profile: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Transcode `source_key` to `output_prefix`; returns {"ok": True, "description": {...}} or a rejection."""
    context = context_of(self.app)
    try:
        description = transcode(
            store=context.store,
            source_key=source_key,
            output_prefix=output_prefix,
            profile=Profile.from_dict(profile or {}),
            workdir=context.workdir,
            on_progress=_reporter(self),
            should_cancel=_canceller(self),
            timeout=context.timeout,
        )
    except SourceRejected as rejected:
        return {"ok": False, **rejected.to_dict()}
    except Cancelled:
        return {"ok": False, "code": "cancelled", "message": "Đã huỷ chuyển mã. (Transcoding was cancelled.)"}
    except FINAL as exc:
        return final_failure(exc)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return {"ok": True, "description": description.to_dict()}


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name="transcoder.make_slate",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=_MAX_RETRIES,
)
def make_slate_task(
    self: Any,
    output_prefix: str,
    profile: dict[str, Any] | None = None,
    channel_name: str = "legaltv",
    duration: float = 60.0,
) -> dict[str, Any]:
    """Generate the filler slate under `output_prefix`; returns {"ok": True, "description": {...}}."""
    context = context_of(self.app)
    try:
        description = make_slate(
            store=context.store,
            output_prefix=output_prefix,
            profile=Profile.from_dict(profile or {}),
            workdir=context.workdir,
            channel_name=channel_name,
            duration=duration,
            on_progress=_reporter(self),
            timeout=context.timeout,
        )
    except FINAL as exc:
        return final_failure(exc)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return {"ok": True, "description": description.to_dict()}
