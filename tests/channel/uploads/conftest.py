"""A real uvicorn server on a loopback port serving the tus router over a real database and store.

The upload service keeps its state in a migrated SQLite database and its bytes in a `LocalStore` (or a
given store), like the embedded default; what an upload becomes is a small recording `Completion`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade
from channel.models import Role, User
from channel.uploads import (
    CompletedUpload,
    Quotas,
    Requester,
    Target,
    TusError,
    UploadInfo,
    UploadLimits,
    UploadRecords,
    UploadService,
    create_tus_router,
)
from channel.uploads.state import PartsStore
from storage import LocalStore
from tests.processes import serve_in_thread

PREFIX = "/api/uploads"
USERS = ("alice", "bob")
ROOMY = Quotas(concurrent_uploads=1000, pending_bytes=1 << 50, queued_transcodes=1000)


@dataclass
class Clock:
    """A hand-driven clock so expiry can be tested without waiting."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Recorder:
    """A `Completion` that records what completed; it may refuse the last bytes or fail once."""

    store: PartsStore
    fail_once: bool = False
    refuse_admission: TusError | None = None
    completed: list[CompletedUpload] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def target(self, requester: Requester, metadata: Mapping[str, str], upload_id: str) -> Target:
        if metadata.get("programme_id") == "forbidden":
            raise TusError(403, "not_owner", "Không có quyền / Forbidden")
        return Target(key=f"received/{upload_id}")

    def admit(self, info: UploadInfo) -> None:
        if self.refuse_admission is not None:
            raise self.refuse_admission

    def complete(self, done: CompletedUpload) -> Mapping[str, str]:
        self.completed.append(done)
        if self.fail_once and len(self.completed) == 1:
            raise RuntimeError("hook failed")
        self.used.add(done.key)
        return {"X-Programme-Id": f"prog-{done.id[:8]}"}

    def in_use(self, key: str) -> bool:
        return key in self.used

    def data(self, done: CompletedUpload) -> bytes:
        return self.store.read_bytes(done.key)


@dataclass
class Server:
    base: str
    service: UploadService
    clock: Clock
    recorder: Recorder
    store: PartsStore
    users: dict[str, str]  # name -> user id
    seen: list[tuple[str, str]]  # (method, X-HTTP-Method-Override) of every request

    @property
    def endpoint(self) -> str:
        return f"{self.base}{PREFIX}/"

    @property
    def completed(self) -> list[CompletedUpload]:
        return self.recorder.completed

    def data(self, done: CompletedUpload) -> bytes:
        return self.recorder.data(done)

    def stored_keys(self) -> list[str]:
        """Every object and every unfinished multipart upload in the store."""
        return [info.key for info in self.store.iter_keys("")] + [
            f"multipart:{p.key}" for p in self.store.list_multipart("")
        ]


@pytest.fixture
def upload_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated embedded database with the users alice and bob."""
    url = f"sqlite:///{tmp_path / 'uploads.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        session.add_all(User(username=name, password_hash="-", roles=[Role.PRODUCER]) for name in USERS)
        session.commit()
    yield factory
    engine.dispose()


def user_ids(factory: sessionmaker[Session]) -> dict[str, str]:
    with factory() as session:
        return {user.username: str(user.id) for user in session.query(User)}


@pytest.fixture
def serve(tmp_path: Path, upload_sessions: sessionmaker[Session]) -> Iterator[Callable[..., Server]]:
    """Start a server with given limits; every server is stopped at the end of the test."""
    servers = contextlib.ExitStack()
    users = user_ids(upload_sessions)

    def start(
        *,
        max_size: int = 64 * 1024 * 1024,
        fail_completion: bool = False,
        lock_wait: float = 2.0,
        idle_timeout: float = 60.0,
        quotas: Quotas = ROOMY,
        store: PartsStore | None = None,
        base_url: str | None = None,
    ) -> Server:
        clock = Clock()
        parts_store: PartsStore = store or LocalStore(tmp_path / "store")
        recorder = Recorder(parts_store, fail_once=fail_completion)
        service = UploadService(
            records=UploadRecords(upload_sessions),
            store=parts_store,
            completion=recorder,
            limits=UploadLimits(max_size=max_size, part_bytes=5 * 1024 * 1024, lock_wait=lock_wait),
            spool_dir=tmp_path / "spool",
            clock=clock,
        )
        ids = {name: uuid.UUID(value) for name, value in users.items()}

        def requester(x_user: Annotated[str | None, Header()] = None) -> Requester:
            if not x_user:
                raise HTTPException(401, "Chưa đăng nhập / Not authenticated")
            if x_user not in ids:
                raise HTTPException(403, "Không có quyền / Forbidden")
            return Requester(id=str(ids[x_user]), quotas=quotas)

        address: list[str] = []  # known once it serves
        app = FastAPI()
        app.include_router(
            create_tus_router(
                service=service,
                requester=requester,
                base_url=lambda _request: base_url or address[0],
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

        address.append(servers.enter_context(serve_in_thread(logged)))
        return Server(address[0], service, clock, recorder, parts_store, users, seen)

    with servers:
        yield start
