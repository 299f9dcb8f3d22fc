"""Received bytes into the object store: whole parts of a multipart upload, the rest as small tail objects.

A tus PATCH may carry any number of bytes while a stored part (S3) must hold at least 5 MiB unless it is
the last, so bytes gather in a local spool file until they make a whole part; when a request ends short
of that, what it brought is stored as a tail object of its own, and the next part starts with the tail.
Every change is saved (through the caller's `save`, which holds the upload's lease) only after the store
has confirmed the bytes, so the recorded offset never claims bytes that could still be lost. Memory stays
bounded: at most one 1 MiB buffer per request; the rest of a part waits on disk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import anyio
import anyio.to_thread

from channel.uploads.state import Layout, PartsStore, TailPiece, UploadInfo
from storage import Part, StorageError

__all__ = [
    "MAX_TAIL_PIECES",
    "SOURCE_TYPE",
    "TAIL_PREFIX",
    "Appended",
    "BodyError",
    "KeepAlive",
    "PartWriter",
    "Save",
    "tail_prefix",
]

_log = logging.getLogger(__name__)

#: tail objects live under `uploads/<upload id>/`; the whole folder goes when the upload is done with
TAIL_PREFIX = "uploads/"
#: past this many tail objects the next one absorbs them all, so a client sending tiny PATCHes cannot
#: grow an upload's record (or the work of joining it) without bound
MAX_TAIL_PIECES = 32
SOURCE_TYPE = "application/octet-stream"
_BUFFER = 1024 * 1024
_COPY_CHUNK = 1024 * 1024

Save = Callable[[UploadInfo], Awaitable[UploadInfo]]
KeepAlive = Callable[[bool], Awaitable[None]]


def tail_prefix(upload_id: str) -> str:
    return f"{TAIL_PREFIX}{upload_id}/"


class _Spool:
    """Bytes received since the last save: a small memory buffer in front of a temp file."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="tus-", suffix=".part", dir=folder)
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+b")
        self._buffer = bytearray()
        self.size = 0

    def add(self, data: memoryview) -> bool:
        """Take `data`; True when the buffer should be written out (`flush`, in a thread)."""
        self._buffer += data
        self.size += len(data)
        return len(self._buffer) >= _BUFFER

    def flush(self) -> None:
        self._file.write(self._buffer)
        self._file.flush()
        self._buffer.clear()

    def reset(self) -> None:
        self._buffer.clear()
        self._file.seek(0)
        self._file.truncate()
        self.size = 0

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class BodyError(Exception):
    """The request body failed while it was read (the client's side, not the store's)."""


