"""What the pages show, read through the grid's and the library's own functions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from channel.grid.channels import get_channel, list_channels
from channel.grid.errors import GridError
from channel.library.errors import NotFound
from channel.library.schemas import PublicProgramme
from channel.library.service import get_programme
from channel.library.views import public_view
from channel.models import ProgrammeStatus

__all__ = ["ChannelView", "absolute", "channel_views", "find_channel", "ready_programme"]


@dataclass(frozen=True)
class ChannelView:
    """A channel as a page names it."""

    slug: str
    name: str
    description: str
    timezone: str


def _view(channel: object) -> ChannelView:
    return ChannelView(
        slug=getattr(channel, "slug", ""),
        name=getattr(channel, "name", ""),
        description=getattr(channel, "description", ""),
        timezone=getattr(channel, "timezone", "Asia/Ho_Chi_Minh"),
    )


def channel_views(session: Session) -> list[ChannelView]:
    return [_view(channel) for channel in list_channels(session)]


def find_channel(session: Session, *, slug: str | None, default_slug: str | None) -> ChannelView | None:
    """The channel `slug`; without one, the configured default or else the first channel."""
    wanted = slug or default_slug
    if wanted:
        try:
            return _view(get_channel(session, wanted))
        except GridError:
            if slug:
                return None
    channels = channel_views(session)
    return channels[0] if channels else None


def ready_programme(session: Session, programme_id: str) -> PublicProgramme | None:
    """The public view of a ready programme; None when unknown, not ready or deleted."""
    try:
        programme = get_programme(session, uuid.UUID(programme_id))
    except (ValueError, NotFound):
        return None
    if programme.status != ProgrammeStatus.READY:
        return None
    return public_view(programme)


def absolute(base_url: str, url: str | None) -> str | None:
    """`url` made absolute against the public base URL (already absolute URLs pass through)."""
    if not url:
        return None
    if url.startswith(("http://", "https://")):
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")
