"""Request bodies read as a stream with the size limit enforced while reading, never whole into memory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import anyio
from fastapi import Request

from channel.library.errors import TooLarge

__all__ = ["read_limited", "stream_to_temp"]

_TOO_LARGE = "Tệp vượt quá kích thước cho phép / The file is larger than allowed"


def _check_declared(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("too_large", _TOO_LARGE, details=[{"max_bytes": limit}])


async def read_limited(request: Request, *, limit: int) -> bytes:
    """A small body (subtitles), refused with 413 as soon as it passes `limit` bytes."""
    _check_declared(request, limit)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise TooLarge("too_large", _TOO_LARGE, details=[{"max_bytes": limit}])
    return bytes(data)


async def stream_to_temp(request: Request, *, folder: Path, limit: int) -> Path:
    """Write the body to a new temp file under `folder` (named by us); 413 and no file past `limit` bytes."""
    _check_declared(request, limit)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="plain-", suffix=".part", dir=folder)
    path = Path(name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge("too_large", _TOO_LARGE, details=[{"max_bytes": limit}])
                await anyio.to_thread.run_sync(handle.write, chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
