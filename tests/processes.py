"""Real processes and servers in tests: a free port, a process stopped like an operator stops it, a
Celery worker running with a given environment, an app served over real HTTP (each written once)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from channel.celery_config import QUEUES
from channel.processes import stop_process
from tests.waiting import wait_for

__all__ = [
    "ROOT",
    "answering",
    "embedded_env",
    "free_port",
    "running",
    "running_worker",
    "serve_in_thread",
    "worker_command",
]

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment with the embedded default under `data_dir` (SQLite, a local store,
    the filesystem broker), whatever LEGALTV_ variables the test run has; `settings` added by name
    (`job_stall_seconds="30"` is LEGALTV_JOB_STALL_SECONDS)."""
    return {
        **os.environ,
        "LEGALTV_DATA_DIR": str(data_dir),
        "LEGALTV_ENV": "test",
        "LEGALTV_BROKER_URL": "",
        "LEGALTV_RESULT_BACKEND": "",
        "LEGALTV_DATABASE_URL": "",
        "LEGALTV_STORAGE_BACKEND": "local",
        **{f"LEGALTV_{name.upper()}": value for name, value in settings.items()},
    }


@contextmanager
def running(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    stop_seconds: float = 30.0,
    must_stop: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` writing to `log`; at the end SIGTERM, then SIGKILL after `stop_seconds` (a failure
    of the test when `must_stop`: the process should have stopped by itself)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            stop_process(process, grace_seconds=stop_seconds)
            if must_stop and process.returncode == -signal.SIGKILL:
                pytest.fail(f"{command[0]} did not stop on SIGTERM; log:\n{log.read_text()[-3000:]}")


def worker_command(*, pool: str = "solo", concurrency: int = 1) -> list[str]:
    """`celery -A channel.worker worker` on both queues, quiet (no gossip, mingle or heartbeats)."""
    return [
        sys.executable, "-m", "celery", "-A", "channel.worker", "worker", "-Q", ",".join(QUEUES),
        f"--pool={pool}", f"--concurrency={concurrency}",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip


@contextmanager
def running_worker(
    env: Mapping[str, str],
    log: Path,
    *,
    pool: str = "solo",
    concurrency: int = 1,
    stop_seconds: float = 30.0,
    must_stop: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker process with `env`, stopped with SIGTERM (Celery's warm shutdown) at the end."""
    command = worker_command(pool=pool, concurrency=concurrency)
    with running(command, env=env, log=log, stop_seconds=stop_seconds, must_stop=must_stop) as process:
        yield process


def answering(
    base_url: str,
    process: subprocess.Popen[bytes],
    *,
    seconds: float = 60.0,
    ok: Callable[[httpx.Response], bool] = lambda response: response.status_code < 500,
    log: Callable[[], str] = str,
) -> httpx.Response:
    """The first answer of `base_url`/healthz that is `ok` (by default: any but a 5xx); the test fails
    at once if the process exits, or after `seconds`, with `log()`."""

    def asked() -> httpx.Response | None:
        if process.poll() is not None:
            pytest.fail(f"the process answering {base_url} exited with {process.returncode}:\n{log()}")
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=5)
        except httpx.TransportError:
            return None
        return response if ok(response) else None

    return wait_for(asked, seconds=seconds, what=f"{base_url}/healthz answering", every=0.2, log=log)


@contextmanager
def serve_in_thread(app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "off") -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan, ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, seconds=10, every=0.01, what="uvicorn starting")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
