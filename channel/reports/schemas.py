"""Response bodies of the report API, one schema per table (the OpenAPI description shows them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

__all__ = [
    "AirtimeOut",
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
    exports: dict[str, str] = Field(description="CSV and XLSX links of every table")
