"""Small shared types: the slice of the storage interface the transcoder uses, and callbacks.

Imports nothing of the project at runtime, so every transcoder module may depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

__all__ = ["OnProgress", "ShouldCancel", "TranscodeStore"]

OnProgress = Callable[[float, str], None]
"""Called with (percent 0–100, stage name) while a job runs."""

ShouldCancel = Callable[[], bool]
"""Polled between ffmpeg progress blocks; True stops the job."""


class TranscodeStore(Protocol):
    """The methods of `storage.Store` the transcoder needs (structural, so any Store fits)."""

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> None: ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None: ...

    def download(self, key: str, path: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def read_bytes(self, key: str) -> bytes: ...

    def delete_prefix(self, prefix: str) -> int: ...
