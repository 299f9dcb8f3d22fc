"""A file-backed store of tus uploads, like tusd's filestore: `<id>.bin` data, `<id>.json` state, `<id>.lock`.

Ids are random hex checked by a strict regex before any path is built, client file names stay metadata, and
the recorded offset never claims bytes that are not durably on disk, so a client always resumes exactly there.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import FileIO
from pathlib import Path
from typing import Literal

import anyio
import anyio.to_thread

from channel.uploads.state import (
    AppendResult,
    UploadExpired,
    UploadInfo,
    UploadLocked,
    UploadNotFound,
    from_json,
    is_upload_id,
    to_json,
)

__all__ = ["UploadStore"]

_WRITE_BYTES = 1024 * 1024


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _write_at(handle: FileIO, offset: int, data: bytes) -> int:
    """Write all of `data` at `offset` (raw writes may be partial) and return the new end."""
    handle.seek(offset)
    view = memoryview(data)
    while view:
        view = view[handle.write(view) or 0 :]
    return offset + len(data)


class UploadStore:
    """Uploads under one directory; safe across processes on one host thanks to per-upload flock."""

    def __init__(
        self,
        root: Path,
        *,
        ttl: timedelta = timedelta(days=1),
        completed_ttl: timedelta = timedelta(days=7),
        tombstone_ttl: timedelta = timedelta(days=7),
        persist_every: int = 8 * 1024 * 1024,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._ttl = ttl
        self._completed_ttl = completed_ttl
        self._tombstone_ttl = tombstone_ttl
        self._persist_every = persist_every
        self._clock = clock

    def _file(self, upload_id: str, suffix: str) -> Path:
        if not is_upload_id(upload_id):
            raise UploadNotFound(upload_id)
        return self.root / f"{upload_id}{suffix}"

    def data_path(self, upload_id: str) -> Path:
        return self._file(upload_id, ".bin")

    def _save(self, info: UploadInfo) -> None:
        """Write the state beside the final name, fsync, then os.replace: readers see old or new, never half."""
        target = self._file(info.id, ".json")
        tmp = target.with_name(f"{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump(to_json(info), handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def _load(self, upload_id: str) -> UploadInfo:
        try:
            raw = self._file(upload_id, ".json").read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UploadNotFound(upload_id) from None
        return from_json(json.loads(raw))

    def create(self, *, owner_id: str, length: int | None, metadata: Mapping[str, str]) -> UploadInfo:
        now = self._clock()
        upload_id = secrets.token_hex(16)
        info = UploadInfo(
            id=upload_id,
            owner_id=owner_id,
            length=length,
            offset=0,
            metadata=dict(metadata),
            created=now,
            expires=now + (self._completed_ttl if length == 0 else self._ttl),
        )
        self._file(upload_id, ".bin").touch(mode=0o600, exist_ok=False)
        self._save(info)
        return info

    def get(self, upload_id: str, *, owner_id: str | None = None) -> UploadInfo:
        """The upload's state; someone else's upload is reported as not found, so ids cannot be probed."""
        info = self._load(upload_id)
        if owner_id is not None and info.owner_id != owner_id:
            raise UploadNotFound(upload_id)
        if info.gone or info.expires <= self._clock():
            raise UploadExpired(upload_id)
        return info

    @contextlib.asynccontextmanager
    async def lock(self, upload_id: str, *, wait: float = 0.0) -> AsyncIterator[None]:
        """Exclusive right to write one upload, polling for up to `wait` seconds before UploadLocked."""
        path = self._file(upload_id, ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = anyio.current_time() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if anyio.current_time() >= deadline:
                        raise UploadLocked(upload_id) from None
                    await anyio.sleep(0.02)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _renewed(self, info: UploadInfo) -> UploadInfo:
        ttl = self._completed_ttl if info.complete else self._ttl
        return replace(info, expires=self._clock() + ttl)

    def _persist(self, handle: FileIO, info: UploadInfo, offset: int) -> UploadInfo:
        os.fsync(handle.fileno())
        updated = self._renewed(replace(info, offset=offset))
        self._save(updated)
        return updated

    async def append(self, info: UploadInfo, chunks: AsyncIterator[bytes], *, max_bytes: int) -> AppendResult:
        """Stream chunks onto the data file from `info.offset` (the caller holds the lock and read `info` under it).

        Progress is recorded every `persist_every` bytes and when the stream ends for any reason, so an
        interrupted PATCH keeps what arrived. A body longer than `max_bytes` is rolled back whole.
        """
        start = info.offset
        with self.data_path(info.id).open("r+b", buffering=0) as handle:
            handle.truncate(start)  # bytes past the recorded offset were never acknowledged
            buffer = bytearray()
            offset = start  # bytes known to be written to the file
            persisted = start
            outcome: Literal["ok", "too_large"] = "ok"
            try:
                async for chunk in chunks:
                    if offset - start + len(buffer) + len(chunk) > max_bytes:
                        outcome = "too_large"
                        break
                    buffer += chunk
                    if len(buffer) >= _WRITE_BYTES:
                        offset = await anyio.to_thread.run_sync(_write_at, handle, offset, bytes(buffer))
                        buffer.clear()
                    if offset - persisted >= self._persist_every:
                        info = await anyio.to_thread.run_sync(self._persist, handle, info, offset)
                        persisted = offset
                if outcome == "too_large":
                    offset = start
                else:
                    offset = await anyio.to_thread.run_sync(_write_at, handle, offset, bytes(buffer))
            except BaseException:
                # The stream broke, the disk failed or we were cancelled: keep what surely arrived.
                with contextlib.suppress(OSError):
                    offset = _write_at(handle, offset, bytes(buffer))
                handle.truncate(offset)
                self._persist(handle, info, offset)
                raise
            handle.truncate(offset)
            info = await anyio.to_thread.run_sync(self._persist, handle, info, offset)
        return AppendResult(info=info, outcome=outcome)

    def declare_length(self, info: UploadInfo, length: int) -> UploadInfo:
        """Fix a deferred length once it is known (creation-defer-length)."""
        updated = self._renewed(replace(info, length=length))
        self._save(updated)
        return updated

    def mark_finished(self, info: UploadInfo, headers: Mapping[str, str]) -> UploadInfo:
        """Record that the completion hook ran, and what it answered, so a retry can be told again."""
        updated = replace(info, finished=True, result_headers=dict(headers))
        self._save(updated)
        return updated

    def delete(self, upload_id: str) -> None:
        """Remove an upload's files; the caller holds its lock."""
        for suffix in (".bin", ".json", ".lock"):
            self._file(upload_id, suffix).unlink(missing_ok=True)

    def sweep_expired(self, now: datetime) -> list[str]:
        """Drop the data of uploads expired at `now`, leaving a tombstone (410) that is purged later."""
        swept: list[str] = []
        for state in sorted(self.root.glob("*.json")):
            upload_id = state.stem
            if not is_upload_id(upload_id):
                continue
            with self._try_lock(upload_id) as locked:
                if not locked:
                    continue  # being written to: alive
                try:
                    info = self._load(upload_id)
                except (UploadNotFound, ValueError, KeyError):
                    continue
                if info.gone and info.expires + self._tombstone_ttl <= now:
                    self.delete(upload_id)
                elif not info.gone and info.expires <= now:
                    self.data_path(upload_id).unlink(missing_ok=True)
                    self._save(replace(info, gone=True, offset=0))
                    swept.append(upload_id)
        self._drop_leftovers(now)
        return swept

    def _drop_leftovers(self, now: datetime) -> None:
        """Lock files of deleted uploads and temp files of crashed writes."""
        for lock in self.root.glob("*.lock"):
            if is_upload_id(lock.stem) and not lock.with_suffix(".json").exists():
                lock.unlink(missing_ok=True)
        for tmp in self.root.glob("*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                if tmp.stat().st_mtime < now.timestamp() - 3600:
                    tmp.unlink()

    @contextlib.contextmanager
    def _try_lock(self, upload_id: str) -> Iterator[bool]:
        fd = os.open(self._file(upload_id, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
            else:
                yield True
        finally:
            os.close(fd)
