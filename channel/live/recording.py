"""What a live event aired becomes a catch-up programme of the library, without re-encoding.

After the event (its end, one segment and the grace later), the segments that aired in its slot are
copied byte for byte into a programme's prefix: the feed's where it arrived in time, the gap slate's
where it did not (`playlist.live.decide`, the same rule the playlists used). The programme carries the
event's title, description, laws and topics as tags, and is ready at once; like every programme, viewers
see it and a channel airs it once an editor approves it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channel.folding import programme_search_text
from channel.models import Channel, LiveEvent, LiveStatus, Programme, ProgrammeStatus, Rendition
from channel.playout.versions import latest_playout
from playlist import LiveRule, Timeline, decide, live_source_id, render_rendition_vod, timeline_from_dict
from storage import Store
from transcoder.house import AUDIO_CODEC, HouseFormat

__all__ = ["Aired", "aired_segments", "discontinuities", "due_events", "record_event"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Aired:
    """One segment of the event as it aired: its duration and, per rung, the key it came from."""

    duration_us: int
    keys: dict[str, str]
    live: bool
    index: int  # the event's segment number: n covers [start + n·D, start + (n+1)·D)

    def continues(self, previous: Aired) -> bool:
        """Whether this segment's timestamps follow on from ``previous`` (one run of the feed's encoder):
        every other join, feed to slate, slate to feed, slate to slate, feed back after a loss, is an
        EXT-X-DISCONTINUITY in the recording's playlists."""
        return self.live and previous.live and self.index == previous.index + 1


def aired_segments(timeline: Timeline, *, event_id: str, live: LiveRule, at_us: int) -> list[Aired]:
    """The event's segments in air order, each from the feed or the gap slate as decided at ``at_us``."""
    source_id = live_source_id(event_id)
    out: list[Aired] = []
    for item in timeline.items:
        if item.programme_id != source_id or not item.source.is_live:
            continue
        for j in range(item.segment_count):
            index = item.source_index(j)
            end_us = item.start_us + item.offset_us(j + 1)
            verdict = decide(live, source=source_id, index=index, end_us=end_us, at_us=at_us)
            from_feed = verdict == "live"
            keys = {
                name: item.source.segment_key(name, index) if from_feed else item.source.gap_key(name, index)
                for name in item.source.segment_templates
            }
            out.append(Aired(duration_us=item.duration_us(j), keys=keys, live=from_feed, index=index))
    return out


def discontinuities(aired: Sequence[Aired]) -> list[int]:
    """Positions of the segments that do not continue the one before them (`Aired.continues`)."""
    return [i for i in range(1, len(aired)) if not aired[i].continues(aired[i - 1])]


def _description(house: HouseFormat, aired: list[Aired]) -> dict[str, Any]:
    durations = [a.duration_us / 1_000_000 for a in aired]
    return {
        "version": 1,
        "duration": sum(durations),
        "segment_format": house.segment_format,
        "target_duration": round(house.segment_seconds),
        "segment_durations": durations,
        "renditions": [
            {
                "name": r.name,
                "width": r.width,
                "height": r.height,
                "bandwidth": (r.maxrate_k + house.audio_bitrate_k) * 1000,
                "average_bandwidth": (r.bitrate_k + house.audio_bitrate_k) * 1000,
                "codecs": f"{r.video_codec},{AUDIO_CODEC}",
                "frame_rate": float(house.fps),
                "playlist": f"{r.name}/index.m3u8",
                "init": None,
                "segments": [f"{r.name}/seg_{i:05d}.{house.segment_extension}" for i in range(len(aired))],
            }
            for r in house.rungs
        ],
        "audio": {"codec": "aac", "sample_rate": house.audio_sample_rate, "channels": house.audio_channels},
        "poster": None,
        "thumbnails": [],
        "master": "master.m3u8",
        "recorded_from": "live",
        "discontinuities": discontinuities(aired),
    }


def _store_playlists(store: Store, prefix: str, description: Mapping[str, Any]) -> None:
    """Each rung's `index.m3u8`, which the programme's master names (the segments are copies, the
    playlists are written here), with a discontinuity wherever the encoder changed."""
    for rendition in description["renditions"]:
        text = render_rendition_vod(
            rendition["playlist"],
            list(zip(description["segment_durations"], rendition["segments"], strict=True)),
            target_duration=int(description["target_duration"]),
            discontinuities=frozenset(description["discontinuities"]),
        )
        store.put_bytes(f"{prefix}{rendition['playlist']}", text.encode())


def due_events(session: Session, *, now: datetime, after: timedelta) -> list[LiveEvent]:
    """Events that ended more than ``after`` ago and have no recording yet."""
    return list(
        session.scalars(
            select(LiveEvent).where(
                LiveEvent.status == LiveStatus.SCHEDULED,
                LiveEvent.recorded_programme_id.is_(None),
                LiveEvent.end_at < now - after,
                LiveEvent.end_at > now - timedelta(days=2),
            )
        ).all()
    )


def record_event(
    session: Session, *, store: Store, event: LiveEvent, live: LiveRule, now: datetime
) -> Programme | None:
    """Copy what the event aired into a new ready programme (once: the event is claimed first)."""
    if latest_playout(session, event.channel_id) is None:
        return None  # never published: nothing aired
    claimed = session.execute(
        update(LiveEvent)
        .where(LiveEvent.id == event.id, LiveEvent.recorded_programme_id.is_(None))
        .values(recorded_programme_id=uuid.uuid4())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        return None
    session.commit()
    session.refresh(event)
    programme_id = event.recorded_programme_id
    assert programme_id is not None
    compiled = latest_playout(session, event.channel_id)
    channel = session.get(Channel, event.channel_id)
    if compiled is None or channel is None:
        return None
    timeline = timeline_from_dict(compiled.timeline)
    aired = aired_segments(
        timeline, event_id=str(event.id), live=live, at_us=round(now.timestamp() * 1_000_000)
    )
    if not aired:
        log.info("live event %s never aired: no recording", event.id)
        return None
    house = channel.house_format
    prefix = f"programmes/{programme_id}/r1/"
    for i, segment in enumerate(aired):
        for name, key in segment.keys.items():
            store.put_bytes(f"{prefix}{name}/seg_{i:05d}.{house.segment_extension}", store.read_bytes(key))
    description = _description(house, aired)
    _store_playlists(store, prefix, description)  # before the programme is ready: its master names them
    documents = [str(d) for d in event.legal_documents]
    programme = Programme(
        id=programme_id,
        title=event.title,
        description=event.description,
        tags=["trực tiếp", *(str(t) for t in event.topics), *documents],
        search_text=programme_search_text(event.title, event.description, documents),
        status=ProgrammeStatus.READY,
        progress=100.0,
        media_prefix=prefix,
        media=description,
        duration=float(description["duration"]),
        owner_id=event.created_by_id,
        renditions=[
            Rendition(
                name=str(r["name"]),
                width=int(r["width"]),
                height=int(r["height"]),
                bandwidth=int(r["bandwidth"]),
                average_bandwidth=int(r["average_bandwidth"]),
                codecs=str(r["codecs"]),
            )
            for r in description["renditions"]
        ],
    )
    session.add(programme)
    session.commit()
    log.info(
        "live event %s recorded as programme %s (%d segments, %d from the feed)",
        event.id,
        programme_id,
        len(aired),
        sum(a.live for a in aired),
    )
    return programme
