"""What a worker process gives the tasks: the store, a scratch folder, limits.

Stored on the Celery app object by the worker's start-up (no module-level global).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transcoder.types import TranscodeStore

__all__ = ["WorkerContext", "attach_context", "context_of"]

_ATTRIBUTE = "legaltv_transcoder_context"


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """Per-worker resources; `is_cancelled(task_id)` lets the service cancel a running job."""

    store: TranscodeStore
    workdir: Path
    timeout: float = 6 * 3600.0
    is_cancelled: Callable[[str], bool] | None = None


def attach_context(app: Any, context: WorkerContext) -> None:
    """Give the Celery `app` the context its transcoder tasks will use."""
    setattr(app, _ATTRIBUTE, context)


def context_of(app: Any) -> WorkerContext:
    """The context attached to `app`; a clear error if the worker forgot to attach one."""
    context = getattr(app, _ATTRIBUTE, None)
    if not isinstance(context, WorkerContext):
        raise RuntimeError(
            "no WorkerContext attached to this Celery app: call attach_context() at worker start"
        )
    return context
