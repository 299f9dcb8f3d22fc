"""A broadcast channel: its house format profile, filler policy and playout epoch.

The stored `profile` is JSON (the API shows it as it is); `Channel.house_format` and `profile_json`
are the one way between it and the typed `HouseFormat`, so nothing reads the JSON with defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, utcnow, uuid_pk
from transcoder.house import HouseFormat

__all__ = ["Channel", "profile_json"]


def profile_json(house: HouseFormat, *, subtitles: Sequence[str]) -> dict[str, Any]:
    """A channel's stored profile: the on-air part of `house` and its subtitle languages."""
    return {
        "ladder": list(house.heights),
        "fps": house.fps,
        "gop_seconds": house.gop_seconds,
        "segment_seconds": house.segment_seconds,
        "segment_format": house.segment_format,
        "subtitles": list(subtitles),
    }


class Channel(Base):
    """One linear channel; sequence numbers in its playlists count from `epoch`."""

    __tablename__ = "channels"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filler_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    window_seconds: Mapped[float] = mapped_column(default=120.0)
    epoch: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def house_format(self) -> HouseFormat:
        """The channel's house format (fixed at creation); the transcode parameters that do not show
        on air (preset, loudness, duration limits) are the defaults."""
        stored = self.profile
        return HouseFormat.with_heights(
            tuple(int(h) for h in stored["ladder"]),
            fps=int(stored["fps"]),
            gop_seconds=float(stored["gop_seconds"]),
            segment_seconds=float(stored["segment_seconds"]),
            segment_format=stored["segment_format"],
        )

    @property
    def subtitle_languages(self) -> tuple[str, ...]:
        """Codes of the channel's subtitle renditions, fixed like its ladder (none on older channels)."""
        return tuple(str(code) for code in self.profile.get("subtitles") or ())
