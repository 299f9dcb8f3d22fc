"""Property tests: random grids, edits on air and reloads obey RFC 8216 §6.2.1–6.2.2 and the guide.

Every playlist is read back by the strict checker in hls_check (which cross-checks with m3u8). On top
of the reload rules: a segment is listed only once it has fully aired (the newest listed one ends
within the last target duration), hard starts cut within a second of their instant where the media
has GOP offsets (grids put them anywhere, inside GOPs too), and a replica still serving the previous
version for half a target duration after a publish lists nothing the new version changed. Edits may
also take the channel over (slate or an emergency programme), release it, or withhold a programme
(an approval withdrawn, a programme pulled while it airs), at random instants: the override airs
from the first boundary no replica can have published, and every reload still obeys the rules.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from playlist import (
    GridEntry,
    ProgrammeMedia,
    SegmentFormat,
    StartMode,
    Takeover,
    Timeline,
    Track,
    compile_timeline,
    locate,
    now_next,
    recompile,
    render_media,
    render_vod,
    timeline_from_dict,
    timeline_to_dict,
    to_us,
)
from playlist.cuts import LATE_LIMIT_US
from playlist.profile import ChannelProfile
from tests.playlist.builders import EPOCH, channel, media, slate
from tests.playlist.hls_check import MediaPlaylist, read_media

EMPTY_VTT = "static/empty.vtt"
WINDOW_S = 120.0


@dataclass(frozen=True)
class Edit:
    at: datetime
    entries: tuple[GridEntry, ...]
    takeovers: tuple[Takeover, ...] = ()
    withheld: tuple[tuple[str, str], ...] = ()
    action: str = "grid"  # or what the edit changed on air: "takeover", "release", "withhold"


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


def inner_discontinuities(count: int) -> st.SearchStrategy[list[int]]:
    """Where a recorded live event changed encoder (feed, slate), usually nowhere."""
    if count < 2:
        return st.just([])
    return st.one_of(st.just([]), st.lists(st.integers(1, count - 1), unique=True).map(sorted))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    fmt: SegmentFormat = draw(st.sampled_from(["mpegts", "fmp4"]))
    ch = channel(fmt=fmt, subtitles=True)
    programmes: dict[str, ProgrammeMedia | None] = {}
    for k in range(draw(st.integers(1, 5))):
        durations = draw(st.lists(SEGMENT, min_size=1, max_size=12))
        langs = draw(st.sampled_from([(), ("vi",)]))
        ready = draw(st.integers(0, 4)) > 0
        gops = fmt == "mpegts" and draw(st.booleans())  # fMP4 descriptions have empty GOP lists
        inner = draw(inner_discontinuities(len(durations)))
        programmes[f"p{k}"] = (
            media(f"p{k}", durations, fmt=fmt, languages=langs, gops=gops, discontinuities=inner)
            if ready
            else None
        )
    fillers = []
    for k in range(draw(st.integers(0, 2))):
        durations = draw(st.lists(SEGMENT, min_size=1, max_size=6))
        inner = draw(inner_discontinuities(len(durations)))
        fillers.append(media(f"f{k}", durations, fmt=fmt, gops=fmt == "mpegts", discontinuities=inner))
    names = list(programmes)
    entries = draw(entry_lists(names=names, start_s=draw(st.integers(0, 120)), prefix="e"))
    last = max((to_us(e.start) - to_us(EPOCH) for e in entries), default=0) // 1_000_000
    horizon_s = last + 600
    edits: list[Edit] = []
    current = list(entries)
    edit_s = 0
    takeovers: list[Takeover] = []
    withheld: dict[str, str] = {}
    sources = [None, *(m for m in programmes.values() if m is not None)]
    for n in range(draw(st.integers(0, 3))):
        if edit_s + 1 > horizon_s - 300:
            break
        edit_s = draw(st.integers(edit_s + 1, horizon_s - 300))
        at = EPOCH + timedelta(seconds=edit_s, milliseconds=draw(st.integers(0, 999)))
        active = bool(takeovers) and takeovers[-1].end is None
        action = draw(st.sampled_from(["grid", "release" if active else "takeover", "withhold"]))
        if action == "grid":
            keep = [e for e in current if draw(st.booleans())]
            added = draw(entry_lists(names=names, start_s=edit_s, prefix=f"x{n}_"))
            urgent = [GridEntry(f"u{n}", draw(st.sampled_from(names)), EPOCH + timedelta(seconds=edit_s))]
            current = keep + added + (urgent if draw(st.booleans()) else [])
        elif action == "takeover":
            takeovers.append(Takeover(f"t{n}", at, source=draw(st.sampled_from(sources))))
        elif action == "release":
            open_one = takeovers.pop()
            takeovers.append(Takeover(open_one.takeover_id, open_one.start, at, open_one.source))
        else:
            withheld[draw(st.sampled_from(names))] = f"withdrawn:{n}"
        edits.append(Edit(at, tuple(current), tuple(takeovers), tuple(sorted(withheld.items())), action))
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
        fillers=tuple(fillers),
        entries=tuple(entries),
        edits=tuple(edits),
        horizon=EPOCH + timedelta(seconds=horizon_s),
        reloads=tuple(sorted(set(reloads))),
    )


# (keys per variant, byte lengths per variant or None, duration µs, discontinuity, start µs)
Segment = tuple[tuple[str, ...], tuple[int, ...] | None, int, int, int]


def all_segments(timeline: Timeline) -> dict[int, Segment]:
    out: dict[int, Segment] = {}
    for item in timeline.items:
        for j in range(item.segment_count):
            variants = timeline.channel.variants
            keys = tuple(item.source.segment_key(v.name, item.source_index(j)) for v in variants)
            partial = item.partial(j)
            lengths = None if partial is None else tuple(partial.byte_lengths[v.name] for v in variants)
            out[item.first_msn + j] = (
                keys,
                lengths,
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
            takeovers=edit.takeovers,
            withheld=dict(edit.withheld),
        )
        before, after = all_segments(tl), all_segments(new)
        published = [msn for msn, seg in before.items() if seg[4] < to_us(edge)]
        assert published == sorted(published)
        for msn in published:
            if edit.action != "grid" and before[msn][4] + before[msn][2] > to_us(edge):
                check_cut_short(before[msn], after[msn], edge=edge)  # straddles the edge: not listed yet
                continue
            assert after[msn] == before[msn], f"published segment {msn} was rewritten"
        check_hard_starts(new, edit.entries, scn, not_before=edge)
        boundary = min((seg[4] for seg in before.values() if seg[4] >= to_us(edge)), default=tl.end_us)
        for item in new.items:
            if item.entry_id == f"u{n}" and item.kind == "programme" and not edit.takeovers:
                assert item.start_us == boundary, "an urgent entry airs at the first unpublished boundary"
        check_override(tl, new, edit, edge=edge, boundary=boundary)
        out.append((edit.at, new))
        tl = new
    check_hard_starts(out[0][1], scn.entries, scn, not_before=None)
    return out


def check_cut_short(old: Segment, new: Segment, *, edge: datetime) -> None:
    """An override may cut the segment straddling the edge to its first GOPs: the same URIs, number
    and start, a byte-range prefix of the same file, still ending at or after the edge."""
    keys, _, duration, disc, start = old
    keys2, lengths2, duration2, disc2, start2 = new
    assert (keys2, disc2, start2) == (keys, disc, start)
    assert duration2 == duration or lengths2 is not None
    assert to_us(edge) <= start + duration2 <= start + duration


def check_override(old: Timeline, new: Timeline, edit: Edit, *, edge: datetime, boundary: int) -> None:
    """What the edit asked for airs from the first boundary no replica can have published: between
    the edge and the first segment boundary after it (earlier, between GOPs, when the media says)."""
    edge_us = to_us(edge)
    if edit.action == "takeover":
        span = edit.takeovers[-1]
        first = next(i for i in new.items if i.cause == span.cause)
        assert first.kind == "emergency"
        assert edge_us <= first.start_us <= max(boundary, edge_us + 1_000_000)
        assert new.end_us <= first.end_us, "an open takeover runs until it is released"
    elif edit.action == "release":
        span = edit.takeovers[-1]
        emergency = [i for i in new.items if i.cause == span.cause]
        if emergency:  # (none when released before it took the air)
            assert emergency[-1].end_us <= max(boundary, edge_us + 1_000_000)
    elif edit.action == "withhold":
        names = {name for name, _ in edit.withheld}
        for item in new.items:
            if item.programme_id in names and item.kind in ("programme", "filler"):
                assert item.start_us < edge_us, f"withheld {item.programme_id} airs after the edge"
                assert item.end_us <= max(boundary, edge_us)


def check_hard_starts(
    timeline: Timeline, entries: tuple[GridEntry, ...], scn: Scenario, *, not_before: datetime | None
) -> None:
    """Hard entries start within 1 s of their instant; a programme they cut ends within 1 s of it
    when its media has GOP offsets, else at a segment boundary at most 1 s late."""
    overridden = any(e.takeovers or e.withheld for e in scn.edits)
    by_entry = {
        i.entry_id: i
        for i in timeline.items
        if i.kind == "programme" and i.first_segment == 0 and not i.cause
    }
    floor = None if not_before is None else to_us(not_before) + 7_000_000
    hard = sorted(to_us(e.start) for e in entries if e.mode == "hard")
    for e in entries:
        item = by_entry.get(e.entry_id)
        if e.mode != "hard" or item is None or (floor is not None and to_us(e.start) < floor):
            continue
        assert abs(item.start_us - to_us(e.start)) <= LATE_LIMIT_US, e
    for item in by_entry.values():
        media = scn.programmes.get(item.programme_id or "")
        if media is None or item.end_us - item.start_us == media.duration_us:
            continue  # aired whole
        if floor is not None and item.start_us < floor:
            continue  # cut where an edit left it
        # the cut is at most 1 s late, and early by less than the segment (v1) or GOP it dropped
        near = [at for at in hard if item.end_us - LATE_LIMIT_US <= at < item.end_us + 7_000_000]
        if overridden and not near:
            continue  # cut by a takeover or a withdrawal (check_override)
        assert near, f"{item.entry_id} was cut with no hard start to cut it"
        if media.gops is not None:
            assert any(abs(item.end_us - at) <= LATE_LIMIT_US for at in near), item.entry_id


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


def stale_replicas(
    timelines: list[tuple[datetime | None, Timeline]], at: datetime, target: int
) -> list[Timeline]:
    """Versions a replica may still serve at ``at``: replaced less than half a target duration ago
    (the cache checks the database at least that often, `channel.playout.cache`)."""
    out = []
    for (_, old), (since, _new) in itertools.pairwise(timelines):
        if since is not None and since <= at < since + timedelta(seconds=target / 2):
            out.append(old)
    return out


def check_window(pl: MediaPlaylist, at: datetime, timeline: Timeline) -> None:
    target = timeline.channel.target_duration
    total = sum(s.duration_ms for s in pl.segments)
    need = max(WINDOW_S, 3 * target) * 1000
    assert total >= need or pl.media_sequence == 0
    assert total - pl.segments[0].duration_ms < need  # the last N segments, no more
    # only what has fully aired: the newest segment ends by the wall clock, the next one after it
    edge = pl.segments[-1]
    ends = edge.pdt + timedelta(milliseconds=edge.duration_ms)
    assert ends <= at + timedelta(milliseconds=1)
    assert at - ends < timedelta(seconds=target + 0.5)  # within the last target duration (as rounded)
    after = locate(timeline, to_us(ends))  # the segment after the newest: it has not aired yet
    assert after.msn == edge.msn + 1
    item = timeline.items[after.item_index]
    assert after.start_us + item.duration_us(after.segment) > to_us(at), "a fully aired segment is missing"
    for a, b in zip(pl.segments, pl.segments[1:], strict=False):
        gap = (b.pdt - a.pdt) - timedelta(milliseconds=a.duration_ms)
        assert abs(gap) <= timedelta(milliseconds=1)


_SOURCE_SEGMENT = re.compile(r"^programmes/([^/]+)/r1/[^/]+/seg_(\d+)\.")


def check_inner_discontinuities(pl: MediaPlaylist, scn: Scenario) -> None:
    """A segment where a recorded source changed encoder is announced, wherever it airs."""
    sources = {m.programme_id: m for m in (*scn.programmes.values(), *scn.fillers) if m is not None}
    for s in pl.segments[1:]:
        found = _SOURCE_SEGMENT.match(s.uri)
        if found is None:  # a programme without subtitles on the subtitle track
            assert s.uri == "static/empty.vtt", s.uri
            continue
        source = sources.get(found[1])
        if source is not None and int(found[2]) in source.discontinuities:
            assert s.tagged, f"{s.uri} follows a change of encoder but is not after EXT-X-DISCONTINUITY"


def check_epg(timeline: Timeline, pl: MediaPlaylist, at: datetime) -> None:
    now, nxt = now_next(timeline, at)
    assert now.start <= at < now.stop
    assert nxt is None or nxt.start == now.stop
    newest = pl.segments[-1]  # the guide names what the newest listed segment shows, from its start
    then, _ = now_next(timeline, newest.pdt + timedelta(microseconds=500))
    if then.kind == "programme":
        assert newest.uri.startswith(f"programmes/{then.programme_id}/")
    elif then.kind == "emergency":
        assert then.title == "Thông báo khẩn"
        assert then.programme_id is None
        assert newest.uri.startswith(("programmes/slate/", "programmes/p"))
    else:
        assert newest.uri.startswith(("programmes/slate/", "programmes/f"))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenarios())
def test_reloads_obey_rfc8216_and_the_guide(scn: Scenario) -> None:
    timelines = build(scn)
    event(f"{scn.channel.segment_format}, {len(scn.edits)} edits, {len(scn.reloads) // 10 * 10}+ reloads")
    cuts = sum(i.tail is not None for _, tl in timelines for i in tl.items)
    event("cut between GOPs" if cuts else "no cut between GOPs")
    for action in sorted({e.action for e in scn.edits} - {"grid"}):
        event(f"edit: {action}")
    target = scn.channel.target_duration
    memory: dict[tuple[str, int], tuple[str, int, int, datetime, str | None, int | None]] = {}
    previous: dict[str, MediaPlaylist] = {}
    versions: dict[str, int] = {}

    def remember(name: str, pl: MediaPlaylist) -> None:
        for s in pl.segments:
            seen = (s.uri, s.duration_ms, s.discontinuity, s.pdt, s.map_uri, s.length)
            assert memory.setdefault((name, s.msn), seen) == seen, f"{name} segment {s.msn} changed"
        assert versions.setdefault(name, pl.version) == pl.version, f"{name} changed its version"

    first = timelines[0][1].items[0]
    first_end = first.start_us + first.duration_us(0)
    for at in scn.reloads:
        tl = in_force(timelines, at)
        if to_us(at) < first_end:
            continue  # nothing has aired yet: the service answers off air
        for stale in stale_replicas(timelines, at, target):  # not reloaded yet after a publish
            for t in tracks(stale.channel):
                remember(t.name, read_media(render_media(stale, track=t, at=at, window_s=WINDOW_S)))
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
            remember(name, pl)
            check_inner_discontinuities(pl, scn)
            before = previous.get(name)
            if before is not None:
                assert pl.media_sequence >= before.media_sequence
                assert pl.segments[-1].msn >= before.segments[-1].msn
                dropped = pl.media_sequence - before.media_sequence
                assert before.discontinuity_sequence + sum(
                    s.tagged for s in before.segments[1 : dropped + 1]
                ) == pl.discontinuity_sequence or dropped >= len(before.segments)
            previous[name] = pl
            check_window(pl, at, tl)
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
            keys, lengths, duration, disc, start = expected[s.msn]
            assert s.uri == keys[-1]
            assert s.length == (None if lengths is None else lengths[-1])
            assert s.discontinuity == disc
            assert s.duration_ms == (duration + 500) // 1000
            assert abs(to_us(s.pdt) - start) <= 500
