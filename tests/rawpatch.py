"""tus requests tests write by hand: the creation of an upload through the API, and a PATCH over a raw
socket for the tests that cut an upload mid-body (no HTTP client lets a request end before its
declared length)."""

from __future__ import annotations

import base64
import socket
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import urlsplit

__all__ = ["OFFSET_TYPE", "create_upload", "open_patch"]

OFFSET_TYPE = "application/offset+octet-stream"


class Answer(Protocol):
    """The part of a response `create_upload` reads (httpx's, or the TestClient's own)."""

    status_code: int

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class Poster(Protocol):
    """What posts to the API: an httpx client on its base URL, or a TestClient of the app."""

    def post(self, url: str, *, headers: Mapping[str, str]) -> Answer: ...


def create_upload(client: Poster, headers: Mapping[str, str], length: int, **metadata: str) -> str:
    """A tus upload of `length` bytes created at the API's /api/uploads/ as `headers` (who) say, with
    `metadata` (name: text, base64 on the wire); its URL. The test fails unless it is created."""
    encoded = ",".join(
        f"{name} {base64.b64encode(text.encode()).decode()}" for name, text in metadata.items()
    )
    created = client.post(
        "/api/uploads/",
        headers={
            "Tus-Resumable": "1.0.0",
            **headers,
            "Upload-Length": str(length),
            "Upload-Metadata": encoded,
        },
    )
    assert created.status_code == 201, created.text
    return str(created.headers["Location"])


def open_patch(url: str, *, offset: int, declared: int, headers: Mapping[str, str]) -> socket.socket:
    """A connection to `url` on which a PATCH's head (announcing `declared` bytes from `offset`) is
    sent; the caller sends all or part of the body, then closes it."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Tus-Resumable: 1.0.0",
        *(f"{name}: {value}" for name, value in headers.items()),
        f"Upload-Offset: {offset}",
        f"Content-Type: {OFFSET_TYPE}",
        f"Content-Length: {declared}",
    ]
    conn = socket.create_connection((parts.hostname, parts.port))
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return conn
