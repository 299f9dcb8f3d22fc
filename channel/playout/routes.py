"""Viewer endpoints: live and time-shifted playlists, VOD of an interval, guide, XMLTV, M3U, media.

Routes parse, call one function, and answer; the live reload without ``?start=`` is normally taken
by `LivePlaylistMiddleware` before it reaches this router (same bytes either way). A channel whose
slate is not stored yet is about to start: its playlists answer 503 with Retry-After, never a list
naming segments that are not there.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from channel.deps import SettingsDep, StoreDep
from channel.mediauris import media_uris
from channel.playout.cache import PLAYOUT, Live, PlayoutUnavailable, TimelineCache
from channel.playout.media import media_response
from channel.playout.serve import (
    EPG_CACHE,
    HLS_TYPE,
    MASTER_CACHE,
    NOW_CACHE,
    TimeshiftError,
    check_timeshift,
    epg_json,
    live_caching,
    local_day,
    now_json,
    render_interval,
    render_live,
    render_start_over,
    track_for,
)
from channel.settings import Settings
from channel.state import app_state
from channel.text import CleanQuery
from channel.timeparams import DAY_HELP, parse_instant
from playlist import OffAirError, Track, live_edge, render_m3u, render_master, render_xmltv

__all__ = ["router"]

router = APIRouter(tags=["viewer"])

_OFF_AIR = {
    "code": "off_air",
    "message": "Kênh chưa phát sóng vào thời điểm này / The channel is off air then",
}
_NO_CHANNEL = {"code": "not_found", "message": "Không tìm thấy kênh / Channel not found"}
_NO_TRACK = {"code": "not_found", "message": "Không có danh sách phát này / No such playlist"}
_STARTING = {
    "code": "channel_starting",
    "message": "Kênh sắp bắt đầu phát sóng, vui lòng thử lại sau giây lát"
    " / The channel is about to start; please retry in a moment",
}
#: the cache checks the store again at least this often (half a target duration, 3 s at most)
STARTING_RETRY_SECONDS = 3


async def get_playout(request: Request) -> TimelineCache:
    """Async, like the routes using it, so a playlist request never waits for a worker thread."""
    return app_state(request).part(PLAYOUT)


async def get_viewer_settings(request: Request) -> Settings:
    return app_state(request).settings


PlayoutDep = Annotated[TimelineCache, Depends(get_playout)]
ViewerSettingsDep = Annotated[Settings, Depends(get_viewer_settings)]


async def _live(cache: TimelineCache, slug: str) -> Live:
    try:
        return await cache.aget(slug)
    except PlayoutUnavailable:
        raise HTTPException(404, detail=_NO_CHANNEL) from None


async def _on_air(cache: TimelineCache, slug: str) -> Live:
    """The channel for its playlists: 503 "starting" (with Retry-After) until its slate is stored."""
    live = await _live(cache, slug)
    if not live.on_air:
        raise HTTPException(503, detail=_STARTING, headers={"Retry-After": str(STARTING_RETRY_SECONDS)})
    return live


def _bad(code: str, message: str) -> HTTPException:
    return HTTPException(400, detail={"code": code, "message": message})


def _unparsable(code: str, message: str) -> HTTPException:
    """A date or instant parameter that is malformed or out of range (`channel.timeparams`)."""
    return HTTPException(422, detail={"code": code, "message": message})


def _instant(text: str, *, name: str) -> datetime:
    try:
        return parse_instant(text, allow_epoch=True)
    except ValueError:
        raise _unparsable(
            "invalid_instant",
            f"'{name}' phải là thời điểm ISO 8601 có múi giờ hoặc số giây Unix"
            f" / '{name}' must be an ISO 8601 instant with an offset or Unix seconds",
        ) from None


def _shifted(text: str | None, *, name: str, retention_hours: float, now: datetime) -> datetime | None:
    if text is None:
        return None
    at = _instant(text, name=name)
    try:
        check_timeshift(at, now=now, retention_hours=retention_hours)
    except TimeshiftError as exc:
        raise _bad("invalid_start", str(exc)) from None
    return at


def _track(live: Live, name: str) -> Track:
    track = track_for(live.timeline.channel, name)
    if track is None:
        raise HTTPException(404, detail=_NO_TRACK)
    return track


def _hls(body: str | bytes, caching: dict[str, str]) -> Response:
    return Response(body, media_type=HLS_TYPE, headers=caching)


@router.get("/live/{slug}/master.m3u8")
async def live_master(
    slug: CleanQuery, cache: PlayoutDep, settings: ViewerSettingsDep, start: CleanQuery | None = None
) -> Response:
    """The constant master playlist; with ``start`` every media URI carries it (start-over)."""
    now = datetime.now(UTC)
    at = _shifted(start, name="start", retention_hours=settings.timeshift_retention_hours, now=now)
    live = await _on_air(cache, slug)
    query = "" if at is None else f"start={int(at.timestamp())}"
    return _hls(render_master(live.timeline.channel, query=query), {"Cache-Control": MASTER_CACHE})


@router.get("/live/{slug}/{name}")
async def live_media(
    slug: CleanQuery,
    name: CleanQuery,
    cache: PlayoutDep,
    settings: ViewerSettingsDep,
    start: CleanQuery | None = None,
) -> Response:
    """A live media playlist, or everything aired since an earlier instant (start-over, catch-up);
    either is cacheable until the next segment completes, no longer. Parameters are checked before
    the channel, so a malformed one is a 422 whether or not the channel is on air yet."""
    now = datetime.now(UTC)
    at = _shifted(start, name="start", retention_hours=settings.timeshift_retention_hours, now=now)
    live = await _on_air(cache, slug)
    track = _track(live, name)
    uris = media_uris(settings)
    try:
        rule = cache.live_rule
        _, next_change = await asyncio.to_thread(live_edge, live.timeline, now, live=rule)
        if at is None:
            body = await asyncio.to_thread(
                render_live,
                live.timeline,
                track=track,
                at=now,
                window_s=live.window_s,
                prefix=uris.prefix,
                live=rule,
            )
        else:
            body = await asyncio.to_thread(
                render_start_over,
                live.timeline,
                track=track,
                start=at,
                now=now,
                prefix=uris.prefix,
                live=rule,
            )
    except OffAirError:
        raise HTTPException(503, detail=_OFF_AIR) from None
    return _hls(uris.sign(body, now=now.timestamp()), live_caching(now=now, next_change=next_change))


@router.get("/vod/{slug}/{name}")
async def vod_media(
    slug: CleanQuery,
    name: CleanQuery,
    cache: PlayoutDep,
    settings: ViewerSettingsDep,
    start: Annotated[CleanQuery, Query(alias="from")],
    end: Annotated[CleanQuery | None, Query(alias="to")] = None,
) -> Response:
    """Every segment that aired in [from, to) as a VOD playlist (catch-up of a programme)."""
    now = datetime.now(UTC)
    lo = _shifted(start, name="from", retention_hours=settings.timeshift_retention_hours, now=now)
    hi = now if end is None else min(_instant(end, name="to"), now)
    if lo is None or hi <= lo:
        raise _bad("invalid_interval", "'to' phải sau 'from' / 'to' must be after 'from'")
    live = await _on_air(cache, slug)
    track = _track(live, name)
    uris = media_uris(settings)
    try:
        body, caching = await asyncio.to_thread(
            render_interval,
            live.timeline,
            track=track,
            start=lo,
            end=hi,
            now=now,
            prefix=uris.prefix,
            live=cache.live_rule,
        )
    except OffAirError:
        raise HTTPException(503, detail=_OFF_AIR) from None
    return _hls(uris.sign(body, now=now.timestamp()), caching)


@router.get("/api/channels/{slug}/now")
async def channel_now(slug: CleanQuery, cache: PlayoutDep) -> JSONResponse:
    """What is on now and next, from the timeline the playlists come from."""
    live = await _live(cache, slug)
    try:
        body = now_json(live.timeline, slug=slug, at=datetime.now(UTC))
    except OffAirError:
        raise HTTPException(503, detail=_OFF_AIR) from None
    return JSONResponse(body, headers={"Cache-Control": NOW_CACHE})


@router.get("/api/channels/{slug}/epg")
async def channel_epg(slug: CleanQuery, cache: PlayoutDep, date: CleanQuery | None = None) -> JSONResponse:
    """One local day of the guide (``date=YYYY-MM-DD`` in the channel's timezone; default today)."""
    live = await _live(cache, slug)
    try:
        day = local_day(live.timeline, text=date, now=datetime.now(UTC))
    except ValueError:
        raise _unparsable("invalid_date", DAY_HELP) from None
    return JSONResponse(epg_json(live.timeline, slug=slug, day=day), headers={"Cache-Control": EPG_CACHE})


def _all(cache: TimelineCache) -> list[Live]:
    found = []
    for slug in cache.slugs():
        try:
            found.append(cache.get(slug))
        except PlayoutUnavailable:
            continue
    return found


@router.get("/xmltv.xml", responses={200: {"content": {"application/xml": {}}, "description": "XMLTV"}})
def xmltv(cache: PlayoutDep, settings: SettingsDep) -> Response:
    """The guide of every channel, from the catch-up retention back to two days ahead."""
    now = datetime.now(UTC)
    timelines = [live.timeline for live in _all(cache)]
    start = now - timedelta(hours=settings.timeshift_retention_hours)
    body = render_xmltv(timelines, start=start, end=now + timedelta(days=2))
    return Response(body, media_type="application/xml", headers={"Cache-Control": EPG_CACHE})


@router.get(
    "/channels.m3u", responses={200: {"content": {"audio/x-mpegurl": {}}, "description": "M3U channel list"}}
)
def channels_m3u(cache: PlayoutDep, settings: SettingsDep) -> Response:
    """Channel list for IPTV apps, with the XMLTV guide as url-tvg."""
    profiles = [live.timeline.channel for live in _all(cache)]
    body = render_m3u(profiles, base_url=settings.base_url, master_path="/live/{channel_id}/master.m3u8")
    return Response(body, media_type="audio/x-mpegurl", headers={"Cache-Control": EPG_CACHE})


@router.get("/media/{key:path}")
@router.head("/media/{key:path}", include_in_schema=False)
def media(key: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """A segment, playlist or picture from the object store (HEAD: the same headers, no body)."""
    return media_response(
        store,
        key,
        delivery=settings.segment_delivery,
        presign_seconds=settings.s3_presign_seconds,
        head=request.method == "HEAD",
        base=settings.media_base_url,
    )
