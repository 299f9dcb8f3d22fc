"""Request and response bodies of the live event endpoints, one schema per direction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from channel.text import CleanLine

__all__ = ["KeyPublic", "LiveEventCreate", "LiveEventPublic", "LiveEventUpdate", "StreamEndpoints"]

_WHEN = "ISO 8601 instant; naive = the channel's local time"


class LiveEventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: CleanLine = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    topics: list[CleanLine] = Field(default_factory=list, max_length=20)
    legal_documents: list[CleanLine] = Field(default_factory=list, max_length=20)
    start: CleanLine = Field(max_length=64, description=_WHEN)
    end: CleanLine = Field(max_length=64, description=_WHEN)


class LiveEventUpdate(BaseModel):
    """Any field; moving the end of an event on air applies at the first unpublished boundary."""

    model_config = ConfigDict(extra="forbid")

    title: CleanLine | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    topics: list[CleanLine] | None = Field(default=None, max_length=20)
    legal_documents: list[CleanLine] | None = Field(default=None, max_length=20)
    start: CleanLine | None = Field(default=None, max_length=64, description=_WHEN)
    end: CleanLine | None = Field(default=None, max_length=64, description=_WHEN)
    cancelled: bool | None = None


class StreamEndpoints(BaseModel):
    """Where to send the contribution, with the key: what the console shows for OBS and SRT encoders."""

    rtmp_server: str
    rtmp_stream_key: str
    srt_url: str
    obs_steps_vi: list[str]
    obs_steps_en: list[str]


class LiveEventPublic(BaseModel):
    id: uuid.UUID
    channel: str
    title: str
    description: str
    topics: list[str]
    legal_documents: list[str]
    start: datetime
    end: datetime
    status: str
    #: where it stands at the answer's instant
    phase: Literal["scheduled", "on_air", "ended", "cancelled"]
    #: its editorial revision, and where that stands in review (it airs only once approved)
    revision: int
    approval: Literal["not_ready", "pending", "approved", "rejected", "withdrawn"]
    key_opens_at: datetime
    key_revoked: bool
    label: str = "Trực tiếp"


class KeyPublic(BaseModel):
    """The key in the clear: returned once, when made or remade; only its hash is kept."""

    event: LiveEventPublic
    endpoints: StreamEndpoints
