"""One channel's audience and airtime report for a period: read the counters, the library and the
as-run log, then compute every table with the pure functions of `figures` and `airtime`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channel.audience.counters import Counters
from channel.models import AsRunEntry, Channel, Programme, ScheduleEntry
from channel.reports.airtime import Aired, Airtime, airtime
from channel.reports.campaigns import CampaignFigure, overlapping
from channel.reports.figures import (
    Bucket,
    Facts,
    Point,
    ProgrammeFigure,
    Share,
    bucket_for,
    by_dimension,
    by_programme,
    by_topic,
    series,
)
from channel.reports.periods import Period, Span
from playlist import from_us

__all__ = ["Report", "build_report", "programme_facts"]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report page, the portal's JSON and the exports show for one period."""

    slug: str
    channel_name: str
    period: Period
    span: Span
    bucket: Bucket
    uniques: int
    watch_ms: int
    peak_viewers: int
    viewers: list[Point]
    topics: list[Share]
    programmes: list[ProgrammeFigure]
    variants: list[Share]
    referrers: list[Share]
    devices: list[Share]
    airtime_topics: list[Airtime]
    airtime_documents: list[Airtime]
    campaigns: list[CampaignFigure]


def programme_facts(session: Session, ids: set[str]) -> dict[str, Facts]:
    """Titles, topics and documents of the programmes named (unknown ids are left out)."""
    keys = [uuid.UUID(i) for i in ids if i]
    if not keys:
        return {}
    query = (
        select(Programme)
        .where(Programme.id.in_(keys))
        .options(selectinload(Programme.topics), selectinload(Programme.legal_documents))
    )
    return {
        str(p.id): Facts(
            title=p.title,
            topics=tuple((t.slug, t.name) for t in p.topics),
            documents=tuple(d.number for d in p.legal_documents),
        )
        for p in session.scalars(query)
    }


def _planned(session: Session, channel: Channel, start: datetime, end: datetime) -> list[Aired]:
    query = (
        select(ScheduleEntry.programme_id, Programme.duration)
        .join(Programme, Programme.id == ScheduleEntry.programme_id)
        .where(ScheduleEntry.channel_id == channel.id)
        .where(ScheduleEntry.start_at >= start, ScheduleEntry.start_at < end)
    )
    return [(str(pid), float(duration or 0.0)) for pid, duration in session.execute(query)]


def _aired(session: Session, channel: Channel, start: datetime, end: datetime) -> list[Aired]:
    query = select(AsRunEntry.programme_id, AsRunEntry.started_at, AsRunEntry.ended_at).where(
        AsRunEntry.channel_id == channel.id,
        AsRunEntry.programme_id.is_not(None),
        AsRunEntry.started_at < end,
        AsRunEntry.ended_at > start,
    )
    return [
        (str(pid), (min(ended, end) - max(started, start)).total_seconds())
        for pid, started, ended in session.execute(query)
    ]


def build_report(
    session: Session, counters: Counters, *, channel: Channel, period: Period, span: Span
) -> Report:
    """The report of `channel` over `span` (the as-run log is read as it stands: record it first)."""
    days = span.days
    minutes = counters.minutes(channel.slug, start_us=span.start_us, end_us=span.end_us, days=days)
    rows = counters.watch(channel.slug, days)
    viewers = counters.airing_viewers(channel.slug, sorted({r.airing.key for r in rows}))
    start, end = from_us(span.start_us), from_us(span.end_us)
    planned, aired = _planned(session, channel, start, end), _aired(session, channel, start, end)
    ids = {r.airing.programme_id for r in rows if r.airing.programme_id} | {p for p, _ in planned + aired}
    facts = programme_facts(session, ids)
    bucket = bucket_for(len(days))
    return Report(
        slug=channel.slug,
        channel_name=channel.name,
        period=period,
        span=span,
        bucket=bucket,
        uniques=counters.uniques(channel.slug, days),
        watch_ms=sum(r.watch_ms for r in rows),
        peak_viewers=max((m.viewers for m in minutes), default=0),
        viewers=series(minutes, start_us=span.start_us, bucket=bucket),
        topics=by_topic(rows, facts),
        programmes=by_programme(rows, viewers, facts),
        variants=by_dimension(rows, "variant"),
        referrers=by_dimension(rows, "referrer"),
        devices=by_dimension(rows, "device"),
        airtime_topics=airtime(planned=planned, aired=aired, facts=facts, by="topic"),
        airtime_documents=airtime(planned=planned, aired=aired, facts=facts, by="document"),
        campaigns=_campaigns(session, counters, channel=channel, span=span),
    )


def _campaigns(session: Session, counters: Counters, *, channel: Channel, span: Span) -> list[CampaignFigure]:
    """Each campaign running within the period, over the days it shares with the period."""
    figures: list[CampaignFigure] = []
    for campaign in overlapping(session, span.first, span.last):
        window = Span(max(campaign.starts_on, span.first), min(campaign.ends_on, span.last), span.zone)
        ids = {str(p.id) for p in campaign.programmes}
        start, end = from_us(window.start_us), from_us(window.end_us)
        rows = [r for r in counters.watch(channel.slug, window.days) if r.airing.programme_id in ids]
        viewers = counters.airing_viewers(channel.slug, sorted({r.airing.key for r in rows}))
        figures.append(
            CampaignFigure(
                campaign_id=str(campaign.id),
                name=campaign.name,
                theme=campaign.theme,
                first=window.first,
                last=window.last,
                programmes=len(ids),
                planned_s=sum(s for p, s in _planned(session, channel, start, end) if p in ids),
                aired_s=sum(s for p, s in _aired(session, channel, start, end) if p in ids),
                watch_ms=sum(r.watch_ms for r in rows),
                viewers=sum(viewers.values()),
            )
        )
    return figures
