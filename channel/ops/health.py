"""`GET /healthz`: database, broker and storage, each checked with a short timeout.

Nothing echoed here carries a secret: URLs and error texts pass through `redact`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from channel.celery_config import filesystem_broker_folders
from channel.deps import EngineDep, SettingsDep, StoreDep
from channel.redaction import redact
from channel.settings import Settings
from storage import Store

__all__ = [
    "CHECK_TIMEOUT_SECONDS",
    "Check",
    "broker_check",
    "database_check",
    "health_checks",
    "redact",
    "router",
    "run_checks",
    "storage_check",
]

_log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
Check = Callable[[], None]


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    return check


def broker_check(*, broker_url: str, broker_folder: Path) -> Check:
    """The filesystem broker must have a writable folder; any other broker must accept a connection."""

    def check_folder() -> None:
        folder = filesystem_broker_folders(broker_folder)["queue"]
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-", suffix=".tmp"):
            pass

    def check_connection() -> None:
        from kombu.connection import Connection

        with Connection(broker_url, connect_timeout=2) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, interval_start=0.2, interval_step=0.2, timeout=2)

    return check_folder if broker_url.startswith("filesystem://") else check_connection


def storage_check(store: Store) -> Check:
    def check() -> None:
        store.ping()

    return check


def health_checks(*, settings: Settings, engine: Engine, store: Store) -> dict[str, Check]:
    """The three checks of this deployment, by name."""
    return {
        "database": database_check(engine),
        "broker": broker_check(broker_url=settings.resolved_broker_url, broker_folder=settings.broker_folder),
        "storage": storage_check(store),
    }


def _timed(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        # the endpoint is public: say which part is down, keep hosts and paths for the server log
        detail = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        _log.warning("health check failed: %s: %s", type(exc).__name__, detail[:300])
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def run_checks(checks: Mapping[str, Check], *, timeout: float = CHECK_TIMEOUT_SECONDS) -> dict[str, Any]:
    """Run every check in parallel; a check slower than `timeout` counts as down."""
    pool = ThreadPoolExecutor(max_workers=max(1, len(checks)), thread_name_prefix="healthz")
    try:
        futures = {name: pool.submit(_timed, check) for name, check in checks.items()}
        results: dict[str, Any] = {}
        deadline = time.monotonic() + timeout
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results[name] = {"status": "down", "error": f"timed out after {timeout:g} s"}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    healthy = all(result["status"] == "ok" for result in results.values())
    return {"status": "ok" if healthy else "degraded", "checks": results}


router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz(settings: SettingsDep, engine: EngineDep, store: StoreDep) -> JSONResponse:
    """200 when database, broker and storage all answer; 503 naming the failing one otherwise."""
    report = run_checks(health_checks(settings=settings, engine=engine, store=store))
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)
