"""Request bodies are bounded before anything parses them: size and arrival time, per route family.

A pure ASGI middleware in front of routing, authentication and parsing: a declared `Content-Length`
over the limit is refused at once (nothing is read), a chunked or undeclared body is counted as it
arrives and refused the moment it passes the limit, and the connection is closed so the rest is never
read. Time is bounded too: an ordinary body must arrive whole within the timeout, and an upload (which
may legitimately take hours) must never stall longer than it. Either way nothing waits forever on a
client that trickles bytes, and memory stays at most one limit per request.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channel.http.asgi import HttpMiddleware
from channel.http.crash import send_error
from channel.http.requestid import scope_request_id

__all__ = ["BodyLimitMiddleware", "BodyPolicy", "BodyRule", "declared_length"]

_log = logging.getLogger(__name__)
_CLOSE = ((b"connection", b"close"),)
_DISCONNECT: Message = {"type": "http.disconnect"}


@dataclass(frozen=True, slots=True)
class BodyRule:
    """Routes whose path matches `pattern` (whole path) take bodies up to `max_bytes` (None: the route
    enforces its own limit); `upload` bodies have no overall deadline, only the stall timeout."""

    pattern: re.Pattern[str]
    max_bytes: int | None
    upload: bool = False

    @classmethod
    def of(cls, pattern: str, *, max_bytes: int | None, upload: bool = False) -> BodyRule:
        return cls(pattern=re.compile(pattern), max_bytes=max_bytes, upload=upload)


@dataclass(frozen=True, slots=True)
class BodyPolicy:
    """The default limit for every other route, the timeout, and the exceptions to the default."""

    max_bytes: int
    timeout_s: float
    rules: tuple[BodyRule, ...] = ()

    def for_path(self, path: str) -> tuple[int | None, bool]:
        """(limit in bytes or None, is an upload) for a request path."""
        for rule in self.rules:
            if rule.pattern.fullmatch(path):
                return rule.max_bytes, rule.upload
        return self.max_bytes, False


def declared_length(scope: Scope) -> tuple[int | None, bool]:
    """(the declared Content-Length if any, whether the request has a body at all)."""
    length: int | None = None
    chunked = False
    for key, value in scope.get("headers") or ():
        if key == b"content-length":
            length = int(value) if value.isdigit() else None
        elif key == b"transfer-encoding":
            chunked = True
    return length, chunked or bool(length)


def _too_large(limit: int) -> tuple[str, str, list[object]]:
    message = f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte / The request body is larger than the {limit}-byte limit"
    return "too_large", message, [{"max_bytes": limit}]


def _too_slow(timeout_s: float) -> tuple[str, str, list[object]]:
    message = (
        f"Dữ liệu gửi lên quá chậm (quá {timeout_s:g} giây), yêu cầu đã bị huỷ"
        f" / The request body arrived too slowly (over {timeout_s:g} s) and was cancelled"
    )
    return "body_timeout", message, [{"timeout_seconds": timeout_s}]


class _Guard:
    """One request's body: counts bytes, keeps time, and answers for the app once it refuses."""

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, *, limit: int | None, upload: bool, timeout_s: float
    ) -> None:
        self.scope, self.receive, self.send = scope, receive, send
        self.limit, self.timeout_s = limit, timeout_s
        loop = asyncio.get_running_loop()
        self.clock = loop.time
        self.deadline = None if upload else self.clock() + timeout_s
        self.received = 0
        self.complete = False
        self.started = False  # the app has begun its response
        self.refused = False  # we answered (or gave up) instead of the app

    async def guarded_receive(self) -> Message:
        if self.refused:
            return _DISCONNECT
        if self.complete:
            return await self.receive()  # after the body: disconnect listeners wait as long as they like
        wait = self.timeout_s if self.deadline is None else max(0.0, self.deadline - self.clock())
        try:
            message = await asyncio.wait_for(self.receive(), wait)
        except TimeoutError:
            await self.refuse(408, *_too_slow(self.timeout_s))
            return _DISCONNECT
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
            if self.limit is not None and self.received > self.limit:
                await self.refuse(413, *_too_large(self.limit))
                return _DISCONNECT
        return message

    async def guarded_send(self, message: Message) -> None:
        if self.refused:
            return  # the client already has our answer; whatever the app says now goes nowhere
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)

    async def refuse(self, status: int, code: str, message: str, details: list[object]) -> None:
        self.refused = True
        _log.warning(
            "request body refused: %s",
            code,
            extra={"path": self.scope.get("path"), "received": self.received},
        )
        if not self.started:
            await send_error(
                self.send,
                status=status,
                code=code,
                message=message,
                details=details,
                request_id=scope_request_id(self.scope),
                headers=_CLOSE,
            )


class BodyLimitMiddleware(HttpMiddleware):
    """Pure ASGI middleware: 413 past the size limit, 408 past the time limit, before the app parses."""

    def __init__(self, app: ASGIApp, *, policy: BodyPolicy) -> None:
        super().__init__(app)
        self.policy = policy

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        length, has_body = declared_length(scope)
        if not has_body:
            await self.app(scope, receive, send)
            return
        limit, upload = self.policy.for_path(scope["path"])
        if limit is not None and length is not None and length > limit:
            code, message, details = _too_large(limit)
            await send_error(
                send,
                status=413,
                code=code,
                message=message,
                details=details,
                request_id=scope_request_id(scope),
                headers=_CLOSE,
            )
            return
        guard = _Guard(scope, receive, send, limit=limit, upload=upload, timeout_s=self.policy.timeout_s)
        try:
            await self.app(scope, guard.guarded_receive, guard.guarded_send)
        except Exception:
            if not guard.refused:
                raise
            # the app failed reading a body we cut off (a disconnect): the client has its 413/408 already
            _log.debug("app stopped after its body was refused", exc_info=True)
