"""JSON the viewer page's script reads besides the playout API: the bounded guide of a channel."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from channel.web.guide import GuideLine, ViewerGuide

__all__ = ["ChannelGuidePublic", "GuideLinePublic"]


class GuideLinePublic(BaseModel):
    """One line of the guide, shaped like an entry of the day's EPG (`/api/channels/<c>/epg`)."""

    kind: Literal["programme", "filler"]
    title: str
    start: datetime
    stop: datetime
    programme_id: str | None

    @classmethod
    def of(cls, line: GuideLine) -> GuideLinePublic:
        return cls(
            kind=line.kind, title=line.title, start=line.start, stop=line.stop, programme_id=line.programme_id
        )


class ChannelGuidePublic(BaseModel):
    """What the viewer page shows of the guide, the same few lines whatever the day holds."""

    channel: str
    date: str = Field(description="today in the channel's timezone, YYYY-MM-DD")
    coming: list[GuideLinePublic] = Field(
        description="from what was on a minute ago, through on now, to the next few hours"
    )
    recent: list[GuideLinePublic] = Field(
        description="the latest programmes that aired in full, newest first"
    )

    @classmethod
    def of(cls, slug: str, guide: ViewerGuide) -> ChannelGuidePublic:
        return cls(
            channel=slug,
            date=guide.day.isoformat(),
            coming=[GuideLinePublic.of(line) for line in guide.coming],
            recent=[GuideLinePublic.of(line) for line in guide.recent],
        )
