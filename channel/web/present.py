"""View data the pages show, built from models through the grid's and the library's own functions."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from channel.editorial.published import published_view
from channel.grid.channels import get_channel, list_channels
from channel.grid.errors import GridError
from channel.library.errors import NotFound
from channel.library.schemas import PublicProgramme
from channel.playout.cache import PlayoutUnavailable, TimelineCache
from channel.web.lastknown import LastKnown
from playlist import Timeline

__all__ = [
    "ChannelView",
    "PublicProgrammes",
    "absolute",
    "channel_timeline",
    "channel_views",
    "find_channel",
    "known_programme",
    "live_channel_views",
    "ready_programme",
    "viewer_channels",
]

#: the last known public view of each programme, served while the database is down
PublicProgrammes = LastKnown[uuid.UUID, PublicProgramme]


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


def live_channel_views(playout: TimelineCache) -> list[ChannelView]:
    """The channels the live timelines know: what the pages show while the database does not answer."""
    views = []
    for slug in playout.slugs():  # the loaded channels when the database is down
        live = playout.peek(slug)
        if live is not None:
            profile = live.timeline.channel
            views.append(ChannelView(slug=slug, name=profile.name, description="", timezone=profile.timezone))
    return views


def _pick(channels: list[ChannelView], *, slug: str | None, default_slug: str | None) -> ChannelView | None:
    by_slug = {view.slug: view for view in channels}
    if slug:
        return by_slug.get(slug)
    chosen = by_slug.get(default_slug) if default_slug else None
    return chosen or (channels[0] if channels else None)


def viewer_channels(
    session: Session, playout: TimelineCache, *, slug: str | None, default_slug: str | None
) -> tuple[ChannelView | None, list[ChannelView]]:
    """(the channel to show, every channel) from the database, or from the live timelines during an outage."""
    try:
        return find_channel(session, slug=slug, default_slug=default_slug), channel_views(session)
    except SQLAlchemyError:
        session.rollback()
        channels = live_channel_views(playout)
        return _pick(channels, slug=slug, default_slug=default_slug), channels


def channel_timeline(playout: TimelineCache, slug: str) -> Timeline | None:
    """The channel's compiled timeline (the last one loaded while the database is down); None before its
    first publish."""
    try:
        return playout.get(slug).timeline
    except PlayoutUnavailable:
        return None


def known_programme(
    session: Session, known: PublicProgrammes, programme_id: uuid.UUID, *, cosmetic: Collection[str]
) -> PublicProgramme:
    """The public view of a programme's approved revision (NotFound without one); the last known one
    while the database is down (`DatabaseUnavailable` if it was never read)."""
    return known.read(programme_id, lambda: published_view(session, programme_id, cosmetic=cosmetic))


def ready_programme(
    session: Session, known: PublicProgrammes, programme_id: str, *, cosmetic: Collection[str]
) -> PublicProgramme | None:
    """The public view of an approved programme; None when unknown, not ready, unapproved or deleted."""
    try:
        return known_programme(session, known, uuid.UUID(programme_id), cosmetic=cosmetic)
    except (ValueError, NotFound):
        return None


def absolute(base_url: str, url: str | None) -> str | None:
    """`url` made absolute against the public base URL (already absolute URLs pass through)."""
    if not url:
        return None
    if url.startswith(("http://", "https://")):
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")
