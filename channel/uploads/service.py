"""The tus upload service: create, report, append, terminate and sweep uploads, with no HTTP in sight.

State is in the database (`records.py`) and bytes in the object store (`parts.py`), so any API replica
can take any request of any upload: a load balancer may send each PATCH anywhere. One request at a time
writes an upload (a lease in its row; a second writer hears 423), and every refusal is a `TusError`
the HTTP shell (`router.py`) renders. What an upload becomes is decided by a `Completion` (the library:
the programme's next source), so these rules are tested with any completion at all.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import math
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import anyio
import anyio.to_thread

from channel.uploads.parts import TAIL_PREFIX, PartWriter, tail_prefix
from channel.uploads.protocol import Creation, TusError
from channel.uploads.quotas import bytes_room, over_bytes
from channel.uploads.records import UploadRecords
from channel.uploads.state import (
    CompletedUpload,
    Layout,
    LeaseLost,
    PartsStore,
    Requester,
    Target,
    UploadInfo,
    UploadNotFound,
)
from storage import StorageError
from storage.multipart import MAX_PARTS

__all__ = ["Completion", "SweepReport", "UploadLimits", "UploadService", "effective_part_bytes"]

_log = logging.getLogger(__name__)
_MiB = 1024 * 1024
_T = TypeVar("_T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _not_found() -> TusError:
    return TusError(404, "upload_not_found", "Không tìm thấy tệp tải lên / Upload not found")


def _gone() -> TusError:
    return TusError(410, "upload_expired", "Tệp tải lên đã hết hạn / Upload has expired")


def _locked() -> TusError:
    return TusError(
        423, "upload_locked", "Tệp đang được tải lên ở một yêu cầu khác / Upload is busy in another request"
    )


def _taken_over() -> TusError:
    return TusError(
        409,
        "upload_taken_over",
        "Một yêu cầu khác đã tiếp quản tệp tải lên; hãy hỏi lại vị trí rồi tiếp tục / "
        "Another request took over this upload; ask for its offset and resume",
    )


def _too_large(*, quota: Requester | None) -> TusError:
    if quota is not None:
        return over_bytes(quota.quotas)
    return TusError(413, "too_large", "Dữ liệu vượt quá kích thước tệp / Data exceeds the upload size")


def _storage_failed(exc: BaseException) -> TusError:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return TusError(
            507, "storage_full", "Máy chủ hết dung lượng lưu trữ / The server is out of storage space"
        )
    return TusError(500, "upload_storage", "Lỗi lưu trữ tệp tải lên / The upload could not be stored")


class Completion(Protocol):
    """What uploads are for; every method is blocking (the service calls them in a thread).

    Refusals are `TusError`s (their status and message reach the client as they are).
    """

    def target(self, requester: Requester, metadata: Mapping[str, str], upload_id: str) -> Target:
        """Where an upload with this metadata will live; refuse here what may never complete (e.g. 403)."""
        ...

    def admit(self, info: UploadInfo) -> None:
        """Called before the last bytes are read: refuse (e.g. 429) what could not be taken on now."""
        ...

    def complete(self, done: CompletedUpload) -> Mapping[str, str]:
        """Take the stored upload; the headers returned are sent to the client (and again if it asks)."""
        ...

    def in_use(self, key: str) -> bool:
        """Whether something already refers to the object at `key` (then sweeping never deletes it)."""
        ...


@dataclass(frozen=True)
class UploadLimits:
    """Sizes and times of the upload service (from settings; see `channel.library.uploads`)."""

    max_size: int
    part_bytes: int = 8 * _MiB
    ttl: timedelta = timedelta(days=1)
    completed_ttl: timedelta = timedelta(days=7)
    tombstone_ttl: timedelta = timedelta(days=7)
    lease: timedelta = timedelta(seconds=30)
    lock_wait: float = 2.0


def effective_part_bytes(limits: UploadLimits) -> int:
    """The configured part size, raised (to whole MiB) when the largest upload would need over 10,000 parts."""
    needed = math.ceil(limits.max_size / MAX_PARTS / _MiB) * _MiB
    return max(limits.part_bytes, needed)


@dataclass(frozen=True)
class SweepReport:
    """What one sweep freed: expired uploads, purged tombstones, orphaned multipart uploads and tails."""

    swept: tuple[str, ...] = ()
    purged: int = 0
    orphans: int = 0


@dataclass
class _Lease:
    upload_id: str
    token: str
    renewed: float


class UploadService:
    """tus uploads shared by every replica: state in `records`, bytes in `store`."""

    def __init__(
        self,
        *,
        records: UploadRecords,
        store: PartsStore,
        completion: Completion,
        limits: UploadLimits,
        spool_dir: Path,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.records = records
        self.store = store
        self.limits = limits
        self._completion = completion
        self._clock = clock
        self._writer = PartWriter(store, part_bytes=effective_part_bytes(limits), spool_dir=spool_dir)

    # -- the four tus operations -------------------------------------------------------------------

    async def create(
        self,
        requester: Requester,
        creation: Creation,
        *,
        body: AsyncIterator[bytes] | None = None,
        declared: int | None = None,
    ) -> UploadInfo:
        """A new upload (quotas permitting), with its first bytes when the request carries them."""
        upload_id = uuid.uuid4().hex
        target = await anyio.to_thread.run_sync(
            self._completion.target, requester, creation.metadata, upload_id
        )
        now = self._clock()
        info = UploadInfo(
            id=upload_id,
            owner_id=requester.id,
            length=creation.length,
            offset=0,
            metadata=dict(creation.metadata),
            created=now,
            expires=now + (self.limits.completed_ttl if creation.length == 0 else self.limits.ttl),
            target=target,
        )
        info = await anyio.to_thread.run_sync(
            lambda: self.records.create(info, quotas=requester.quotas, now=now)
        )
        try:
            async with self._leased(upload_id) as lease:
                if body is not None:
                    info = await self._write(info, requester, body, declared, lease)
                return await self._finish(info, lease)
        except TusError:
            with anyio.CancelScope(shield=True):
                await self._remove(upload_id)  # the client never learnt its address: nobody could resume it
            raise

    async def status(self, upload_id: str, requester: Requester) -> UploadInfo:
        """The upload as the client may see it (HEAD)."""
        return await self._visible(upload_id, requester)

    async def append(
        self,
        upload_id: str,
        requester: Requester,
        *,
        offset: int,
        length: int | None,
        body: AsyncIterator[bytes],
        declared: int | None,
    ) -> UploadInfo:
        """PATCH: the body continues the upload at `offset`, which must be where the upload stands (409)."""
        await self._visible(upload_id, requester)  # 404/410 without waiting for the lease
        async with self._leased(upload_id) as lease:
            info = await self._visible(upload_id, requester)  # again, under the lease
            if offset != info.offset:
                raise TusError(
                    409, "offset_mismatch", "Upload-Offset không khớp / Upload-Offset does not match"
                )
            if length is not None:
                info = await self._declare(info, requester, length, lease)
            info = await self._write(info, requester, body, declared, lease)
            return await self._finish(info, lease)

    async def terminate(self, upload_id: str, requester: Requester) -> None:
        """DELETE: drop the upload, its row and every byte it stored (an ingested object stays)."""
        await self._visible(upload_id, requester)
        async with self._leased(upload_id) as lease:
            info = await self._visible(upload_id, requester)
            await _guarded(anyio.to_thread.run_sync(self._discard, info))
            await anyio.to_thread.run_sync(self.records.delete, upload_id, lease.token)

    # -- sweeping (blocking: run in a thread) ---------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> SweepReport:
        """Free expired uploads, purge old tombstones, abort orphaned parts; safe on every replica at once.

        Each expired upload is taken under its lease, so the first replica to get there sweeps it and
        the others skip it; every store call is idempotent, so a sweep cut short is finished next time.
        """
        now = now or self._clock()
        swept: list[str] = []
        for expired in self.records.expired(now=now):
            token = secrets.token_hex(16)
            if not self.records.acquire(expired.id, token, now=now, until=now + self.limits.lease):
                continue  # being written to right now: alive after all, or another replica is on it
            try:
                info = self.records.get(expired.id)
                if info.gone or info.expires > now:
                    continue
                self._discard(info)
                self.records.save(
                    replace(info, offset=0, layout=Layout(), gone=True), token, now=now, until=now
                )
                swept.append(info.id)
            except (StorageError, OSError, LeaseLost, UploadNotFound):
                _log.warning("upload %s could not be swept now; the next sweep tries again", expired.id)
            finally:
                self.records.release(expired.id, token)
        purged = self.records.purge(gone_before=now - self.limits.tombstone_ttl, now=now)
        self._writer.drop_stale_spools(older_than=self.limits.ttl)
        return SweepReport(swept=tuple(swept), purged=purged, orphans=self._sweep_orphans(now))

    def _sweep_orphans(self, now: datetime) -> int:
        """Parts and tail objects no upload records any more (a replica died between two steps).

        A multipart upload is ours when an upload row names its key; it is an orphan when that row does
        not record it. The row's lease is taken before aborting, because a writer holds it from starting
        a multipart upload until it has recorded it: a sweep can never abort one about to be recorded.
        """
        pending = list(self.store.list_multipart(""))
        owners = self.records.by_storage_key(p.key for p in pending)
        orphans = 0
        for multipart in pending:
            owner = owners.get(multipart.key)
            if owner is None or self._records_multipart(owner, multipart.upload_id):
                continue
            token = secrets.token_hex(16)
            if not self.records.acquire(owner.id, token, now=now, until=now + self.limits.lease):
                continue
            try:
                if not self._records_multipart(self.records.get(owner.id), multipart.upload_id):
                    self.store.abort_multipart(multipart.key, multipart.upload_id)
                    orphans += 1
            finally:
                self.records.release(owner.id, token)
        tails = {
            info.key.split("/")[1] for info in self.store.iter_keys(TAIL_PREFIX) if info.key.count("/") >= 2
        }
        alive = self.records.unfinished_ids(tails)
        for upload_id in sorted(tails - alive):
            orphans += self.store.delete_prefix(tail_prefix(upload_id))
        return orphans

    @staticmethod
    def _records_multipart(info: UploadInfo, multipart_id: str) -> bool:
        return info.layout.multipart_id == multipart_id and not info.gone and not info.stored

    # -- steps ----------------------------------------------------------------------------------------

    async def _visible(self, upload_id: str, requester: Requester) -> UploadInfo:
        """The upload if it is the requester's (404 otherwise, so ids cannot be probed) and not expired (410)."""
        try:
            info = await anyio.to_thread.run_sync(self.records.get, upload_id)
        except UploadNotFound:
            raise _not_found() from None
        if info.owner_id != requester.id:
            raise _not_found()
        if info.gone or info.expires <= self._clock():
            raise _gone()
        return info

    async def _declare(
        self, info: UploadInfo, requester: Requester, length: int, lease: _Lease
    ) -> UploadInfo:
        """A deferred length is fixed once, within the byte quota; it may be repeated but never changed."""
        if info.length == length:
            return info
        if info.length is not None or length < info.offset:
            raise TusError(
                400,
                "invalid_length",
                "Upload-Length không hợp lệ / Upload-Length cannot be changed to this value",
            )
        usage = await anyio.to_thread.run_sync(lambda: self.records.usage(requester.id, now=self._clock()))
        if usage.pending_bytes - info.offset + length > requester.quotas.pending_bytes:
            raise over_bytes(requester.quotas)
        return await self._save(lease, replace(info, length=length))

    async def _write(
        self,
        info: UploadInfo,
        requester: Requester,
        body: AsyncIterator[bytes],
        declared: int | None,
        lease: _Lease,
    ) -> UploadInfo:
        """Append the body, refusing (413) anything past the declared length, the size limit or the quota."""
        limit = (self.limits.max_size if info.length is None else info.length) - info.offset
        quota_bound: Requester | None = None
        if info.length is None:  # a deferred length: only the quota and the size limit bound the stream
            usage = await anyio.to_thread.run_sync(
                lambda: self.records.usage(requester.id, now=self._clock())
            )
            room = bytes_room(usage, requester.quotas)
            if room < limit:
                limit, quota_bound = room, requester
        if declared is not None and declared > limit:
            raise _too_large(quota=quota_bound)
        if (
            declared
            and info.length is not None
            and info.offset + declared == info.length
            and not info.finished
        ):
            await anyio.to_thread.run_sync(self._completion.admit, info)  # before the last bytes are read
        appended = await _guarded(
            self._writer.append(
                info,
                body,
                max_bytes=limit,
                save=lambda new: self._save(lease, new),
                keepalive=lambda force: self._keepalive(lease, force=force),
            )
        )
        if appended.too_large:
            raise _too_large(quota=quota_bound)
        return appended.info

    async def _finish(self, info: UploadInfo, lease: _Lease) -> UploadInfo:
        """Once every byte is in: assemble the object (if not yet), then run the completion once."""
        if not info.complete or info.finished:
            return info
        if not info.stored:
            info = await _guarded(
                self._writer.complete(
                    info,
                    save=lambda new: self._save(lease, new),
                    keepalive=lambda force: self._keepalive(lease, force=force),
                )
            )
        done = CompletedUpload(
            id=info.id,
            key=info.target.key,
            size=info.offset,
            metadata=info.metadata,
            owner_id=info.owner_id,
            programme_id=info.target.programme_id,
        )
        try:
            headers = await anyio.to_thread.run_sync(self._completion.complete, done)
        except TusError:
            raise
        except Exception:
            _log.exception("the completion of upload %s failed", info.id)
            raise TusError(
                500,
                "upload_not_processed",
                "Không xử lý được tệp đã tải lên; hãy thử lại / The finished upload could not be processed; retry",
            ) from None
        return await self._save(lease, replace(info, finished=True, result_headers=dict(headers)))

    def _discard(self, info: UploadInfo) -> None:
        """Free what an upload holds in the store; an object something already uses is never deleted."""
        self._writer.discard(info)
        if info.stored and not info.finished and not self._completion.in_use(info.target.key):
            self.store.delete(info.target.key)

    async def _remove(self, upload_id: str) -> None:
        """Delete an upload nobody can reach (its creation failed), bytes first, then its row."""
        try:
            async with self._leased(upload_id) as lease:
                info = await anyio.to_thread.run_sync(self.records.get, upload_id)
                await anyio.to_thread.run_sync(self._discard, info)
                await anyio.to_thread.run_sync(self.records.delete, upload_id, lease.token)
        except (TusError, StorageError, OSError, LeaseLost, UploadNotFound):
            _log.warning("upload %s could not be removed now; it expires and is swept", upload_id)

    # -- the lease ------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _leased(self, upload_id: str) -> AsyncIterator[_Lease]:
        """The right to write one upload, waiting up to `lock_wait` seconds for it (423 after)."""
        token = secrets.token_hex(16)
        deadline = anyio.current_time() + self.limits.lock_wait
        while True:
            now = self._clock()
            until = now + self.limits.lease
            if await anyio.to_thread.run_sync(
                functools.partial(self.records.acquire, upload_id, token, now=now, until=until)
            ):
                break
            if anyio.current_time() >= deadline:
                raise _locked()
            await anyio.sleep(0.05)
        lease = _Lease(upload_id=upload_id, token=token, renewed=time.monotonic())
        try:
            yield lease
        except LeaseLost:
            raise _taken_over() from None
        finally:
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(self.records.release, upload_id, token)

    async def _save(self, lease: _Lease, info: UploadInfo) -> UploadInfo:
        """Record the new state under the lease; activity pushes the upload's expiry forward."""
        now = self._clock()
        ttl = self.limits.completed_ttl if info.complete else self.limits.ttl
        renewed = replace(info, expires=now + ttl)
        saved = await anyio.to_thread.run_sync(
            lambda: self.records.save(renewed, lease.token, now=now, until=now + self.limits.lease)
        )
        lease.renewed = time.monotonic()
        return saved

    async def _keepalive(self, lease: _Lease, *, force: bool) -> None:
        """Extend the lease while a long body streams (each third of its length, or when asked)."""
        if not force and time.monotonic() - lease.renewed < self.limits.lease.total_seconds() / 3:
            return
        until = self._clock() + self.limits.lease
        await anyio.to_thread.run_sync(lambda: self.records.renew(lease.upload_id, lease.token, until=until))
        lease.renewed = time.monotonic()


async def _guarded(work: Awaitable[_T]) -> _T:
    """Store and disk failures become a tus refusal that names nothing internal (logged in full)."""
    try:
        return await work
    except (StorageError, OSError) as exc:
        _log.exception("upload storage failed")
        raise _storage_failed(exc) from None
