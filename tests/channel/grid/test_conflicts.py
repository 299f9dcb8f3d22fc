"""Pure conflict detection: examples for each kind, and properties over random grids (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from channel.grid.conflicts import Slot, detect_conflicts, find_gaps, find_overlaps, placed

T0 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def slot(
    name: str, minute: float, length: float | None, *, mode: str = "hard", status: str = "ready"
) -> Slot:
    return Slot(
        entry_id=name,
        programme_id=f"p-{name}",
        title=f"Luật {name}",
        start=T0 + timedelta(minutes=minute),
        mode="soft" if mode == "soft" else "hard",
        duration=length,
        status=status,
    )


def test_hard_start_cuts_the_previous_programme() -> None:
    (conflict,) = find_overlaps([slot("a", 0, 1800), slot("b", 25, 600)])
    assert (conflict.kind, conflict.severity, conflict.entry_ids) == ("overlap", "error", ("a", "b"))
    assert conflict.seconds == 300
    assert "cắt 300 giây" in conflict.message
    assert "cuts the last 300 s" in conflict.message


def test_soft_start_is_delayed_and_pushes_the_next() -> None:
    # a: 0–30 min; b (soft, 25) airs 30–40; c (soft, 35) airs 40–41
    conflicts = detect_conflicts(
        [slot("a", 0, 1800), slot("b", 25, 600, mode="soft"), slot("c", 35, 60, mode="soft")], min_gap=60
    )
    assert [(c.kind, c.severity, c.entry_ids, c.seconds) for c in conflicts] == [
        ("delay", "warning", ("a", "b"), 300.0),
        ("delay", "warning", ("b", "c"), 300.0),
    ]
    assert "trễ 300 giây" in conflicts[0].message
    assert "300 s late" in conflicts[0].message


def test_gap_is_a_warning_and_short_gaps_are_ignored() -> None:
    slots = [slot("a", 0, 600), slot("b", 10.5, 600), slot("c", 40, 600)]
    (gap,) = find_gaps(slots, min_gap=60)
    assert (gap.kind, gap.severity, gap.entry_ids, gap.seconds) == ("gap", "warning", ("b", "c"), 1170.0)
    assert gap.at == T0 + timedelta(minutes=20.5)
    assert "chương trình đệm" in gap.message
    assert len(find_gaps(slots, min_gap=10)) == 2


def test_programme_problems() -> None:
    conflicts = detect_conflicts(
        [
            slot("a", 0, 600, status="processing"),
            slot("b", 10, 600, status="failed"),
            slot("c", 20, 600, status="deleted"),
            slot("d", 30, 600, status="uploaded"),
        ],
        min_gap=3600,
    )
    assert [(c.kind, c.severity, c.entry_ids) for c in conflicts] == [
        ("not_ready", "warning", ("a",)),
        ("failed", "error", ("b",)),
        ("deleted", "error", ("c",)),
        ("not_ready", "warning", ("d",)),
    ]


def test_a_programme_that_is_not_ready_airs_as_filler_so_it_overlaps_nothing() -> None:
    assert find_overlaps([slot("a", 0, 1800, status="queued"), slot("b", 10, 600)]) == []


def test_unknown_duration_counts_as_zero() -> None:
    assert detect_conflicts([slot("a", 0, None), slot("b", 0.5, 60)], min_gap=60) == []


# properties over random grids ------------------------------------------------------------------

_slots = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20_000),  # start, seconds after T0
        st.integers(min_value=0, max_value=5_000),  # length
        st.sampled_from(["hard", "soft"]),
    ),
    max_size=12,
)


def _build(raw: list[tuple[int, int, str]], *, hard_only: bool = False) -> list[Slot]:
    return [
        Slot(
            entry_id=f"e{i:02d}",
            programme_id=f"p{i}",
            title=f"Chương trình {i}",
            start=T0 + timedelta(seconds=start),
            mode="hard" if hard_only or mode == "hard" else "soft",
            duration=float(length),
        )
        for i, (start, length, mode) in enumerate(raw)
    ]


@settings(max_examples=200, deadline=None)
@given(_slots, st.randoms())
def test_result_does_not_depend_on_input_order(raw: list[tuple[int, int, str]], rnd: object) -> None:
    slots = _build(raw)
    shuffled = list(slots)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert detect_conflicts(shuffled, min_gap=30) == detect_conflicts(slots, min_gap=30)


@settings(max_examples=200, deadline=None)
@given(_slots)
def test_hard_overlaps_are_exactly_the_consecutive_pairs_that_collide(
    raw: list[tuple[int, int, str]],
) -> None:
    slots = sorted(_build(raw, hard_only=True), key=lambda s: (s.start, s.entry_id))
    expected = [
        (a.entry_id, b.entry_id, (a.start + timedelta(seconds=a.length) - b.start).total_seconds())
        for a, b in itertools.pairwise(slots)
        if a.start + timedelta(seconds=a.length) > b.start
    ]
    assert [(c.entry_ids[0], c.entry_ids[1], c.seconds) for c in find_overlaps(slots)] == expected
    assert all(c.kind == "overlap" and c.severity == "error" and c.seconds > 0 for c in find_overlaps(slots))


@settings(max_examples=200, deadline=None)
@given(_slots)
def test_air_time_is_conserved(raw: list[tuple[int, int, str]]) -> None:
    """First start to last end = programme time − time cut + gap time (every gap reported at min_gap 0)."""
    slots = _build(raw)
    if not slots:
        return
    items = placed(slots)
    cut = sum(c.seconds for c in find_overlaps(slots) if c.kind == "overlap")
    gaps = sum(g.seconds for g in find_gaps(slots, min_gap=0))
    total = sum(s.length for s in slots)
    assert (items[-1].end - items[0].start).total_seconds() == total - cut + gaps


@settings(max_examples=200, deadline=None)
@given(_slots)
def test_soft_entries_never_start_early_and_never_overlap(raw: list[tuple[int, int, str]]) -> None:
    slots = _build(raw)
    items = placed(slots)
    delays = {c.entry_ids[1]: c.seconds for c in find_overlaps(slots) if c.kind == "delay"}
    for prev, cur in itertools.pairwise(items):
        if cur.slot.mode == "soft":
            assert cur.start >= prev.end
            assert cur.start >= cur.slot.start
            late = (cur.start - cur.slot.start).total_seconds()
            assert delays.get(cur.slot.entry_id, 0.0) == late


@settings(max_examples=200, deadline=None)
@given(_slots, st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3000))
def test_gaps_respect_the_threshold_and_shrink_as_it_grows(
    raw: list[tuple[int, int, str]], a: int, b: int
) -> None:
    slots = _build(raw)
    low, high = sorted((a, b))
    at_low, at_high = find_gaps(slots, min_gap=low), find_gaps(slots, min_gap=high)
    assert all(g.seconds > high for g in at_high)
    assert set(at_high) <= set(at_low)
    ids = {s.entry_id for s in slots}
    assert all(set(c.entry_ids) <= ids for c in detect_conflicts(slots, min_gap=low))
