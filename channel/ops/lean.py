"""Lean answers: public GET routes whose bytes hold for a while, answered from memory in front of the
middleware stack.

The guide's now/next and day, and a programme's public JSON, are asked for by every viewer's page
and player again and again, and their bytes change rarely. Through FastAPI each request paid for
routing, dependency solving and eight middleware (profiled in docs/delivery.md: ~85 % of its time);
here a request is a dict lookup and one send. Each `LeanRoute` names the requests it takes (a key)
and computes an `Answer` that holds until its `until`; concurrent misses of one key wait for one
computation. Whatever a route does not take, or answers with None (an error, an unknown channel),
goes on to the FastAPI routes, which answer it with the usual error envelope.

Like the live playlist handler this skips the metrics, access-log and request-id middleware; it adds
CORS (`SimpleCors`) and nosniff itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from channel.ops.cors import Headers, SimpleCors

__all__ = ["MAX_ANSWERS", "Answer", "Key", "LeanMiddleware", "LeanRoute", "json_bytes"]

#: what an answer is kept under: the route's name, then the request's parts (a slug, a date, an id)
Key = tuple[str, ...]

#: answers kept at most (the table is emptied when full: keys such as dates can be made up)
MAX_ANSWERS = 4096


def json_bytes(content: Any) -> bytes:
    """JSON exactly as Starlette's JSONResponse renders it, so both paths give the same bytes."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200 answer and until when (Unix seconds) it holds."""

    body: bytes
    cache_control: str
    until: float
    media_type: str = "application/json"
    extra: tuple[tuple[str, str], ...] = ()  # more headers (a page's security headers)

    def headers(self) -> Headers:
        return [
            (b"content-type", self.media_type.encode()),
            (b"content-length", str(len(self.body)).encode()),
            (b"cache-control", self.cache_control.encode()),
            (b"x-content-type-options", b"nosniff"),  # as on every response (channel/http/headers.py)
            *((name.lower().encode(), value.encode("latin-1")) for name, value in self.extra),
        ]


class LeanRoute(Protocol):
    """One kind of request the lean handler answers. A route whose answer is the same for everyone only
    without cookies (a page that follows a language cookie) sets ``cookieless``: a request that carries
    a cookie goes on to the FastAPI routes."""

    cookieless: bool

    def key(self, path: str, query: bytes) -> Key | None:
        """What the answer to this request is kept under; None: not this route's request."""

    async def answer(self, key: Key, now: float) -> Answer | None:
        """The answer for `key` as of `now`; None: let the FastAPI route answer (errors, unknown ids)."""


class LeanMiddleware:
    """``GET|HEAD`` requests that one of `routes` takes, from memory; everything else passes on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[LeanRoute],
        cors_origins: list[str],
        max_answers: int = MAX_ANSWERS,
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        self.cors = SimpleCors(cors_origins)
        self.max_answers = max_answers
        self.answers: dict[Key, tuple[Answer, Headers]] = {}
        self._pending: dict[Key, asyncio.Future[Answer | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        for route in self.routes:
            key = route.key(path, query)
            if key is not None:
                break
        else:
            return await self.app(scope, receive, send)
        if route.cookieless and any(name == b"cookie" for name, _ in scope["headers"]):
            return await self.app(scope, receive, send)
        now = time.time()
        kept = self.answers.get(key)
        if kept is None or now >= kept[0].until:
            kept = await self._compute(route, key, now)
            if kept is None:
                return await self.app(scope, receive, send)
        answer, headers = kept
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*headers, *self.cors.headers(self.cors.allowed(scope))],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else answer.body})

    async def _compute(self, route: LeanRoute, key: Key, now: float) -> tuple[Answer, Headers] | None:
        """One computation per key at a time: concurrent misses wait for the first."""
        pending = self._pending.get(key)
        if pending is not None:
            answer = await asyncio.shield(pending)
        else:
            future: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
            self._pending[key] = future
            try:
                answer = await route.answer(key, now)
                future.set_result(answer)
            except BaseException as exc:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
                raise
            finally:
                del self._pending[key]
        if answer is None:
            return None
        kept = (answer, answer.headers())
        if key not in self.answers and len(self.answers) >= self.max_answers:
            self.answers.clear()
        self.answers[key] = kept
        return kept
