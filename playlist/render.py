"""Render HLS playlists: from a timeline the constant master, live media windows and VOD; and the
fixed playlists of one transcoded programme (its master and its renditions), so every playlist of
the project comes from this one writer and one version rule (`media_version`).

A live window is a pure function of (timeline, track, instant): it lists only segments that have fully
aired by the instant (their end is at or before it), so the newest listed segment ends within the last
target duration, EXT-X-PROGRAM-DATE-TIME is the wall clock, the window advances exactly when a segment
completes, and any replica renders the same bytes. A segment cut by a hard start is listed with
EXT-X-BYTERANGE (its first GOPs: same URI, bytes from 0); the live and VOD playlists of an MPEG-TS
channel therefore always say EXT-X-VERSION 4, whether a byte range is in the window or not.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from playlist import tags
from playlist.instants import format_pdt, from_us, to_us
from playlist.live import NO_LIVE, LiveRule, decide
from playlist.profile import ChannelProfile, SubtitleLanguage, Variant
from playlist.timeline import Item, OffAirError, Position, Timeline, last_aired, locate

__all__ = [
    "SUBTITLE_GROUP",
    "Track",
    "TrackKind",
    "live_edge",
    "media_version",
    "render_master",
    "render_media",
    "render_rendition_vod",
    "render_static_vod",
    "render_variant_master",
    "render_vod",
    "subtitle_playlist_name",
    "variant_playlist_name",
]

TrackKind = Literal["video", "subtitles"]
SUBTITLE_GROUP = "subs"
DEFAULT_WINDOW_S = 120.0


@dataclass(frozen=True, slots=True)
class Track:
    """What a media playlist carries: a video variant, or one subtitle language.

    For subtitles, ``empty_key`` is the storage key of one empty WebVTT segment used for
    items without that language, so the track keeps the video's boundaries and numbers.
    """

    kind: TrackKind
    name: str
    empty_key: str = ""

    @classmethod
    def video(cls, variant: str) -> Track:
        return cls(kind="video", name=variant)

    @classmethod
    def subtitles(cls, language: str, *, empty_key: str) -> Track:
        return cls(kind="subtitles", name=language, empty_key=empty_key)


def variant_playlist_name(variant: str) -> str:
    return f"{variant}.m3u8"


def subtitle_playlist_name(language: str) -> str:
    return f"subs_{language}.m3u8"


def _video_key(item: Item, j: int, track: Track) -> str:
    return item.source.segment_key(track.name, item.source_index(j))


def _subtitle_key(item: Item, j: int, track: Track) -> str:
    """The segment's cues, or the empty segment: also for a cut segment, whose cues after the cut
    would show over what airs next (a WebVTT file cannot be cut by bytes)."""
    key = None if item.partial(j) is not None else item.source.subtitle_key(track.name, item.source_index(j))
    return track.empty_key if key is None else key


_KEYS: Mapping[TrackKind, Callable[[Item, int, Track], str]] = {
    "video": _video_key,
    "subtitles": _subtitle_key,
}


def media_version(*, uses_map: bool, may_use_byterange: bool = False) -> int:
    """The one EXT-X-VERSION rule of a media playlist (RFC 8216 §7): 3 for decimal EXTINF, 4 when
    EXT-X-BYTERANGE may appear, 6 for EXT-X-MAP outside an I-frame playlist. Master playlists carry
    none: nothing in them needs more than 1."""
    if uses_map:
        return 6
    return 4 if may_use_byterange else 3


def _version(channel: ChannelProfile, track: Track) -> int:
    """Constant per track whatever the window holds: MPEG-TS video may list cut segments (byte ranges)."""
    return media_version(uses_map=_uses_map(channel, track), may_use_byterange=track.kind == "video")


def _uses_map(channel: ChannelProfile, track: Track) -> bool:
    return track.kind == "video" and channel.segment_format == "fmp4"


def _forward(timeline: Timeline, first: Position, count: int) -> Iterator[tuple[Item, int, int]]:
    """``count`` segments from ``first`` on: (item, index in item, air start µs)."""
    items = timeline.items
    i, j = first.item_index, first.segment
    item = items[i]
    for _ in range(count):
        if j >= item.segment_count:
            i, j = i + 1, 0
            item = items[i]
        yield item, j, item.start_us + item.offset_us(j)
        j += 1


def _window_head(timeline: Timeline, edge: Position, min_total_us: int) -> tuple[Position, int]:
    """Walk back from the live edge until the listed duration reaches ``min_total_us``."""
    items = timeline.items
    i, j = edge.item_index, edge.segment
    item = items[i]
    total = item.duration_us(j)
    count = 1
    while total < min_total_us:
        if j > 0:
            j -= 1
        elif i > 0:
            i -= 1
            item = items[i]
            j = item.segment_count - 1
        else:
            break
        total += item.duration_us(j)
        count += 1
    head = Position(
        item_index=i, segment=j, start_us=item.start_us + item.offset_us(j), msn=item.first_msn + j
    )
    return head, count


def _live_key(item: Item, j: int, track: Track, *, live: LiveRule, at_us: int) -> str | None:
    """A live segment's key: the feed's when it arrived in time, the gap slate's when not."""
    if track.kind != "video" or not item.source.is_live:
        return None
    index = item.source_index(j)
    end_us = item.start_us + item.offset_us(j + 1)
    if decide(live, source=item.source.programme_id, index=index, end_us=end_us, at_us=at_us) == "live":
        return None
    return item.source.gap_key(track.name, index)


