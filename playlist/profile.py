"""The channel's fixed house format: what the master playlist advertises, whatever is on air."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = ["ChannelProfile", "SegmentFormat", "SubtitleLanguage", "Variant"]

SegmentFormat = Literal["mpegts", "fmp4"]


@dataclass(frozen=True, slots=True)
class Variant:
    """One rung of the ladder; identical for every programme of the channel."""

    name: str
    width: int
    height: int
    bandwidth: int
    average_bandwidth: int
    codecs: str
    frame_rate: float


@dataclass(frozen=True, slots=True)
class SubtitleLanguage:
    """A subtitle rendition advertised in the master playlist (WebVTT)."""

    code: str
    name: str
    default: bool = False


@dataclass(frozen=True, slots=True)
class ChannelProfile:
    """Everything fixed per channel; passed in by the service, never read from settings here."""

    channel_id: str
    name: str
    epoch: datetime
    target_duration: int
    variants: tuple[Variant, ...]
    timezone: str = "Asia/Ho_Chi_Minh"
    segment_format: SegmentFormat = "mpegts"
    subtitles: tuple[SubtitleLanguage, ...] = ()
    logo_url: str = ""
    group_title: str = "Pháp luật"

    def __post_init__(self) -> None:
        if self.epoch.tzinfo is None or self.epoch.utcoffset() != timedelta(0):
            raise ValueError("epoch must be an aware UTC datetime")
        if self.target_duration < 1:
            raise ValueError("target_duration must be a positive integer")
        if not self.variants:
            raise ValueError("a channel needs at least one variant")
        if len({v.name for v in self.variants}) != len(self.variants):
            raise ValueError("variant names must be unique")

    def variant(self, name: str) -> Variant:
        """The variant called ``name``; KeyError when the channel has none."""
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)
