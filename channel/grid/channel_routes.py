"""Channel endpoints: anyone lists channels and their playlist addresses; schedulers and admins edit."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from channel.auth import CurrentUser, SchedulerUser
from channel.deps import CeleryDep, RequestIdDep, SessionDep, SettingsDep
from channel.grid.channels import create_channel, get_channel, list_channels, update_channel
from channel.grid.errors import GridRoute
from channel.grid.present import channel_detail, channel_public
from channel.grid.schemas import ChannelCreate, ChannelDetail, ChannelPublic, ChannelUpdate, SlugPath
from channel.playout.tasks import request_slate

__all__ = ["router"]

router = APIRouter(prefix="/api/channels", tags=["channels"], route_class=GridRoute)


@router.get("", response_model=list[ChannelPublic])
def get_channels(session: SessionDep) -> list[ChannelPublic]:
    """Every channel with the addresses of its live playlist and programme guide (public)."""
    return [channel_public(c) for c in list_channels(session)]


@router.get("/{slug}", response_model=ChannelPublic)
def get_one_channel(slug: SlugPath, session: SessionDep) -> ChannelPublic:
    """One channel (public)."""
    return channel_public(get_channel(session, slug))


@router.get("/{slug}/settings", response_model=ChannelDetail)
def get_channel_settings(slug: SlugPath, session: SessionDep, user: CurrentUser) -> ChannelDetail:
    """A channel's profile, filler policy, window and epoch (staff)."""
    return channel_detail(get_channel(session, slug))


@router.post("", response_model=ChannelDetail, status_code=201)
def post_channel(
    body: ChannelCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
    celery: CeleryDep,
) -> ChannelDetail:
    """Create a channel; profile, timezone and window default to the house format of the settings."""
    channel = create_channel(
        session, body=body, settings=settings, actor_id=user.id, request_id=request_id, now=datetime.now(UTC)
    )
    request_slate(celery, channel.id)
    return channel_detail(channel)


@router.patch("/{slug}", response_model=ChannelDetail)
def patch_channel(
    slug: SlugPath,
    body: ChannelUpdate,
    session: SessionDep,
    user: SchedulerUser,
    request_id: RequestIdDep,
    celery: CeleryDep,
) -> ChannelDetail:
    """Change name, description, timezone, filler policy or window (never the profile or the epoch).

    The slate shows the channel's name, so a new name asks a worker for the new slate (idempotent).
    """
    channel = update_channel(session, slug=slug, body=body, actor_id=user.id, request_id=request_id)
    if body.name is not None:
        request_slate(celery, channel.id)
    return channel_detail(channel)
