"""The Celery application: `create_celery(settings)` and the lazily built `app` for `celery -A`.

`celery -A channel.worker worker` reads settings when the worker starts, never at import.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from celery import Celery, Task, shared_task
from celery.signals import worker_init, worker_process_init
from kombu.entity import Queue
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.celery_config import QUEUES, celery_config
from channel.db import make_engine, make_sessionmaker
from channel.settings import Settings
from channel.stores import store_from_settings
from storage import Store

__all__ = [
    "TASK_MODULES",
    "WorkerResources",
    "create_celery",
    "ping",
    "start_worker_resources",
    "worker_resources",
]

_log = logging.getLogger(__name__)

#: modules whose tasks every worker registers; optional ones are skipped until they exist
TASK_MODULES: tuple[str, ...] = (
    "channel.worker",
    "transcoder.tasks",
    "transcoder.chunk_tasks",
    "channel.library.tasks",
    "channel.playout.tasks",
)


@dataclass(frozen=True)
class WorkerResources:
    """What tasks in one worker process share: settings, database and store.

    Built once per worker process at start-up (after fork), never at import.
    """

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    store: Store
    pid: int


def start_worker_resources(app: Celery) -> WorkerResources:
    """Build this process's resources from the app's settings; the hook for worker-side contexts.

    The transcoder's WorkerContext is attached here.
    """
    settings: Settings = app.conf.legaltv_settings
    engine = make_engine(settings.resolved_database_url)
    resources = WorkerResources(
        settings=settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        store=store_from_settings(settings),
        pid=os.getpid(),
    )
    app.conf.legaltv_resources = resources
    _attach_transcoder_context(app, resources)
    return resources


def _attach_transcoder_context(app: Celery, resources: WorkerResources) -> None:
    """Give `transcoder.*` tasks their store, scratch folder, time limit and the job heartbeat.

    An attempt whose beats have not got through for the watchdog's stall time stops itself: by then the
    watchdog may have re-queued its job.
    """
    from channel.library.heartbeat import job_heartbeat
    from transcoder.context import WorkerContext, attach_context

    settings = resources.settings
    attach_context(
        app,
        WorkerContext(
            store=resources.store,
            workdir=(settings.data_dir / "work").resolve(),
            timeout=float(settings.transcode_timeout_seconds),
            heartbeat=job_heartbeat(resources.sessionmaker),
            beat_seconds=settings.job_heartbeat_seconds,
            lease_seconds=settings.job_stall_seconds,
        ),
    )


def worker_resources(app: Celery) -> WorkerResources:
    """This process's resources, rebuilt when the process is a fresh fork."""
    resources: WorkerResources | None = app.conf.get("legaltv_resources")
    if resources is None or resources.pid != os.getpid():
        resources = start_worker_resources(app)
    return resources


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
