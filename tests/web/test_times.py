"""Times and durations as the pages write them: seconds only where a minute would hide them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from channel.web.times import clock_text, duration_text, is_brief, span_text

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 30, 13, 56, 10, tzinfo=UTC)  # 20:56:10 in Hà Nội


def test_a_programme_shorter_than_a_minute_is_written_to_the_second() -> None:
    stop = START + timedelta(seconds=24)
    assert is_brief(START, stop)
    assert span_text(START, stop, zone=HCM) == "20:56:10–20:56:34"


def test_a_minute_or_longer_is_written_to_the_minute() -> None:
    assert not is_brief(START, START + timedelta(minutes=1))
    assert span_text(START, START + timedelta(minutes=25), zone=HCM) == "20:56–21:21"


def test_clock_is_the_channel_zone_24_hours() -> None:
    assert clock_text(START, zone=HCM) == "20:56"
    assert clock_text(START, zone=HCM, seconds=True) == "20:56:10"
    assert clock_text(START, zone=UTC, seconds=True) == "13:56:10"


@pytest.mark.parametrize(
    ("seconds", "vi", "en"),
    [
        (24.0, "24 giây", "24 s"),
        (0.4, "0 giây", "0 s"),
        (59.4, "59 giây", "59 s"),
        (60.0, "1 phút", "1 min"),
        (89.0, "1 phút", "1 min"),
        (1500.0, "25 phút", "25 min"),
        (3600.0, "1 giờ", "1 h"),
        (3900.0, "1 giờ 5 phút", "1 h 5 min"),
    ],
)
def test_durations_in_both_languages(seconds: float, vi: str, en: str) -> None:
    assert duration_text(seconds, lang="vi") == vi
    assert duration_text(seconds, lang="en") == en
