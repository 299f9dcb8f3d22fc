"""Live event endpoints for schedulers: create, list, change, cancel, remake or revoke keys.

The ingest checks keys itself (`channel.ingest.feeds`, against the database): no public route
answers whether a key is good."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response

from channel.auth import CurrentUser, SchedulerUser
from channel.deps import CeleryDep, RequestIdDep, SessionDep, SettingsDep
from channel.grid.errors import GridRoute
from channel.grid.schemas import SlugPath
from channel.live import service
from channel.live.keys import IssuedKey
from channel.live.present import event_public, key_public
from channel.live.schemas import KeyPublic, LiveEventCreate, LiveEventPublic, LiveEventUpdate
from channel.models import Channel, LiveEvent
from channel.playout.tasks import request_slate
from channel.settings import Settings

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["live"], route_class=GridRoute)


def _lead(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.live_key_lead_seconds)


def _event(session: SessionDep, settings: Settings, channel: Channel, event: LiveEvent) -> LiveEventPublic:
    return event_public(session, channel, event, lead=_lead(settings), now=datetime.now(UTC))


def _key(
    session: SessionDep, settings: Settings, channel: Channel, event: LiveEvent, key: IssuedKey
) -> KeyPublic:
    """The key in the clear with the contribution settings, shown this once."""
    return key_public(
        session,
        channel,
        event,
        key,
        lead=_lead(settings),
        now=datetime.now(UTC),
        rtmp_url=settings.live_rtmp_url,
        srt_url=settings.live_srt_url,
        secret_key=settings.secret_key,
    )


@router.post("/channels/{slug}/live", response_model=KeyPublic, status_code=201)
def post_event(
    slug: SlugPath,
    body: LiveEventCreate,
    session: SessionDep,
    settings: SettingsDep,
    celery: CeleryDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
) -> KeyPublic:
    """Place a live event; the answer holds its stream key in the clear, shown this once. The
    channel's gap slate is made by a worker if it has none (then the channel is published again)."""
    channel, event, key = service.create_event(
        session,
        slug=slug,
        body=body,
        secret_key=settings.secret_key,
        actor_id=user.id,
        request_id=request_id,
        now=datetime.now(UTC),
    )
    request_slate(celery, channel.id)
    return _key(session, settings, channel, event, key)


@router.get("/channels/{slug}/live", response_model=list[LiveEventPublic])
def get_events(
    slug: SlugPath, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> list[LiveEventPublic]:
    """The channel's live events from a day ago on."""
    channel, events = service.list_events(session, slug=slug, now=datetime.now(UTC))
    return [_event(session, settings, channel, e) for e in events]


@router.get("/live/{event_id}", response_model=LiveEventPublic)
def get_event(
    event_id: uuid.UUID, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> LiveEventPublic:
    channel, event = service.get_event(session, event_id)
    return _event(session, settings, channel, event)


@router.patch("/live/{event_id}", response_model=LiveEventPublic)
def patch_event(
    event_id: uuid.UUID,
    body: LiveEventUpdate,
    session: SessionDep,
    settings: SettingsDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
) -> LiveEventPublic:
    """Change or cancel an event; publish the channel for the change to air (like a grid edit)."""
    channel, event = service.update_event(
        session, event_id=event_id, body=body, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return _event(session, settings, channel, event)


@router.delete("/live/{event_id}", status_code=204)
def delete_event(
    event_id: uuid.UUID, session: SessionDep, user: SchedulerUser, request_id: RequestIdDep
) -> Response:
    """Remove an event that has not started (one that has is shortened or cancelled instead)."""
    service.delete_event(
        session, event_id=event_id, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return Response(status_code=204)


@router.post("/live/{event_id}/key", response_model=KeyPublic)
def post_key(
    event_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
) -> KeyPublic:
    """Revoke the key and make a new one, shown this once (a publisher on the old key is cut off)."""
    channel, event, key = service.new_key(
        session,
        event_id=event_id,
        secret_key=settings.secret_key,
        actor_id=user.id,
        request_id=request_id,
        now=datetime.now(UTC),
    )
    return _key(session, settings, channel, event, key)


@router.post("/live/{event_id}/key/revoke", response_model=LiveEventPublic)
def post_revoke(
    event_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
) -> LiveEventPublic:
    """Revoke the key; no contribution is accepted until a new key is made."""
    channel, event = service.revoke_key(
        session, event_id=event_id, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    return _event(session, settings, channel, event)
