"""Live events in the playout: wall-clock segments, the slate where one did not arrive, RFC 8216 reloads.

The property test compiles programme → live event → programme, draws for every live segment when its
marker arrived (in time, late, never), reloads every track at rising instants, and reads each playlist
back with the strict checker: segments keep their number, URI, duration, discontinuity and date
across reloads; numbers only grow; the newest listed segment has fully aired; a live segment is the
feed exactly when its marker came within the grace, else the slate for exactly its slot.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playlist import (
    GridEntry,
    ProgrammeMedia,
    Track,
    compile_timeline,
    recompile,
    render_media,
    render_vod,
    render_xmltv,
    to_us,
)
from playlist.epg import now_next
from playlist.live import Arrivals, GapSlate, LiveRule, decide, live_mark_key, live_media, live_segment_key
from playlist.serialise import timeline_from_dict, timeline_to_dict
from playlist.timeline import Timeline
from tests.playlist.builders import EPOCH, VARIANTS, channel, media, slate
from tests.playlist.hls_check import MediaPlaylist, read_media

D_US = 6_000_000
GRACE_US = 3_000_000
LIVE_AT = EPOCH + timedelta(minutes=2)
GAP = GapSlate(templates={v.name: f"slates/live6/{v.name}/seg_{{:05d}}.ts" for v in VARIANTS}, count=5)


def event_media(live_segments: int) -> ProgrammeMedia:
    return live_media(
        event_id="ev1",
        title="Hỏi đáp pháp luật trực tiếp",
        description="Luật sư trả lời câu hỏi của người xem",
        start=LIVE_AT,
        end=LIVE_AT + timedelta(microseconds=live_segments * D_US),
        segment_us=D_US,
        variants=[v.name for v in VARIANTS],
        segment_format="mpegts",
        gap=GAP,
    )


def live_timeline(*, live_segments: int) -> Timeline:
    event = event_media(live_segments)
    programmes = {"p1": media("p1", [6.0] * 30), "p2": media("p2", [6.0] * 10), event.programme_id: event}
    entries = [
        GridEntry("e1", "p1", EPOCH),
        GridEntry("live", event.programme_id, LIVE_AT),
        GridEntry("e2", "p2", LIVE_AT + timedelta(microseconds=live_segments * D_US)),
    ]
    return compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(),
        horizon=LIVE_AT + timedelta(minutes=30),
    )


def test_the_live_slot_is_wall_clock_segments_with_keys_per_rung() -> None:
    timeline = live_timeline(live_segments=5)
    item = next(i for i in timeline.items if i.source.is_live)
    assert item.start_us == to_us(LIVE_AT)
    assert item.segment_count == 5
    assert [item.offset_us(j) for j in range(3)] == [0, D_US, 2 * D_US]
    assert (
        item.source.segment_key("720p", 3)
        == live_segment_key("ev1", "720p", 3)
        == "live/ev1/720p/seg_00003.ts"
    )
    assert live_mark_key("ev1", 3) == "live/ev1/marks/00003"
    assert timeline_from_dict(timeline_to_dict(timeline)).items == timeline.items


def test_a_duty_editor_ends_the_event_early_or_late_at_an_unpublished_boundary() -> None:
    first = compile_timeline(
        channel=channel(),
        entries=[GridEntry("e1", "p1", EPOCH), GridEntry("live", "live:ev1", LIVE_AT)],
        programmes={"p1": media("p1", [6.0] * 30), "live:ev1": event_media(20)},
        slate=slate(),
        horizon=LIVE_AT + timedelta(minutes=30),
    )
    edge = LIVE_AT + timedelta(seconds=31)  # segment 5 of the event is on air
    for count in (8, 30):
        again = recompile(
            first,
            entries=[GridEntry("e1", "p1", EPOCH), GridEntry("live", "live:ev1", LIVE_AT)],
            programmes={"p1": media("p1", [6.0] * 30), "live:ev1": event_media(count)},
            slate=slate(),
            horizon=LIVE_AT + timedelta(minutes=30),
            publish_edge=edge,
        )
        live = [i for i in again.items if i.source.is_live]
        assert len(live) == 1
        assert live[0].start_us == to_us(LIVE_AT)
        assert live[0].segment_count == count
        # what was published before the edge is untouched
        before = [i for i in first.items if i.end_us <= to_us(LIVE_AT)]
        assert list(again.items[: len(before)]) == before


def test_the_decision_waits_for_the_grace_then_never_changes() -> None:
    marks = {0: 100, 1: 9_500_000}  # segment 0 in time, segment 1 after its grace
    rule = LiveRule(arrivals=lambda _s, n: marks.get(n), grace_us=GRACE_US)
    end = 6_000_000
    assert decide(rule, source="live:ev1", index=0, end_us=end, at_us=end) == "live"
    assert decide(rule, source="live:ev1", index=1, end_us=end, at_us=end + 1) == "wait"
    assert decide(rule, source="live:ev1", index=1, end_us=end, at_us=end + GRACE_US) == "slate"
    assert decide(rule, source="live:ev1", index=1, end_us=end, at_us=end + 10 * GRACE_US) == "slate"
    assert decide(rule, source="live:ev1", index=2, end_us=end, at_us=end + GRACE_US) == "slate"


def test_the_guide_marks_the_event_live() -> None:
    timeline = live_timeline(live_segments=5)
    now, after = now_next(timeline, LIVE_AT + timedelta(seconds=1))
    assert now.live
    assert now.live_event_id == "ev1"
    assert now.programme_id is None
    assert after is not None
    assert not after.live
    xml = render_xmltv([timeline], start=EPOCH, end=LIVE_AT + timedelta(hours=1))
    assert '<category lang="vi">Trực tiếp</category>' in xml


def known_by(marks: dict[int, int], at_us: int) -> Arrivals:
    """What a replica reads at ``at_us``: the markers written by then."""

    def arrivals(_source: str, n: int) -> int | None:
        m = marks.get(n)
        return m if m is not None and m <= at_us else None

    return arrivals


# arrival of each live segment's marker, relative to the segment's end: in time, late, or never
ARRIVAL = st.one_of(
    st.none(),
    st.integers(-2_000_000, GRACE_US),
    st.integers(GRACE_US + 1, 20_000_000),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(1, 12),
    arrivals=st.lists(ARRIVAL, min_size=12, max_size=12),
    steps=st.lists(st.integers(100_000, 9_000_000), min_size=5, max_size=40),
    start_ms=st.integers(-30_000, 10_000),
)
def test_reloads_obey_rfc8216_with_arbitrary_missing_live_segments(
    count: int, arrivals: list[int | None], steps: list[int], start_ms: int
) -> None:
    timeline = live_timeline(live_segments=count)
    item = next(i for i in timeline.items if i.source.is_live)

    def end_of(n: int) -> int:
        return item.start_us + item.offset_us(n + 1)

    marks = {n: end_of(n) + a for n, a in enumerate(arrivals[:count]) if a is not None}
    at_us = to_us(LIVE_AT) + start_ms * 1000
    memory: dict[tuple[str, int], tuple[str, int, int, object]] = {}
    previous: dict[str, MediaPlaylist] = {}
    tracks = [Track.video(v.name) for v in VARIANTS]
    for step in steps:
        at_us += step
        now = EPOCH + timedelta(microseconds=at_us - to_us(EPOCH))
        # what a replica knows at this instant: the markers written by now
        rule = LiveRule(arrivals=known_by(marks, at_us), grace_us=GRACE_US)
        shape = None
        for track in tracks:
            pl = read_media(render_media(timeline, track=track, at=now, window_s=30.0, live=rule))
            boundaries = [(s.msn, s.duration_ms, s.discontinuity, s.pdt) for s in pl.segments]
            assert shape is None or boundaries == shape, "variants disagree"
            shape = boundaries
            for s in pl.segments:
                seen = (s.uri, s.duration_ms, s.discontinuity, s.pdt)
                assert memory.setdefault((track.name, s.msn), seen) == seen, f"segment {s.msn} changed"
                if s.uri.startswith("live/") or s.uri.startswith("slates/live6/"):
                    n = (to_us(s.pdt) - item.start_us) // D_US
                    in_time = n in marks and marks[n] <= end_of(n) + GRACE_US
                    assert s.uri.startswith("live/") == in_time, (n, s.uri)
                    assert s.tagged or s is pl.segments[0], "every live segment follows a discontinuity"
            newest = pl.segments[-1]
            assert to_us(newest.pdt) + newest.duration_ms * 1000 <= at_us  # fully aired
            before = previous.get(track.name)
            if before is not None:
                assert pl.media_sequence >= before.media_sequence
                assert newest.msn >= before.segments[-1].msn
                dropped = pl.media_sequence - before.media_sequence
                assert before.discontinuity_sequence + sum(
                    s.tagged for s in before.segments[1 : dropped + 1]
                ) == pl.discontinuity_sequence or dropped >= len(before.segments)
            previous[track.name] = pl
            # the listing is never more than the grace (and one segment) behind the clock
            assert at_us - (to_us(newest.pdt) + newest.duration_ms * 1000) < D_US + GRACE_US + 1


def test_catch_up_of_the_event_names_what_aired() -> None:
    timeline = live_timeline(live_segments=3)
    marks = {0: to_us(LIVE_AT) + D_US, 2: to_us(LIVE_AT) + 3 * D_US + 500_000}
    rule = LiveRule(arrivals=lambda _s, n: marks.get(n), grace_us=GRACE_US)
    vod = render_vod(
        timeline,
        track=Track.video("720p"),
        start=LIVE_AT,
        end=LIVE_AT + timedelta(seconds=18),
        aired_by=LIVE_AT + timedelta(minutes=5),
        live=rule,
    )
    uris = [line for line in vod.splitlines() if not line.startswith("#")]
    assert uris == [
        "live/ev1/720p/seg_00000.ts",
        "slates/live6/720p/seg_00001.ts",
        "live/ev1/720p/seg_00002.ts",
    ]
