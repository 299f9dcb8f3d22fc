"""Report periods and figures: pure functions, checked on their invariants."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channel.audience.beats import local_day
from channel.audience.counters import MinutePoint
from channel.reports.figures import DAY, HOUR, MINUTE, Bucket, bucket_for, series
from channel.reports.periods import PERIODS, Period, span_of

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@given(on=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)), period=st.sampled_from(PERIODS))
def test_a_period_holds_its_day_and_covers_whole_local_days(on: date, period: Period) -> None:
    span = span_of(period, on, HCM)
    assert span.first <= on <= span.last
    assert span.days[0] == span.first.isoformat()
    assert span.days[-1] == span.last.isoformat()
    assert span.end_us - span.start_us == len(span.days) * 86_400_000_000  # no DST in Vietnam
    assert local_day(span.start_us, HCM) == span.first.isoformat()
    assert local_day(span.end_us - 1, HCM) == span.last.isoformat()
    lengths = {"day": {1}, "week": {7}, "month": {28, 29, 30, 31}, "quarter": {90, 91, 92}, "custom": {1}}
    assert len(span.days) in lengths[period]


def test_custom_periods_run_forwards_within_a_year() -> None:
    assert len(span_of("custom", date(2026, 1, 1), HCM, last=date(2026, 1, 31)).days) == 31
    with pytest.raises(ValueError, match="forwards"):
        span_of("custom", date(2026, 2, 1), HCM, last=date(2026, 1, 1))
    with pytest.raises(ValueError, match="366"):
        span_of("custom", date(2026, 1, 1), HCM, last=date(2027, 1, 1) + timedelta(days=1))


@given(
    counts=st.lists(
        st.tuples(st.integers(0, 3 * 1440 - 1), st.integers(1, 500), st.integers(0, 10**6)),
        max_size=60,
        unique_by=lambda t: t[0],
    ),
    bucket=st.sampled_from([MINUTE, HOUR, DAY]),
)
def test_a_series_keeps_the_watch_time_and_the_peak(
    counts: list[tuple[int, int, int]], bucket: Bucket
) -> None:
    span = span_of("custom", date(2026, 11, 28), HCM, last=date(2026, 11, 30))
    minutes = [MinutePoint(span.start_us + m * 60_000_000, v, ms) for m, v, ms in counts]
    points = series(minutes, start_us=span.start_us, bucket=bucket)
    assert sum(p.watch_ms for p in points) == sum(ms for _, _, ms in counts)
    assert max((p.peak_viewers for p in points), default=0) == max((v for _, v, _ in counts), default=0)
    assert all((p.start_us - span.start_us) % bucket.width_us == 0 for p in points)
    assert [p.start_us for p in points] == sorted({p.start_us for p in points})


def test_buckets_follow_the_length_of_the_period() -> None:
    assert (bucket_for(1), bucket_for(7), bucket_for(31)) == (MINUTE, HOUR, DAY)
