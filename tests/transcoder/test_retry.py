"""The one retry policy: backoff, what is retried, and the heartbeat announcing the wait."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from storage.errors import NotFound, StorageError
from tests.transcoder.eager import Beats
from transcoder.errors import SourceRejected, TimedOut, TranscodeFailed
from transcoder.pulse import Pulse
from transcoder.retry import TASK_OPTIONS, backoff_seconds, retrying


class Retry(Exception):
    """What `task.retry` raises in a worker."""


class FakeTask:
    """The two things `retrying` uses of a bound Celery task: the retry count and `retry()`."""

    def __init__(self, retries: int) -> None:
        self.request = SimpleNamespace(retries=retries)
        self.calls: list[dict[str, Any]] = []

    def retry(self, **kwargs: Any) -> Retry:
        self.calls.append(kwargs)
        return Retry()


def test_backoff() -> None:
    assert [backoff_seconds(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]


def test_task_options_are_at_least_once() -> None:
    assert TASK_OPTIONS == {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}


@pytest.mark.parametrize("error", [TranscodeFailed("crash"), ConnectionResetError(), StorageError("503")])
def test_transient_errors_are_retried_after_the_backoff_announced_on_the_heartbeat(error: Exception) -> None:
    beats = Beats()
    task = FakeTask(retries=2)
    with pytest.raises(Retry), retrying(task, Pulse(beats, attempt="a")):
        raise error
    assert task.calls == [{"exc": error, "countdown": 120}]
    assert [beat.quiet_seconds for beat in beats] == [120]


@pytest.mark.parametrize(
    ("error", "final"),
    [
        (NotFound("gone"), None),
        (SourceRejected("no_video", "Không có hình", "No video"), None),
        (TimedOut("late"), (TimedOut,)),
    ],
)
def test_final_errors_pass_through(error: Exception, final: tuple[type[BaseException], ...] | None) -> None:
    task = FakeTask(retries=0)
    options = {"final": final} if final else {}
    with pytest.raises(type(error)), retrying(task, Pulse(None, attempt="a"), **options):
        raise error
    assert task.calls == []
