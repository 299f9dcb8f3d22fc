"""HTTP/1.1 written by hand on a socket: what an attacker sends (huge declared bodies, endless chunks,
bytes trickled one at a time) and a browser never would, so no client library smooths it over."""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["RawAnswer", "chunked_flood", "declared_only", "trickle"]

_CHUNK = b"x" * 65536


@dataclass(frozen=True)
class RawAnswer:
    """What came back: status (0 if the server only closed), headers, body, bytes we managed to send."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    seconds: float

    def error(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)["error"]
        return parsed


def _connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30)


def _head(path: str, host: str, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{extra}\r\n").encode()


def _read_answer(sock: socket.socket, *, sent: int, started: float) -> RawAnswer:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    None,
                )
                if length is not None and len(rest) >= length:
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    seconds = time.monotonic() - started
    if b"\r\n\r\n" not in data:
        return RawAnswer(status=0, headers={}, body=b"", sent=sent, seconds=seconds)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return RawAnswer(status=int(lines[0].split()[1]), headers=headers, body=body, sent=sent, seconds=seconds)


def declared_only(base_url: str, path: str, *, length: int) -> RawAnswer:
    """Declare a huge Content-Length, send nothing of it, and read what comes back."""
    started = time.monotonic()
    with _connect(base_url) as sock:
        sock.sendall(_head(path, urlsplit(base_url).netloc, f"Content-Length: {length}\r\n"))
        return _read_answer(sock, sent=0, started=started)


def chunked_flood(base_url: str, path: str, *, total: int) -> RawAnswer:
    """Stream up to `total` bytes of chunked body, stopping as soon as the server answers or hangs up."""
    started = time.monotonic()
    sent = 0
    with _connect(base_url) as sock:
        sock.sendall(_head(path, urlsplit(base_url).netloc, "Transfer-Encoding: chunked\r\n"))
        try:
            while sent < total:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered (or closed): stop sending
                sock.sendall(b"%x\r\n" % len(_CHUNK) + _CHUNK + b"\r\n")
                sent += len(_CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_answer(sock, sent=sent, started=started)


def trickle(base_url: str, path: str, *, length: int, interval: float, max_seconds: float) -> RawAnswer:
    """Declare `length` bytes and send one every `interval` seconds until the server answers."""
    started = time.monotonic()
    sent = 0
    with _connect(base_url) as sock:
        sock.sendall(_head(path, urlsplit(base_url).netloc, f"Content-Length: {length}\r\n"))
        try:
            while sent < length and time.monotonic() - started < max_seconds:
                if select.select([sock], [], [], interval)[0]:
                    break
                sock.sendall(b" ")
                sent += 1
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_answer(sock, sent=sent, started=started)
