"""What a worker process gives the tasks: the store, a scratch folder, limits, the job heartbeat.

Stored on the Celery app object by the worker's start-up (no module-level global).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transcoder.pulse import Pulse
from transcoder.types import Heartbeat, TranscodeStore

__all__ = ["WorkerContext", "attach_context", "context_of"]

_ATTRIBUTE = "legaltv_transcoder_context"


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """Per-worker resources.

    `heartbeat` is where a running job proves it is alive and says how far it is (the service stores
    it on the job's record); its answer also carries cancellation. Beats go every `beat_seconds`; an
    attempt whose beats have failed for `lease_seconds` stops itself (the watchdog may have re-queued
    the job by then). Without a heartbeat, jobs run unobserved (tests, scripts).
    """

    store: TranscodeStore
    workdir: Path
    timeout: float = 6 * 3600.0
    heartbeat: Heartbeat | None = None
    beat_seconds: float = 2.0
    lease_seconds: float | None = None

    def pulse(self, attempt: str) -> Pulse:
        """The pulse of the attempt whose job's record names task id `attempt`."""
        return Pulse(self.heartbeat, attempt=attempt, every=self.beat_seconds, lease=self.lease_seconds)


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
