"""RRULE expansion keeps local wall-clock times in the channel's timezone and is always bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from channel.grid.errors import GridError
from channel.grid.recurrence import MAX_OCCURRENCES, expand_rule, normalise_rule

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKDAYS_20H = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=20;BYMINUTE=0"


def test_weekdays_at_20h_local_are_13h_utc_on_weekdays_only() -> None:
    start = datetime(2026, 12, 7, 0, 0, tzinfo=HCM)  # a Monday
    expansion = expand_rule(WEEKDAYS_20H, start=start, tz=HCM)
    assert len(expansion.starts) == 8 * 5  # the default horizon: 8 weeks
    for instant in expansion.starts:
        assert instant.tzinfo == UTC
        assert (instant.hour, instant.minute, instant.second) == (13, 0, 0)
        local = instant.astimezone(HCM)
        assert local.weekday() < 5
        assert (local.hour, local.minute) == (20, 0)
    assert expansion.starts[0] == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert expansion.starts == tuple(sorted(expansion.starts))


def test_saturdays_at_9h_from_the_start_time_of_day() -> None:
    start = datetime(2026, 12, 5, 9, 0, tzinfo=HCM)
    expansion = expand_rule("RRULE:freq=weekly;byday=SA;count=3", start=start, tz=HCM)
    assert expansion.rule == "FREQ=WEEKLY;BYDAY=SA;COUNT=3"
    assert [s.astimezone(HCM).isoformat() for s in expansion.starts] == [
        "2026-12-05T09:00:00+07:00",
        "2026-12-12T09:00:00+07:00",
        "2026-12-19T09:00:00+07:00",
    ]


@pytest.mark.parametrize("until", ["20261210T235959Z", "20261210T235959", "20261210"])
def test_until_in_utc_local_or_as_a_date(until: str) -> None:
    start = datetime(2026, 12, 7, 20, 0, tzinfo=HCM)
    expansion = expand_rule(f"FREQ=DAILY;UNTIL={until}", start=start, tz=HCM)
    assert [s.astimezone(HCM).day for s in expansion.starts] == [7, 8, 9, 10]


def test_wall_clock_is_kept_across_a_daylight_saving_change() -> None:
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 27, 20, 0, tzinfo=paris)
    starts = expand_rule("FREQ=DAILY;COUNT=3", start=start, tz=paris).starts
    assert [s.astimezone(paris).hour for s in starts] == [20, 20, 20]
    assert [s.hour for s in starts] == [19, 19, 18]  # UTC moves, local time does not


def test_a_limit_takes_exactly_that_many_occurrences() -> None:
    start = datetime(2026, 12, 7, 0, 0, tzinfo=HCM)
    assert len(expand_rule(WEEKDAYS_20H, start=start, tz=HCM, limit=12).starts) == 12
    assert len(expand_rule("FREQ=DAILY;COUNT=3", start=start, tz=HCM, limit=12).starts) == 3


def test_horizon_is_respected() -> None:
    start = datetime(2026, 12, 7, 8, 0, tzinfo=HCM)
    starts = expand_rule("FREQ=DAILY", start=start, tz=HCM, horizon=timedelta(days=2)).starts
    assert len(starts) == 3


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=FORTNIGHTLY",
        "FREQ=SECONDLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYHOUR=25",
        "FREQ=DAILY;COUNT=2;UNTIL=20261210",
        "DTSTART:20261201T000000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;DTSTART=20261201",
        f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}",
        "FREQ=HOURLY;UNTIL=20301231",
        "FREQ=DAILY;UNTIL=20200101",
        "mỗi tối thứ hai",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never happens: refused without scanning to year 9999
        "FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31",
    ],
)
def test_invalid_rules_are_refused_with_a_clear_message(rule: str) -> None:
    with pytest.raises(GridError) as caught:
        expand_rule(rule, start=datetime(2026, 12, 7, tzinfo=HCM), tz=HCM)
    assert caught.value.status == 422
    assert caught.value.code == "invalid_rrule"
    assert "RRULE" in caught.value.message
    assert " / " in caught.value.message


def test_normalise_rule() -> None:
    assert normalise_rule(" rrule:freq=daily;count=2 ") == "FREQ=DAILY;COUNT=2"


def test_rare_but_possible_rules_are_kept() -> None:
    start = datetime(2026, 12, 7, 20, 0, tzinfo=HCM)
    leap = expand_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;COUNT=2", start=start, tz=HCM).starts
    assert [s.astimezone(HCM).date().isoformat() for s in leap] == ["2028-02-29", "2032-02-29"]
    fifth = expand_rule("FREQ=MONTHLY;BYDAY=5FR;COUNT=1", start=start, tz=HCM).starts
    assert fifth[0].astimezone(HCM).date().isoformat() == "2027-01-29"


def test_occurrences_before_not_before_are_skipped_and_do_not_count() -> None:
    start = datetime(2026, 12, 1, 20, 0, tzinfo=HCM)
    frozen_until = datetime(2026, 12, 3, 21, 0, tzinfo=HCM)
    days = expand_rule("FREQ=DAILY", start=start, tz=HCM, limit=2, not_before=frozen_until).starts
    assert [d.astimezone(HCM).day for d in days] == [4, 5]
    with pytest.raises(GridError) as caught:
        expand_rule("FREQ=DAILY;COUNT=2", start=start, tz=HCM, not_before=frozen_until)
    assert "already in the past" in caught.value.message
