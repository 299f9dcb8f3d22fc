"""Report periods in the channel's timezone: a day, a week (Monday first), a month, a quarter, or
any span of days; each becomes the instants it covers and its local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

__all__ = ["MAX_DAYS", "PERIODS", "Period", "Span", "span_of"]

Period = Literal["day", "week", "month", "quarter", "custom"]
PERIODS: tuple[Period, ...] = get_args(Period)
#: the longest custom span a report covers
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Span:
    """Local days `first`..`last` (inclusive) in `zone`."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> list[str]:
        count = (self.last - self.first).days + 1
        return [(self.first + timedelta(days=i)).isoformat() for i in range(count)]

    def _us(self, day: date) -> int:
        return int(datetime.combine(day, time(), self.zone).timestamp() * 1_000_000)

    @property
    def start_us(self) -> int:
        return self._us(self.first)

    @property
    def end_us(self) -> int:
        return self._us(self.last + timedelta(days=1))


def _month_end(first: date, months: int) -> date:
    month = first.month - 1 + months
    return date(first.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def span_of(period: Period, on: date, zone: ZoneInfo, *, last: date | None = None) -> Span:
    """The span of `period` holding `on` (custom: `on`..`last`); ValueError for a backwards or
    over-long custom span."""
    if period == "day":
        return Span(on, on, zone)
    if period == "week":
        first = on - timedelta(days=on.weekday())
        return Span(first, first + timedelta(days=6), zone)
    if period == "month":
        first = on.replace(day=1)
        return Span(first, _month_end(first, 1), zone)
    if period == "quarter":
        first = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        return Span(first, _month_end(first, 3), zone)
    end = last or on
    if end < on or (end - on).days >= MAX_DAYS:
        raise ValueError(f"a custom period runs forwards and covers at most {MAX_DAYS} days")
    return Span(on, end, zone)
