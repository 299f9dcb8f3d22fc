"""Compile a broadcast grid into a playout timeline: hard and soft starts, filler for gaps, takeovers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from playlist.builder import Plan, TimelineBuilder
from playlist.grid import GridEntry, StartMode, is_ready
from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.override import Takeover
from playlist.overriding import run
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
    takeovers: Sequence[Takeover] = (),
    withheld: Mapping[str, str] | None = None,
) -> Timeline:
    """First compile, from the channel's epoch to at least ``horizon``.

    ``takeovers`` override the grid (`playlist.override`); ``withheld`` names programmes that may not
    air (id → cause), even when ``programmes`` gives their media (which lets a cut of one on air fall
    between GOPs): their entries get filler that says why, like a programme that is not ready.
    """
    builder = TimelineBuilder(
        channel=channel,
        slate=slate,
        fillers=fillers,
        start_us=to_us(channel.epoch),
        withheld=withheld,
        sources=[t.source for t in takeovers if t.source is not None],
    )
    return run(
        builder,
        entries=entries,
        programmes=programmes,
        horizon_us=to_us(horizon),
        plan=Plan(),
        takeovers=takeovers,
    )