def _settled(timeline: Timeline, edge: Position, *, live: LiveRule, at_us: int) -> Position:
    """The newest segment up to ``edge`` with every live segment up to it decided (feed or slate):
    an undecided one (its marker may still come within the grace) holds the playlist back."""
    pos = edge
    while True:
        item = timeline.items[pos.item_index]
        if not item.source.is_live:
            return pos
        end_us = pos.start_us + item.duration_us(pos.segment)
        index = item.source_index(pos.segment)
        if decide(live, source=item.source.programme_id, index=index, end_us=end_us, at_us=at_us) != "wait":
            return pos
        if pos.segment > 0:
            j = pos.segment - 1
            pos = Position(pos.item_index, j, item.start_us + item.offset_us(j), pos.msn - 1)
        elif pos.item_index > 0:
            i = pos.item_index - 1
            prev = timeline.items[i]
            j = prev.segment_count - 1
            pos = Position(i, j, prev.start_us + prev.offset_us(j), pos.msn - 1)
        else:
            raise OffAirError("the first live segment is still awaited")


def _body(
    timeline: Timeline,
    *,
    track: Track,
    head: Position,
    count: int,
    uri_prefix: str,
    live: LiveRule = NO_LIVE,
    at_us: int = 0,
) -> list[str]:
    channel = timeline.channel
    key_of = _KEYS[track.kind]
    uses_map = _uses_map(channel, track)
    head_item = timeline.items[head.item_index]
    lines = [
        tags.EXTM3U,
        f"{tags.VERSION}{_version(channel, track)}",
        f"{tags.TARGETDURATION}{channel.target_duration}",
        f"{tags.MEDIA_SEQUENCE}{head.msn}",
        f"{tags.DISCONTINUITY_SEQUENCE}{head_item.discontinuity_of(head.segment)}",
    ]
    first = True
    for item, j, start in _forward(timeline, head, count):
        run = item.starts_run(j)
        if run and not first:
            lines.append(tags.DISCONTINUITY)
        if uses_map and (run or first):
            lines.append(f'{tags.MAP}URI="{uri_prefix}{item.source.init_keys[track.name]}"')
        lines.append(f"{tags.PROGRAM_DATE_TIME}{format_pdt(start)}")
        lines.append(tags.extinf(item.duration_us(j)))
        partial = item.partial(j)
        if partial is not None and track.kind == "video":
            lines.append(f"{tags.BYTERANGE}{partial.byte_lengths[track.name]}@0")
        gap = _live_key(item, j, track, live=live, at_us=at_us)
        lines.append(uri_prefix + (key_of(item, j, track) if gap is None else gap))
        first = False
    return lines


