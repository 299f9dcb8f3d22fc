"""Conflicts before publishing, publishing, the as-run log and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from channel.auth import CurrentUser, SchedulerUser, require_roles
from channel.deps import CeleryDep, RequestIdDep, SessionDep, SettingsDep, StoreDep
from channel.grid.audit_log import MAX_AUDIT_LIMIT, list_audit_events
from channel.grid.channels import get_channel
from channel.grid.entry_routes import FromQuery, ToQuery
from channel.grid.errors import GridRoute
from channel.grid.present import conflict_public
from channel.grid.review import DEFAULT_MIN_GAP, as_run, channel_conflicts, publish
from channel.grid.schemas import AsRunPublic, AuditEventPublic, ConflictPublic, PublishPublic, SlugPath
from channel.grid.timeparse import instant_field, zone
from channel.models import Role, User
from channel.playout.slate import slate_probe
from channel.playout.tasks import request_slate

__all__ = ["router"]

router = APIRouter(prefix="/api", route_class=GridRoute)

AuditReader = Annotated[User, Depends(require_roles(Role.SCHEDULER))]


@router.get("/channels/{slug}/conflicts", response_model=list[ConflictPublic], tags=["grid"])
def get_conflicts(
    slug: SlugPath,
    session: SessionDep,
    user: CurrentUser,
    start: FromQuery = None,
    end: ToQuery = None,
    min_gap: Annotated[
        float, Query(ge=0, le=86400, description="report gaps longer than this (s)")
    ] = DEFAULT_MIN_GAP,
) -> list[ConflictPublic]:
    """Overlaps, programmes not ready, failed or deleted, and long gaps (default: the next 7 days)."""
    found = channel_conflicts(
        session, slug=slug, start_text=start, end_text=end, now=datetime.now(UTC), min_gap=min_gap
    )
    return [conflict_public(c) for c in found]


@router.post("/channels/{slug}/publish", response_model=PublishPublic, tags=["grid"])
def post_publish(
    slug: SlugPath,
    session: SessionDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
    celery: CeleryDep,
    store: StoreDep,
) -> PublishPublic:
    """Compile the grid into a new playout version; changes apply from the next unpublished segment.

    The conflicts listed are read from the compiled timeline: exactly what will air."""
    result = publish(
        session,
        slug=slug,
        actor_id=user.id,
        request_id=request_id,
        now=datetime.now(UTC),
        slate_stored=slate_probe(store),
    )
    request_slate(celery, get_channel(session, slug).id)  # idempotent: a no-op once the slate exists
    return PublishPublic(
        version=result.version,
        published_until=result.published_until,
        conflicts=[conflict_public(c) for c in result.conflicts],
    )


@router.get("/channels/{slug}/as-run", response_model=list[AsRunPublic], tags=["grid"])
def get_as_run(
    slug: SlugPath, session: SessionDep, user: CurrentUser, start: FromQuery = None, end: ToQuery = None
) -> list[AsRunPublic]:
    """What actually aired (default: yesterday and today, local time)."""
    rows = as_run(session, slug=slug, start_text=start, end_text=end, now=datetime.now(UTC))
    return [AsRunPublic.model_validate(r) for r in rows]


@router.get("/audit", response_model=list[AuditEventPublic], tags=["audit"])
def get_audit(
    session: SessionDep,
    settings: SettingsDep,
    user: AuditReader,
    entity_type: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
    entity_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
    start: FromQuery = None,
    end: ToQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_LIMIT)] = 100,
) -> list[AuditEventPublic]:
    """Who changed what and when, newest first (admins: everything; schedulers: channels and the grid)."""
    tz = zone(settings.timezone)
    events = list_audit_events(
        session,
        viewer=user,
        entity_type=entity_type,
        entity_id=entity_id,
        start=instant_field(start, tz=tz, field="from", allow_date=True) if start else None,
        end=instant_field(end, tz=tz, field="to", allow_date=True) if end else None,
        limit=limit,
    )
    return [AuditEventPublic.model_validate(e) for e in events]
