"""HTTP helpers shared by the router tests: tus headers and one-line requests with httpx."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
from sqlalchemy.orm import Session, sessionmaker

from channel.models import UploadSession
from tests.channel.uploads.conftest import Server
from tests.rawpatch import OFFSET_TYPE

__all__ = [
    "OFFSET_TYPE",
    "MiB",
    "Serve",
    "b64",
    "chunks",
    "create",
    "head",
    "lease_held",
    "patch",
    "sha256",
    "tus",
    "wait_for_offset",
]

MiB = 1024 * 1024
Serve = Callable[..., Server]


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def tus(user: str = "alice", **extra: str) -> dict[str, str]:
    return {"Tus-Resumable": "1.0.0", "X-User": user, **extra}


def create(server: Server, length: int, *, user: str = "alice", metadata: str = "") -> str:
    headers = tus(user, **{"Upload-Length": str(length)})
    if metadata:
        headers["Upload-Metadata"] = metadata
    response = httpx.post(server.endpoint, headers=headers)
    assert response.status_code == 201, response.text
    return response.headers["Location"]


def patch(url: str, body: bytes, offset: int, *, user: str = "alice", **extra: str) -> httpx.Response:
    headers = tus(user, **{"Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE, **extra})
    return httpx.patch(url, content=body, headers=headers)


def head(url: str, *, user: str = "alice") -> httpx.Response:
    return httpx.head(url, headers=tus(user))


def lease_held(sessions: sessionmaker[Session], url: str) -> bool:
    """Whether a request holds the upload's lease right now (read from the database replicas share)."""
    with sessions() as session:
        row = session.get(UploadSession, uuid.UUID(hex=url.rsplit("/", 1)[1]))
        return row is not None and row.lock_token is not None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_for_offset(url: str, expected: int) -> int:
    deadline = time.monotonic() + 10
    offset = -1
    while time.monotonic() < deadline:
        offset = int(head(url).headers["Upload-Offset"])
        if offset == expected:
            break
        time.sleep(0.05)
    return offset


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"z" * piece
