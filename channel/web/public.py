"""Public JSON the pages' scripts read: a programme's metadata (answered from the last known data while the
database is down) and a channel's bounded guide (from its live timeline)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from channel.deps import SessionDep, SettingsDep, StateDep
from channel.library.errors import NotFound
from channel.library.schemas import PublicProgramme
from channel.playout.routes import PlayoutDep
from channel.state import StateKey
from channel.text import CleanQuery
from channel.web.guide import COMING_LIMIT, viewer_guide
from channel.web.lastknown import DatabaseUnavailable
from channel.web.present import PublicProgrammes, channel_timeline, known_programme
from channel.web.public_lean import PUBLIC_CACHE
from channel.web.schemas import ChannelGuidePublic

__all__ = [
    "GUIDE_CACHE",
    "PUBLIC_PROGRAMMES",
    "UNAVAILABLE",
    "PublicProgrammesDep",
    "get_public_programmes",
    "router",
]

#: as now/next: what the guide shows changes with the programme on air
GUIDE_CACHE = "public, max-age=5"
#: players play a little behind the live edge (three segments, and the newest has aired in full): the
#: guide starts with what was on this long ago, so the page can show what its player shows
BEHIND = timedelta(minutes=1)
_NO_CHANNEL = {"code": "not_found", "message": "Không tìm thấy kênh / Channel not found"}

UNAVAILABLE = {
    "code": "temporarily_unavailable",
    "message": "Dữ liệu tạm thời không truy cập được, hãy thử lại sau ít phút"
    " / The data is temporarily unavailable; try again in a few minutes",
}


#: the API's last known public programmes in its `AppState`
PUBLIC_PROGRAMMES: StateKey[PublicProgrammes] = StateKey("public_programmes", PublicProgrammes)


def get_public_programmes(state: StateDep) -> PublicProgrammes:
    return state.part(PUBLIC_PROGRAMMES)


PublicProgrammesDep = Annotated[PublicProgrammes, Depends(get_public_programmes)]

router = APIRouter(prefix="/api", tags=["library"])


@router.get("/public/programmes/{programme_id}")
def public_programme(
    programme_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    known: PublicProgrammesDep,
    response: Response,
) -> PublicProgramme:
    """An approved programme's page for viewers (anonymous): the approved revision's metadata and media
    URLs only; 404 while no approval stands."""
    try:
        programme = known_programme(session, known, programme_id, cosmetic=settings.review_cosmetic_fields)
    except NotFound as exc:
        raise HTTPException(exc.status, detail=exc.detail()) from None
    except DatabaseUnavailable:
        raise HTTPException(503, detail=UNAVAILABLE, headers={"Retry-After": "10"}) from None
    response.headers["Cache-Control"] = PUBLIC_CACHE  # as the lean answer (channel/web/public_lean.py)
    return programme


@router.get("/public/channels/{slug}/guide", tags=["viewer"])
def channel_guide(
    slug: CleanQuery, playout: PlayoutDep, settings: SettingsDep, response: Response
) -> ChannelGuidePublic:
    """What aired a minute ago, on now, the next few hours (at most 24 lines) and the latest programmes
    to watch again: what the viewer page shows, as small whatever the day holds (the whole day is
    `/api/channels/<c>/epg`)."""
    timeline = channel_timeline(playout, slug)
    if timeline is None:
        raise HTTPException(404, detail=_NO_CHANNEL)
    reach = timedelta(hours=settings.timeshift_retention_hours)
    guide = viewer_guide(
        timeline, now=datetime.now(UTC), lang="vi", reach=reach, behind=BEHIND, limit=2 * COMING_LIMIT
    )
    response.headers["Cache-Control"] = GUIDE_CACHE
    return ChannelGuidePublic.of(slug, guide)
