"""The request id: taken from a safe `X-Request-ID` or made fresh, kept in a contextvar, echoed back.

Everything logged while a request is handled carries it (see `channel.ops.logging`), so one id ties
the client's error report to the server's lines.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from starlette.types import Message, Receive, Scope, Send

from channel.http.asgi import HttpMiddleware

__all__ = [
    "REQUEST_ID_HEADER",
    "RequestIdMiddleware",
    "current_request_id",
    "new_request_id",
    "safe_request_id",
    "scope_request_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER = REQUEST_ID_HEADER.lower().encode()
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_id: ContextVar[str | None] = ContextVar("legaltv_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, if any."""
    return _request_id.get()


def new_request_id() -> str:
    """A fresh, URL-safe request id."""
    return secrets.token_hex(8)


def safe_request_id(candidate: str | None) -> str:
    """The caller's id when it is a short safe token (no log injection), else a fresh one."""
    if candidate and _SAFE_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def scope_request_id(scope: Scope) -> str | None:
    """The id `RequestIdMiddleware` gave this request (None outside it)."""
    value = scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


class RequestIdMiddleware(HttpMiddleware):
    """Pure ASGI middleware with one job: give each request its id and echo it as a response header."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = next((value for key, value in scope.get("headers") or () if key == _HEADER), None)
        request_id = safe_request_id(raw.decode("latin-1") if raw else None)
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (_HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        token = _request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
