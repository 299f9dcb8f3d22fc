"""How the pages write times and durations: to the second when a programme is shorter than a minute.

A 24 s programme reads "20:56:10–20:56:34" and "24 giây", never "20:56–20:56" or "1 phút". The
viewer's script (static/player.js, `clock`) follows the same rule for what it renders itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Final

from channel.web.i18n import Lang, translate

__all__ = ["BRIEF", "clock_text", "duration_text", "is_brief", "span_text"]

#: programmes shorter than this are written to the second
BRIEF: Final = timedelta(minutes=1)


def is_brief(start: datetime, stop: datetime) -> bool:
    """Shorter than a minute: its times need seconds to be told apart."""
    return stop - start < BRIEF


def clock_text(instant: datetime, *, zone: tzinfo, seconds: bool = False) -> str:
    """The wall-clock time in `zone`, 24-hour: "20:56", or "20:56:10" with seconds."""
    local = instant.astimezone(zone)
    hm = f"{local.hour:02d}:{local.minute:02d}"  # (strftime costs twice as much, per guide line)
    return f"{hm}:{local.second:02d}" if seconds else hm


def span_text(start: datetime, stop: datetime, *, zone: tzinfo) -> str:
    """ "20:30–21:15", or "20:56:10–20:56:34" for a programme shorter than a minute."""
    seconds = is_brief(start, stop)
    return f"{clock_text(start, zone=zone, seconds=seconds)}–{clock_text(stop, zone=zone, seconds=seconds)}"


def duration_text(seconds: float, *, lang: Lang) -> str:
    """ "24 giây", "25 phút", "1 giờ 5 phút" (English: "24 s", "25 min", "1 h 5 min")."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} {translate(lang, 'unit_seconds')}"
    minutes = round(whole / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} {translate(lang, 'unit_hours')}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} {translate(lang, 'minutes')}")
    return " ".join(parts)
