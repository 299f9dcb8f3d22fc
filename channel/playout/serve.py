"""What a viewer request turns into, as plain functions of (timeline, track, instant): no I/O here.

The same inputs give the same bytes on every replica. Media URIs are absolute paths under `/media/`,
so a playlist works behind any host name, and a CDN may cache it; or, with a public media base URL,
absolute URLs under it (a CDN, a public-read bucket, the edge), so no segment ever reaches Python.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from email.utils import formatdate
from typing import Any
from zoneinfo import ZoneInfo

from channel.mediauris import MEDIA_PREFIX, media_prefix
from channel.playout.slate import EMPTY_VTT_KEY
from channel.timeparams import parse_day
from playlist import (
    NO_LIVE,
    ChannelProfile,
    LiveRule,
    Timeline,
    Track,
    epg_day,
    epg_entry_to_dict,
    from_us,
    last_aired,
    live_edge,
    locate,
    now_next,
    render_media,
    render_vod,
    subtitle_playlist_name,
    tags,
    to_us,
    variant_playlist_name,
)

__all__ = [
    "EPG_CACHE",
    "HLS_TYPE",
    "IMMUTABLE",
    "IMMUTABLE_PLAYLIST",
    "MASTER_CACHE",
    "MEDIA_PREFIX",
    "NOW_CACHE",
    "TimeshiftError",
    "check_timeshift",
    "epg_json",
    "live_cache_control",
    "live_caching",
    "live_expires",
    "local_day",
    "media_prefix",
    "now_json",
    "render_interval",
    "render_live",
    "render_start_over",
    "track_for",
]

HLS_TYPE = "application/vnd.apple.mpegurl"
MASTER_CACHE = "public, max-age=60"
IMMUTABLE = "public, max-age=31536000, immutable"
EPG_CACHE = "public, max-age=30"
NOW_CACHE = "public, max-age=5"
#: a VOD playlist of an interval that has aired in full
IMMUTABLE_PLAYLIST_SECONDS = 3600
IMMUTABLE_PLAYLIST = f"public, max-age={IMMUTABLE_PLAYLIST_SECONDS}"


class TimeshiftError(ValueError):
    """A ``start`` outside what can be replayed; the message is bilingual and safe to show."""


def track_for(channel: ChannelProfile, name: str) -> Track | None:
    """The track a media playlist name (``720p.m3u8``, ``subs_vi.m3u8``) stands for, if any."""
    for v in channel.variants:
        if name == variant_playlist_name(v.name):
            return Track.video(v.name)
    for lang in channel.subtitles:
        if name == subtitle_playlist_name(lang.code):
            return Track.subtitles(lang.code, empty_key=EMPTY_VTT_KEY)
    return None


def live_cache_control(*, now: datetime, next_change: datetime) -> str:
    """Cacheable until the next segment completes and no longer: whole seconds, rounded down."""
    return f"public, max-age={max(0, math.floor((next_change - now).total_seconds()))}"


def live_expires(next_change: datetime) -> str:
    """The same limit as an absolute `Expires`, one second early.

    A cache in front (the edge, a CDN) may hand the playlist on with the max-age it was given, and
    nginx sends no `Age`: a player behind it would keep it that much longer. `Expires` is absolute, so
    it holds however long the copy sat in caches. Caches count whole seconds (nginx keeps an entry
    while ``floor(now) <= expires``), hence the second subtracted: the copy is dropped before the
    next segment completes, never after.
    """
    return formatdate(math.floor(next_change.timestamp()) - 1, usegmt=True)


def render_live(
    timeline: Timeline,
    *,
    track: Track,
    at: datetime,
    window_s: float,
    prefix: str = MEDIA_PREFIX,
    live: LiveRule = NO_LIVE,
) -> bytes:
    """The media playlist airing at ``at`` (live, or start-over at an earlier instant)."""
    return render_media(
        timeline, track=track, at=at, window_s=window_s, uri_prefix=prefix, live=live
    ).encode()


def render_start_over(
    timeline: Timeline,
    *,
    track: Track,
    start: datetime,
    now: datetime,
    prefix: str = MEDIA_PREFIX,
    live: LiveRule = NO_LIVE,
) -> bytes:
    """Start-over from ``start``: an EVENT playlist of everything fully aired since, growing at the tail.

    Each reload adds the segments that completed meanwhile and never removes any, so the player keeps
    going from ``start`` (a live window evaluated at a fixed earlier instant would stall it). A start
    inside the segment still airing begins with the newest one that has aired, never with nothing.
    """
    newest = from_us(last_aired(timeline, to_us(now)).start_us)
    vod = render_vod(
        timeline, track=track, start=min(start, newest), end=now, aired_by=now, uri_prefix=prefix, live=live
    )
    lines = [line for line in vod.splitlines() if line != tags.ENDLIST]
    event = [f"{tags.PLAYLIST_TYPE}EVENT" if line.startswith(tags.PLAYLIST_TYPE) else line for line in lines]
    return ("\n".join(event) + "\n").encode()


def render_interval(
    timeline: Timeline,
    *,
    track: Track,
    start: datetime,
    end: datetime,
    now: datetime,
    prefix: str = MEDIA_PREFIX,
    live: LiveRule = NO_LIVE,
) -> tuple[bytes, dict[str, str]]:
    """VOD of the segments airing in [start, end) that have fully aired by ``now``, and its caching
    headers: long once the last of them has aired (it can no longer change), else until the next
    segment completes."""
    body = render_vod(timeline, track=track, start=start, end=end, aired_by=now, uri_prefix=prefix, live=live)
    last = locate(timeline, min(to_us(end), timeline.end_us) - 1)
    if last.msn <= live_edge(timeline, now, live=live)[0]:
        return body.encode(), {
            "Cache-Control": IMMUTABLE_PLAYLIST,
            "Expires": formatdate(now.timestamp() + IMMUTABLE_PLAYLIST_SECONDS, usegmt=True),
        }
    return body.encode(), live_caching(now=now, next_change=live_edge(timeline, now, live=live)[1])


def live_caching(*, now: datetime, next_change: datetime) -> dict[str, str]:
    """Cache-Control and Expires of a playlist that changes when the next segment completes."""
    return {
        "Cache-Control": live_cache_control(now=now, next_change=next_change),
        "Expires": live_expires(next_change),
    }


def check_timeshift(at: datetime, *, now: datetime, retention_hours: float) -> None:
    """Start-over and catch-up reach back ``retention_hours``; never into the future."""
    if at > now:
        raise TimeshiftError("Không thể xem trước tương lai / The start cannot be in the future")
    if now - at > timedelta(hours=retention_hours):
        raise TimeshiftError(
            f"Chỉ xem lại được trong {retention_hours:g} giờ gần nhất"
            f" / Catch-up reaches back {retention_hours:g} hours only"
        )


def local_day(timeline: Timeline, *, text: str | None, now: datetime) -> date:
    """``YYYY-MM-DD`` as given, or today in the channel's timezone; ValueError when malformed or out of range."""
    if text is None or text == "":
        return now.astimezone(ZoneInfo(timeline.channel.timezone)).date()
    return parse_day(text)


def epg_json(timeline: Timeline, *, slug: str, day: date) -> dict[str, Any]:
    """One local day of the guide."""
    return {
        "channel": slug,
        "name": timeline.channel.name,
        "date": day.isoformat(),
        "timezone": timeline.channel.timezone,
        "entries": epg_day(timeline, day=day),
    }


def now_json(timeline: Timeline, *, slug: str, at: datetime) -> dict[str, Any]:
    """What airs now and next, from the same timeline as the playlists."""
    tz = timeline.channel.timezone
    current, following = now_next(timeline, at)
    return {
        "channel": slug,
        "name": timeline.channel.name,
        "at": at.astimezone(ZoneInfo(tz)).isoformat(),
        "now": epg_entry_to_dict(current, timezone=tz),
        "next": None if following is None else epg_entry_to_dict(following, timezone=tz),
    }
