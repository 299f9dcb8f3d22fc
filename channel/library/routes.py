"""HTTP routes of the library's metadata: topics, programmes (CRUD and search), public programme pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from channel.auth import AdminUser, CurrentUser, ProducerUser
from channel.deps import RequestIdDep, SessionDep, SettingsDep, StoreDep
from channel.library import read, service, topics
from channel.library.deps import OwnedProgramme
from channel.library.errors import LibraryRoute
from channel.library.present import staff_view
from channel.library.schemas import (
    ProgrammeCreate,
    ProgrammePage,
    ProgrammePublic,
    ProgrammeUpdate,
    TopicCreate,
    TopicPublic,
)
from channel.library.search import ProgrammeFilters

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["library"], route_class=LibraryRoute)


@router.get("/topics")
def list_topics(session: SessionDep) -> list[TopicPublic]:
    """The managed list of legal topics (public: viewers filter by it too)."""
    return [TopicPublic.model_validate(topic) for topic in topics.list_topics(session)]


@router.post("/topics", status_code=201)
def create_topic(
    body: TopicCreate, user: AdminUser, session: SessionDep, request_id: RequestIdDep
) -> TopicPublic:
    topic = topics.create_topic(
        session, name=body.name, name_en=body.name_en, slug=body.slug, actor_id=user.id, request_id=request_id
    )
    return TopicPublic.model_validate(topic)


@router.post("/programmes", status_code=201)
def create_programme(
    body: ProgrammeCreate, user: ProducerUser, session: SessionDep, request_id: RequestIdDep
) -> ProgrammePublic:
    """A new programme owned by the caller, waiting for its source file ("uploading")."""
    return staff_view(service.create_programme(session, data=body, owner_id=user.id, request_id=request_id))


@router.get("/programmes")
def list_programmes(
    filters: Annotated[ProgrammeFilters, Query()], _user: CurrentUser, session: SessionDep
) -> ProgrammePage:
    """Search (accent- and case-insensitive) and filter the library, newest first."""
    return read.programme_page(session, filters)


@router.get("/programmes/{programme_id}")
def get_programme(programme_id: uuid.UUID, _user: CurrentUser, session: SessionDep) -> ProgrammePublic:
    """One programme, with the progress of its transcode while it runs."""
    return read.programme_details(session, programme_id=programme_id)


@router.patch("/programmes/{programme_id}")
def update_programme(
    body: ProgrammeUpdate,
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    request_id: RequestIdDep,
) -> ProgrammePublic:
    return staff_view(
        service.update_programme(
            session, programme=programme, data=body, actor_id=user.id, request_id=request_id
        )
    )


@router.delete("/programmes/{programme_id}", status_code=204)
def delete_programme(
    programme: OwnedProgramme,
    user: ProducerUser,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
) -> Response:
    """Soft delete and drop its media; refused (409, slots or airings listed) while viewers may see it:
    scheduled in the future, on air, or still in the catch-up of a channel."""
    service.delete_programme(
        session,
        programme=programme,
        store=store,
        actor_id=user.id,
        request_id=request_id,
        now=datetime.now(UTC),
        retention=timedelta(hours=settings.timeshift_retention_hours),
    )
    return Response(status_code=204)
