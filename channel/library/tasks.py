"""Worker side of the library: `channel.record_transcode` stores a job's outcome; a pre-run hook marks it running.

Thin, per Celery's guidance: ids in, reload state, call the domain (`outcome.py`), idempotent.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Task, shared_task
from celery.result import AsyncResult
from celery.signals import task_prerun
from celery.states import READY_STATES

from channel.library.outcome import Outcome, apply_outcome, mark_running
from channel.library.transcode import CHUNKED_TASK, RECORD_TASK, TRANSCODE_TASK
from channel.worker import worker_resources

__all__ = ["record_transcode"]

_log = logging.getLogger(__name__)


def _result_of(task: Task, task_id: str) -> dict[str, Any] | None:
    """The transcode's return value; callbacks may run before it is stored, so wait by retrying."""
    result = AsyncResult(task_id, app=task.app)
    if result.state not in READY_STATES:
        raise task.retry(countdown=1)
    value = result.result
    return value if isinstance(value, dict) else None


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name=RECORD_TASK, acks_late=True, max_retries=60, ignore_result=True
)
def record_transcode(self: Task, programme_id: str, revision: int, task_id: str, kind: str) -> None:
    """Store the outcome of transcode `task_id` on the programme (a stale or repeated call does nothing)."""
    resources = worker_resources(self.app)
    result = _result_of(self, task_id) if kind == "done" else None
    outcome = Outcome(
        programme_id=uuid.UUID(programme_id),
        revision=int(revision),
        task_id=task_id,
        kind="done" if kind == "done" else "error",
        result=result,
    )
    with resources.sessionmaker() as session:
        apply_outcome(session, outcome, store=resources.store)  # keeps the replaced revision's media


def _on_prerun(sender: Any = None, task_id: str | None = None, task: Any = None, **_kwargs: Any) -> None:
    if getattr(task, "name", None) not in (TRANSCODE_TASK, CHUNKED_TASK) or task_id is None:
        return
    try:
        with worker_resources(task.app).sessionmaker() as session:
            mark_running(session, task_id)
    except Exception:  # bookkeeping must never stop a transcode
        _log.exception("could not mark transcode %s running", task_id)


task_prerun.connect(_on_prerun, weak=False, dispatch_uid="legaltv-library-prerun")
