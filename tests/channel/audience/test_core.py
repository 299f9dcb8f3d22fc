"""The pure core of audience measurement: tokens, classes, periods, attribution to what aired."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channel.audience import Beat, attribute, device_class, hosts_of, mint_token, referrer_class, token_of
from channel.audience.beats import airing_key, local_day
from channel.audience.periods import PERIODS, span_of
from channel.audience.sessions import session_query
from playlist import GridEntry, Timeline, compile_timeline
from tests.playlist.builders import EPOCH, channel, media, slate

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTS = hosts_of("https://truyenhinh.phapluat.vn", ["https://phapluat.gov.vn"])
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def test_tokens_are_random_and_read_back_only_from_exactly_their_query() -> None:
    tokens = {mint_token() for _ in range(1000)}
    assert len(tokens) == 1000
    token = tokens.pop()
    assert token_of(session_query(token).encode()) == token
    for junk in (b"", b"s=", b"s=abc", f"s={token}&x=1".encode(), f"x={token}".encode(), b"s=" + b"%" * 22):
        assert token_of(junk) is None


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "mobile"),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) Mobile Safari/537.36", "mobile"),
        (CHROME, "desktop"),
        ("Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) SamsungBrowser/4.0 TV Safari/537.36", "tv"),
        ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 Chrome/87 Safari/537.36", "tv"),
        ("VLC/3.0.20 LibVLC/3.0.20", "other"),
        ("", "other"),
    ],
)
def test_device_classes(agent: str, device: str) -> None:
    assert device_class(agent) == device


@pytest.mark.parametrize(
    ("referer", "agent", "referrer"),
    [
        ("https://truyenhinh.phapluat.vn/embed/kenh-phap-luat", CHROME, "portal"),
        ("https://phapluat.gov.vn/tin-tuc/luat-moi", CHROME, "portal"),
        ("https://truyenhinh.phapluat.vn/", CHROME, "site"),
        ("https://truyenhinh.phapluat.vn/chuong-trinh/1", CHROME, "site"),
        ("https://elsewhere.example/page", CHROME, "other"),
        ("", "TiviMate/4.7.0 (Android TV)", "iptv"),
        ("", "VLC/3.0.20 LibVLC/3.0.20", "iptv"),
        ("", "Lavf/60.3.100", "iptv"),
        ("", CHROME, "other"),
    ],
)
def test_referrer_classes(referer: str, agent: str, referrer: str) -> None:
    assert referrer_class(referer, agent, HOSTS) == referrer


@given(on=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)), period=st.sampled_from(PERIODS))
def test_a_period_holds_its_day_and_covers_whole_local_days(on: date, period: str) -> None:
    span = span_of(period, on, HCM)  # type: ignore[arg-type]
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


def _timeline() -> Timeline:
    """Slate from the epoch, then a programme of ten 6 s segments from 30 s."""
    return compile_timeline(
        channel=channel(),
        entries=[GridEntry("e", "a", EPOCH + timedelta(seconds=30))],
        programmes={"a": media("a", [6.0] * 10, title="Luật Đất đai")},
        slate=slate(),
        horizon=EPOCH + timedelta(minutes=5),
    )


def test_a_beat_counts_for_the_airing_and_slot_of_the_live_edge() -> None:
    timeline = _timeline()
    item = next(i for i in timeline.items if i.programme_id == "a")
    target_us = timeline.channel.target_duration * 1_000_000
    inside = item.start_us + item.duration_us(0) + item.duration_us(1) + 1  # two segments have aired
    beat = Beat(token="t" * 22, slug="k", variant="720p", at_us=inside, referrer="site", device="desktop")
    counted = attribute(beat, timeline, HCM)
    assert counted is not None
    assert counted.airing.key == airing_key(item.programme_id, item.kind, item.start_us)
    assert counted.airing.title == item.title
    assert counted.slot == (item.start_us + item.duration_us(0) + item.duration_us(1)) // target_us
    assert counted.watch_ms == target_us // 1000
    assert counted.minute_us % 60_000_000 == 0
    assert counted.minute_us <= inside
    before = Beat(
        token="t" * 22,
        slug="k",
        variant="720p",
        at_us=timeline.items[0].start_us,
        referrer="site",
        device="tv",
    )
    assert attribute(before, timeline, HCM) is None  # nothing had aired: no playlist was served
