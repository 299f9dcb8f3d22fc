"""What overrides the grid on air: an emergency takeover, and programmes withheld by their editors.

A `Takeover` puts the channel on an emergency source (the slate, or an approved programme such as an
urgent legal notice) looping from its start until it is released; the grid's entries that would have
started meanwhile are swallowed, and the release returns the channel to the grid at that instant: the
entry scheduled then joins mid-way, at its segment nearest the instant. A withheld programme (its
approval withdrawn, or pulled while it airs) leaves the air like a takeover begins: at the first
boundary that no replica can have published, between GOPs where the media says where.

The compile takes both as plain inputs (`playlist.compile_timeline`, `playlist.recompile`); nothing
here knows who asked or why beyond an opaque ``cause`` the items carry into the as-run log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from playlist.media import ProgrammeMedia

__all__ = ["EMERGENCY_TITLE", "Takeover"]

#: what the guide says while a takeover airs, instead of the programme
EMERGENCY_TITLE: Mapping[str, str] = {"vi": "Thông báo khẩn", "en": "Emergency notice"}


@dataclass(frozen=True, slots=True)
class Takeover:
    """The channel on ``source`` (None: its slate) from ``start`` until ``end`` (None: until released).

    ``start`` and ``end`` are when the duty editor acted; the change airs from the first boundary
    that is not published yet at or after each of them.
    """

    takeover_id: str
    start: datetime
    end: datetime | None = None
    source: ProgrammeMedia | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("a takeover cannot be released before it starts")

    @property
    def cause(self) -> str:
        """What its emergency items carry (and the as-run log records)."""
        return f"takeover:{self.takeover_id}"
