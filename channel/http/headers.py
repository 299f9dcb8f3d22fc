"""`X-Content-Type-Options: nosniff` on every response, whoever produced it (/media, pages, errors from
middleware): a browser must never guess a type and run an upload as script or HTML. The lean live-playlist
handler in front of it puts the same header in its prebuilt headers, so its hot path pays nothing."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from channel.http.asgi import HttpMiddleware

__all__ = ["NOSNIFF", "NoSniffMiddleware"]

NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniffMiddleware(HttpMiddleware):
    """Pure ASGI middleware, just inside the lean playlist handler: adds the header where it is missing."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                if all(key.lower() != NOSNIFF[0] for key, _ in headers):
                    message["headers"] = [*headers, NOSNIFF]
            await send(message)

        await self.app(scope, receive, send_nosniff)
