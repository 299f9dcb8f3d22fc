"""Uploads into the library: the tus endpoints under /api/uploads and the plain one for small files.

A tus upload is assembled in place under the programme's folder of the store (`ingest.upload_key`) and
becomes its next source revision; a plain upload is streamed to a temp file and stored. Either way the
transcode is queued in the same commit, and the client's file name stays metadata only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import cast
from urllib.parse import unquote

from celery import Celery
from fastapi import APIRouter, Request
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from channel.auth import ProducerUser
from channel.deps import SettingsDep
from channel.library.bodies import stream_to_temp
from channel.library.deps import check_owner
from channel.library.errors import LibraryError
from channel.library.ingest import display_filename, ingest_source, ingest_stored, upload_key
from channel.library.quotas import check_transcode_quota, quotas_for
from channel.library.read import details_of
from channel.library.schemas import ProgrammeCreate, ProgrammePublic
from channel.library.service import create_programme, get_programme
from channel.models import Programme, User
from channel.settings import Settings
from channel.state import AppState, app_state
from channel.text import strip_controls
from channel.uploads import (
    CompletedUpload,
    Requester,
    Target,
    TusError,
    UploadInfo,
    UploadLimits,
    UploadRecords,
    UploadService,
    create_tus_router,
)
from channel.uploads.state import PartsStore
from storage import MultipartStore, Store

__all__ = [
    "FILENAME_HEADER",
    "PROGRAMME_HEADER",
    "ProgrammeUploads",
    "build_upload_router",
    "upload_requester",
    "upload_service",
    "upload_source",
]

PROGRAMME_HEADER = "X-Programme-Id"
FILENAME_HEADER = "X-Filename"  # plain upload: the client's file name, percent-encoded UTF-8
_NEW_TITLE = "Chương trình mới"


def _refusal(exc: LibraryError) -> TusError:
    """The library's refusal as the tus shell renders it: same status, code and message."""
    return TusError(exc.status, exc.code, exc.message)


def _programme_id(metadata: Mapping[str, str]) -> uuid.UUID | None:
    given = metadata.get("programme_id")
    if not given:
        return None
    try:
        return uuid.UUID(given)
    except ValueError:
        raise LibraryError(
            "invalid_programme_id", "Mã chương trình không hợp lệ / Invalid programme id"
        ) from None


def _new_title(metadata: Mapping[str, str]) -> str:
    given = metadata.get("title") or display_filename(metadata.get("filename")) or _NEW_TITLE
    return strip_controls(given).strip()[:300] or _NEW_TITLE


def _active_user(session: Session, user_id: str) -> User:
    user = session.get(User, uuid.UUID(user_id))
    if user is None or not user.active:
        raise LibraryError("not_authenticated", "Tài khoản không còn hoạt động / Account is not active")
    return user


class ProgrammeUploads:
    """The library's side of tus uploads (`channel.uploads.Completion`): each becomes a programme's source."""

    def __init__(self, *, sessions: sessionmaker[Session], settings: Settings, celery: Celery) -> None:
        self._sessions = sessions
        self._settings = settings
        self._celery = celery

    def target(self, requester: Requester, metadata: Mapping[str, str], upload_id: str) -> Target:
        """The programme named by `programme_id` (the caller's own: 403 at creation, not after gigabytes) or a new id."""
        try:
            with self._sessions() as session:
                user = _active_user(session, requester.id)
                programme_id = _programme_id(metadata)
                if programme_id is not None:
                    check_owner(get_programme(session, programme_id), user)
        except LibraryError as exc:
            raise _refusal(exc) from None
        chosen = programme_id or uuid.uuid4()  # a new programme gets this id when the upload completes
        return Target(key=upload_key(chosen, upload_id), programme_id=str(chosen))

    def admit(self, info: UploadInfo) -> None:
        """Refuse the last bytes (429) while the owner's transcode queue is full."""
        if info.target.programme_id is None:
            return
        programme_id = uuid.UUID(info.target.programme_id)
        try:
            with self._sessions() as session:
                programme = session.get(Programme, programme_id)
                owner_id = programme.owner_id if programme is not None else uuid.UUID(info.owner_id)
                check_transcode_quota(
                    session, owner_id=owner_id, programme_id=programme_id, settings=self._settings
                )
        except LibraryError as exc:
            raise _refusal(exc) from None

    def complete(self, done: CompletedUpload) -> Mapping[str, str]:
        """Create the programme if new, attach the stored object as its source, queue the transcode."""
        try:
            with self._sessions() as session:
                return self._ingest(session, done)
        except LibraryError as exc:
            raise _refusal(exc) from None

    def _ingest(self, session: Session, done: CompletedUpload) -> Mapping[str, str]:
        assert done.programme_id is not None
        user = _active_user(session, done.owner_id)
        programme_id = uuid.UUID(done.programme_id)
        answer = {PROGRAMME_HEADER: str(programme_id)}
        programme = session.get(Programme, programme_id)
        if programme is not None and programme.source_key == done.key:
            return answer  # taken already: the client retried after an answer it did not hear
        if programme is None:
            check_transcode_quota(
                session, owner_id=user.id, programme_id=programme_id, settings=self._settings
            )
            programme = create_programme(
                session,
                data=ProgrammeCreate(title=_new_title(done.metadata)),
                owner_id=user.id,
                request_id=None,
                programme_id=programme_id,
            )
        else:
            programme = get_programme(session, programme_id)
            check_owner(programme, user)
        ingest_stored(
            session,
            celery=self._celery,
            settings=self._settings,
            programme=programme,
            key=done.key,
            filename=done.metadata.get("filename") or done.metadata.get("name"),
            actor_id=user.id,
            request_id=None,
        )
        return answer

    def in_use(self, key: str) -> bool:
        with self._sessions() as session:
            return bool(session.scalar(select(exists().where(Programme.source_key == key))))


