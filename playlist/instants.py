"""Instants as integer microseconds since the Unix epoch: exact, deterministic arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["UNIX_EPOCH", "format_pdt", "from_us", "to_us"]

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
