"""Times as people type them: ISO 8601 with an offset, or naive wall-clock time in the channel's timezone.

Everything is stored UTC; a naive time or a bare date means the channel's local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from channel.grid.errors import invalid
from channel.timeparams import YEARS, parse_day, parse_instant

__all__ = ["YEARS", "floor_second", "instant_field", "local_midnight", "parse_local_date", "zone"]


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`; 422 for anything zoneinfo does not know."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise invalid(
            "invalid_timezone",
            f"Múi giờ không hợp lệ: {name!r} (dùng tên IANA, ví dụ Asia/Ho_Chi_Minh)"
            f" / Unknown timezone {name!r} (use an IANA name such as Asia/Ho_Chi_Minh)",
        ) from None


def floor_second(moment: datetime) -> datetime:
    """`moment` in UTC without its fraction of a second (a channel's epoch)."""
    return moment.astimezone(UTC).replace(microsecond=0)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def parse_local_date(text: str, *, field: str = "date") -> date:
    """A calendar date `YYYY-MM-DD` (a day of the channel's local calendar)."""
    try:
        return parse_day(text)
    except (ValueError, AttributeError):
        raise invalid(
            "invalid_date",
            f"Ngày không hợp lệ ở '{field}': {text!r} (định dạng YYYY-MM-DD)"
            f" / Invalid date in '{field}': {text!r} (use YYYY-MM-DD)",
        ) from None


def instant_field(text: str, *, tz: ZoneInfo, field: str = "start", allow_date: bool = False) -> datetime:
    """`playlist.parse_instant` of a request field: naive times (and bare dates if allowed) are local
    to `tz`; anything unparsable, or outside `YEARS`, is a 422 naming the field."""
    raw = text.strip() if isinstance(text, str) else ""
    if allow_date and len(raw) == 10:
        return local_midnight(parse_local_date(raw, field=field), tz)
    try:
        return parse_instant(raw, naive_tz=tz)
    except ValueError:
        raise invalid(
            "invalid_datetime",
            f"Thời điểm không hợp lệ ở '{field}': {text!r} (ISO 8601, ví dụ 2026-12-01T20:00 hoặc"
            f" 2026-12-01T20:00+07:00) / Invalid time in '{field}': {text!r} (ISO 8601, e.g."
            " 2026-12-01T20:00 or 2026-12-01T20:00+07:00)",
        ) from None
