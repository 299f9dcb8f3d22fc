"""Time ranges of listings (`from`/`to` query text) read in a channel's timezone, bounded in length."""

from __future__ import annotations

from datetime import datetime, timedelta

from channel.grid.errors import invalid
from channel.grid.timeparse import instant_field, zone
from channel.models import Channel

__all__ = ["MAX_RANGE", "check_range", "parse_range"]

#: the longest span one listing may cover
MAX_RANGE = timedelta(days=400)


def check_range(start: datetime, end: datetime) -> None:
    """Refuse an empty, reversed or overlong range."""
    if end <= start or end - start > MAX_RANGE:
        raise invalid(
            "invalid_range",
            f"Khoảng thời gian không hợp lệ: 'to' phải sau 'from' và không quá {MAX_RANGE.days} ngày"
            f" / Invalid range: 'to' must follow 'from' within {MAX_RANGE.days} days",
        )


def parse_range(
    channel: Channel, *, start_text: str | None, end_text: str | None, now: datetime, default_days: int = 7
) -> tuple[datetime, datetime]:
    """A [from, to) range from query text in the channel's timezone; dates mean local midnight."""
    tz = zone(channel.timezone)
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = instant_field(start_text, tz=tz, field="from", allow_date=True) if start_text else today
    end = (
        instant_field(end_text, tz=tz, field="to", allow_date=True)
        if end_text
        else start + timedelta(days=default_days)
    )
    check_range(start, end)
    return start, end
