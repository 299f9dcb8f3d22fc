"""The processes `legaltv serve` and `legaltv demo` run: the API under granian and, for the embedded
broker, a Celery worker beside it; both stop on SIGINT (Ctrl-C) or SIGTERM, the worker within a second
when it is idle (see `channel.consumer`), or after `STOP_GRACE_SECONDS` when a task will not end.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

from channel.celery_config import QUEUES
from channel.settings import Settings

__all__ = [
    "STOP_GRACE_SECONDS",
    "embedded_worker_command",
    "serve_until_stopped",
    "start_embedded_worker",
    "stop_process",
]

_log = logging.getLogger("legaltv.cli")

#: how long a stopping worker may finish its running task before it is killed (its job is re-queued
#: by the API's watchdog: tasks are acknowledged late and safe to run twice)
STOP_GRACE_SECONDS = 15.0


def embedded_worker_command(settings: Settings) -> list[str]:
    """The worker started beside `serve` for the embedded broker: both queues, a thread pool."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "channel.worker",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--pool",
        "threads",
        "--concurrency",
        "2",
        "--hostname",
        "embedded@%h",
        "--loglevel",
        settings.log_level.upper(),
    ]


def _die_with_parent() -> None:
    # Linux: the embedded worker gets SIGTERM if `serve` dies without cleaning up
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop_process(process: subprocess.Popen[bytes], *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL if it has not ended within `grace_seconds`."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Stopped(Exception):
    """Raised by our signal handler when SIGTERM/SIGINT arrives before the server handles them itself."""


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def start_embedded_worker(settings: Settings) -> subprocess.Popen[bytes] | None:
    """The worker beside the API for the embedded broker (None when workers run elsewhere)."""
    if not settings.run_embedded_worker:
        return None
    worker = subprocess.Popen(embedded_worker_command(settings), preexec_fn=_die_with_parent)
    _log.info("embedded worker started", extra={"worker_pid": worker.pid})
    return worker


def serve_until_stopped(settings: Settings, worker: subprocess.Popen[bytes] | None) -> int:
    """Run the API (embedded granian, `channel.httpserver`) until SIGTERM/SIGINT, then stop the embedded
    worker too."""
    from channel.app import create_app
    from channel.httpserver import serve_http

    # until the server runs (it handles both signals itself, then returns), a signal ends start-up
    # cleanly: the worker is stopped and the exit status is 0
    previous = {sig: signal.signal(sig, _raise_stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        app = create_app(settings)
        # proxy headers are the app's own business (LEGALTV_TRUSTED_PROXIES), never the server's
        serve_http(app, host=settings.host, port=settings.port)
        _log.info("stopped by signal")
    except _Stopped as stopped:
        _log.info("stopped by signal", extra={"signal": signal.Signals(stopped.args[0]).name})
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if worker is not None:
            stop_process(worker)
            _log.info("embedded worker stopped", extra={"worker_pid": worker.pid})
    return 0
