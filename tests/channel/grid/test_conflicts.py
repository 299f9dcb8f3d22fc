"""Conflict detection from the compiled timeline: examples for each kind, and, over random grids
(hypothesis), the proof that what is reported is exactly what airs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from channel.grid.conflicts import Slot, detect_conflicts, find_gaps, find_overlaps, placed
from channel.models import Programme
from channel.playout import latest_playout
from channel.state import state_of
from playlist import (
    GridEntry,
    ProgrammeMedia,
    StartMode,
    Timeline,
    compile_timeline,
    entry_airings,
    timeline_from_dict,
    to_us,
)
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.grid.conftest import Grid
from tests.playlist.builders import EPOCH, channel, gops_of, media, slate

S = timedelta(seconds=1)
GOPPED = media("g", [6.0] * 10, gops=True, title="Luật Đất đai")  # 60 s, 2 s GOPs
PLAIN = media("a", [6.0] * 10, title="Luật Giao thông")  # 60 s, no GOP offsets (version 1)
SHORT = media("b", [6.0] * 5, title="Tin nhanh pháp luật")  # 30 s
LIBRARY: dict[str, ProgrammeMedia | None] = {"g": GOPPED, "a": PLAIN, "b": SHORT}


def slots_of(entries: Sequence[GridEntry], programmes: Mapping[str, ProgrammeMedia | None]) -> list[Slot]:
    """The slots the service builds from the grid rows (`channel.grid.review.slot_of`)."""
    out = []
    for e in entries:
        m = programmes.get(e.programme_id)
        out.append(
            Slot(
                entry_id=e.entry_id,
                programme_id=e.programme_id,
                title=m.title if m else f"«{e.programme_id}»",
                start=e.start,
                mode=e.mode,
                duration=None if m is None else m.duration_us / 1_000_000,
                status="ready" if m is not None else "processing",
            )
        )
    return out


def compiled(
    entries: Sequence[GridEntry], programmes: Mapping[str, ProgrammeMedia | None] = LIBRARY
) -> tuple[Timeline, list[Slot]]:
    last = max((to_us(e.start) for e in entries), default=to_us(EPOCH))
    tl = compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(),
        horizon=EPOCH + timedelta(microseconds=last - to_us(EPOCH)) + timedelta(minutes=10),
    )
    return tl, slots_of(entries, programmes)


def test_a_hard_start_reports_the_cut_that_airs_between_gops() -> None:
    tl, slots = compiled([GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + 17 * S)])
    (conflict,) = find_overlaps(slots, entry_airings(tl))
    assert (conflict.kind, conflict.severity, conflict.entry_ids) == ("overlap", "error", ("1", "2"))
    assert conflict.seconds == 44.0  # g airs 0–16 (two segments and two GOPs): 60 − 16
    assert tl.items[0].end_us == to_us(EPOCH + 16 * S)
    assert "cắt 44 giây cuối của «Luật Đất đai»" in conflict.message
    assert "cuts the last 44 s of «Luật Đất đai»" in conflict.message


def test_without_gop_offsets_the_cut_reported_is_the_segment_boundary_one() -> None:
    tl, slots = compiled([GridEntry("1", "a", EPOCH), GridEntry("2", "b", EPOCH + 16 * S)])
    (conflict,) = find_overlaps(slots, entry_airings(tl))
    assert conflict.seconds == 48.0  # a airs 0–12: 16 s would cut 44 s, the segment boundary cuts 48
    gap = find_gaps(slots, entry_airings(tl), min_gap=0)
    assert [(c.entry_ids, c.seconds) for c in gap] == [(("1", "2"), 4.0)]  # 4 s of slate up to 16 s


def test_soft_starts_report_the_delay_that_airs() -> None:
    tl, slots = compiled(
        [
            GridEntry("1", "a", EPOCH),
            GridEntry("2", "b", EPOCH + 25 * S, "soft"),
            GridEntry("3", "b", EPOCH + 70 * S, "soft"),
        ]
    )
    conflicts = detect_conflicts(slots, airings=entry_airings(tl), min_gap=60)
    assert [(c.kind, c.severity, c.entry_ids, c.seconds) for c in conflicts] == [
        ("delay", "warning", ("1", "2"), 35.0),  # a ends at 60
        ("delay", "warning", ("2", "3"), 20.0),  # b ends at 90
    ]
    assert "trễ 35 giây" in conflicts[0].message
    assert "35 s late" in conflicts[0].message


def test_gaps_and_programme_problems() -> None:
    entries = [
        GridEntry("1", "b", EPOCH),
        GridEntry("2", "x", EPOCH + 100 * S),
        GridEntry("3", "b", EPOCH + 200 * S),
    ]
    tl, slots = compiled(entries, {**LIBRARY, "x": None})
    conflicts = detect_conflicts(slots, airings=entry_airings(tl), min_gap=30)
    assert [(c.kind, c.severity, c.entry_ids, c.seconds) for c in conflicts] == [
        ("gap", "warning", ("1", "2"), 70.0),
        ("not_ready", "warning", ("2",), 0.0),
        ("gap", "warning", ("2", "3"), 100.0),  # the stand-in for "x" fills no time of its own
    ]
    assert "chương trình đệm" in conflicts[0].message
    failed = [*slots[:1], Slot("9", "y", "Luật Thuế", EPOCH + 300 * S, status="failed")]
    assert [c.kind for c in detect_conflicts(failed, airings=entry_airings(tl), min_gap=3600)] == ["failed"]


def test_an_entry_cut_before_any_of_it_airs_is_reported_whole() -> None:
    tl, slots = compiled([GridEntry("1", "b", EPOCH + 30 * S), GridEntry("2", "a", EPOCH + 30 * S)])
    assert [i.entry_id for i in tl.items if i.kind == "programme"] == ["2"]
    (conflict,) = find_overlaps(slots, entry_airings(tl))
    assert (conflict.entry_ids, conflict.seconds) == (("1", "2"), 30.0)


# what is reported is what airs, over random grids ------------------------------------------------

SEGMENT = st.sampled_from([6.0, 6.0, 5.96, 4.0, 2.5, 1.04])


@st.composite
def grids(draw: st.DrawFn) -> tuple[list[GridEntry], dict[str, ProgrammeMedia | None]]:
    programmes: dict[str, ProgrammeMedia | None] = {}
    for k in range(draw(st.integers(1, 4))):
        durations = draw(st.lists(SEGMENT, min_size=1, max_size=12))
        ready = draw(st.integers(0, 5)) > 0
        programmes[f"p{k}"] = media(f"p{k}", durations, gops=draw(st.booleans())) if ready else None
    entries = []
    t = 0
    for i in range(draw(st.integers(0, 10))):
        t += draw(st.integers(0, 900))  # tenths of a second: starts fall inside GOPs
        mode: StartMode = draw(st.sampled_from(["hard", "soft"]))
        entries.append(
            GridEntry(f"e{i:02d}", draw(st.sampled_from(list(programmes))), EPOCH + t * S / 10, mode)
        )
    return entries, programmes


@settings(max_examples=300, deadline=None)
@given(grids(), st.randoms())
def test_what_is_reported_is_exactly_what_airs(
    grid: tuple[list[GridEntry], dict[str, ProgrammeMedia | None]], rnd: object
) -> None:
    entries, programmes = grid
    tl, slots = compiled(entries, programmes)
    airings = entry_airings(tl)
    conflicts = detect_conflicts(slots, airings=airings, min_gap=0)
    shuffled = list(slots)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert detect_conflicts(shuffled, airings=airings, min_gap=0) == conflicts

    # what airs, from the segments the playlists list (EXTINF durations, sub-segments included)
    aired = {
        i.entry_id: sum(i.duration_us(j) for j in range(i.segment_count))
        for i in tl.items
        if i.kind == "programme" and i.entry_id is not None
    }
    starts = {i.entry_id: i.start_us for i in tl.items if i.kind == "programme"}
    cut = {}
    for e in entries:
        m = programmes[e.programme_id]
        if m is not None and aired.get(e.entry_id, 0) < m.duration_us:
            cut[e.entry_id] = (m.duration_us - aired.get(e.entry_id, 0)) / 1_000_000
    overlaps = [c for c in conflicts if c.kind == "overlap"]
    assert {c.entry_ids[0]: c.seconds for c in overlaps} == cut
    event("cut between GOPs" if any(i.tail for i in tl.items) else f"{min(len(cut), 2)}+ cuts")
    assert len(overlaps) == len(cut)
    for c in conflicts:
        if c.kind == "delay":
            late = (starts[c.entry_ids[1]] - to_us(c.at)) / 1_000_000
            assert c.seconds == late > 0

    # the air time between the first and the last entry on air is programmes plus filler
    on_air = placed(slots, airings)
    if on_air:
        gaps = sum(c.seconds for c in conflicts if c.kind == "gap")
        span = (on_air[-1].airing.end_us - on_air[0].airing.start_us) / 1_000_000
        assert abs(span - (sum(aired.values()) / 1_000_000 + gaps)) < 1e-6
        for a, b in itertools.pairwise(on_air):
            assert a.airing.end_us <= b.airing.start_us  # never two at once


# over the API: the check and the publish response read the timeline that airs ----------------------


def _with_gops(grid: Grid, programme_id: uuid.UUID) -> None:
    """Give a programme the description version 2 the transcoder writes (2 s GOPs, byte offsets)."""
    with state_of(grid.app).sessionmaker() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        assert programme.media is not None
        media = dict(programme.media)
        gops = [gops_of(float(d)) for d in media["segment_durations"]]
        media["version"] = 2
        media["segment_gops"] = gops
        media["renditions"] = [
            {**r, "gop_offsets": [[188 * 500 * g for g in range(1, len(row))] for row in gops]}
            for r in media["renditions"]
        ]
        programme.media = media
        session.commit()
        approve_programmes(session, [programme_id])


def test_the_check_and_the_publish_report_the_cut_the_stored_timeline_airs(grid: Grid, slug: str) -> None:
    channel = grid.channel(slug)
    law = grid.programme("Luật Đất đai (2 s GOP)", duration=600.0, approve=False)
    _with_gops(grid, law)
    news = grid.programme("Tin nhanh pháp luật", duration=60.0)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    first = grid.place(slug, law, start.isoformat())
    second = grid.place(slug, news, (start + timedelta(seconds=17)).isoformat())

    checked = grid.get(f"/api/channels/{slug}/conflicts").json()
    published = grid.post(f"/api/channels/{slug}/publish", None).json()
    expected = [("overlap", [first["id"], second["id"]], 584.0)]  # the law airs 16 s: 12 s + 2 GOPs
    assert [(c["kind"], c["entry_ids"], c["seconds"]) for c in checked] == expected
    assert [(c["kind"], c["entry_ids"], c["seconds"]) for c in published["conflicts"]] == expected
    with state_of(grid.app).sessionmaker() as session:
        compiled = latest_playout(session, uuid.UUID(channel["id"]))
        assert compiled is not None
        items = timeline_from_dict(compiled.timeline).items
    (aired,) = [i for i in items if i.entry_id == first["id"]]
    assert (aired.start_us, aired.end_us) == (to_us(start), to_us(start + timedelta(seconds=16)))
    assert aired.tail is not None  # its last 4 s are the first two GOPs of a segment
    (cut_by,) = [i for i in items if i.entry_id == second["id"]]
    assert cut_by.start_us == to_us(start + timedelta(seconds=17))
