"""Instants as integer microseconds since the Unix epoch: exact, deterministic arithmetic; and the one
parser of instants people and players type (the grid's times, a viewer's ``start=``)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = ["UNIX_EPOCH", "format_pdt", "from_us", "parse_instant", "to_us"]

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(instant: datetime) -> int:
    """Microseconds since 1970 for an aware datetime; naive datetimes are refused, never guessed."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return (instant - UNIX_EPOCH) // _US


def from_us(us: int) -> datetime:
    return UNIX_EPOCH + timedelta(microseconds=us)


def format_pdt(us: int) -> str:
    """EXT-X-PROGRAM-DATE-TIME value: UTC, milliseconds rounded half up, e.g. 2026-11-29T10:00:00.000Z."""
    ms = (us + 500) // 1000
    return (UNIX_EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


#: "10:00:00 07:00": a "+" of the offset that a query string decoded as a space
_SPACED_OFFSET = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_instant(
    text: str, *, zone: tzinfo | None = None, allow_date: bool = False, allow_epoch: bool = False
) -> datetime:
    """An aware UTC instant from text; ValueError for anything else.

    ISO 8601 date and time (at least ``YYYY-MM-DDTHH:MM``, ``T`` or a space between) with an offset
    or ``Z``; without an offset, local to ``zone`` (refused when there is none); with ``allow_date``,
    a bare ``YYYY-MM-DD`` is local midnight in ``zone``; with ``allow_epoch``, Unix seconds.
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
            try:
                return datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError) as exc:
                raise ValueError("out of range") from exc
    if allow_date and len(raw) == 10:
        if zone is None:
            raise ValueError("a date needs a timezone")
        return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=zone).astimezone(UTC)
    if len(raw) < 16 or raw[10] not in "Tt ":
        raise ValueError("expected a date and a time")
    parsed = datetime.fromisoformat(_SPACED_OFFSET.sub(r"\1+\2", raw.replace("Z", "+00:00")))
    if parsed.tzinfo is None:
        if zone is None:
            raise ValueError("an instant needs a UTC offset")
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc
