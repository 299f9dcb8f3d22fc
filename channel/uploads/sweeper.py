"""The sweep of abandoned uploads, run by every API replica: whichever gets to an upload first frees it.

Expired uploads lose their parts (multipart aborted), tail objects and unclaimed object, keeping a
tombstone row that answers 410 for a while; tombstones are purged later; parts and tails that no upload
records (a replica died between two steps) are found and freed too. Each upload is taken under its
lease, so replicas sweeping at once never free one twice, and every store call is idempotent, so a
sweep cut short is finished by the next one.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from channel.uploads.parts import TAIL_PREFIX, tail_prefix
from channel.uploads.service import UploadService
from channel.uploads.state import Layout, LeaseLost, UploadInfo, UploadNotFound
from storage import StorageError

__all__ = ["DEFAULT_SWEEP_SECONDS", "SweepReport", "sweep", "sweep_forever"]

log = logging.getLogger(__name__)

DEFAULT_SWEEP_SECONDS = 600.0


@dataclass(frozen=True)
class SweepReport:
    """What one sweep freed: expired uploads, purged tombstones, orphaned multipart uploads and tails."""

    swept: tuple[str, ...] = ()
    purged: int = 0
    orphans: int = 0


def sweep(service: UploadService, now: datetime | None = None) -> SweepReport:
    """One sweep (blocking: run it in a thread); safe on every replica at once."""
    now = now or service.clock()
    records, leases = service.records, service.leases
    swept: list[str] = []
    for expired in records.expired(now=now):
        token = secrets.token_hex(16)
        if not leases.try_take(expired.id, token):
            continue  # being written to right now (alive after all), or another replica is on it
        try:
            info = records.get(expired.id)
            if info.gone or info.expires > now:
                continue
            service.discard(info)
            records.save(replace(info, offset=0, layout=Layout(), gone=True), token, now=now, until=now)
            swept.append(info.id)
        except (StorageError, OSError, LeaseLost, UploadNotFound):
            log.warning("upload %s could not be swept now; the next sweep tries again", expired.id)
        finally:
            leases.release(expired.id, token)
    purged = records.purge(gone_before=now - service.limits.tombstone_ttl, now=now)
    service.parts.drop_stale_spools(older_than=service.limits.ttl)
    return SweepReport(swept=tuple(swept), purged=purged, orphans=_orphans(service))


def _orphans(service: UploadService) -> int:
    """Parts and tail objects no upload records any more (a replica died between two steps).

    A multipart upload is ours when an upload row names its key, and an orphan when that row does not
    record it. The row's lease is taken before aborting: a writer holds it from starting a multipart
    upload until it has recorded it, so a sweep never aborts one that is about to be recorded.
    """
    store, records, leases = service.store, service.records, service.leases
    pending = list(store.list_multipart(""))
    owners = records.by_storage_key(p.key for p in pending)
    freed = 0
    for multipart in pending:
        owner = owners.get(multipart.key)
        if owner is None or _records(owner, multipart.upload_id):
            continue  # not an upload's (a transcoder's upload in flight), or in use
        token = secrets.token_hex(16)
        if not leases.try_take(owner.id, token):
            continue
        try:
            if not _records(records.get(owner.id), multipart.upload_id):
                store.abort_multipart(multipart.key, multipart.upload_id)
                freed += 1
        finally:
            leases.release(owner.id, token)
    tails = {info.key.split("/")[1] for info in store.iter_keys(TAIL_PREFIX) if info.key.count("/") >= 2}
    for upload_id in sorted(tails - records.unfinished_ids(tails)):
        freed += store.delete_prefix(tail_prefix(upload_id))
    return freed


def _records(info: UploadInfo, multipart_id: str) -> bool:
    """Whether the upload still writes through this multipart upload."""
    return info.layout.multipart_id == multipart_id and not info.gone and not info.stored


async def _finishing(work: asyncio.Future[SweepReport]) -> SweepReport:
    """Await a sweep; when cancelled (the API stops), let its thread finish before the engine is disposed."""
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait({work})
        raise


async def sweep_forever(service: UploadService, *, interval_s: float = DEFAULT_SWEEP_SECONDS) -> None:
    """Sweep now, then every `interval_s` seconds until cancelled; a failed sweep is logged, never raised."""
    while True:
        try:
            report = await _finishing(asyncio.ensure_future(asyncio.to_thread(sweep, service)))
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
