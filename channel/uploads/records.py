"""Upload state in the database, where every API replica sees it; each call is one short transaction.

Writers take a lease on the row (a token and an expiry, set by one conditional UPDATE, so two replicas
can never both hold it) and every change they save names their token: a writer whose lease lapsed and
was taken over saves nothing and learns it (`LeaseLost`). Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from channel.models import TranscodeJob, TranscodeState, UploadSession, User
from channel.uploads.quotas import Usage, check_creation
from channel.uploads.state import (
    Layout,
    LeaseLost,
    Quotas,
    TailPiece,
    Target,
    UploadInfo,
    UploadNotFound,
    is_upload_id,
)
from storage import Part

__all__ = ["UploadRecords"]

_WAITING = (TranscodeState.QUEUED, TranscodeState.RUNNING)


def _uuid(upload_id: str) -> uuid.UUID:
    if not is_upload_id(upload_id):
        raise UploadNotFound(upload_id)
    return uuid.UUID(hex=upload_id)


def _info(row: UploadSession) -> UploadInfo:
    layout = Layout(
        multipart_id=row.multipart_id,
        parts=tuple(
            Part(number=int(p["number"]), etag=str(p["etag"]), size=int(p["size"])) for p in row.parts
        ),
        tail=tuple(TailPiece(key=str(t["key"]), size=int(t["size"])) for t in row.tail),
    )
    return UploadInfo(
        id=row.id.hex,
        owner_id=str(row.user_id),
        length=row.length,
        offset=row.offset,
        metadata={str(k): str(v) for k, v in row.upload_metadata.items()},
        created=row.created_at,
        expires=row.expires_at,
        target=Target(key=row.storage_key, programme_id=str(row.programme_id) if row.programme_id else None),
        layout=layout,
        stored=row.stored_at is not None,
        finished=row.finished_at is not None,
        result_headers={str(k): str(v) for k, v in row.result_headers.items()},
        gone=row.gone_at is not None,
    )


def _state_values(info: UploadInfo, now: datetime) -> dict[str, Any]:
    """The columns a writer may change; the moments of `stored`/`finished`/`gone` are set once."""
    layout = info.layout
    return {
        "length": info.length,
        "offset": info.offset,
        "multipart_id": layout.multipart_id,
        "parts": [{"number": p.number, "etag": p.etag, "size": p.size} for p in layout.parts],
        "tail": [{"key": t.key, "size": t.size} for t in layout.tail],
        "expires_at": info.expires,
        "stored_at": func.coalesce(UploadSession.stored_at, now) if info.stored else None,
        "finished_at": func.coalesce(UploadSession.finished_at, now) if info.finished else None,
        "result_headers": dict(info.result_headers),
        "gone_at": func.coalesce(UploadSession.gone_at, now) if info.gone else None,
    }


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


def usage_of(session: Session, owner: uuid.UUID, *, now: datetime) -> Usage:
    """Unfinished uploads, plus bytes of finished ones whose programme still waits for its transcode."""
    open_count, open_bytes = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(func.coalesce(UploadSession.length, UploadSession.offset)), 0),
        )
        .where(UploadSession.user_id == owner)
        .where(UploadSession.finished_at.is_(None), UploadSession.gone_at.is_(None))
        .where(UploadSession.expires_at > now)
    ).one()
    waiting = select(TranscodeJob.programme_id).where(TranscodeJob.state.in_(_WAITING))
    waiting_bytes = session.scalar(
        select(func.coalesce(func.sum(UploadSession.length), 0))
        .where(UploadSession.user_id == owner)
        .where(UploadSession.finished_at.is_not(None), UploadSession.gone_at.is_(None))
        .where(UploadSession.programme_id.in_(waiting))
    )
    return Usage(open_uploads=int(open_count), pending_bytes=int(open_bytes) + int(waiting_bytes or 0))


class UploadRecords:
    """The `upload_sessions` table seen as upload records, leases and usage."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def create(self, info: UploadInfo, *, quotas: Quotas, now: datetime) -> UploadInfo:
        """Insert a new upload if the owner's quotas allow it (checked and inserted in one transaction).

        The owner's row is locked first (PostgreSQL), so simultaneous creations by one user are counted
        one after the other rather than all passing the same check.
        """
        owner = uuid.UUID(info.owner_id)
        with self._factory() as session:
            session.execute(select(User.id).where(User.id == owner).with_for_update(key_share=True))
            check_creation(usage_of(session, owner, now=now), quotas, length=info.length)
            row = UploadSession(
                id=_uuid(info.id),
                user_id=owner,
                programme_id=uuid.UUID(info.target.programme_id) if info.target.programme_id else None,
                length=info.length,
                offset=0,
                upload_metadata=dict(info.metadata),
                storage_key=info.target.key,
                parts=[],
                tail=[],
                created_at=info.created,
                expires_at=info.expires,
                result_headers={},
            )
            session.add(row)
            session.commit()
            return _info(row)

    def get(self, upload_id: str) -> UploadInfo:
        with self._factory() as session:
            row = session.get(UploadSession, _uuid(upload_id))
            if row is None:
                raise UploadNotFound(upload_id)
            return _info(row)

    def usage(self, owner_id: str, *, now: datetime) -> Usage:
        with self._factory() as session:
            return usage_of(session, uuid.UUID(owner_id), now=now)

    # -- the lease ---------------------------------------------------------------------------------

    def acquire(self, upload_id: str, token: str, *, now: datetime, until: datetime) -> bool:
        """Take the lease if nobody holds it or the holder's lapsed; one UPDATE decides, so one wins."""
        with self._factory() as session:
            result = session.execute(
                update(UploadSession)
                .where(UploadSession.id == _uuid(upload_id))
                .where(or_(UploadSession.lock_token.is_(None), UploadSession.locked_until < now))
                .values(lock_token=token, locked_until=until)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return _rowcount(result) == 1

    def renew(self, upload_id: str, token: str, *, until: datetime) -> None:
        with self._factory() as session:
            result = session.execute(
                update(UploadSession)
                .where(UploadSession.id == _uuid(upload_id), UploadSession.lock_token == token)
                .values(locked_until=until)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        if _rowcount(result) != 1:
            raise LeaseLost(upload_id)

    def release(self, upload_id: str, token: str) -> None:
        with self._factory() as session:
            session.execute(
                update(UploadSession)
                .where(UploadSession.id == _uuid(upload_id), UploadSession.lock_token == token)
                .values(lock_token=None, locked_until=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def save(self, info: UploadInfo, token: str, *, now: datetime, until: datetime) -> UploadInfo:
        """Write the writer's new state (and extend its lease), only while it still holds the lease."""
        with self._factory() as session:
            result = session.execute(
                update(UploadSession)
                .where(UploadSession.id == _uuid(info.id), UploadSession.lock_token == token)
                .values(**_state_values(info, now), locked_until=until)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        if _rowcount(result) != 1:
            raise LeaseLost(info.id)
        return info

    def delete(self, upload_id: str, token: str) -> None:
        with self._factory() as session:
            result = session.execute(
                delete(UploadSession)
                .where(UploadSession.id == _uuid(upload_id), UploadSession.lock_token == token)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        if _rowcount(result) != 1:
            raise LeaseLost(upload_id)

    # -- sweeping -----------------------------------------------------------------------------------

    def expired(self, *, now: datetime, limit: int = 500) -> list[UploadInfo]:
        """Uploads past their expiry whose data has not been swept yet, oldest first."""
        with self._factory() as session:
            rows = session.scalars(
                select(UploadSession)
                .where(UploadSession.gone_at.is_(None), UploadSession.expires_at <= now)
                .order_by(UploadSession.expires_at)
                .limit(limit)
            )
            return [_info(row) for row in rows]

    def purge(self, *, gone_before: datetime, now: datetime) -> int:
        """Delete tombstones older than `gone_before` that nobody holds; returns how many."""
        with self._factory() as session:
            result = session.execute(
                delete(UploadSession)
                .where(UploadSession.gone_at.is_not(None), UploadSession.gone_at <= gone_before)
                .where(or_(UploadSession.lock_token.is_(None), UploadSession.locked_until < now))
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return _rowcount(result)

    def by_storage_key(self, keys: Iterable[str]) -> dict[str, UploadInfo]:
        """The uploads (swept ones included) whose object is one of `keys`."""
        wanted = sorted(set(keys))
        found: dict[str, UploadInfo] = {}
        with self._factory() as session:
            for start in range(0, len(wanted), 500):
                rows = session.scalars(
                    select(UploadSession).where(UploadSession.storage_key.in_(wanted[start : start + 500]))
                )
                found.update((row.storage_key, _info(row)) for row in rows)
        return found

    def unfinished_ids(self, candidates: Iterable[str]) -> set[str]:
        """Which of these upload ids are still being uploaded (their tail objects are alive)."""
        wanted = [uuid.UUID(hex=value) for value in candidates if is_upload_id(value)]
        if not wanted:
            return set()
        with self._factory() as session:
            found = session.scalars(
                select(UploadSession.id)
                .where(UploadSession.id.in_(wanted))
                .where(UploadSession.gone_at.is_(None), UploadSession.stored_at.is_(None))
            )
            return {value.hex for value in found}
