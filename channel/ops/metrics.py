"""`GET /metrics`: Prometheus text exposition from a registry owned by the app (never the global one).

Requests are labelled by route template, not raw path, so label cardinality stays bounded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from channel.celery_config import QUEUES, filesystem_broker_folders
from channel.deps import StateDep
from channel.http.asgi import HttpMiddleware, WatchedSend
from channel.models import TranscodeJob, TranscodeState
from channel.ops.metrics_access import require_metrics_access
from channel.state import StateKey

__all__ = [
    "METRICS",
    "AppMetrics",
    "MetricsMiddleware",
    "QueueDepthCollector",
    "TranscodeJobCollector",
    "filesystem_queue_depths",
    "redis_queue_depths",
    "router",
]

_log = logging.getLogger(__name__)
_REDIS_PRIORITY_SEPARATOR = "\x06\x16"
_REDIS_PRIORITY_STEPS = (3, 6, 9)


@dataclass(frozen=True)
class AppMetrics:
    """The app's registry and the request instruments the middleware updates."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> AppMetrics:
        registry = CollectorRegistry(auto_describe=True)
        requests = Counter(
            "legaltv_http_requests",
            "HTTP requests handled, by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        latency = Histogram(
            "legaltv_http_request_duration_seconds",
            "HTTP request latency, by route template and method.",
            ["route", "method"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        return cls(registry=registry, requests=requests, latency=latency)


#: the API's metrics in its `AppState`
METRICS: StateKey[AppMetrics] = StateKey("metrics", AppMetrics)


class TranscodeJobCollector(Collector):
    """Transcode jobs by state, counted in the database at scrape time (every state, zeros too)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily("legaltv_transcode_jobs", "Transcode jobs by state.", labels=["state"])
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(TranscodeJob.state, func.count()).group_by(TranscodeJob.state)
                ).all()
        except Exception:
            _log.warning("cannot count transcode jobs for /metrics", exc_info=True)
            return
        counts = {TranscodeState(state): int(count) for state, count in rows}
        for state in TranscodeState:
            gauge.add_metric([state.value], counts.get(state, 0))
        yield gauge


def filesystem_queue_depths(broker_folder: Path) -> dict[str, int]:
    """Messages waiting per queue in the embedded broker: files named `<ts>_<id>.<queue>.msg`."""
    folder = filesystem_broker_folders(broker_folder)["queue"]
    depths = dict.fromkeys(QUEUES, 0)
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return depths
    for name in names:
        queue = name.partition(".")[2].removesuffix(".msg")
        if name.endswith(".msg") and queue in depths:
            depths[queue] += 1
    return depths


def redis_queue_depths(broker_url: str) -> dict[str, int]:
    """Messages waiting per queue on a Redis broker (kombu keeps each priority in its own list)."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        depths = {}
        for queue in QUEUES:
            keys = [queue, *(f"{queue}{_REDIS_PRIORITY_SEPARATOR}{step}" for step in _REDIS_PRIORITY_STEPS)]
            depths[queue] = sum(int(client.llen(key)) for key in keys)
        return depths
    finally:
        client.close()


class QueueDepthCollector(Collector):
    """Celery queue depth per queue; absent when the broker kind is unknown or unreachable."""

    def __init__(self, depths: Callable[[], dict[str, int]] | None) -> None:
        self.depths = depths

    def collect(self) -> Iterable[Metric]:
        if self.depths is None:
            return
        try:
            depths = self.depths()
        except Exception:
            _log.warning("cannot read queue depths for /metrics", exc_info=True)
            return
        gauge = GaugeMetricFamily(
            "legaltv_queue_depth", "Celery messages waiting, by queue.", labels=["queue"]
        )
        for queue, depth in sorted(depths.items()):
            gauge.add_metric([queue], depth)
        yield gauge


def queue_depth_source(*, broker_url: str, broker_folder: Path) -> Callable[[], dict[str, int]] | None:
    """How to read queue depths for this broker, or None when it is not a kind we know."""
    if broker_url.startswith("filesystem://"):
        return lambda: filesystem_queue_depths(broker_folder)
    if broker_url.startswith(("redis://", "rediss://")):
        return lambda: redis_queue_depths(broker_url)
    return None


class MetricsMiddleware(HttpMiddleware):
    """Pure ASGI middleware counting requests and timing them by the matched route's template."""

    def __init__(self, app: ASGIApp, *, metrics: AppMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = WatchedSend(send)
        try:
            await self.app(scope, receive, answer)
        finally:
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(route=route, method=method, status=str(answer.status)).inc()
            self.metrics.latency.labels(route=route, method=method).observe(answer.seconds())


router = APIRouter(tags=["ops"])


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_access)])
def metrics(state: StateDep) -> Response:
    """Prometheus text format of this app's registry (allow-listed networks or the bearer token only)."""
    return Response(generate_latest(state.part(METRICS).registry), media_type=CONTENT_TYPE_LATEST)