def live_edge(
    timeline: Timeline, at: datetime, *, live: LiveRule = NO_LIVE, poll_us: int = 500_000
) -> tuple[int, datetime]:
    """(MSN of the newest segment listed at ``at``, instant the listing may change next).

    A live playlist depends only on this MSN (for a given track, window and prefix), so the
    service can cache rendered bytes under it until the returned instant, and no cache may keep
    them past it: the next segment's completion, or ``poll_us`` from now while a live segment is
    awaited (its marker may come at any moment). Raises OffAirError when nothing has aired yet or
    ``at`` is past the timeline.
    """
    at_us = to_us(at)
    aired = last_aired(timeline, at_us)
    edge = _settled(timeline, aired, live=live, at_us=at_us)
    airing = locate(timeline, at_us)
    item = timeline.items[airing.item_index]
    next_us = airing.start_us + item.duration_us(airing.segment)
    if edge.msn != aired.msn:
        next_us = min(next_us, at_us + poll_us)
    return edge.msn, from_us(next_us)


def render_media(
    timeline: Timeline,
    *,
    track: Track,
    at: datetime,
    window_s: float = DEFAULT_WINDOW_S,
    uri_prefix: str = "",
    live: LiveRule = NO_LIVE,
) -> str:
    """Live media playlist at ``at``: the last segments fully aired by then, ≥ max(window, 3×target);
    a live event's segments as ``live`` decides (an awaited one and what follows wait).

    Raises OffAirError outside the compiled timeline or before its first segment has ended.
    """
    at_us = to_us(at)
    edge = _settled(timeline, last_aired(timeline, at_us), live=live, at_us=at_us)
    min_total = max(round(window_s * 1_000_000), 3 * timeline.channel.target_duration * 1_000_000)
    head, count = _window_head(timeline, edge, min_total)
    lines = _body(
        timeline, track=track, head=head, count=count, uri_prefix=uri_prefix, live=live, at_us=at_us
    )
    return "\n".join(lines) + "\n"


def render_vod(
    timeline: Timeline,
    *,
    track: Track,
    start: datetime,
    end: datetime,
    aired_by: datetime | None = None,
    uri_prefix: str = "",
    live: LiveRule = NO_LIVE,
) -> str:
    """VOD playlist of every segment airing in [start, end) (clamped to the timeline) and, with
    ``aired_by``, fully aired by that instant (the wall clock: nothing is listed before it ends);
    live segments as ``live`` decides at ``aired_by`` (at the interval's end without it)."""
    lo = max(to_us(start), timeline.start_us)
    hi = min(to_us(end), timeline.end_us)
    if hi <= lo:
        raise OffAirError("empty interval")
    head = locate(timeline, lo)
    tail = locate(timeline, hi - 1)
    judged_us = hi if aired_by is None else to_us(aired_by)
    if aired_by is not None and to_us(aired_by) < timeline.end_us:
        aired = _settled(timeline, last_aired(timeline, judged_us), live=live, at_us=judged_us)
        tail = min(tail, aired, key=lambda p: p.msn)
    if tail.msn < head.msn:
        raise OffAirError("nothing in the interval has finished airing")
    lines = _body(
        timeline,
        track=track,
        head=head,
        count=tail.msn - head.msn + 1,
        uri_prefix=uri_prefix,
        live=live,
        at_us=judged_us,
    )
    lines.insert(3, f"{tags.PLAYLIST_TYPE}VOD")
    lines.append(tags.ENDLIST)
    return "\n".join(lines) + "\n"


def _suffix(query: str) -> str:
    query = query.removeprefix("?")
    if any(c in query for c in '\r\n"# '):
        raise ValueError("query string must be URL-encoded")
    return f"?{query}" if query else ""


