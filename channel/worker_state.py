"""What the tasks of one worker process share: settings, database, store, the transcoder's context.

Built once per worker process at start-up (after fork), never at import, and found by the tasks with
`worker_resources(task.app)`. The worker's composition root (`channel.worker`) says on the Celery app
how running transcodes beat (`legaltv_heartbeat`), so this module, which every task module imports,
imports no domain package (see docs/architecture.md, "Shape").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_engine, make_sessionmaker
from channel.settings import Settings
from channel.stores import store_from_settings
from storage import Store
from transcoder.context import WorkerContext, attach_context
from transcoder.types import Heartbeat

__all__ = ["HeartbeatFactory", "WorkerResources", "start_worker_resources", "worker_resources"]

#: how a worker's transcodes beat on their job records, given the worker's sessions
HeartbeatFactory = Callable[[sessionmaker[Session]], Heartbeat]


@dataclass(frozen=True)
class WorkerResources:
    """What tasks in one worker process share: settings, database and store."""

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    store: Store
    pid: int


def start_worker_resources(app: Celery) -> WorkerResources:
    """Build this process's resources from the app's settings, and give `transcoder.*` tasks their
    context: the store, a scratch folder, the time limit and the job heartbeat.

    An attempt whose beats have not got through for the watchdog's stall time stops itself: by then the
    watchdog may have re-queued its job.
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
    heartbeat = cast("HeartbeatFactory | None", app.conf.get("legaltv_heartbeat"))
    attach_context(
        app,
        WorkerContext(
            store=resources.store,
            workdir=(settings.data_dir / "work").resolve(),
            timeout=float(settings.transcode_timeout_seconds),
            heartbeat=heartbeat(resources.sessionmaker) if heartbeat is not None else None,
            beat_seconds=settings.job_heartbeat_seconds,
            lease_seconds=settings.job_stall_seconds,
        ),
    )
    return resources


def worker_resources(app: Celery) -> WorkerResources:
    """This process's resources, rebuilt when the process is a fresh fork."""
    resources: WorkerResources | None = app.conf.get("legaltv_resources")
    if resources is None or resources.pid != os.getpid():
        resources = start_worker_resources(app)
    return resources
