"""Recompile after a grid edit without rewriting anything viewers may already hold.

Every segment whose air start is before ``publish_edge`` keeps its item, number, URI, duration,
byte range and date-time; the edit applies from the first segment boundary at or after the edge.
Overrides (a takeover, its release, a withheld programme) may also cut the one segment straddling the
edge between its GOPs: it ends after the edge, so no replica can have listed it yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from playlist.builder import TimelineBuilder
from playlist.grid import GridEntry
from playlist.instants import to_us
from playlist.media import ProgrammeMedia, Slate
from playlist.override import Takeover
from playlist.overriding import run
from playlist.timeline import Timeline

__all__ = ["recompile"]


def recompile(
    previous: Timeline,
    *,
    entries: Sequence[GridEntry],
    programmes: Mapping[str, ProgrammeMedia | None],
    slate: Slate,
    fillers: Sequence[ProgrammeMedia] = (),
    horizon: datetime,
    publish_edge: datetime,
    takeovers: Sequence[Takeover] = (),
    withheld: Mapping[str, str] | None = None,
) -> Timeline:
    """Compile ``entries`` again, keeping ``previous`` up to the first boundary ≥ ``publish_edge``.

    The service passes ``publish_edge = now + target duration``; an entry whose start is already
    frozen (an urgent announcement "now") airs at that boundary. Entries not placed before whose
    whole slot ended before ``publish_edge - target duration`` (now) are skipped as missed.
    ``takeovers`` and ``withheld``: as in `compile_timeline`; pass every takeover released within the
    last hours too, so the entries it swallowed stay swallowed.
    """
    builder = TimelineBuilder(
        channel=previous.channel,
        slate=slate,
        fillers=fillers,
        start_us=previous.start_us,
        withheld=withheld,
        sources=[t.source for t in takeovers if t.source is not None],
    )
    plan = builder.resume(previous, edge_us=to_us(publish_edge), entries=entries, programmes=programmes)
    return run(
        builder,
        entries=entries,
        programmes=programmes,
        horizon_us=to_us(horizon),
        plan=plan,
        takeovers=takeovers,
    )
