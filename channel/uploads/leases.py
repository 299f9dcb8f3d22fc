"""The right to write one upload, held by one request on any replica at a time.

A lease is a token and an expiry in the upload's row, taken by one conditional UPDATE (`records.py`), so
two replicas can never both hold it. It is renewed while the body streams and with every save; when a
replica dies its lease simply lapses and another request takes over. Every save names the token, so a
writer whose lease lapsed and was taken saves nothing: it hears 409 and its client asks for the offset.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import anyio
import anyio.to_thread

from channel.uploads.records import UploadRecords
from channel.uploads.refusals import locked, taken_over
from channel.uploads.state import LeaseLost, UploadInfo

__all__ = ["Lease", "Leases"]


@dataclass
class Lease:
    """A held lease: whose upload, the holder's token, and when it was last extended (monotonic)."""

    upload_id: str
    token: str
    renewed: float


class Leases:
    """Takes, extends and releases leases; `save` records an upload's new state under one."""

    def __init__(
        self,
        records: UploadRecords,
        *,
        length: timedelta,
        wait: float,
        expiry: Callable[[UploadInfo], timedelta],
        clock: Callable[[], datetime],
    ) -> None:
        self._records = records
        self._length = length
        self._wait = wait
        self._expiry = expiry
        self._clock = clock

    @contextlib.asynccontextmanager
    async def held(self, upload_id: str) -> AsyncIterator[Lease]:
        """Hold the upload's lease, waiting up to `wait` seconds for it (423 after); 409 if it is lost."""
        token = secrets.token_hex(16)
        deadline = anyio.current_time() + self._wait
        while not await anyio.to_thread.run_sync(self.try_take, upload_id, token):
            if anyio.current_time() >= deadline:
                raise locked()
            await anyio.sleep(0.05)
        lease = Lease(upload_id=upload_id, token=token, renewed=time.monotonic())
        try:
            yield lease
        except LeaseLost:
            raise taken_over() from None
        finally:
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(self._records.release, upload_id, token)

    def try_take(self, upload_id: str, token: str) -> bool:
        """Take the lease now if it is free or lapsed (blocking; the sweeper uses it directly)."""
        now = self._clock()
        return self._records.acquire(upload_id, token, now=now, until=now + self._length)

    def release(self, upload_id: str, token: str) -> None:
        self._records.release(upload_id, token)

    async def save(self, lease: Lease, info: UploadInfo) -> UploadInfo:
        """Record the new state (activity pushes the upload's expiry forward) and extend the lease."""
        now = self._clock()
        renewed = replace(info, expires=now + self._expiry(info))
        saved = await anyio.to_thread.run_sync(
            functools.partial(self._records.save, renewed, lease.token, now=now, until=now + self._length)
        )
        lease.renewed = time.monotonic()
        return saved

    async def keepalive(self, lease: Lease, *, force: bool) -> None:
        """Extend the lease while a long body streams (each third of its length, or when asked)."""
        if not force and time.monotonic() - lease.renewed < self._length.total_seconds() / 3:
            return
        until = self._clock() + self._length
        await anyio.to_thread.run_sync(
            functools.partial(self._records.renew, lease.upload_id, lease.token, until=until)
        )
        lease.renewed = time.monotonic()
