"""Programme guide from the same compiled timeline as the playout: now/next, a day, XMLTV, M3U.

Consecutive filler and slate items read as one "Chương trình sẽ tiếp tục" entry; a programme that
was not ready and got replaced is named in ``replaced_programme_ids``. An emergency takeover reads as
one "Thông báo khẩn" entry (``kind`` "emergency", no programme named). A live event is a programme
entry with ``live_event_id`` (no programme id), shown "Trực tiếp" (`LIVE_LABEL`). The guide ends where the
published grid ends (the end of its last programme or takeover): the filler that keeps the channel on
air past it is a placeholder of up to two days, and a guide that announced it would tell viewers
nothing true.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from playlist.instants import from_us, to_us
from playlist.live import event_of_source
from playlist.media import FILLER_TITLE
from playlist.override import EMERGENCY_TITLE
from playlist.profile import ChannelProfile
from playlist.timeline import Item, Timeline

__all__ = [
    "LIVE_LABEL",
    "EpgEntry",
    "EpgKind",
    "epg_day",
    "epg_entry_to_dict",
    "guide_end",
    "now_next",
    "programmes_between",
    "render_m3u",
    "render_xmltv",
]

EpgKind = Literal["programme", "filler", "emergency"]
#: how the guide marks a live event
LIVE_LABEL: Mapping[str, str] = {"vi": "Trực tiếp", "en": "Live"}


@dataclass(frozen=True, slots=True)
class EpgEntry:
    """One line of the guide; ``stop`` is exclusive."""

    kind: EpgKind
    title: str
    description: str
    start: datetime
    stop: datetime
    programme_id: str | None = None
    entry_id: str | None = None
    replaced_programme_ids: tuple[str, ...] = ()
    live_event_id: str | None = None

    @property
    def live(self) -> bool:
        return self.live_event_id is not None


def _guide_kind(item: Item) -> EpgKind:
    if item.kind == "emergency":
        return "emergency"
    return "programme" if item.kind == "programme" else "filler"


_TITLES: Mapping[EpgKind, Mapping[str, str]] = {"filler": FILLER_TITLE, "emergency": EMERGENCY_TITLE}


def _entry_from(timeline: Timeline, index: int, lang: str) -> tuple[EpgEntry, int]:
    """The guide entry holding item ``index`` and the index of the item after it."""
    items = timeline.items
    item = items[index]
    kind = _guide_kind(item)
    if kind == "programme":
        event_id = event_of_source(item.programme_id) if item.source.is_live else None
        entry = EpgEntry(
            kind="programme",
            title=item.title,
            description=item.description,
            start=from_us(item.start_us),
            stop=from_us(item.end_us),
            programme_id=item.programme_id if event_id is None else None,
            entry_id=item.entry_id,
            live_event_id=event_id,
        )
        return entry, index + 1
    first = index
    while first > 0 and _guide_kind(items[first - 1]) == kind:
        first -= 1
    last = index
    while last + 1 < len(items) and _guide_kind(items[last + 1]) == kind:
        last += 1
    replaced: list[str] = []
    for i in range(first, last + 1):
        rid = items[i].replaced_programme_id
        if rid is not None and rid not in replaced:
            replaced.append(rid)
    titles = _TITLES[kind]
    entry = EpgEntry(
        kind=kind,
        title=titles.get(lang, titles["vi"]),
        description="",
        start=from_us(items[first].start_us),
        stop=from_us(items[last].end_us),
        replaced_programme_ids=tuple(replaced),
    )
    return entry, last + 1


def guide_end(timeline: Timeline) -> datetime:
    """Where the guide ends: the end of the last programme or emergency item (the timeline's start
    without one)."""
    for item in reversed(timeline.items):
        if item.kind in ("programme", "emergency"):
            return from_us(item.end_us)
    return from_us(timeline.start_us)


def programmes_between(
    timeline: Timeline, *, start: datetime, end: datetime, lang: str = "vi"
) -> list[EpgEntry]:
    """Guide entries overlapping [start, end), clamped to the compiled timeline and the guide's end."""
    lo = max(to_us(start), timeline.start_us)
    hi = min(to_us(end), to_us(guide_end(timeline)))
    out: list[EpgEntry] = []
    if hi <= lo:
        return out
    index = timeline.item_index_at(lo)
    while index < len(timeline.items) and timeline.items[index].start_us < hi:
        entry, index = _entry_from(timeline, index, lang)
        out.append(entry)
    return out


