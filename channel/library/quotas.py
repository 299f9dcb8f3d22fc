"""Each user's quotas from settings, and the check made before an upload's transcode is queued.

`check_transcode_quota` is enforced where transcodes are queued: `ingest.ingest_stored` (every upload, tus or
plain, queues its transcode there) and `transcode.retry_transcode`; it is asked early as well (before the last bytes of a tus upload, before the
body of a plain one), so a producer hears 429 before sending gigabytes that could not be taken on.
Admins are not exempt: they get every quota `quota_admin_factor` times over.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channel.library.errors import LibraryError
from channel.models import Programme, Role, TranscodeJob, TranscodeState, User
from channel.settings import Settings
from channel.uploads.quotas import scaled
from channel.uploads.state import Quotas

__all__ = ["TooManyRequests", "check_transcode_quota", "queued_transcodes", "quotas_for"]


class TooManyRequests(LibraryError):
    status = 429


def quotas_for(settings: Settings, roles: Collection[Role]) -> Quotas:
    """The quotas of a user holding `roles`: the configured ones, `quota_admin_factor` times larger for admins."""
    base = Quotas(
        concurrent_uploads=settings.quota_concurrent_uploads,
        pending_bytes=settings.quota_pending_bytes,
        queued_transcodes=settings.quota_queued_transcodes,
    )
    return scaled(base, settings.quota_admin_factor) if Role.ADMIN in roles else base


def queued_transcodes(session: Session, *, owner_id: uuid.UUID, besides: uuid.UUID) -> int:
    """Transcodes queued or running for the owner's programmes other than `besides`.

    The programme's own job is left out: queuing it again replaces that job, it does not add one.
    """
    count = session.scalar(
        select(func.count())
        .select_from(TranscodeJob)
        .join(Programme, Programme.id == TranscodeJob.programme_id)
        .where(Programme.owner_id == owner_id, Programme.id != besides)
        .where(TranscodeJob.state.in_([TranscodeState.QUEUED, TranscodeState.RUNNING]))
    )
    return int(count or 0)


def check_transcode_quota(
    session: Session, *, owner_id: uuid.UUID | None, programme_id: uuid.UUID, settings: Settings
) -> None:
    """Refuse (429) a transcode of `programme_id` while its owner already has their quota queued."""
    if owner_id is None:  # the owner's account was deleted; staff act on such programmes
        return
    owner = session.get(User, owner_id)
    limit = quotas_for(settings, owner.roles if owner is not None else {Role.PRODUCER}).queued_transcodes
    queued = queued_transcodes(session, owner_id=owner_id, besides=programme_id)
    if queued >= limit:
        raise TooManyRequests(
            "transcode_quota",
            f"Đã có {queued} chương trình đang chờ chuyển mã (tối đa {limit}); hãy thử lại khi bớt / "
            f"{queued} programmes are already waiting to be transcoded (at most {limit}); retry when "
            "some have finished",
            details=[{"queued": queued, "limit": limit}],
        )
