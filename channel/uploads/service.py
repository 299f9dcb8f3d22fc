"""The tus upload service: create, report, append to and terminate uploads, with no HTTP in sight.

State is in the database (`records.py`) and bytes in the object store (`parts.py`), so any API replica
can take any request of any upload: a load balancer may send each PATCH anywhere. One request at a time
writes an upload (`leases.py`; a second writer hears 423), and every refusal is a `TusError` the HTTP
shell (`router.py`) renders. What an upload becomes is decided by a `Completion` (the library: the
programme's next source), so these rules are tested with any completion at all.
"""

from __future__ import annotations

import functools
import logging
import math
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

from channel.state import StateKey
from channel.uploads import refusals
from channel.uploads.leases import Lease, Leases
from channel.uploads.parts import PartWriter
from channel.uploads.protocol import Creation, TusError
from channel.uploads.quotas import bytes_room, over_bytes
from channel.uploads.records import UploadRecords
from channel.uploads.state import (
    CompletedUpload,
    LeaseLost,
    PartsStore,
    Requester,
    Target,
    UploadInfo,
    UploadNotFound,
)
from storage import StorageError
from storage.multipart import MAX_PARTS

__all__ = ["UPLOADS", "Completion", "UploadLimits", "UploadService", "effective_part_bytes"]

_log = logging.getLogger(__name__)
_MiB = 1024 * 1024


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
        """Whether something already refers to the object at `key` (then it is never deleted)."""
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

    def expiry(self, info: UploadInfo) -> timedelta:
        """How long an upload lives after its last activity: a day unfinished, a week once complete."""
        return self.completed_ttl if info.complete else self.ttl


def effective_part_bytes(limits: UploadLimits) -> int:
    """The configured part size, raised (to whole MiB) when the largest upload would need over 10,000 parts."""
    needed = math.ceil(limits.max_size / MAX_PARTS / _MiB) * _MiB
    return max(limits.part_bytes, needed)


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
        self.clock = clock
        self.parts = PartWriter(store, part_bytes=effective_part_bytes(limits), spool_dir=spool_dir)
        self.leases = Leases(
            records, length=limits.lease, wait=limits.lock_wait, expiry=limits.expiry, clock=clock
        )
        self._completion = completion

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
        now = self.clock()
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
            functools.partial(self.records.create, info, quotas=requester.quotas, now=now)
        )
        try:
            async with self.leases.held(upload_id) as lease:
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
        async with self.leases.held(upload_id) as lease:
            info = await self._visible(upload_id, requester)  # again, under the lease
            if offset != info.offset:
                raise refusals.offset_mismatch()
            if length is not None:
                info = await self._declare(info, requester, length, lease)
            info = await self._write(info, requester, body, declared, lease)
            return await self._finish(info, lease)

    async def terminate(self, upload_id: str, requester: Requester) -> None:
        """DELETE: drop the upload, its row and every byte it stored (an ingested object stays)."""
        await self._visible(upload_id, requester)
        async with self.leases.held(upload_id) as lease:
            info = await self._visible(upload_id, requester)
            await refusals.guarded(anyio.to_thread.run_sync(self.discard, info))
            await anyio.to_thread.run_sync(self.records.delete, upload_id, lease.token)

    def discard(self, info: UploadInfo) -> None:
        """Free what an upload holds in the store (blocking); an object something already uses stays."""
        self.parts.discard(info)
        if info.stored and not info.finished and not self._completion.in_use(info.target.key):
            self.store.delete(info.target.key)

    # -- steps ----------------------------------------------------------------------------------------

    async def _visible(self, upload_id: str, requester: Requester) -> UploadInfo:
        """The upload if it is the requester's (404 otherwise, so ids cannot be probed) and not expired (410)."""
        try:
            info = await anyio.to_thread.run_sync(self.records.get, upload_id)
        except UploadNotFound:
            raise refusals.not_found() from None
        if info.owner_id != requester.id:
            raise refusals.not_found()
        if info.gone or info.expires <= self.clock():
            raise refusals.gone()
        return info

    async def _declare(self, info: UploadInfo, requester: Requester, length: int, lease: Lease) -> UploadInfo:
        """A deferred length is fixed once, within the byte quota; it may be repeated but never changed."""
        if info.length == length:
            return info
        if info.length is not None or length < info.offset:
            raise refusals.invalid_length()
        usage = await anyio.to_thread.run_sync(
            functools.partial(self.records.usage, requester.id, now=self.clock())
        )
        if usage.pending_bytes - info.offset + length > requester.quotas.pending_bytes:
            raise over_bytes(requester.quotas)
        return await self.leases.save(lease, replace(info, length=length))

    async def _write(
        self,
        info: UploadInfo,
        requester: Requester,
        body: AsyncIterator[bytes],
        declared: int | None,
        lease: Lease,
    ) -> UploadInfo:
        """Append the body, refusing (413) anything past the declared length, the size limit or the quota."""
        limit = (self.limits.max_size if info.length is None else info.length) - info.offset
        quota = None
        if info.length is None:  # a deferred length: only the quota and the size limit bound the stream
            usage = await anyio.to_thread.run_sync(
                functools.partial(self.records.usage, requester.id, now=self.clock())
            )
            room = bytes_room(usage, requester.quotas)
            if room < limit:
                limit, quota = room, requester.quotas
        if declared is not None and declared > limit:
            raise refusals.too_large(quota=quota)
        if declared and info.length is not None and info.offset + declared == info.length:
            await anyio.to_thread.run_sync(self._completion.admit, info)  # before the last bytes are read
        appended = await refusals.guarded(
            self.parts.append(
                info,
                body,
                max_bytes=limit,
                save=functools.partial(self.leases.save, lease),
                keepalive=lambda force: self.leases.keepalive(lease, force=force),
            )
        )
        if appended.too_large:
            raise refusals.too_large(quota=quota)
        return appended.info

    async def _finish(self, info: UploadInfo, lease: Lease) -> UploadInfo:
        """Once every byte is in: assemble the object (if not yet), then run the completion once."""
        if not info.complete or info.finished:
            return info
        if not info.stored:
            info = await refusals.guarded(
                self.parts.complete(
                    info,
                    save=functools.partial(self.leases.save, lease),
                    keepalive=lambda force: self.leases.keepalive(lease, force=force),
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
            raise refusals.not_processed() from None
        return await self.leases.save(lease, replace(info, finished=True, result_headers=dict(headers)))

    async def _remove(self, upload_id: str) -> None:
        """Delete an upload nobody can reach (its creation failed), bytes first, then its row."""
        try:
            async with self.leases.held(upload_id) as lease:
                info = await anyio.to_thread.run_sync(self.records.get, upload_id)
                await anyio.to_thread.run_sync(self.discard, info)
                await anyio.to_thread.run_sync(self.records.delete, upload_id, lease.token)
        except (TusError, StorageError, OSError, LeaseLost, UploadNotFound):
            _log.warning("upload %s could not be removed now; it expires and is swept", upload_id)


#: the API's upload service in its `AppState` (swept by the lifespan, served by the tus router)
UPLOADS: StateKey[UploadService] = StateKey("uploads", UploadService)
