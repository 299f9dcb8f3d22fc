"""Conflict detection over a grid, before publishing. Pure functions over frozen values, no database.

The model follows the playout compiler: a hard start cuts whatever airs at its time, a soft start
waits for the previous programme to end; a programme that is not ready airs as filler (length 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "Conflict",
    "ConflictKind",
    "Severity",
    "Slot",
    "detect_conflicts",
    "find_gaps",
    "find_overlaps",
    "find_programme_problems",
    "placed",
]

ConflictKind = Literal["overlap", "delay", "not_ready", "failed", "deleted", "gap"]
Severity = Literal["error", "warning"]
_RANK: dict[str, int] = {
    k: i for i, k in enumerate(("overlap", "delay", "not_ready", "failed", "deleted", "gap"))
}
_IN_PROGRESS = frozenset({"uploading", "uploaded", "queued", "processing"})


@dataclass(frozen=True, slots=True)
class Slot:
    """One grid entry as the checks see it; `duration` is None when the programme's length is unknown."""

    entry_id: str
    programme_id: str
    title: str
    start: datetime
    mode: Literal["hard", "soft"] = "hard"
    duration: float | None = None
    status: str = "ready"

    @property
    def length(self) -> float:
        """Seconds it will fill on air: a programme that is not ready becomes filler at its start."""
        return (self.duration or 0.0) if self.status == "ready" else 0.0


@dataclass(frozen=True, slots=True)
class Conflict:
    """One problem: what, how bad, which entries, a bilingual message, and the seconds involved."""

    kind: ConflictKind
    severity: Severity
    entry_ids: tuple[str, ...]
    at: datetime
    message: str
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Placed:
    """A slot with the air start and end the compiler would give it."""

    slot: Slot
    start: datetime
    end: datetime


def _order(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.start, s.entry_id))


def placed(slots: Iterable[Slot]) -> list[Placed]:
    """Air start and end of every slot in order: soft starts wait for the previous end, hard ones do not."""
    result: list[Placed] = []
    end: datetime | None = None
    for slot in _order(slots):
        start = slot.start if slot.mode == "hard" or end is None else max(slot.start, end)
        item = Placed(slot=slot, start=start, end=start + timedelta(seconds=slot.length))
        result.append(item)
        end = item.end  # a hard start cut the previous item; a soft one began after it
    return result


def _fmt(seconds: float) -> str:
    return f"{seconds:.0f}" if abs(seconds - round(seconds)) < 0.05 else f"{seconds:.1f}"


def find_overlaps(slots: Sequence[Slot]) -> list[Conflict]:
    """Hard starts that cut the previous programme (error) and soft starts that will be late (warning)."""
    found: list[Conflict] = []
    items = placed(slots)
    for prev, cur in itertools.pairwise(items):
        if cur.slot.mode == "hard" and cur.slot.start < prev.end:
            cut = (prev.end - cur.slot.start).total_seconds()
            found.append(
                Conflict(
                    kind="overlap",
                    severity="error",
                    entry_ids=(prev.slot.entry_id, cur.slot.entry_id),
                    at=cur.slot.start,
                    seconds=cut,
                    message=(
                        f"«{cur.slot.title}» bắt đầu cố định lúc đang phát «{prev.slot.title}»: cắt"
                        f" {_fmt(cut)} giây cuối của «{prev.slot.title}» / «{cur.slot.title}» has a hard"
                        f" start that cuts the last {_fmt(cut)} s of «{prev.slot.title}»"
                    ),
                )
            )
        elif cur.slot.mode == "soft" and cur.start > cur.slot.start:
            delay = (cur.start - cur.slot.start).total_seconds()
            found.append(
                Conflict(
                    kind="delay",
                    severity="warning",
                    entry_ids=(prev.slot.entry_id, cur.slot.entry_id),
                    at=cur.slot.start,
                    seconds=delay,
                    message=(
                        f"«{cur.slot.title}» (bắt đầu mềm) sẽ phát trễ {_fmt(delay)} giây vì"
                        f" «{prev.slot.title}» chưa kết thúc / «{cur.slot.title}» (soft start) will be"
                        f" {_fmt(delay)} s late because «{prev.slot.title}» is still on air"
                    ),
                )
            )
    return found


def find_gaps(slots: Sequence[Slot], *, min_gap: float) -> list[Conflict]:
    """Silences between consecutive programmes longer than `min_gap` seconds (filler will air)."""
    found: list[Conflict] = []
    items = placed(slots)
    for last, cur in itertools.pairwise(items):
        gap = (cur.start - last.end).total_seconds()
        if gap > min_gap:
            found.append(
                Conflict(
                    kind="gap",
                    severity="warning",
                    entry_ids=(last.slot.entry_id, cur.slot.entry_id),
                    at=last.end,
                    seconds=gap,
                    message=(
                        f"Khoảng trống {_fmt(gap)} giây trước «{cur.slot.title}» sẽ được lấp bằng"
                        f" chương trình đệm / A {_fmt(gap)} s gap before «{cur.slot.title}» will be"
                        " filled with filler"
                    ),
                )
            )
    return found


def _problem(slot: Slot) -> Conflict | None:
    messages: dict[str, tuple[ConflictKind, Severity, str]] = {
        "failed": (
            "failed",
            "error",
            f"«{slot.title}» chuyển mã thất bại, sẽ phát chương trình đệm thay thế"
            f" / «{slot.title}» failed to transcode; filler will air instead",
        ),
        "deleted": (
            "deleted",
            "error",
            f"«{slot.title}» đã bị xóa khỏi thư viện / «{slot.title}» was deleted from the library",
        ),
    }
    if slot.status in messages:
        kind, severity, message = messages[slot.status]
    elif slot.status != "ready":
        kind, severity = "not_ready", "error" if slot.status not in _IN_PROGRESS else "warning"
        message = (
            f"«{slot.title}» chưa sẵn sàng (trạng thái: {slot.status}); nếu đến giờ phát vẫn chưa xong sẽ"
            f" phát chương trình đệm / «{slot.title}» is not ready ({slot.status}); filler airs if it is"
            " still not ready at air time"
        )
    else:
        return None
    return Conflict(kind=kind, severity=severity, entry_ids=(slot.entry_id,), at=slot.start, message=message)


def find_programme_problems(slots: Sequence[Slot]) -> list[Conflict]:
    """Entries whose programme is not ready, failed or deleted at check time."""
    return [c for c in map(_problem, _order(slots)) if c is not None]


_CHECKS: tuple[Callable[[Sequence[Slot]], list[Conflict]], ...] = (find_overlaps, find_programme_problems)


def detect_conflicts(slots: Sequence[Slot], *, min_gap: float) -> list[Conflict]:
    """Every conflict of the grid, ordered by time, then entry problems before gaps (deterministic)."""
    found = [c for check in _CHECKS for c in check(slots)] + find_gaps(slots, min_gap=min_gap)
    return sorted(found, key=lambda c: (c.at, _RANK[c.kind], c.entry_ids))
