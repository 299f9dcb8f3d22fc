"""Small shared types: the slice of the storage interface the transcoder uses, callbacks, heartbeats.

Imports nothing of the project at runtime, so every transcoder module may depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["Beat", "Heartbeat", "OnProgress", "ShouldCancel", "TranscodeStore"]

OnProgress = Callable[[float, str], None]
"""Called with (percent 0–100, stage name) while a job runs."""

ShouldCancel = Callable[[], bool]
"""Polled between ffmpeg progress blocks; True stops the job."""


@dataclass(frozen=True, slots=True)
class Beat:
    """One heartbeat of a running attempt: proof that it is alive and, once known, how far the job is.

    `attempt` is the task id the job's record names for this attempt (the chunks of a chunked job beat
    with their parent's). `quiet_seconds` announces a longer silence than usual, e.g. a retry waiting
    for its countdown, so the watchdog does not take the wait for a lost worker.
    """

    attempt: str
    percent: float | None = None
    stage: str | None = None
    quiet_seconds: float = 0.0


Heartbeat = Callable[[Beat], bool]
"""Records a beat where every API replica reads it; False when the attempt is no longer wanted
(cancelled, or replaced by a re-queued attempt) and must stop without touching its output."""


class TranscodeStore(Protocol):
    """The methods of `storage.Store` the transcoder needs (structural, so any Store fits)."""

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> None: ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None: ...

    def download(self, key: str, path: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def read_bytes(self, key: str) -> bytes: ...

    def delete_prefix(self, prefix: str) -> int: ...

    def iter_keys(self, prefix: str) -> Iterator[object]: ...
