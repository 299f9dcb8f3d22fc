"""The periodic sweep of abandoned uploads, run by every API replica (whichever gets there first wins).

Each sweep runs in a thread so the event loop never waits on the database or the store; see
`UploadService.sweep` for what is freed and why two replicas sweeping at once is safe.
"""

from __future__ import annotations

import asyncio
import logging

from channel.uploads.service import SweepReport, UploadService

__all__ = ["DEFAULT_SWEEP_SECONDS", "sweep_forever"]

log = logging.getLogger(__name__)

DEFAULT_SWEEP_SECONDS = 600.0


async def _finishing(sweep: asyncio.Future[SweepReport]) -> SweepReport:
    """Await a sweep; when cancelled (the API stops), let its thread finish before the engine is disposed."""
    try:
        return await asyncio.shield(sweep)
    except asyncio.CancelledError:
        await asyncio.wait({sweep})
        raise


async def sweep_forever(service: UploadService, *, interval_s: float = DEFAULT_SWEEP_SECONDS) -> None:
    """Sweep now, then every `interval_s` seconds until cancelled; a failed sweep is logged, never raised."""
    while True:
        try:
            report = await _finishing(asyncio.ensure_future(asyncio.to_thread(service.sweep)))
            if report.swept or report.purged or report.orphans:
                log.info(
                    "upload sweep: %d expired, %d tombstones purged, %d orphans freed",
                    len(report.swept),
                    report.purged,
                    report.orphans,
                )
        except Exception:
            log.exception("upload sweep failed")
        await asyncio.sleep(interval_s)