async def _reading(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The body's chunks; a failure of the body itself becomes `BodyError`, never a storage error."""
    iterator = chunks.__aiter__()
    while True:
        try:
            chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except Exception as exc:
            raise BodyError(str(exc)) from exc
        yield chunk


@dataclass(frozen=True)
class Appended:
    """The state after a request body was taken; `too_large` means it ran past `max_bytes` and stopped."""

    info: UploadInfo
    too_large: bool = False


class PartWriter:
    """Appends request bodies to uploads in `store`, `part_bytes` to a part, spooling under `spool_dir`."""

    def __init__(self, store: PartsStore, *, part_bytes: int, spool_dir: Path) -> None:
        self.store = store
        self.part_bytes = part_bytes
        self.spool_dir = spool_dir

    async def append(
        self,
        info: UploadInfo,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        save: Save,
        keepalive: KeepAlive,
    ) -> Appended:
        """Take the body from `info.offset` on; whatever arrived is kept however the body ends.

        A body longer than `max_bytes` stops there: the parts already stored stay (they are the file's own
        bytes), the unsaved rest of the request is dropped and the caller refuses it (413).
        """
        spool = await anyio.to_thread.run_sync(_Spool, self.spool_dir)
        received = 0
        try:
            async for chunk in _reading(chunks):
                if received + len(chunk) > max_bytes:
                    return Appended(info, too_large=True)
                received += len(chunk)
                view = memoryview(chunk)
                while view:
                    if info.layout.tail_size + spool.size >= self.part_bytes:
                        info = await self._flush_part(info, spool, save, keepalive)
                        continue
                    room = self.part_bytes - info.layout.tail_size - spool.size
                    if spool.add(view[:room]):
                        await anyio.to_thread.run_sync(spool.flush)
                    view = view[room:]
                    if info.layout.tail_size + spool.size >= self.part_bytes:
                        info = await self._flush_part(info, spool, save, keepalive)
                await keepalive(False)
            if info.length is not None and info.offset + spool.size == info.length:
                return Appended(await self._complete(info, spool, save, keepalive))
            return Appended(await self._keep_tail(info, spool, save))
        except BaseException:
            # The store failed, the lease was lost or we were cancelled: keep what surely arrived.
            with anyio.CancelScope(shield=True):
                try:
                    await self._keep_tail(info, spool, save)
                except Exception:
                    _log.warning("upload %s: the unsaved bytes of an aborted request are lost", info.id)
            raise
        finally:
            spool.close()

    async def complete(self, info: UploadInfo, *, save: Save, keepalive: KeepAlive) -> UploadInfo:
        """Join what is stored into the upload's object (a retry after an earlier attempt failed)."""
        spool = await anyio.to_thread.run_sync(_Spool, self.spool_dir)
        try:
            return await self._complete(info, spool, save, keepalive)
        finally:
            spool.close()

    def discard(self, info: UploadInfo) -> None:
        """Free the store of an unfinished upload's parts and tail objects (blocking)."""
        if info.layout.multipart_id is not None and not info.stored:
            self.store.abort_multipart(info.target.key, info.layout.multipart_id)
        self.store.delete_prefix(tail_prefix(info.id))

    def drop_stale_spools(self, *, older_than: timedelta) -> None:
        """Spool files left by a process that died mid-request (a live one is written to all along)."""
        if not self.spool_dir.is_dir():
            return
        cutoff = time.time() - older_than.total_seconds()
        for path in self.spool_dir.glob("tus-*.part"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

    # -- steps ---------------------------------------------------------------------------------------

    async def _flush_part(
        self, info: UploadInfo, spool: _Spool, save: Save, keepalive: KeepAlive
    ) -> UploadInfo:
        """The tail and the spool make one whole part: store it, save, then drop the tail objects."""
        await anyio.to_thread.run_sync(spool.flush)
        layout = info.layout
        if layout.multipart_id is None:
            multipart_id = await anyio.to_thread.run_sync(self._start, info.target.key)
            info = await save(replace(info, layout=replace(layout, multipart_id=multipart_id)))
            layout = info.layout
        assert layout.multipart_id is not None
        await keepalive(True)  # a fresh lease for the length of the part's upload
        part = await anyio.to_thread.run_sync(
            self._upload_part, info.target.key, layout.multipart_id, len(layout.parts) + 1, layout.tail, spool
        )
        joined = Layout(multipart_id=layout.multipart_id, parts=(*layout.parts, part))
        info = await save(replace(info, layout=joined, offset=joined.size))
        spool.reset()
        await anyio.to_thread.run_sync(self._delete_pieces, layout.tail)
        return info

    async def _keep_tail(self, info: UploadInfo, spool: _Spool, save: Save) -> UploadInfo:
        """Store the spool as the next tail object (absorbing the others when there are many)."""
        if spool.size == 0:
            return info
        await anyio.to_thread.run_sync(spool.flush)
        layout = info.layout
        absorb = layout.tail if len(layout.tail) >= MAX_TAIL_PIECES else ()
        start = layout.parts_size if absorb else info.offset
        key = f"{tail_prefix(info.id)}tail/{start:020d}-{secrets.token_hex(4)}"
        size = await anyio.to_thread.run_sync(self._put_piece, key, absorb, spool)
        kept = tuple(piece for piece in layout.tail if piece not in absorb)
        tail = (*kept, TailPiece(key=key, size=size))
        info = await save(replace(info, layout=replace(layout, tail=tail), offset=info.offset + spool.size))
        spool.reset()
        await anyio.to_thread.run_sync(self._delete_pieces, absorb)
        return info

    async def _complete(
        self, info: UploadInfo, spool: _Spool, save: Save, keepalive: KeepAlive
    ) -> UploadInfo:
        """The last bytes arrived: assemble the object at its final key, in place where the store can.

        Everything received is saved first, then the object is built from what is saved only: a writer
        whose lease lapsed fails at that first save, and two writers that both got past it build the
        same bytes, so the final object can never hold bytes the upload's record does not.
        """
        info = await self._keep_tail(info, spool, save)
        layout = info.layout
        key = info.target.key
        if layout.multipart_id is None:  # smaller than one part: one plain object
            await keepalive(True)
            await anyio.to_thread.run_sync(self._put_whole, key, layout.tail, spool)
            info = await save(replace(info, layout=Layout(), stored=True))
        else:
            parts = layout.parts
            if layout.tail:
                await keepalive(True)
                last = await anyio.to_thread.run_sync(
                    self._upload_part, key, layout.multipart_id, len(parts) + 1, layout.tail, spool
                )
                parts = (*parts, last)
                info = await save(replace(info, layout=Layout(multipart_id=layout.multipart_id, parts=parts)))
            await keepalive(True)
            await anyio.to_thread.run_sync(self.store.complete_multipart, key, layout.multipart_id, parts)
            info = await save(replace(info, stored=True))
        await anyio.to_thread.run_sync(self._delete_pieces, layout.tail)
        return info

    # -- blocking helpers (run in threads) ------------------------------------------------------------

    def _start(self, key: str) -> str:
        return self.store.start_multipart(key, content_type=SOURCE_TYPE)

    @contextlib.contextmanager
    def _gathered(self, tail: Iterable[TailPiece], spool: _Spool) -> Iterator[Path]:
        """A file holding the tail objects then the spool; the spool itself when there is no tail."""
        pieces = tuple(tail)
        if not pieces:
            yield spool.path
            return
        fd, name = tempfile.mkstemp(prefix="tus-join-", suffix=".part", dir=self.spool_dir)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in pieces:
                    with self.store.open(piece.key) as source:
                        copied = _copy(source, out)
                    if copied != piece.size:
                        raise StorageError(
                            f"tail object {piece.key!r} holds {copied} bytes, not {piece.size}"
                        )
                with spool.path.open("rb") as source:
                    _copy(source, out)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def _upload_part(
        self, key: str, multipart_id: str, number: int, tail: tuple[TailPiece, ...], spool: _Spool
    ) -> Part:
        expected = sum(piece.size for piece in tail) + spool.size
        with self._gathered(tail, spool) as path:
            part = self.store.upload_part(key, multipart_id, number=number, path=path)
        if part.size != expected:
            raise StorageError(f"part {number} of {key!r} stored {part.size} bytes, not {expected}")
        return part

    def _put_piece(self, key: str, absorb: tuple[TailPiece, ...], spool: _Spool) -> int:
        with self._gathered(absorb, spool) as path:
            self.store.put_file(key, path, content_type=SOURCE_TYPE)
        return sum(piece.size for piece in absorb) + spool.size

    def _put_whole(self, key: str, tail: tuple[TailPiece, ...], spool: _Spool) -> None:
        with self._gathered(tail, spool) as path:
            self.store.put_file(key, path, content_type=SOURCE_TYPE)

    def _delete_pieces(self, pieces: Iterable[TailPiece]) -> None:
        """Best effort: a piece left behind is only storage, removed with its upload's folder later."""
        for piece in pieces:
            try:
                self.store.delete(piece.key)
            except StorageError:
                _log.warning("could not delete tail object %s; it goes with its upload", piece.key)


def _copy(source: BinaryIO, out: BinaryIO) -> int:
    """Copy a readable binary stream into `out` in 1 MiB blocks; returns how many bytes."""
    total = 0
    while block := source.read(_COPY_CHUNK):
        out.write(block)
        total += len(block)
    return total
