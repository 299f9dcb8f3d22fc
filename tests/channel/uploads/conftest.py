"""A real uvicorn server on a loopback port serving the tus router, so real clients talk real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import pytest
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from channel.uploads import CompletedUpload, UploadStore, create_tus_router

PREFIX = "/api/uploads"


@dataclass
class Clock:
    """A hand-driven clock so expiry can be tested without waiting."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass(frozen=True)
class User:
    id: str


def current_user(x_user: Annotated[str | None, Header()] = None) -> User:
    if not x_user:
        raise HTTPException(401, "Chưa đăng nhập / Not authenticated")
    return User(x_user)


@dataclass
class Server:
    base: str
    store: UploadStore
    clock: Clock
    completed: list[CompletedUpload]
    upload_dir: Path
    seen: list[tuple[str, str]]  # (method, X-HTTP-Method-Override) of every request

    @property
    def endpoint(self) -> str:
        return f"{self.base}{PREFIX}/"


def _start(app: ASGIApp) -> tuple[uvicorn.Server, threading.Thread, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return server, thread, port


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start a server with a given size limit; every server is stopped at the end of the test."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(
        *,
        max_size: int = 64 * 1024 * 1024,
        fail_completion: bool = False,
        lock_wait: float = 2.0,
        idle_timeout: float = 60.0,
    ) -> Server:
        clock = Clock()
        upload_dir = tmp_path / "uploads"
        store = UploadStore(upload_dir, clock=clock, persist_every=256 * 1024)
        completed: list[CompletedUpload] = []

        async def on_complete(done: CompletedUpload) -> dict[str, str]:
            if fail_completion and not completed:
                completed.append(done)
                raise RuntimeError("hook failed")
            completed.append(done)
            return {"X-Programme-Id": f"prog-{done.id[:8]}"}

        app = FastAPI()
        app.include_router(
            create_tus_router(
                store=store,
                max_size=max_size,
                current_user=current_user,
                on_complete=on_complete,
                lock_wait=lock_wait,
                idle_timeout=idle_timeout,
            ),
            prefix=PREFIX,
        )
        seen: list[tuple[str, str]] = []

        async def logged(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                override = dict(scope["headers"]).get(b"x-http-method-override", b"").decode()
                seen.append((scope["method"], override))
            await app(scope, receive, send)

        server, thread, port = _start(logged)
        running.append((server, thread))
        return Server(f"http://127.0.0.1:{port}", store, clock, completed, upload_dir, seen)

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)
