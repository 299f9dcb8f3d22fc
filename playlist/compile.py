"""Compile a broadcast grid into a playout timeline: hard and soft starts, filler for gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from playlist.builder import Plan, TimelineBuilder
from playlist.grid import GridEntry, StartMode, is_ready
from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.profile import ChannelProfile
from playlist.timeline import Timeline

__all__ = ["GridEntry", "StartMode", "compile_timeline", "is_ready"]


def compile_timeline(
    *,
    channel: ChannelProfile,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    slate: Slate,
    fillers: Sequence[ProgrammeMedia] = (),
    horizon: datetime,
) -> Timeline:
    """First compile, from the channel's epoch to at least ``horizon``."""
    builder = TimelineBuilder(channel=channel, slate=slate, fillers=fillers, start_us=to_us(channel.epoch))
    return builder.run(entries=entries, programmes=programmes, horizon_us=to_us(horizon), plan=Plan())
