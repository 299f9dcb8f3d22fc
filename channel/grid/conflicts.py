"""Conflict detection over a grid, before publishing. Pure functions over frozen values, no database.

What airs comes from the compiled timeline (`playlist.entry_airings`), never from a model of it: a
hard start cuts the programme on air at the GOP or segment boundary the compiler really chose, a soft
start waits for the previous programme's real end, a programme that is not ready airs as filler. So
the seconds reported as cut, late or filled are exactly what airs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from playlist import Airing, from_us, to_us

__all__ = [
    "Conflict",
    "ConflictKind",
    "LiveSlot",
    "Placed",
    "Severity",
    "Slot",
    "detect_conflicts",
    "find_gaps",
    "find_overlaps",
    "find_programme_problems",
    "find_unapproved_live",
    "placed",
]

ConflictKind = Literal["overlap", "delay", "not_ready", "unapproved", "failed", "deleted", "gap"]
Severity = Literal["error", "warning"]
_RANK: dict[str, int] = {
    k: i for i, k in enumerate(("overlap", "delay", "not_ready", "unapproved", "failed", "deleted", "gap"))
}
_IN_PROGRESS = frozenset({"uploading", "uploaded", "queued", "processing"})
_US = 1_000_000


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


@dataclass(frozen=True, slots=True)
class LiveSlot:
    """A live event not approved to air as the checks see it: its slot and why, in both languages."""

    event_id: str
    title: str
    start: datetime
    why_vi: str
    why_en: str


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
    """A slot as it airs: from the compiled timeline (a stand-in for a programme not ready has no length)."""

    slot: Slot
    airing: Airing

    @property
    def start(self) -> datetime:
        return from_us(self.airing.start_us)

    @property
    def end(self) -> datetime:
        return from_us(self.airing.end_us)


def _order(slots: Sequence[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.start, s.entry_id))


def placed(slots: Sequence[Slot], airings: Mapping[str, Airing]) -> list[Placed]:
    """The slots that got air time (or a stand-in), in air order; the others were cut whole or missed."""
    found = [Placed(slot=s, airing=a) for s in _order(slots) if (a := airings.get(s.entry_id)) is not None]
    return sorted(found, key=lambda p: (p.airing.start_us, p.airing.end_us, p.slot.start, p.slot.entry_id))


def _fmt(seconds: float) -> str:
    return f"{seconds:.0f}" if abs(seconds - round(seconds)) < 0.05 else f"{seconds:.1f}"


def _cut_seconds(slot: Slot, airing: Airing | None, cutter: Slot, *, since: datetime | None) -> float | None:
    """Seconds of ``slot``'s programme that do not air because of ``cutter`` (None: not cut by it).

    A ready entry that got no air time at all was cut before any of it aired, unless its whole slot
    had passed before ``since`` (the compile skipped it as missed).
    """
    if slot.status != "ready" or not slot.duration:
        return None
    if airing is not None:
        natural_end = airing.start_us + airing.length_us
        if airing.stand_in or airing.cut_us <= 0 or to_us(cutter.start) >= natural_end:
            return None
        return airing.cut_us / _US
    if since is not None and slot.start + timedelta(seconds=slot.duration) <= since:
        return None
    return slot.duration


def _overlap(slot: Slot, cutter: Slot, cut: float) -> Conflict:
    return Conflict(
        kind="overlap",
        severity="error",
        entry_ids=(slot.entry_id, cutter.entry_id),
        at=cutter.start,
        seconds=cut,
        message=(
            f"«{cutter.title}» bắt đầu cố định lúc đang phát «{slot.title}»: cắt"
            f" {_fmt(cut)} giây cuối của «{slot.title}» / «{cutter.title}» has a hard"
            f" start that cuts the last {_fmt(cut)} s of «{slot.title}»"
        ),
    )


def _delay(before: Placed, cur: Placed) -> Conflict:
    delay = (cur.airing.start_us - to_us(cur.slot.start)) / _US
    return Conflict(
        kind="delay",
        severity="warning",
        entry_ids=(before.slot.entry_id, cur.slot.entry_id),
        at=cur.slot.start,
        seconds=delay,
        message=(
            f"«{cur.slot.title}» (bắt đầu mềm) sẽ phát trễ {_fmt(delay)} giây vì"
            f" «{before.slot.title}» chưa kết thúc / «{cur.slot.title}» (soft start) will be"
            f" {_fmt(delay)} s late because «{before.slot.title}» is still on air"
        ),
    )


def find_overlaps(
    slots: Sequence[Slot], airings: Mapping[str, Airing], *, since: datetime | None = None
) -> list[Conflict]:
    """Programmes a hard start cuts (error), and soft starts that air late (warning), as compiled.

    A cut is blamed on the next hard entry after the cut one (the compiler cuts at hard starts
    only); a soft start is late when it airs after its time because the programme before it was
    still on air then. ``since``: the instant of the compile (entries that ended before it were missed).
    """
    found: list[Conflict] = []
    ordered = _order(slots)
    for i, slot in enumerate(ordered):
        cutter = next((s for s in ordered[i + 1 :] if s.mode == "hard"), None)
        cut = None if cutter is None else _cut_seconds(slot, airings.get(slot.entry_id), cutter, since=since)
        if cutter is not None and cut is not None:
            found.append(_overlap(slot, cutter, cut))
    on_air = placed(slots, airings)
    for before, cur in itertools.pairwise(on_air):
        if (
            cur.slot.mode == "soft"
            and not cur.airing.stand_in
            and cur.start > cur.slot.start
            and before.end > cur.slot.start
        ):
            found.append(_delay(before, cur))
    return found


def find_gaps(slots: Sequence[Slot], airings: Mapping[str, Airing], *, min_gap: float) -> list[Conflict]:
    """Filler between consecutive entries on air longer than `min_gap` seconds."""
    found: list[Conflict] = []
    on_air = placed(slots, airings)
    for last, cur in itertools.pairwise(on_air):
        gap = (cur.airing.start_us - last.airing.end_us) / _US
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


def find_unapproved_live(live: Sequence[LiveSlot]) -> list[Conflict]:
    """Live events whose current revision is not approved: the slate airs in their slot (an error: the
    grid is not published with them, `channel.editorial.gate`)."""
    return [
        Conflict(
            kind="unapproved",
            severity="error",
            entry_ids=(ev.event_id,),
            at=ev.start,
            message=(
                f"«{ev.title}» (trực tiếp) {ev.why_vi}: màn hình chờ sẽ phát thay tín hiệu trực tiếp"
                f" / «{ev.title}» (live) {ev.why_en}: the slate airs instead of the feed"
            ),
        )
        for ev in sorted(live, key=lambda e: (e.start, e.event_id))
    ]


def detect_conflicts(
    slots: Sequence[Slot],
    *,
    airings: Mapping[str, Airing],
    min_gap: float,
    since: datetime | None = None,
    live: Sequence[LiveSlot] = (),
) -> list[Conflict]:
    """Every conflict of the grid as compiled at ``since`` (and its live events not approved), ordered
    by time, then entry problems before gaps."""
    found = [
        *find_overlaps(slots, airings, since=since),
        *find_programme_problems(slots),
        *find_unapproved_live(live),
        *find_gaps(slots, airings, min_gap=min_gap),
    ]
    return sorted(found, key=lambda c: (c.at, _RANK[c.kind], c.entry_ids))
