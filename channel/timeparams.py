"""Dates and instants given in requests: parsed in one place and bounded to the years the service handles.

Out-of-range values (`9999-12-31`, `1e300` seconds) are refused here, as a ValueError, instead of
overflowing later in date arithmetic (a 500). Callers turn the ValueError into their own 422 with a
bilingual message; `QueryDay` does it for pydantic-parsed query models.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Annotated, Final

from pydantic import BeforeValidator

import playlist

__all__ = ["DAY_HELP", "YEARS", "QueryDay", "check_year", "parse_day", "parse_instant"]

#: the calendar years any date or instant parameter may name (outside them arithmetic may overflow)
YEARS: Final = range(2000, 2200)
DAY_HELP: Final = (
    f"Ngày phải có dạng YYYY-MM-DD, trong các năm {YEARS.start}–{YEARS.stop - 1}"
    f" / The date must be YYYY-MM-DD, in the years {YEARS.start}–{YEARS.stop - 1}"
)


def check_year(moment: date) -> None:
    """ValueError unless `moment` (a date or datetime) falls within `YEARS`."""
    if moment.year not in YEARS:
        raise ValueError(f"year {moment.year} outside {YEARS.start}-{YEARS.stop - 1}")


def parse_day(text: str) -> date:
    """A calendar date `YYYY-MM-DD` within `YEARS`; ValueError otherwise."""
    day = date.fromisoformat(text.strip())
    check_year(day)
    return day


def parse_instant(
    text: str, *, naive_tz: tzinfo | None = None, allow_date: bool = False, allow_epoch: bool = False
) -> datetime:
    """`playlist.parse_instant` (the one parser of instants), bounded to `YEARS`; ValueError otherwise."""
    moment = playlist.parse_instant(text, zone=naive_tz, allow_date=allow_date, allow_epoch=allow_epoch)
    check_year(moment)
    return moment


def _query_day(value: object) -> object:
    if isinstance(value, str):
        try:
            return parse_day(value)
        except ValueError:
            raise ValueError(f"{DAY_HELP}: {value!r}") from None
    return value


#: a date query parameter within `YEARS` (422 with a bilingual message otherwise)
QueryDay = Annotated[date, BeforeValidator(_query_day)]
