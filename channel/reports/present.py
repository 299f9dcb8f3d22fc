"""A `Report` as the API's response body: hours rounded, instants in the channel's timezone."""

from __future__ import annotations

from datetime import UTC, datetime

from channel.models import Campaign
from channel.reports.airtime import Airtime
from channel.reports.figures import Share
from channel.reports.report import Report
from channel.reports.schemas import (
    AirtimeOut,
    CampaignFigureOut,
    CampaignOut,
    PointOut,
    ProgrammeOut,
    ReportOut,
    ShareOut,
)
from channel.reports.tables import TABLES

__all__ = ["campaign_out", "report_out"]

_HOUR_MS = 3_600_000


def _hours(ms: int) -> float:
    return round(ms / _HOUR_MS, 3)


def _shares(shares: list[Share]) -> list[ShareOut]:
    return [ShareOut(key=s.key, name=s.name, watch_hours=_hours(s.watch_ms)) for s in shares]


def _airtime(rows: list[Airtime]) -> list[AirtimeOut]:
    return [
        AirtimeOut(
            key=r.key,
            name=r.name,
            planned_hours=round(r.planned_s / 3600, 3),
            aired_hours=round(r.aired_s / 3600, 3),
        )
        for r in rows
    ]


def report_out(report: Report, *, export_path: str, query: str) -> ReportOut:
    """The response body; `export_path` + ``/<table>.<csv|xlsx>?`` + `query` are the export links."""
    zone = report.span.zone
    return ReportOut(
        channel=report.slug,
        channel_name=report.channel_name,
        period=report.period,
        first_day=report.span.first,
        last_day=report.span.last,
        timezone=zone.key,
        bucket=report.bucket.name,
        unique_viewers=report.uniques,
        peak_viewers=report.peak_viewers,
        watch_hours=_hours(report.watch_ms),
        viewers=[
            PointOut(
                at=datetime.fromtimestamp(p.start_us / 1_000_000, UTC).astimezone(zone),
                peak_viewers=p.peak_viewers,
                watch_hours=_hours(p.watch_ms),
            )
            for p in report.viewers
        ],
        topics=_shares(report.topics),
        programmes=[
            ProgrammeOut(
                programme_id=p.programme_id,
                title=p.title,
                airings=p.airings,
                viewers=p.viewers,
                watch_hours=_hours(p.watch_ms),
                average_minutes=round(p.average_ms / 60_000, 1),
            )
            for p in report.programmes
        ],
        variants=_shares(report.variants),
        referrers=_shares(report.referrers),
        devices=_shares(report.devices),
        airtime_topics=_airtime(report.airtime_topics),
        airtime_documents=_airtime(report.airtime_documents),
        campaigns=[
            CampaignFigureOut(
                campaign_id=c.campaign_id,
                name=c.name,
                theme=c.theme,
                first_day=c.first,
                last_day=c.last,
                programmes=c.programmes,
                planned_hours=round(c.planned_s / 3600, 3),
                aired_hours=round(c.aired_s / 3600, 3),
                watch_hours=_hours(c.watch_ms),
                viewers=c.viewers,
            )
            for c in report.campaigns
        ],
        exports={
            f"{name}.{fmt}": f"{export_path}/{name}.{fmt}?{query}"
            for name in TABLES
            for fmt in ("csv", "xlsx")
        },
    )


def campaign_out(campaign: Campaign) -> CampaignOut:
    """A stored campaign as the API shows it."""
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        theme=campaign.theme,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        programme_ids=[p.id for p in campaign.programmes],
    )
