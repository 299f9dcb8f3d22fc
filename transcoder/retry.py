"""The one retry policy of the transcoder's Celery tasks: what is retried, after how long, how often.

Every task takes `TASK_OPTIONS` (acks_late, so a worker lost mid-task leaves its message to be
delivered again) and wraps its work in `retrying`: a transient failure (ffmpeg crashing, local I/O,
the object store failing for a while) is retried with exponential backoff, and the job's heartbeat
announces the wait so the watchdog does not mistake it for a lost worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from storage.errors import InvalidKey, NotFound, StorageError
from transcoder.errors import TranscodeFailed
from transcoder.pulse import Pulse

__all__ = ["FINAL", "MAX_RETRIES", "RETRYABLE", "TASK_OPTIONS", "backoff_seconds", "retrying"]

#: transient: an ffmpeg crash, local I/O, the object store failing for a while
RETRYABLE: Final[tuple[type[BaseException], ...]] = (TranscodeFailed, OSError, StorageError)
#: storage errors no retry can cure (checked before RETRYABLE, whose StorageError they are)
FINAL: Final[tuple[type[StorageError], ...]] = (NotFound, InvalidKey)
MAX_RETRIES: Final = 3
#: the options every transcoder task is declared with (plus its explicit `name`)
TASK_OPTIONS: Final[dict[str, Any]] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": MAX_RETRIES,
}


def backoff_seconds(retries: int) -> int:
    """30 s, 60 s, 120 s … capped at 10 minutes."""
    return int(min(600, 30 * 2**retries))


@contextmanager
def retrying(task: Any, pulse: Pulse, *, final: tuple[type[BaseException], ...] = FINAL) -> Iterator[None]:
    """Run the block; retry the task after a transient failure, let `final` errors through as they are.

    Past `MAX_RETRIES`, Celery raises the last error, and the task fails for good.
    """
    try:
        yield
    except final:
        raise
    except RETRYABLE as exc:
        countdown = backoff_seconds(task.request.retries)
        pulse.defer(countdown)
        raise task.retry(exc=exc, countdown=countdown) from exc
