"""The access log: one JSON line per request with method, path, route template, status and duration."""

from __future__ import annotations

import logging

from starlette.types import Receive, Scope, Send

from channel.http.asgi import HttpMiddleware, WatchedSend

__all__ = ["AccessLogMiddleware", "route_template"]

_access_log = logging.getLogger("legaltv.access")


def route_template(scope: Scope) -> str | None:
    """The matched route's template (`/api/programmes/{programme_id}`), never the raw path's ids."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None


class AccessLogMiddleware(HttpMiddleware):
    """Pure ASGI middleware with one job: log each request once it is answered (or has failed)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = WatchedSend(send)
        try:
            await self.app(scope, receive, answer)
        finally:
            _access_log.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                answer.status,
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "route": route_template(scope),
                    "status": answer.status,
                    "duration_ms": round(answer.seconds() * 1000, 2),
                },
            )
