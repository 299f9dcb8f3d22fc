"""The periodic sweep of abandoned uploads: their data is dropped once expired, their tombstones later.

Run by the API as one asyncio task for the lifetime of the app (see `channel.app`); each sweep walks the
upload folder in a thread so the event loop never waits on the file system.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from channel.uploads.store import UploadStore

__all__ = ["DEFAULT_SWEEP_SECONDS", "sweep_forever"]

log = logging.getLogger(__name__)

DEFAULT_SWEEP_SECONDS = 600.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def sweep_forever(
    store: UploadStore,
    *,
    interval_s: float = DEFAULT_SWEEP_SECONDS,
    clock: Callable[[], datetime] = _utcnow,
) -> None:
    """Sweep now, then every `interval_s` seconds until cancelled; a failed sweep is logged, never raised."""
    while True:
        try:
            swept = await asyncio.to_thread(store.sweep_expired, clock())
            if swept:
                log.info("swept %d expired upload(s)", len(swept))
        except Exception:
            log.exception("upload sweep failed")
        await asyncio.sleep(interval_s)
