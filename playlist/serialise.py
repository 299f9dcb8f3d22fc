"""Compact, JSON-safe form of a timeline, so the service can store it and reload it after a restart.

Sources (programmes, fillers, slate) are written once and referenced by index, without their GOP
tables (only compiling needs them); each item is one short row, with its sub-segment when a hard start
cut it inside a segment; sequence numbers are rebuilt from the first item's (they are contiguous by
construction). Format 3 adds emergency items and the cause of an override on each item, live
sources their gap slate and recorded ones their inner discontinuities (optional keys, so a format 3
reader without live events reads them as before); formats 1 (before sub-segments) and 2 are still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from playlist.media import ProgrammeMedia
from playlist.profile import ChannelProfile, SubtitleLanguage, Variant
from playlist.timeline import Item, ItemKind, PartialSegment, Timeline

__all__ = ["FORMAT_VERSION", "timeline_from_dict", "timeline_to_dict"]

FORMAT_VERSION = 3
_READABLE = (1, 2, 3)
_KINDS: tuple[ItemKind, ...] = ("programme", "filler", "slate", "emergency")
_KIND_CODE: Mapping[ItemKind, int] = {k: i for i, k in enumerate(_KINDS)}


def _channel_to_dict(ch: ChannelProfile) -> dict[str, Any]:
    return {
        "channel_id": ch.channel_id,
        "name": ch.name,
        "epoch": ch.epoch.isoformat(),
        "target_duration": ch.target_duration,
        "variants": [
            [v.name, v.width, v.height, v.bandwidth, v.average_bandwidth, v.codecs, v.frame_rate]
            for v in ch.variants
        ],
        "timezone": ch.timezone,
        "segment_format": ch.segment_format,
        "subtitles": [[s.code, s.name, s.default] for s in ch.subtitles],
        "logo_url": ch.logo_url,
        "group_title": ch.group_title,
    }


def _channel_from_dict(d: Mapping[str, Any]) -> ChannelProfile:
    return ChannelProfile(
        channel_id=d["channel_id"],
        name=d["name"],
        epoch=datetime.fromisoformat(d["epoch"]),
        target_duration=d["target_duration"],
        variants=tuple(Variant(*v) for v in d["variants"]),
        timezone=d["timezone"],
        segment_format=d["segment_format"],
        subtitles=tuple(SubtitleLanguage(*s) for s in d["subtitles"]),
        logo_url=d["logo_url"],
        group_title=d["group_title"],
    )


def _source_to_dict(m: ProgrammeMedia) -> dict[str, Any]:
    return {
        "programme_id": m.programme_id,
        "title": m.title,
        "description": m.description,
        "segment_format": m.segment_format,
        "durations_us": list(m.durations_us),
        "segment_templates": dict(m.segment_templates),
        "init_keys": dict(m.init_keys),
        "subtitle_templates": dict(m.subtitle_templates),
        **({"gap_templates": dict(m.gap_templates), "gap_count": m.gap_count} if m.is_live else {}),
        **({"discontinuities": list(m.discontinuities)} if m.discontinuities else {}),
    }


def _source_from_dict(d: Mapping[str, Any]) -> ProgrammeMedia:
    return ProgrammeMedia(
        programme_id=d["programme_id"],
        title=d["title"],
        description=d["description"],
        segment_format=d["segment_format"],
        durations_us=tuple(d["durations_us"]),
        segment_templates=dict(d["segment_templates"]),
        init_keys=dict(d["init_keys"]),
        subtitle_templates=dict(d["subtitle_templates"]),
        gap_templates=dict(d.get("gap_templates") or {}),
        gap_count=int(d.get("gap_count") or 0),
        discontinuities=tuple(d.get("discontinuities") or ()),
    )


def _tail_to_list(tail: PartialSegment | None) -> list[Any] | None:
    return None if tail is None else [tail.gops, tail.duration_us, dict(tail.byte_lengths)]


def _tail_from_list(row: list[Any] | None) -> PartialSegment | None:
    if row is None:
        return None
    gops, duration_us, lengths = row
    return PartialSegment(gops=int(gops), duration_us=int(duration_us), byte_lengths=dict(lengths))


def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    """JSON-safe dict; titles equal to their source's are not repeated."""
    index: dict[int, int] = {}
    sources: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for item in timeline.items:
        src = item.source
        if id(src) not in index:
            index[id(src)] = len(sources)
            sources.append(_source_to_dict(src))
        rows.append(
            [
                _KIND_CODE[item.kind],
                index[id(src)],
                item.first_segment,
                item.segment_count,
                item.start_us,
                item.programme_id,
                item.entry_id,
                None if item.title == src.title else item.title,
                None if item.description == src.description else item.description,
                item.replaced_programme_id,
                _tail_to_list(item.tail),
                item.cause,
            ]
        )
    first = timeline.items[0]
    return {
        "format": FORMAT_VERSION,
        "channel": _channel_to_dict(timeline.channel),
        "first_msn": first.first_msn,
        "first_discontinuity": first.discontinuity,
        "sources": sources,
        "items": rows,
    }


def timeline_from_dict(data: Mapping[str, Any]) -> Timeline:
    """Inverse of ``timeline_to_dict``; raises ValueError on an unknown format or a broken timeline."""
    if data.get("format") not in _READABLE:
        raise ValueError(f"unsupported timeline format {data.get('format')!r}")
    sources = [_source_from_dict(s) for s in data["sources"]]
    msn, disc = int(data["first_msn"]), int(data["first_discontinuity"])
    items: list[Item] = []
    for row in data["items"]:
        kind, src_i, first, count, start, pid, eid, title, desc, replaced = row[:10]
        src = sources[src_i]
        item = Item(
            kind=_KINDS[kind],
            source=src,
            first_segment=first,
            segment_count=count,
            start_us=start,
            first_msn=msn,
            discontinuity=disc,
            programme_id=pid,
            entry_id=eid,
            title=src.title if title is None else title,
            description=src.description if desc is None else desc,
            replaced_programme_id=replaced,
            tail=_tail_from_list(row[10] if len(row) > 10 else None),
            cause=row[11] if len(row) > 11 else None,
        )
        items.append(item)
        msn, disc = item.next_msn, item.next_discontinuity
    return Timeline(channel=_channel_from_dict(data["channel"]), items=tuple(items))
