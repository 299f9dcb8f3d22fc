"""Property tests: random grids, edits on air and reloads obey RFC 8216 §6.2.1–6.2.2 and the guide.

Every playlist is read back by the strict checker in hls_check (which cross-checks with m3u8).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from playlist import (
    GridEntry,
    ProgrammeMedia,
    SegmentFormat,
    StartMode,
    Timeline,
    Track,
    compile_timeline,
    now_next,
    recompile,
    render_media,
    render_vod,
    timeline_from_dict,
    timeline_to_dict,
    to_us,
)
from playlist.profile import ChannelProfile
from tests.playlist.builders import EPOCH, channel, media, slate
from tests.playlist.hls_check import MediaPlaylist, read_media

EMPTY_VTT = "static/empty.vtt"
WINDOW_S = 120.0


@dataclass(frozen=True)
class Edit:
    at: datetime
    entries: tuple[GridEntry, ...]


@dataclass(frozen=True)
class Scenario:
    channel: ChannelProfile
    programmes: dict[str, ProgrammeMedia | None]
    fillers: tuple[ProgrammeMedia, ...]
    entries: tuple[GridEntry, ...]
    edits: tuple[Edit, ...]
    horizon: datetime
    reloads: tuple[datetime, ...]


SEGMENT = st.sampled_from([6.0, 6.0, 6.0, 5.96, 4.0, 2.5, 1.04, 0.4])


@st.composite
def entry_lists(draw: st.DrawFn, *, names: list[str], start_s: int, prefix: str) -> list[GridEntry]:
    out: list[GridEntry] = []
    t = start_s * 10
    for i in range(draw(st.integers(0, 7))):
        t = max(start_s * 10, t + draw(st.integers(-600, 2400)))
        mode: StartMode = draw(st.sampled_from(["hard", "soft"]))
        pid = draw(st.sampled_from([*names, "missing"]))
        out.append(GridEntry(f"{prefix}{i}", pid, EPOCH + timedelta(seconds=t / 10), mode))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    fmt: SegmentFormat = draw(st.sampled_from(["mpegts", "fmp4"]))
    ch = channel(fmt=fmt, subtitles=True)
    programmes: dict[str, ProgrammeMedia | None] = {}
    for k in range(draw(st.integers(1, 5))):
        durations = draw(st.lists(SEGMENT, min_size=1, max_size=12))
        langs = draw(st.sampled_from([(), ("vi",)]))
        ready = draw(st.integers(0, 4)) > 0
        programmes[f"p{k}"] = media(f"p{k}", durations, fmt=fmt, languages=langs) if ready else None
    fillers = tuple(
        media(f"f{k}", draw(st.lists(SEGMENT, min_size=1, max_size=6)), fmt=fmt)
        for k in range(draw(st.integers(0, 2)))
    )
    names = list(programmes)
    entries = draw(entry_lists(names=names, start_s=draw(st.integers(0, 120)), prefix="e"))
    last = max((to_us(e.start) - to_us(EPOCH) for e in entries), default=0) // 1_000_000
    horizon_s = last + 600
    edits: list[Edit] = []
    current = list(entries)
    edit_s = 0
    for n in range(draw(st.integers(0, 2))):
        if edit_s + 1 > horizon_s - 300:
            break
        edit_s = draw(st.integers(edit_s + 1, horizon_s - 300))
        keep = [e for e in current if draw(st.booleans())]
        added = draw(entry_lists(names=names, start_s=edit_s, prefix=f"x{n}_"))
        urgent = [GridEntry(f"u{n}", draw(st.sampled_from(names)), EPOCH + timedelta(seconds=edit_s))]
        current = keep + added + (urgent if draw(st.booleans()) else [])
        edits.append(Edit(EPOCH + timedelta(seconds=edit_s), tuple(current)))
    steps = draw(st.lists(st.integers(1, 30_000), min_size=5, max_size=25))
    reloads: list[datetime] = []
    at_ms = draw(st.integers(0, 60_000))
    for step in steps:
        at_ms += step
        if at_ms >= (horizon_s - 1) * 1000:
            break
        reloads.append(EPOCH + timedelta(milliseconds=at_ms))
    # a few reloads just around each edit
    for e in edits:
        reloads.extend(e.at + timedelta(milliseconds=d) for d in (-1, 0, 1, 5_999, 6_000))
    return Scenario(
        channel=ch,
        programmes=programmes,
        fillers=fillers,
        entries=tuple(entries),
        edits=tuple(edits),
        horizon=EPOCH + timedelta(seconds=horizon_s),
        reloads=tuple(sorted(set(reloads))),
    )


Segment = tuple[tuple[str, ...], int, int, int]  # (keys per variant, duration µs, discontinuity, start µs)


def all_segments(timeline: Timeline) -> dict[int, Segment]:
    out: dict[int, Segment] = {}
    for item in timeline.items:
        for j in range(item.segment_count):
            keys = tuple(
                item.source.segment_key(v.name, item.source_index(j)) for v in timeline.channel.variants
            )
            out[item.first_msn + j] = (
                keys,
                item.duration_us(j),
                item.discontinuity_of(j),
                item.start_us + item.offset_us(j),
            )
    return out


def build(scn: Scenario) -> list[tuple[datetime | None, Timeline]]:
    """The timelines in force, each from the instant of the edit that made it."""
    sl = slate(fmt=scn.channel.segment_format)
    tl = compile_timeline(
        channel=scn.channel,
        entries=scn.entries,
        programmes=scn.programmes,
        slate=sl,
        fillers=scn.fillers,
        horizon=scn.horizon,
    )
    out: list[tuple[datetime | None, Timeline]] = [(None, tl)]
    for n, edit in enumerate(scn.edits):
        edge = edit.at + timedelta(seconds=scn.channel.target_duration)
        new = recompile(
            tl,
            entries=edit.entries,
            programmes=scn.programmes,
            slate=sl,
            fillers=scn.fillers,
            horizon=scn.horizon,
            publish_edge=edge,
        )
        before, after = all_segments(tl), all_segments(new)
        published = [msn for msn, seg in before.items() if seg[3] < to_us(edge)]
        assert published == sorted(published)
        for msn in published:
            assert after[msn] == before[msn], f"published segment {msn} was rewritten"
        check_hard_starts(new, edit.entries, not_before=edge)
        boundary = min((seg[3] for seg in before.values() if seg[3] >= to_us(edge)), default=tl.end_us)
        for item in new.items:
            if item.entry_id == f"u{n}" and item.kind == "programme":
                assert item.start_us == boundary, "an urgent entry airs at the first unpublished boundary"
        out.append((edit.at, new))
        tl = new
    check_hard_starts(out[0][1], scn.entries, not_before=None)
    return out


def check_hard_starts(
    timeline: Timeline, entries: tuple[GridEntry, ...], *, not_before: datetime | None
) -> None:
    by_entry = {i.entry_id: i for i in timeline.items if i.kind == "programme"}
    floor = None if not_before is None else to_us(not_before) + 7_000_000
    for e in entries:
        item = by_entry.get(e.entry_id)
        if e.mode != "hard" or item is None or (floor is not None and to_us(e.start) < floor):
            continue
        assert abs(item.start_us - to_us(e.start)) <= 2_000_000, e


def tracks(ch: ChannelProfile) -> list[Track]:
    return [Track.video(v.name) for v in ch.variants] + [
        Track.subtitles(s.code, empty_key=EMPTY_VTT) for s in ch.subtitles
    ]


def in_force(timelines: list[tuple[datetime | None, Timeline]], at: datetime) -> Timeline:
    current = timelines[0][1]
    for since, tl in timelines[1:]:
        if since is not None and since <= at:
            current = tl
    return current


def check_window(pl: MediaPlaylist, at: datetime, target: int) -> None:
    total = sum(s.duration_ms for s in pl.segments)
    need = max(WINDOW_S, 3 * target) * 1000
    assert total >= need or pl.media_sequence == 0
    assert total - pl.segments[0].duration_ms < need  # the last N segments, no more
    edge = pl.segments[-1]
    assert edge.pdt <= at + timedelta(microseconds=500)
    assert edge.pdt + timedelta(milliseconds=edge.duration_ms + 1) > at
    for a, b in zip(pl.segments, pl.segments[1:], strict=False):
        gap = (b.pdt - a.pdt) - timedelta(milliseconds=a.duration_ms)
        assert abs(gap) <= timedelta(milliseconds=1)


def check_epg(timeline: Timeline, pl: MediaPlaylist, at: datetime) -> None:
    now, nxt = now_next(timeline, at)
    assert now.start <= at < now.stop
    assert nxt is None or nxt.start == now.stop
    uri = pl.segments[-1].uri
    if now.kind == "programme":
        assert uri.startswith(f"programmes/{now.programme_id}/")
    else:
        assert uri.startswith(("programmes/slate/", "programmes/f"))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenarios())
def test_reloads_obey_rfc8216_and_the_guide(scn: Scenario) -> None:
    timelines = build(scn)
    event(f"{scn.channel.segment_format}, {len(scn.edits)} edits, {len(scn.reloads) // 10 * 10}+ reloads")
    target = scn.channel.target_duration
    memory: dict[tuple[str, int], tuple[str, int, int, datetime, str | None]] = {}
    previous: dict[str, MediaPlaylist] = {}
    for at in scn.reloads:
        tl = in_force(timelines, at)
        lists = {
            t.name: read_media(render_media(tl, track=t, at=at, window_s=WINDOW_S))
            for t in tracks(tl.channel)
        }
        shape = None
        for name, pl in lists.items():
            assert pl.target_duration == target
            assert not pl.vod
            assert pl.discontinuity_sequence == pl.segments[0].discontinuity
            boundaries = [(s.msn, s.duration_ms, s.discontinuity, s.pdt) for s in pl.segments]
            assert shape is None or boundaries == shape, "tracks disagree on boundaries and numbers"
            shape = boundaries
            for s in pl.segments:
                seen = (s.uri, s.duration_ms, s.discontinuity, s.pdt, s.map_uri)
                assert memory.setdefault((name, s.msn), seen) == seen, f"{name} segment {s.msn} changed"
            before = previous.get(name)
            if before is not None:
                assert pl.media_sequence >= before.media_sequence
                assert pl.segments[-1].msn >= before.segments[-1].msn
                dropped = pl.media_sequence - before.media_sequence
                assert before.discontinuity_sequence + sum(
                    s.tagged for s in before.segments[1 : dropped + 1]
                ) == pl.discontinuity_sequence or dropped >= len(before.segments)
            previous[name] = pl
            check_window(pl, at, target)
        check_epg(tl, lists[tl.channel.variants[0].name], at)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenarios(), st.data())
def test_serialised_timelines_and_vod_agree_with_live(scn: Scenario, data: st.DataObject) -> None:
    for _, tl in build(scn):
        back = timeline_from_dict(json.loads(json.dumps(timeline_to_dict(tl))))
        assert back.items == tl.items
        assert all_segments(back) == all_segments(tl)
        item = tl.items[data.draw(st.integers(0, len(tl.items) - 1))]
        track = Track.video(tl.channel.variants[-1].name)
        vod = read_media(
            render_vod(
                back,
                track=track,
                start=item.air_start,
                end=item.air_start + timedelta(microseconds=item.offset_us(item.segment_count)),
            )
        )
        assert vod.vod
        assert len(vod.segments) == item.segment_count
        assert vod.media_sequence == item.first_msn
        expected = all_segments(tl)
        for s in vod.segments:
            keys, duration, disc, start = expected[s.msn]
            assert s.uri == keys[-1]
            assert s.discontinuity == disc
            assert s.duration_ms == (duration + 500) // 1000
            assert abs(to_us(s.pdt) - start) <= 500
