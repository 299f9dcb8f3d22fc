"""A report as named tables with Vietnamese headers, times in the channel's timezone: what the
CSV and XLSX exports hold, one file per table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from channel.reports.airtime import Airtime
from channel.reports.report import Report

__all__ = ["TABLES", "Table", "table_of"]

Cell = str | int | float
_HOURS: Final = 3_600_000
_REFERRERS = {
    "portal": "Cổng pháp luật (nhúng)",
    "site": "Trang của kênh",
    "iptv": "Ứng dụng IPTV/M3U",
    "other": "Khác",
}
_DEVICES = {"mobile": "Di động", "desktop": "Máy tính", "tv": "TV", "other": "Khác"}


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet: its title, headers and rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _hours(ms: int) -> float:
    return round(ms / _HOURS, 3)


def _local(report: Report, at_us: int) -> str:
    at = datetime.fromtimestamp(at_us / 1_000_000, UTC).astimezone(report.span.zone)
    return at.strftime("%Y-%m-%d %H:%M")


def _viewers(report: Report) -> Table:
    zone = report.span.zone.key
    return Table(
        "Người xem theo thời gian",
        (f"Thời điểm ({zone})", "Người xem đồng thời cao nhất", "Thời gian xem (giờ)"),
        [(_local(report, p.start_us), p.peak_viewers, _hours(p.watch_ms)) for p in report.viewers],
    )


def _topics(report: Report) -> Table:
    return Table(
        "Thời gian xem theo chủ đề",
        ("Chủ đề pháp luật", "Thời gian xem (giờ)"),
        [(s.name, _hours(s.watch_ms)) for s in report.topics],
    )


def _programmes(report: Report) -> Table:
    return Table(
        "Chương trình được xem nhiều nhất",
        (
            "Chương trình",
            "Số lần phát",
            "Người xem",
            "Thời gian xem (giờ)",
            "Trung bình mỗi người xem (phút)",
        ),
        [
            (p.title, p.airings, p.viewers, _hours(p.watch_ms), round(p.average_ms / 60_000, 1))
            for p in report.programmes
        ],
    )


def _airtime(title: str, first: str, rows: Sequence[Airtime]) -> Table:
    return Table(
        title,
        (first, "Kế hoạch (giờ)", "Đã phát (giờ)", "Tỷ lệ đã phát (%)"),
        [
            (
                r.name,
                round(r.planned_s / 3600, 3),
                round(r.aired_s / 3600, 3),
                round(100 * r.aired_s / r.planned_s, 1) if r.planned_s else "",
            )
            for r in rows
        ],
    )


def _breakdown(report: Report) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for group, shares, names in (
        ("Chất lượng (biến thể)", report.variants, {}),
        ("Nguồn xem", report.referrers, _REFERRERS),
        ("Thiết bị", report.devices, _DEVICES),
    ):
        rows.extend((group, names.get(s.key, s.name), _hours(s.watch_ms)) for s in shares)
    return Table("Thời gian xem theo nhóm", ("Nhóm", "Giá trị", "Thời gian xem (giờ)"), rows)


def _campaigns(report: Report) -> Table:
    return Table(
        "Chiến dịch",
        (
            "Chiến dịch",
            "Chủ đề",
            "Từ ngày",
            "Đến ngày",
            "Kế hoạch (giờ)",
            "Đã phát (giờ)",
            "Người xem",
            "Thời gian xem (giờ)",
        ),
        [
            (
                c.name,
                c.theme,
                c.first.isoformat(),
                c.last.isoformat(),
                round(c.planned_s / 3600, 3),
                round(c.aired_s / 3600, 3),
                c.viewers,
                _hours(c.watch_ms),
            )
            for c in report.campaigns
        ],
    )


TABLES: Final[dict[str, Callable[[Report], Table]]] = {
    "viewers": _viewers,
    "topics": _topics,
    "programmes": _programmes,
    "airtime-topics": lambda r: _airtime("Thời lượng phát theo chủ đề", "Chủ đề pháp luật", r.airtime_topics),
    "airtime-documents": lambda r: _airtime(
        "Thời lượng phát theo văn bản", "Văn bản pháp luật", r.airtime_documents
    ),
    "breakdown": _breakdown,
    "campaigns": _campaigns,
}


def table_of(report: Report, name: str) -> Table:
    """The table called `name` (a key of `TABLES`)."""
    return TABLES[name](report)
