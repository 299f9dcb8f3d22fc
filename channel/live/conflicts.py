"""A live event against the grid: which programmes and other live events its slot overlaps. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Occupied", "overlaps"]


@dataclass(frozen=True, slots=True)
class Occupied:
    """A slot already on the grid: a programme entry (its approved length) or a live event."""

    kind: str  # "entry" | "live"
    ref: str
    title: str
    start: datetime
    end: datetime


def overlaps(*, start: datetime, end: datetime, taken: Sequence[Occupied]) -> list[Occupied]:
    """The slots sharing any instant with ``[start, end)``, in start order."""
    return sorted((o for o in taken if o.start < end and start < o.end), key=lambda o: (o.start, o.ref))
