"""Dates and instants given in requests: parsed in one place and bounded to the years the service handles.

Out-of-range values (`9999-12-31`, `1e300` seconds) are refused here, as a ValueError, instead of
overflowing later in date arithmetic (a 500). Callers turn the ValueError into their own 422 with a
bilingual message; `QueryDay` does it for pydantic-parsed query models.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated, Final

from pydantic import BeforeValidator

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
    """An aware UTC instant from ISO 8601 (date and time), within `YEARS`; ValueError otherwise.

    A naive time is read in `naive_tz` (refused without one); `allow_date` takes a bare `YYYY-MM-DD` as
    midnight in `naive_tz`; `allow_epoch` takes Unix seconds. A `+` of the offset turned into a space by
    an unencoded query string is restored.
    """
    raw = text.strip()
    if allow_epoch:
        try:
            seconds = float(raw)
        except ValueError:
            pass
        else:
            if not math.isfinite(seconds):
                raise ValueError("not a finite number")
            if not datetime(YEARS.start, 1, 1, tzinfo=UTC).timestamp() <= seconds:
                raise ValueError("before the first year")
            if not seconds < datetime(YEARS.stop, 1, 1, tzinfo=UTC).timestamp():
                raise ValueError("after the last year")
            return datetime.fromtimestamp(seconds, UTC)
    if allow_date and len(raw) == 10:
        if naive_tz is None:
            raise ValueError("a date needs a timezone")
        return datetime.combine(parse_day(raw), time(0), tzinfo=naive_tz).astimezone(UTC)
    if len(raw) < 16 or raw[10] not in "Tt ":
        raise ValueError("not an ISO 8601 date and time")
    parsed = datetime.fromisoformat(raw[:10] + "T" + raw[11:].replace("Z", "+00:00").replace(" ", "+"))
    check_year(parsed)
    if parsed.tzinfo is None:
        if naive_tz is None:
            raise ValueError("an instant needs a UTC offset")
        parsed = parsed.replace(tzinfo=naive_tz)
    moment = parsed.astimezone(UTC)
    check_year(moment)  # an offset may carry 2199-12-31T23:00-05:00 past the last year
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
