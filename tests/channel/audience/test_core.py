"""The pure core of audience measurement: tokens, classes, attribution to what aired."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from channel.audience import Beat, attribute, device_class, hosts_of, mint_token, referrer_class, token_of
from channel.audience.beats import airing_key
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
