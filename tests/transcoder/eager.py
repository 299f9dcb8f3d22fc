"""The transcoder's Celery tasks run in the test process: an eager app with a worker context, and a
heartbeat hook that keeps every beat (each written once for the task tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery

from transcoder.context import WorkerContext, attach_context
from transcoder.types import Beat, TranscodeStore

__all__ = ["Beats", "beating", "eager_app"]


class Beats(list[Beat]):
    """A heartbeat hook recording every beat; answers `wanted`."""

    wanted = True

    def __call__(self, beat: Beat) -> bool:
        self.append(beat)
        return self.wanted


def beating(
    app: Celery, store: TranscodeStore, workdir: Path, *, wanted: bool = True, beat_seconds: float = 2.0
) -> Beats:
    """Give `app`'s worker `store` and `workdir` with a heartbeat that records every beat (answering
    `wanted`: False tells the attempt it was replaced); the beats."""
    beats = Beats()
    beats.wanted = wanted
    context = WorkerContext(
        store=store, workdir=workdir, timeout=120, heartbeat=beats, beat_seconds=beat_seconds
    )
    attach_context(app, context)
    return beats


@contextmanager
def eager_app(name: str, *, store: TranscodeStore, workdir: Path, propagates: bool) -> Iterator[Celery]:
    """A Celery app running tasks in place (`apply`), with `store` and `workdir` as its worker context;
    `propagates`: a task's exception reaches the caller instead of becoming a failed result."""
    app = Celery(name, set_as_current=True)
    app.conf.update(
        task_always_eager=True, task_eager_propagates=propagates, result_backend="cache+memory://"
    )
    attach_context(app, WorkerContext(store=store, workdir=workdir, timeout=120))
    try:
        yield app
    finally:
        app.close()
