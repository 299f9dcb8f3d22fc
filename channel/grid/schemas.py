"""Request and response bodies of the channel and grid endpoints, one schema per direction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from channel.text import LINE_PATTERN, TEXT_PATTERN, CleanLine

__all__ = [
    "LINE_PATTERN",
    "SLUG_PATTERN",
    "TEXT_PATTERN",
    "AsRunPublic",
    "AuditEventPublic",
    "ChannelCreate",
    "ChannelDetail",
    "ChannelPublic",
    "ChannelUpdate",
    "ConflictPublic",
    "CopyCreate",
    "CopyPublic",
    "EntryCreate",
    "EntryPublic",
    "EntryUpdate",
    "FillerPolicy",
    "ProfileIn",
    "PublishPublic",
    "SeriesDeletePublic",
    "SlugPath",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

#: a channel's slug in a URL path (refused with 422 before any query when malformed)
SlugPath = Annotated[str, Path(min_length=1, max_length=100, pattern=SLUG_PATTERN)]
_READ_ONLY = ("slug", "profile", "epoch", "id")


class FillerPolicy(BaseModel):
    """What fills gaps: the generated slate, and/or ready programmes chosen by the scheduler."""

    model_config = ConfigDict(extra="forbid")

    slate: bool = True
    filler_programme_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)


class ProfileIn(BaseModel):
    """The house format of a channel; fixed at creation (a live channel's variants never change)."""

    model_config = ConfigDict(extra="forbid")

    ladder: list[Literal[1080, 720, 480, 360, 240]] = Field(min_length=1, max_length=5)
    fps: int = Field(ge=1, le=60)
    gop_seconds: float = Field(gt=0, le=10)
    segment_seconds: float = Field(gt=0, le=12)
    segment_format: Literal["mpegts", "fmp4"]


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=2, max_length=100, pattern=SLUG_PATTERN, examples=["kenh-chinh"])
    name: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN, examples=["Kênh Pháp luật"])
    description: str = Field(default="", max_length=5000, pattern=TEXT_PATTERN)
    timezone: CleanLine | None = Field(default=None, max_length=64, examples=["Asia/Ho_Chi_Minh"])
    profile: ProfileIn | None = None
    filler_policy: FillerPolicy | None = None
    window_seconds: float | None = Field(default=None, gt=0, le=3600)


class ChannelUpdate(BaseModel):
    """Editable fields; slug, profile and epoch are fixed once the channel exists."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=LINE_PATTERN)
    description: str | None = Field(default=None, max_length=5000, pattern=TEXT_PATTERN)
    timezone: CleanLine | None = Field(default=None, min_length=1, max_length=64)
    filler_policy: FillerPolicy | None = None
    window_seconds: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="before")
    @classmethod
    def _read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fixed = sorted(k for k in _READ_ONLY if k in data)
            if fixed:
                raise ValueError(
                    f"không thể sửa {', '.join(fixed)} sau khi tạo kênh / {', '.join(fixed)} cannot change"
                    " after the channel is created"
                )
        return data


class ChannelPublic(BaseModel):
    """What anyone may know about a channel, with the addresses of its playlists and guide."""

    slug: str
    name: str
    description: str
    timezone: str
    master_playlist_url: str
    epg_url: str


class ChannelDetail(ChannelPublic):
    """The channel as staff configure it."""

    id: uuid.UUID
    profile: dict[str, Any]
    filler_policy: dict[str, Any]
    window_seconds: float
    epoch: datetime
    created_at: datetime


class EntryCreate(BaseModel):
    """One slot, a recurring slot (`rrule`), or a series of episodes on successive occurrences of a rule.

    `start` is ISO 8601: with an offset, or naive and then read in the channel's timezone; "now" places
    it at the first instant not yet published (an urgent announcement).
    """

    model_config = ConfigDict(extra="forbid")

    programme_id: uuid.UUID | None = None
    programme_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=500)
    start: CleanLine | None = Field(default=None, max_length=64, examples=["2026-12-01T20:00"])
    mode: Literal["hard", "soft"] = "hard"
    rrule: CleanLine | None = Field(
        default=None, max_length=500, examples=["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=20;BYMINUTE=0"]
    )

    @model_validator(mode="after")
    def _shape(self) -> EntryCreate:
        if (self.programme_id is None) == (self.programme_ids is None):
            raise ValueError(
                "cần đúng một trong programme_id hoặc programme_ids / give exactly one of programme_id,"
                " programme_ids"
            )
        if self.programme_ids is not None and self.rrule is None:
            raise ValueError("programme_ids cần có rrule / programme_ids needs an rrule")
        if self.rrule is None and self.start is None:
            raise ValueError("cần thời điểm bắt đầu 'start' / 'start' is required")
        return self


class EntryUpdate(BaseModel):
    """Move a slot, change its start mode, or put another programme in it."""

    model_config = ConfigDict(extra="forbid")

    start: CleanLine | None = Field(default=None, max_length=64)
    mode: Literal["hard", "soft"] | None = None
    programme_id: uuid.UUID | None = None


class EntryPublic(BaseModel):
    id: uuid.UUID
    channel_slug: str
    programme_id: uuid.UUID
    programme_title: str
    programme_status: str
    start_at: datetime
    start_local: datetime
    end_at: datetime | None
    mode: Literal["hard", "soft"]
    rrule: str | None
    series_id: uuid.UUID | None


class CopyCreate(BaseModel):
    """Copy the day (or the 7 days) starting at local date `source` to start at `target`."""

    model_config = ConfigDict(extra="forbid")

    source: CleanLine = Field(max_length=10, examples=["2026-12-01"])
    target: CleanLine = Field(max_length=10, examples=["2026-12-08"])
    span: Literal["day", "week"] = "day"
    replace: bool = False


class CopyPublic(BaseModel):
    created: list[EntryPublic]
    removed: int


class SeriesDeletePublic(BaseModel):
    series_id: uuid.UUID
    deleted: int
    kept_frozen: int


class ConflictPublic(BaseModel):
    kind: Literal["overlap", "delay", "not_ready", "unapproved", "failed", "deleted", "gap"]
    severity: Literal["error", "warning"]
    entry_ids: list[uuid.UUID]
    at: datetime
    seconds: float
    message: str


class PublishPublic(BaseModel):
    version: int
    published_until: datetime
    conflicts: list[ConflictPublic]


class AsRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID | None
    kind: str
    title: str
    started_at: datetime
    ended_at: datetime
    cause: str | None = Field(
        default=None,
        description="why it replaced the grid: takeover:<id>, withdrawn:<review>, pulled:<review>",
    )


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    actor_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
    at: datetime
    request_id: str | None
