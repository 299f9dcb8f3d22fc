"""Pure translation of settings into Celery's configuration dict (no Celery import, no I/O).

Long transcodes and quick tasks get separate queues so a quick task never waits behind an encode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from channel.settings import Settings

__all__ = [
    "QUEUES",
    "QUICK_QUEUE",
    "TRANSCODE_QUEUE",
    "broker_transport_options",
    "celery_config",
    "filesystem_broker_folders",
]

TRANSCODE_QUEUE = "transcode"
QUICK_QUEUE = "quick"
QUEUES = (TRANSCODE_QUEUE, QUICK_QUEUE)
_VISIBILITY_MARGIN_SECONDS = 3600


def filesystem_broker_folders(broker_folder: Path) -> dict[str, Path]:
    """The embedded broker's folders: one shared in/out queue folder so producer and worker meet."""
    return {
        "queue": broker_folder / "queue",
        "processed": broker_folder / "processed",
        "control": broker_folder / "control",
    }


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    """Transport options for the configured broker (filesystem folders, or Redis visibility)."""
    url = settings.resolved_broker_url
    if url.startswith("filesystem://"):
        folders = filesystem_broker_folders(settings.broker_folder)
        return {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),  # broadcast tables (revoke, ping), not the cwd
            "store_processed": False,
        }
    if url.startswith(("redis://", "rediss://", "sentinel://")):
        # an un-acked transcode must not be redelivered to a second worker while still running
        return {"visibility_timeout": settings.transcode_timeout_seconds + _VISIBILITY_MARGIN_SECONDS}
    return {}


#: tasks that encode video, however they are named, take the long-job queue
_LONG_TASKS = ("transcoder.", "playout.ensure_slate")


def _route(name: str, *_args: Any, **_kwargs: Any) -> dict[str, str]:
    return {"queue": TRANSCODE_QUEUE if name.startswith(_LONG_TASKS) else QUICK_QUEUE}


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings for `settings`: at-least-once delivery, prefetch 1, JSON only, two queues."""
    return {
        "broker_url": settings.resolved_broker_url,
        "result_backend": settings.resolved_result_backend,
        "broker_transport_options": broker_transport_options(settings),
        "result_backend_transport_options": (
            {"visibility_timeout": settings.transcode_timeout_seconds + _VISIBILITY_MARGIN_SECONDS}
            if settings.resolved_result_backend.startswith(("redis://", "rediss://"))
            else {}
        ),
        "broker_connection_retry_on_startup": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_track_started": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "result_extended": True,
        "result_expires": 7 * 24 * 3600,
        "task_default_queue": QUICK_QUEUE,
        "task_routes": (_route,),
        "task_time_limit": settings.transcode_timeout_seconds,
        "task_soft_time_limit": max(1, settings.transcode_timeout_seconds - 60),
        # survive a broker outage (see channel/consumer.py); a running encode keeps running through it
        "worker_consumer": "channel.consumer:RecoveringConsumer",
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        # the worker's timer thread looks at its schedule ten times a second, so stopping does not wait
        # for its next wake-up (see channel/consumer.py: a worker stops within a second)
        "worker_timer_precision": 0.1,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "timezone": "UTC",
        "enable_utc": True,
    }
