"""Response bodies of the report API, one schema per table (the OpenAPI description shows them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

__all__ = [
    "AirtimeOut",
    "CampaignFigureOut",
    "CampaignIn",
    "CampaignOut",
    "PointOut",
    "ProgrammeOut",
    "ReportOut",
    "ShareOut",
]


class PointOut(BaseModel):
    """One bucket of viewers over time (its start in the channel's timezone)."""

    at: datetime
    peak_viewers: int = Field(description="Người xem đồng thời cao nhất / Peak concurrent viewers")
    watch_hours: float


class ShareOut(BaseModel):
    """Watch time of one topic, variant, referrer class or device class."""

    key: str
    name: str
    watch_hours: float


class ProgrammeOut(BaseModel):
    """A programme over the period."""

    programme_id: str | None
    title: str
    airings: int
    viewers: int = Field(description="Distinct sessions, added up over its airings")
    watch_hours: float
    average_minutes: float = Field(description="Average watch time per viewer of an airing")


class AirtimeOut(BaseModel):
    """Hours planned in the grid and aired (as-run) under one topic or legal document."""

    key: str
    name: str
    planned_hours: float
    aired_hours: float


class CampaignFigureOut(BaseModel):
    """A campaign within the period: hours of its programmes planned, aired and watched."""

    campaign_id: str
    name: str
    theme: str
    first_day: date
    last_day: date
    programmes: int
    planned_hours: float
    aired_hours: float
    watch_hours: float
    viewers: int


class CampaignIn(BaseModel):
    """A new campaign: a theme and a period (local days, inclusive) grouping programmes."""

    name: str = Field(min_length=1, max_length=200)
    theme: str = Field(default="", max_length=2000)
    starts_on: date
    ends_on: date
    programme_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class CampaignOut(BaseModel):
    """A campaign as stored."""

    id: uuid.UUID
    name: str
    theme: str
    starts_on: date
    ends_on: date
    programme_ids: list[uuid.UUID]


class ReportOut(BaseModel):
    """A channel's audience and airtime over a period (docs/audience.md)."""

    channel: str
    channel_name: str
    period: str
    first_day: date
    last_day: date
    timezone: str
    bucket: str = Field(description="Width of one point of `viewers`: minute, hour or day")
    unique_viewers: int = Field(description="Distinct viewing sessions over the period")
    peak_viewers: int
    watch_hours: float
    viewers: list[PointOut]
    topics: list[ShareOut]
    programmes: list[ProgrammeOut]
    variants: list[ShareOut]
    referrers: list[ShareOut]
    devices: list[ShareOut]
    airtime_topics: list[AirtimeOut]
    airtime_documents: list[AirtimeOut]
    campaigns: list[CampaignFigureOut]
    exports: dict[str, str] = Field(description="CSV and XLSX links of every table")