def now_next(timeline: Timeline, at: datetime, *, lang: str = "vi") -> tuple[EpgEntry, EpgEntry | None]:
    """What airs at ``at`` (the item of the live edge) and what follows it."""
    now, after = _entry_from(timeline, timeline.item_index_at(to_us(at)), lang)
    return now, (_entry_from(timeline, after, lang)[0] if after < len(timeline.items) else None)


def epg_entry_to_dict(entry: EpgEntry, *, timezone: str) -> dict[str, Any]:
    """JSON-ready entry; times in the channel's zone with their offset."""
    zone = ZoneInfo(timezone)
    return {
        "kind": entry.kind,
        "title": entry.title,
        "description": entry.description,
        "start": entry.start.astimezone(zone).isoformat(),
        "stop": entry.stop.astimezone(zone).isoformat(),
        "programme_id": entry.programme_id,
        "entry_id": entry.entry_id,
        "replaced_programme_ids": list(entry.replaced_programme_ids),
        "live": entry.live,
        "live_event_id": entry.live_event_id,
    }


def epg_day(timeline: Timeline, *, day: date, lang: str = "vi") -> list[dict[str, Any]]:
    """The guide of one local calendar day of the channel, JSON-ready."""
    tz = timeline.channel.timezone
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    entries = programmes_between(timeline, start=start, end=end, lang=lang)
    return [epg_entry_to_dict(e, timezone=tz) for e in entries]


def _xmltv_time(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y%m%d%H%M%S %z")


def render_xmltv(timelines: Sequence[Timeline], *, start: datetime, end: datetime, lang: str = "vi") -> str:
    """XMLTV document (UTF-8) of every channel's guide over [start, end)."""
    root = ET.Element("tv", {"generator-info-name": "legaltv"})
    for timeline in timelines:
        ch = timeline.channel
        node = ET.SubElement(root, "channel", {"id": ch.channel_id})
        ET.SubElement(node, "display-name", {"lang": "vi"}).text = ch.name
        if ch.logo_url:
            ET.SubElement(node, "icon", {"src": ch.logo_url})
    for timeline in timelines:
        ch = timeline.channel
        zone = ZoneInfo(ch.timezone)
        for entry in programmes_between(timeline, start=start, end=end, lang=lang):
            attrs = {
                "start": _xmltv_time(entry.start, zone),
                "stop": _xmltv_time(entry.stop, zone),
                "channel": ch.channel_id,
            }
            prog = ET.SubElement(root, "programme", attrs)
            ET.SubElement(prog, "title", {"lang": "vi"}).text = entry.title
            if entry.description:
                ET.SubElement(prog, "desc", {"lang": "vi"}).text = entry.description
            if entry.live:
                for code, label in LIVE_LABEL.items():
                    ET.SubElement(prog, "category", {"lang": code}).text = label
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n' + body + "\n"


def _attr(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ").replace("\r", " ")


def render_m3u(
    channels: Sequence[ChannelProfile],
    *,
    base_url: str,
    master_path: str = "/channels/{channel_id}/master.m3u8",
    xmltv_path: str = "/xmltv.xml",
) -> str:
    """M3U channel list for IPTV apps, pointing at each channel's master playlist and the XMLTV guide."""
    base = base_url.rstrip("/")
    lines = [f'#EXTM3U url-tvg="{base}{xmltv_path}"']
    for ch in channels:
        lines.append(
            f'#EXTINF:-1 tvg-id="{_attr(ch.channel_id)}" tvg-name="{_attr(ch.name)}" '
            f'tvg-logo="{_attr(ch.logo_url)}" group-title="{_attr(ch.group_title)}",{_attr(ch.name)}'
        )
        lines.append(base + master_path.format(channel_id=ch.channel_id))
    return "\n".join(lines) + "\n"
