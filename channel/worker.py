"""The Celery application: `create_celery(settings)` and the lazily built `app` for `celery -A`.

`celery -A channel.worker worker` reads settings when the worker starts, never at import. This is the
worker's composition root: what its tasks share is built by `channel.worker_state` at start-up.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import cache
from typing import Any

from celery import Celery, Task, shared_task
from celery.signals import worker_init, worker_process_init
from kombu.entity import Queue

from channel.celery_config import QUEUES, celery_config
from channel.library.heartbeat import job_heartbeat
from channel.settings import Settings
from channel.worker_state import start_worker_resources

__all__ = ["TASK_MODULES", "create_celery", "ping"]

_log = logging.getLogger(__name__)

#: modules whose tasks every worker registers; optional ones are skipped until they exist
TASK_MODULES: tuple[str, ...] = (
    "channel.worker",
    "transcoder.tasks",
    "transcoder.chunk_tasks",
    "channel.library.tasks",
    "channel.playout.tasks",
)


def _task_modules() -> list[str]:
    return [name for name in TASK_MODULES if importlib.util.find_spec(name) is not None]


def create_celery(settings: Settings) -> Celery:
    """A Celery app configured for `settings`, with the task modules that exist registered."""
    config = celery_config(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = config["broker_transport_options"].get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)
    app = Celery("legaltv", set_as_current=False)
    app.conf.update(config)
    app.conf.task_queues = [Queue(name, routing_key=name) for name in QUEUES]  # type: ignore[no-untyped-call]
    app.conf.imports = _task_modules()
    app.conf.legaltv_settings = settings
    app.conf.legaltv_heartbeat = job_heartbeat  # how transcodes beat (channel.worker_state)

    def on_worker_init(sender: Any = None, **_kwargs: Any) -> None:
        if getattr(sender, "app", None) is app:
            from channel.ops.logging import configure_logging

            configure_logging(settings.log_level)
            start_worker_resources(app)

    def on_process_init(**_kwargs: Any) -> None:
        start_worker_resources(app)

    worker_init.connect(on_worker_init, weak=False, dispatch_uid=f"legaltv-init-{id(app)}")
    worker_process_init.connect(on_process_init, weak=False, dispatch_uid=f"legaltv-proc-{id(app)}")
    return app


@shared_task(name="channel.ping", bind=True, ignore_result=False)  # type: ignore[untyped-decorator]
def ping(self: Task) -> dict[str, Any]:
    """A quick round trip proving a worker consumes and answers (used by tests and `check`)."""
    return {"pong": True, "worker": self.request.hostname}


@cache
def _default_app() -> Celery:
    from channel.startup import load_settings_or_exit

    return create_celery(load_settings_or_exit())


def __getattr__(name: str) -> Any:
    # `celery -A channel.worker` looks up `app`; built on first access, not at import
    if name in ("app", "celery"):
        return _default_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
