"""Grid endpoints for schedulers: place, move and remove slots and series, copy a day or a week."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from channel.auth import CurrentUser, SchedulerUser
from channel.deps import RequestIdDep, SessionDep
from channel.grid.copying import copy_span, delete_series
from channel.grid.entries import add_entries, delete_entry, list_entries, move_entry
from channel.grid.errors import GridRoute
from channel.grid.present import entries_public, entry_public
from channel.grid.schemas import (
    CopyCreate,
    CopyPublic,
    EntryCreate,
    EntryPublic,
    EntryUpdate,
    SeriesDeletePublic,
    SlugPath,
)
from channel.text import CleanQuery

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["grid"], route_class=GridRoute)

_RANGE_HELP = "ISO 8601 instant, naive = channel's local time, or a local date YYYY-MM-DD"
FromQuery = Annotated[CleanQuery | None, Query(alias="from", max_length=64, description=_RANGE_HELP)]
ToQuery = Annotated[CleanQuery | None, Query(alias="to", max_length=64, description=_RANGE_HELP)]


@router.post("/channels/{slug}/entries", response_model=list[EntryPublic], status_code=201)
def post_entries(
    slug: SlugPath, body: EntryCreate, session: SessionDep, user: SchedulerUser, request_id: RequestIdDep
) -> list[EntryPublic]:
    """Place a programme at a start time, a recurring slot (RRULE), or a series episode by episode."""
    channel, entries = add_entries(
        session, slug=slug, body=body, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return entries_public(channel, entries)


@router.get("/channels/{slug}/entries", response_model=list[EntryPublic])
def get_entries(
    slug: SlugPath, session: SessionDep, user: CurrentUser, start: FromQuery = None, end: ToQuery = None
) -> list[EntryPublic]:
    """The grid between two local dates or instants (default: today and the next 7 days)."""
    channel, entries = list_entries(session, slug=slug, start_text=start, end_text=end, now=datetime.now(UTC))
    return entries_public(channel, entries)


@router.patch("/entries/{entry_id}", response_model=EntryPublic)
def patch_entry(
    entry_id: uuid.UUID, body: EntryUpdate, session: SessionDep, user: SchedulerUser, request_id: RequestIdDep
) -> EntryPublic:
    """Move a slot, change its start mode or its programme (refused inside the frozen part)."""
    channel, entry = move_entry(
        session, entry_id=entry_id, body=body, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return entry_public(channel, entry)


@router.delete("/entries/{entry_id}", status_code=204)
def remove_entry(
    entry_id: uuid.UUID, session: SessionDep, user: SchedulerUser, request_id: RequestIdDep
) -> Response:
    """Remove one slot (one occurrence of a series too)."""
    delete_entry(session, entry_id=entry_id, actor_id=user.id, request_id=request_id, now=datetime.now(UTC))
    return Response(status_code=204)


@router.delete("/series/{series_id}", response_model=SeriesDeletePublic)
def remove_series(
    series_id: uuid.UUID,
    session: SessionDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
    start: FromQuery = None,
) -> SeriesDeletePublic:
    """Remove the rest of a series from `from` (default now); frozen occurrences stay and are counted."""
    deleted, kept = delete_series(
        session,
        series_id=series_id,
        from_text=start,
        actor_id=user.id,
        request_id=request_id,
        now=datetime.now(UTC),
    )
    return SeriesDeletePublic(series_id=series_id, deleted=deleted, kept_frozen=kept)


@router.post("/channels/{slug}/copy", response_model=CopyPublic, status_code=201)
def post_copy(
    slug: SlugPath, body: CopyCreate, session: SessionDep, user: SchedulerUser, request_id: RequestIdDep
) -> CopyPublic:
    """Copy a local day or week of the grid to another date, keeping wall-clock times."""
    channel, created, removed = copy_span(
        session, slug=slug, body=body, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return CopyPublic(created=entries_public(channel, created), removed=removed)