def upload_service(
    settings: Settings, *, sessions: sessionmaker[Session], store: Store, celery: Celery
) -> UploadService:
    """The tus service of an API: state in its database, bytes in its store, programmes as the outcome."""
    if not isinstance(store, MultipartStore):
        raise TypeError(f"{store!r} cannot store objects in parts, which resumable uploads need")
    limits = UploadLimits(
        max_size=settings.max_upload_bytes,
        part_bytes=settings.upload_part_bytes,
        ttl=timedelta(hours=settings.upload_expiry_hours),
        lease=timedelta(seconds=settings.upload_lease_seconds),
    )
    return UploadService(
        records=UploadRecords(sessions),
        store=cast(PartsStore, store),
        completion=ProgrammeUploads(sessions=sessions, settings=settings, celery=celery),
        limits=limits,
        spool_dir=settings.data_dir / "upload-spool",
    )


def upload_requester(user: ProducerUser, settings: SettingsDep) -> Requester:
    """Producers (and admins) upload; each with their role's quotas."""
    return Requester(id=str(user.id), quotas=quotas_for(settings, user.roles))


def _public_url(request: Request) -> str:
    return app_state(request).settings.base_url


def build_upload_router(*, service: UploadService) -> APIRouter:
    """The tus router (mount at /api/uploads); `Location` headers are built on `LEGALTV_BASE_URL`."""
    router = APIRouter(tags=["uploads"])
    router.include_router(
        create_tus_router(service=service, requester=upload_requester, base_url=_public_url)
    )
    return router


def _ingest_plain(
    session: Session,
    *,
    state: AppState,
    programme: Programme,
    path: Path,
    filename: str | None,
    user: User,
    request_id: str,
) -> ProgrammePublic:
    ingest_source(
        session,
        store=state.store,
        celery=state.celery,
        settings=state.settings,
        programme=programme,
        path=path,
        filename=filename,
        actor_id=user.id,
        request_id=request_id,
    )
    return details_of(session, programme=programme)


async def upload_source(
    request: Request, *, state: AppState, session: Session, programme: Programme, user: User, request_id: str
) -> ProgrammePublic:
    """The plain upload: quota first (429 before any byte), then stream the body to a temp file and ingest it."""
    settings = state.settings
    await run_in_threadpool(
        check_transcode_quota,
        session,
        owner_id=programme.owner_id,
        programme_id=programme.id,
        settings=settings,
    )
    path: Path = await stream_to_temp(
        request, folder=settings.data_dir / "plain-uploads", limit=settings.max_upload_bytes
    )
    filename = unquote(request.headers.get(FILENAME_HEADER, "")) or None
    try:
        return await run_in_threadpool(
            _ingest_plain,
            session,
            state=state,
            programme=programme,
            path=path,
            filename=filename,
            user=user,
            request_id=request_id,
        )
    finally:
        path.unlink(missing_ok=True)
