"""The grid as the compiler reads it: entries with hard or soft starts, and what may air on a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from playlist.media import ProgrammeMedia
from playlist.profile import ChannelProfile

__all__ = ["GridEntry", "StartMode", "is_ready"]

StartMode = Literal["hard", "soft"]


@dataclass(frozen=True, slots=True)
class GridEntry:
    """One slot of the grid. Hard: cut what airs at ``start``; soft: follow the previous item."""

    entry_id: str
    programme_id: str
    start: datetime
    mode: StartMode = "hard"


def is_ready(channel: ChannelProfile, media: ProgrammeMedia | None) -> bool:
    """Playable on this channel: same format, every variant, no segment longer than the target."""
    if media is None or media.segment_format != channel.segment_format:
        return False
    names = {v.name for v in channel.variants}
    if not names <= set(media.segment_templates):
        return False
    if channel.segment_format == "fmp4" and not names <= set(media.init_keys):
        return False
    return max(media.durations_us) < (channel.target_duration * 1_000_000 + 500_000)
