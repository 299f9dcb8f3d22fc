"""The last line of defence: an unhandled error becomes the generic bilingual 500, its trace only in the log.

No stack trace, exception text or internal path ever reaches a client; the request id in the body lets
an operator find the trace.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from channel.http.asgi import HttpMiddleware, WatchedSend
from channel.http.errors import INTERNAL_MESSAGE, error_body
from channel.http.requestid import scope_request_id

__all__ = ["InternalErrorMiddleware", "send_error"]

_errors_log = logging.getLogger("legaltv.errors")


async def send_error(
    send: Send,
    *,
    status: int,
    code: str,
    message: str,
    request_id: str | None,
    details: list[Any] | None = None,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """Send a complete JSON error response in the common envelope (for pure ASGI middleware)."""
    envelope = error_body(code=code, message=message, request_id=request_id, details=details)
    body = json.dumps(envelope, ensure_ascii=False).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


class InternalErrorMiddleware(HttpMiddleware):
    """Pure ASGI middleware with one job: turn an unhandled exception into the generic 500."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = WatchedSend(send)
        try:
            await self.app(scope, receive, answer)
        except Exception:
            _errors_log.exception("unhandled error")
            if answer.started:
                raise  # too late for an error response: the server drops the connection
            await send_error(
                send,
                status=500,
                code="internal",
                message=INTERNAL_MESSAGE,
                request_id=scope_request_id(scope),
            )
