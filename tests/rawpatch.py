"""A tus PATCH over a raw socket, for the tests that cut an upload mid-body (no HTTP client lets a
request end before its declared length)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["OFFSET_TYPE", "open_patch"]

OFFSET_TYPE = "application/offset+octet-stream"


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
