"""What every piece of the HTTP shell shares: pure ASGI middleware that acts on HTTP requests only, and
a `send` that remembers how the response started.

Lifespan and websocket scopes pass straight through, so each middleware's `handle` is about one HTTP
request and nothing else.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HttpMiddleware", "WatchedSend"]


class HttpMiddleware:
    """Pure ASGI middleware for HTTP requests; a subclass says what it does in `handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request (the default passes it on unchanged)."""
        await self.app(scope, receive, send)


class WatchedSend:
    """`send` that notes whether the response has started and with which status (500 until it has:
    what the client gets when nothing was sent, the server answering 500 or dropping the connection),
    and since when it watches (`seconds()`: how long the request has taken)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._since = time.perf_counter()
        self.started = False
        self.status = 500

    def seconds(self) -> float:
        return time.perf_counter() - self._since

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started, self.status = True, int(message["status"])
        await self._send(message)
