"""Worker side of the library: `channel.record_transcode` stores a job's outcome on the programme.

Thin, per Celery's guidance: the transcode's result arrives as the first argument (the task is linked to
the transcode, and for a chunked job Celery moves the link to the chord's last step), then ids; reload
state, call the domain (`outcome.py`), idempotent. Nothing waits on another task.
"""

from __future__ import annotations

import uuid

from celery import Task, shared_task

from channel.library.outcome import Outcome, apply_outcome
from channel.library.transcode import RECORD_TASK
from channel.worker_state import worker_resources
from transcoder.payloads import TranscodeResult

__all__ = ["record_transcode"]


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name=RECORD_TASK, acks_late=True, ignore_result=True
)
def record_transcode(
    self: Task, result: TranscodeResult | None, programme_id: str, revision: int, task_id: str
) -> None:
    """Store `result` of transcode `task_id` (None: it raised) on the programme; a stale or repeated call
    does nothing."""
    resources = worker_resources(self.app)
    outcome = Outcome(
        programme_id=uuid.UUID(programme_id),
        revision=int(revision),
        task_id=task_id,
        result=result if isinstance(result, dict) else None,
    )
    with resources.sessionmaker() as session:
        apply_outcome(session, outcome, store=resources.store)  # keeps the replaced revision's media
