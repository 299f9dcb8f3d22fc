"""The viewer's guide from a compiled timeline: a bounded window, the latest to watch again, a whole day."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

import channel.web.guide as guide_module
from channel.web.guide import COMING_LIMIT, day_guide, today_in, viewer_guide
from playlist import GridEntry, Timeline, compile_timeline, epg_day, programmes_between
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)
SHORT = 24.0  # seconds: the demo's programmes
DAY = timedelta(hours=24)
TIME = re.compile(r"^\d\d:\d\d:\d\d$")


def short_programmes_timeline(*, count: int = 700, every: float = 32.0) -> Timeline:
    """A 24 s programme every 32 s (slate between), three programmes in turn: ~700 guide lines in 6 h."""
    programmes = {pid: media(pid, [6.0] * 4, title=f"Chương trình {pid}") for pid in ("a", "b", "c")}
    entries = [
        GridEntry(str(i), "abc"[i % 3], EPOCH + timedelta(seconds=60 + i * every)) for i in range(count)
    ]
    return compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(count=20),
        horizon=EPOCH + timedelta(hours=8),
    )


def long_programme_timeline() -> Timeline:
    programmes = {"dai": media("dai", [6.0] * 300, title="Luật Đất đai 2024")}  # 30 min
    entries = [GridEntry(str(i), "dai", EPOCH + timedelta(hours=1 + i)) for i in range(3)]
    return compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(),
        horizon=EPOCH + timedelta(hours=5),
    )


@pytest.fixture(scope="module")
def busy() -> Timeline:
    return short_programmes_timeline()


def test_the_window_is_on_now_and_what_follows_at_most_the_limit(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2, seconds=5)
    seen = viewer_guide(busy, now=now, lang="vi", reach=DAY)
    assert len(seen.coming) == COMING_LIMIT
    assert seen.on_air is seen.coming[0]
    assert seen.on_air.start <= now < seen.on_air.stop
    assert seen.on_air.state == "on_air"
    assert seen.up_next is seen.coming[1]
    assert all(line.state == "coming" for line in seen.coming[1:])
    assert all(a.stop == b.start for a, b in itertools.pairwise(seen.coming))
    # the same lines the whole day has from now on
    later = [line for line in day_guide(busy, day=EPOCH.date(), now=now, lang="vi").lines if line.stop > now]
    assert seen.coming == tuple(later[:COMING_LIMIT])


def test_short_programmes_are_written_to_the_second(busy: Timeline) -> None:
    seen = viewer_guide(busy, now=EPOCH + timedelta(hours=2), lang="vi", reach=DAY)
    programme = next(line for line in seen.coming if line.kind == "programme")
    assert programme.brief
    assert TIME.match(programme.at)
    start, stop = programme.when.split("–")
    assert TIME.match(start)
    assert TIME.match(stop)
    assert start != stop


def test_long_programmes_are_written_to_the_minute() -> None:
    timeline = long_programme_timeline()
    seen = viewer_guide(timeline, now=EPOCH + timedelta(hours=1, minutes=10), lang="vi", reach=DAY)
    assert seen.on_air is not None
    assert seen.on_air.title == "Luật Đất đai 2024"
    assert seen.on_air.when == "08:00–08:30"  # the builders' channel is in Hà Nội time (UTC+7)
    assert seen.on_air.at == "08:00"


def test_the_window_ends_a_few_hours_ahead() -> None:
    timeline = long_programme_timeline()
    now = EPOCH + timedelta(minutes=30)
    seen = viewer_guide(timeline, now=now, lang="vi", reach=DAY, hours=2)
    assert [line.kind for line in seen.coming] == ["filler", "programme", "filler", "programme"]
    assert all(line.start < now + timedelta(hours=2) for line in seen.coming)


def test_the_work_does_not_grow_with_the_day(busy: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    real = programmes_between  # what the guide module imported

    def counting(*args: Any, **kwargs: Any) -> Any:
        entries = real(*args, **kwargs)
        read.append(len(entries))
        return entries

    monkeypatch.setattr(guide_module, "programmes_between", counting)
    viewer_guide(busy, now=EPOCH + timedelta(hours=1), lang="vi", reach=DAY)
    assert sum(read) <= 2 * COMING_LIMIT, f"guide entries built for one page: {read}"
    assert len(epg_day(busy, day=EPOCH.date())) > 50 * COMING_LIMIT  # while the day holds this many


def test_recent_is_the_latest_airing_of_each_programme_newest_first(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2, seconds=5)
    recent = viewer_guide(busy, now=now, lang="vi", reach=DAY).recent
    assert len(recent) == 3  # three programmes, each once
    assert len({line.programme_id for line in recent}) == 3
    assert all(line.stop <= now and line.state == "aired" and line.kind == "programme" for line in recent)
    assert all(a.start > b.start for a, b in itertools.pairwise(recent))
    assert now - recent[0].stop < timedelta(seconds=40)


def test_recent_stays_within_the_start_over_reach(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2, seconds=5)
    recent = viewer_guide(busy, now=now, lang="vi", reach=timedelta(seconds=50)).recent
    assert recent
    assert all(now - line.start <= timedelta(seconds=50) for line in recent)


def test_before_the_channel_starts_and_after_its_guide_ends(busy: Timeline) -> None:
    early = viewer_guide(busy, now=EPOCH - timedelta(minutes=5), lang="vi", reach=DAY)
    assert early.on_air is None
    assert early.coming[0].start == EPOCH
    assert early.up_next is early.coming[0]
    assert early.recent == ()
    late = viewer_guide(busy, now=EPOCH + timedelta(hours=9), lang="vi", reach=DAY)
    assert late.on_air is None
    assert late.coming == ()
    assert late.recent  # what aired at the end can still be watched again


def test_filler_reads_in_the_page_language(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2)
    vi = [
        line.title
        for line in viewer_guide(busy, now=now, lang="vi", reach=DAY).coming
        if line.kind == "filler"
    ]
    en = [
        line.title
        for line in viewer_guide(busy, now=now, lang="en", reach=DAY).coming
        if line.kind == "filler"
    ]
    assert set(vi) == {"Chương trình sẽ tiếp tục"}
    assert set(en) == {"The programme will continue"}


def test_a_whole_day_every_line_and_whether_it_is_today(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2)
    day = today_in(busy.channel.timezone, now)
    assert day == date(2026, 11, 29)
    whole = day_guide(busy, day=day, now=now, lang="vi")
    assert whole.today
    assert whole.on_air
    assert len(whole.lines) == len(epg_day(busy, day=day))
    assert whole.previous == date(2026, 11, 28)
    assert whole.following == date(2026, 11, 30)
    other = day_guide(busy, day=whole.following, now=now, lang="vi")
    assert not other.today
    assert not other.on_air


def test_today_is_the_channel_zone_s() -> None:
    late_utc = datetime(2026, 11, 30, 20, 0, tzinfo=EPOCH.tzinfo)
    assert today_in("Asia/Ho_Chi_Minh", late_utc) == date(2026, 12, 1)
    assert today_in("UTC", late_utc) == date(2026, 11, 30)


def test_behind_starts_the_lines_with_what_a_lagging_player_shows(busy: Timeline) -> None:
    now = EPOCH + timedelta(hours=2, seconds=5)
    seen = viewer_guide(busy, now=now, lang="vi", reach=DAY, behind=timedelta(minutes=1), limit=24)
    assert seen.coming[0].start <= now - timedelta(minutes=1) < seen.coming[0].stop
    assert seen.coming[0].state == "aired"
    assert seen.on_air is not None
    assert seen.on_air.start <= now < seen.on_air.stop
    assert seen.on_air.state == "on_air"
    assert seen.up_next is not None
    assert seen.up_next.start == seen.on_air.stop
    assert [line.state for line in seen.coming] == sorted(
        (line.state for line in seen.coming), key=["aired", "on_air", "coming"].index
    )


def test_a_live_event_is_marked_live_and_is_not_offered_to_watch_again() -> None:
    from tests.playlist.test_live import LIVE_AT, live_timeline

    timeline = live_timeline(live_segments=5)
    during = viewer_guide(timeline, now=LIVE_AT + 10 * S, lang="vi", reach=DAY)
    assert during.on_air is not None
    assert during.on_air.live
    assert during.on_air.programme_id is None  # no programme page to link to
    after = viewer_guide(timeline, now=LIVE_AT + 90 * S, lang="vi", reach=DAY)
    assert all(not line.live for line in after.recent)
    assert [line.programme_id for line in after.recent] == ["p2", "p1"]  # the event between them: not listed