def render_variant_master(
    *, variants: Sequence[tuple[Variant, str]], subtitles: Sequence[tuple[SubtitleLanguage, str]] = ()
) -> str:
    """A master playlist: each variant with its URI, and each subtitle language as a rendition."""
    lines = [tags.EXTM3U, tags.INDEPENDENT_SEGMENTS]
    for lang, uri in subtitles:
        lines.append(
            f'{tags.MEDIA}TYPE=SUBTITLES,GROUP-ID="{SUBTITLE_GROUP}",LANGUAGE="{lang.code}",'
            f'NAME="{lang.name}",DEFAULT={"YES" if lang.default else "NO"},AUTOSELECT=YES,URI="{uri}"'
        )
    subs = f',SUBTITLES="{SUBTITLE_GROUP}"' if subtitles else ""
    for v, uri in variants:
        lines.append(
            f"{tags.STREAM_INF}BANDWIDTH={v.bandwidth},AVERAGE-BANDWIDTH={v.average_bandwidth},"
            f'RESOLUTION={v.width}x{v.height},CODECS="{v.codecs}",FRAME-RATE={v.frame_rate:.3f}{subs}'
        )
        lines.append(uri)
    return "\n".join(lines) + "\n"


def render_static_vod(
    segments: Sequence[tuple[int, str]],
    *,
    target_duration: int,
    map_uri: str | None = None,
    discontinuities: Collection[int] = (),
) -> str:
    """A complete VOD media playlist of fixed segments, given as (duration µs, URI), e.g. one rendition
    of a transcoded programme; ``map_uri`` is the fMP4 initialisation section; the segments at the
    positions in ``discontinuities`` follow a change of encoder (a recorded live event's feed and slate)."""
    lines = [
        tags.EXTM3U,
        f"{tags.VERSION}{media_version(uses_map=map_uri is not None)}",
        f"{tags.TARGETDURATION}{target_duration}",
        f"{tags.MEDIA_SEQUENCE}0",
        f"{tags.PLAYLIST_TYPE}VOD",
        tags.INDEPENDENT_SEGMENTS,
    ]
    if map_uri is not None:
        lines.append(f'{tags.MAP}URI="{map_uri}"')
    for i, (duration_us, uri) in enumerate(segments):
        if i in discontinuities:
            lines.append(tags.DISCONTINUITY)
        lines.append(tags.extinf(duration_us))
        lines.append(uri)
    lines.append(tags.ENDLIST)
    return "\n".join(lines) + "\n"


def render_rendition_vod(
    playlist_key: str,
    segments: Sequence[tuple[float, str]],
    *,
    target_duration: int,
    init_key: str | None = None,
    discontinuities: Collection[int] = (),
) -> str:
    """`render_static_vod` for one rung of a stored programme: segments as (seconds, key) with keys
    relative to the programme's folder, written relative to the playlist's own folder (as players resolve)."""
    folder = posixpath.dirname(playlist_key)
    return render_static_vod(
        [(round(seconds * 1_000_000), posixpath.relpath(key, folder)) for seconds, key in segments],
        target_duration=target_duration,
        map_uri=posixpath.relpath(init_key, folder) if init_key else None,
        discontinuities=discontinuities,
    )


def render_master(channel: ChannelProfile, *, query: str = "", variant_query: str = "") -> str:
    """Master playlist, constant per channel; ``query`` (e.g. ``start=...``) is passed to every URI,
    ``variant_query`` (a viewing session's token) to the video variants' only."""
    suffix = _suffix(query)
    variant_suffix = _suffix("&".join(q for q in (query.removeprefix("?"), variant_query) if q))
    return render_variant_master(
        variants=[(v, variant_playlist_name(v.name) + variant_suffix) for v in channel.variants],
        subtitles=[(lang, subtitle_playlist_name(lang.code) + suffix) for lang in channel.subtitles],
    )
