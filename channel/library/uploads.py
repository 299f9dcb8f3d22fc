"""Uploads into the library: the tus endpoints under /api/uploads and the plain one for small files.

Either way the file lands in a folder of ours under a name of ours, becomes the programme's next source
revision, and its transcode is queued after the commit. Client file names stay metadata only.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from channel.auth import OptionalUser, require_roles
from channel.deps import SessionDep
from channel.library.bodies import stream_to_temp
from channel.library.deps import celery_for, check_owner
from channel.library.errors import LibraryError
from channel.library.ingest import display_filename, ingest_source
from channel.library.read import details_of
from channel.library.schemas import ProgrammeCreate, ProgrammePublic
from channel.library.service import create_programme, get_programme
from channel.models import Programme, Role, User
from channel.settings import Settings
from channel.text import strip_controls
from channel.uploads import CompletedUpload, UploadStore, create_tus_router
from channel.uploads.protocol import TusError, parse_metadata

__all__ = ["FILENAME_HEADER", "PROGRAMME_HEADER", "build_upload_router", "complete_upload", "upload_source"]

PROGRAMME_HEADER = "X-Programme-Id"
FILENAME_HEADER = "X-Filename"  # plain upload: the client's file name, percent-encoded UTF-8
_NEW_TITLE = "Chương trình mới"
_producer = require_roles(Role.PRODUCER)


def _programme_for(session: Session, *, user: User, metadata: dict[str, str] | Any) -> Programme:
    """The programme an upload is for: the one named by `programme_id` (caller must own it) or a new one."""
    if metadata.get("programme_id"):
        try:
            programme_id = uuid.UUID(metadata["programme_id"])
        except ValueError:
            raise LibraryError(
                "invalid_programme_id", "Mã chương trình không hợp lệ / Invalid programme id"
            ) from None
        programme = get_programme(session, programme_id)
        check_owner(programme, user)
        return programme
    given = metadata.get("title") or display_filename(metadata.get("filename")) or _NEW_TITLE
    title = strip_controls(given).strip()[:300]
    return create_programme(
        session, data=ProgrammeCreate(title=title or _NEW_TITLE), owner_id=user.id, request_id=None
    )


def complete_upload(app_state: Any, done: CompletedUpload) -> dict[str, str]:
    """The tus completion hook's blocking work: ingest the file, delete it, name the programme."""
    factory: sessionmaker[Session] = app_state.sessionmaker
    with factory() as session:
        user = session.get(User, uuid.UUID(done.owner_id))
        if user is None or not user.active:
            raise LibraryError("not_authenticated", "Tài khoản không còn hoạt động / Account is not active")
        programme = _programme_for(session, user=user, metadata=done.metadata)
        ingest_source(
            session,
            store=app_state.store,
            celery=celery_for(app_state),
            settings=app_state.settings,
            programme=programme,
            path=done.path,
            filename=done.metadata.get("filename") or done.metadata.get("name"),
            actor_id=user.id,
            request_id=None,
        )
        done.path.unlink(missing_ok=True)
        return {PROGRAMME_HEADER: str(programme.id)}


def _check_target(request: Request, user: OptionalUser, session: SessionDep) -> None:
    """Refuse at creation (not after gigabytes) an upload aimed at a programme the caller may not change.

    Authentication itself is the tus routes' own dependency (OPTIONS stays public for discovery).
    """
    if user is None or request.method != "POST" or request.path_params.get("upload_id"):
        return
    try:
        metadata = parse_metadata(request.headers.get("upload-metadata"))
    except TusError:
        return  # the tus handler answers malformed metadata itself
    try:
        if metadata.get("programme_id"):
            _programme_for(session, user=user, metadata=metadata)
    except LibraryError as exc:
        raise HTTPException(exc.status, detail=exc.detail()) from None


def build_upload_router(settings: Settings, *, app_state: Any, store: UploadStore) -> APIRouter:
    """The tus router (mount at /api/uploads): producers only, files in `store`, ingest on completion."""

    async def on_complete(done: CompletedUpload) -> dict[str, str]:
        return await run_in_threadpool(complete_upload, app_state, done)

    tus = create_tus_router(
        store=store,
        max_size=settings.max_upload_bytes,
        current_user=_producer,
        on_complete=on_complete,
    )
    router = APIRouter(dependencies=[Depends(_check_target)], tags=["uploads"])
    router.include_router(tus)
    return router


def _ingest_plain(
    session: Session,
    *,
    app_state: Any,
    programme: Programme,
    path: Path,
    filename: str | None,
    user: User,
    request_id: str,
) -> ProgrammePublic:
    ingest_source(
        session,
        store=app_state.store,
        celery=celery_for(app_state),
        settings=app_state.settings,
        programme=programme,
        path=path,
        filename=filename,
        actor_id=user.id,
        request_id=request_id,
    )
    return details_of(session, programme=programme)


async def upload_source(
    request: Request, *, app_state: Any, session: Session, programme: Programme, user: User, request_id: str
) -> ProgrammePublic:
    """The plain upload: stream the raw body to a temp file (limit enforced while streaming), then ingest it."""
    settings: Settings = app_state.settings
    path: Path = await stream_to_temp(
        request, folder=settings.data_dir / "plain-uploads", limit=settings.max_upload_bytes
    )
    filename = unquote(request.headers.get(FILENAME_HEADER, "")) or None
    try:
        return await run_in_threadpool(
            _ingest_plain,
            session,
            app_state=app_state,
            programme=programme,
            path=path,
            filename=filename,
            user=user,
            request_id=request_id,
        )
    finally:
        path.unlink(missing_ok=True)
