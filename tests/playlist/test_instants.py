"""Instants: the one parser of typed times (the grid's and a viewer's ``start=``), and PDT formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from playlist import format_pdt, parse_instant, to_us

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("2026-12-01T20:00+07:00", {}, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),
        ("2026-12-01T13:00:00Z", {}, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),
        ("2026-12-01T20:00:00 07:00", {}, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),  # "+" decoded as space
        ("2026-12-01 20:00", {"zone": HCM}, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),  # local to the zone
        ("2026-12-01", {"zone": HCM, "allow_date": True}, datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("1795910400", {"allow_epoch": True}, datetime(2026, 11, 29, 0, 0, tzinfo=UTC)),
    ],
)
def test_what_people_and_players_type(text: str, options: dict[str, object], expected: datetime) -> None:
    assert parse_instant(text, **options) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("2026-12-01T20:00", {}),  # no offset and no zone: never guessed
        ("2026-12-01", {"zone": HCM}),  # a bare date only where allowed
        ("1795910400", {}),  # Unix seconds only where allowed
        ("nan", {"allow_epoch": True}),
        ("1e300", {"allow_epoch": True}),
        ("9999-12-31T23:59-10:00", {}),  # past the last representable day in UTC
        ("0001-01-01T00:00", {"zone": HCM}),  # before the first
        ("hôm qua", {"zone": HCM, "allow_date": True, "allow_epoch": True}),
    ],
)
def test_anything_else_is_a_value_error(text: str, options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        parse_instant(text, **options)  # type: ignore[arg-type]


def test_program_date_time_is_utc_with_milliseconds() -> None:
    assert (
        format_pdt(to_us(datetime(2026, 11, 29, 10, 0, 0, 999_600, tzinfo=UTC))) == "2026-11-29T10:00:01.000Z"
    )
