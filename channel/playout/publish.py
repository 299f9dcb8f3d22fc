"""Publishing: compile a channel's grid into a new `CompiledPlayout` version, keeping what aired.

The shell around `playlist.recompile`: load the channel, its grid, the programmes' media, the slate and
the previous version; compile; store the result. The caller commits (one transaction per publish).
`compile_channel` is the same compile without storing it (what the conflicts check reads).

The slate named is the channel's own card once it is stored; until then (a renamed channel whose new
card a worker is still making) the card already on air goes on, so no playlist names a missing segment.

Only approved revisions air: the media of every programme and filler comes from its standing approval
(`channel.editorial.airable`), never from the programme row, and withdrawn approvals and takeovers go
into every compile, whoever asks for it. A live event airs its feed only under an approval of it, with
the approved title and within the approved window; unapproved or withdrawn, its slot stays on the grid
(a hard start) and airs the slate or filler, never the feed, whoever compiles.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.airable import compile_inputs, live_airings
from channel.models import Channel, CompiledPlayout, LiveEvent, LiveStatus, ScheduleEntry, ScheduleMode
from channel.playout.asrun import record_aired
from channel.playout.house import channel_profile
from channel.playout.slate import expected_gap, expected_slate, live_slate_prefix, slate_prefix
from channel.playout.versions import latest_playout
from playlist import (
    GridEntry,
    ProgrammeMedia,
    Slate,
    Timeline,
    compile_timeline,
    from_us,
    live_media,
    live_source_id,
    recompile,
    timeline_from_dict,
    timeline_to_dict,
    to_us,
)

__all__ = [
    "EXTEND_BELOW",
    "HORIZON_AHEAD",
    "PlayoutError",
    "SlateStored",
    "compile_channel",
    "extend_if_needed",
    "publish_channel",
]

log = logging.getLogger(__name__)

HORIZON_AHEAD = timedelta(days=2)
#: a channel nobody edits is recompiled when less than this is compiled ahead
EXTEND_BELOW = timedelta(days=1)
#: entries that started this long before now can no longer change a recompiled timeline
_LOOKBACK = timedelta(hours=6)


#: whether the slate under a key prefix is completely stored (`channel.playout.slate.slate_probe`)
SlateStored = Callable[[str], bool]


class PlayoutError(LookupError):
    """The channel to publish does not exist."""


def _length(media: ProgrammeMedia | None) -> timedelta:
    return timedelta(microseconds=0 if media is None else media.duration_us)


def _entries(session: Session, channel_id: uuid.UUID, since: datetime | None) -> list[ScheduleEntry]:
    query = select(ScheduleEntry).where(ScheduleEntry.channel_id == channel_id)
    if since is not None:
        query = query.where(ScheduleEntry.start_at >= since)
    return list(session.scalars(query.order_by(ScheduleEntry.start_at)).all())


def _live_events(session: Session, channel_id: uuid.UUID, since: datetime | None) -> list[LiveEvent]:
    query = select(LiveEvent).where(
        LiveEvent.channel_id == channel_id, LiveEvent.status == LiveStatus.SCHEDULED
    )
    if since is not None:
        query = query.where(LiveEvent.end_at >= since)
    return list(session.scalars(query.order_by(LiveEvent.start_at)).all())


def _live_slots(
    session: Session, channel: Channel, *, since: datetime | None, slate_stored: SlateStored | None
) -> tuple[list[GridEntry], dict[str, ProgrammeMedia], dict[str, str]]:
    """Live events as hard grid entries of their own sources (`playlist.live`), and those withheld
    (not approved, or withdrawn: `channel.editorial.airable.live_airings`) with why.

    They air once the channel's gap slate is stored (else a missing segment would name absent
    keys); until then their slots get filler, and a warning says why.
    """
    events = _live_events(session, channel.id, since)
    house = channel.house_format
    if not events:
        return [], {}, {}
    if slate_stored is not None and not slate_stored(live_slate_prefix(house, channel_name=channel.name)):
        log.warning(
            "channel %s: the live gap slate is not stored yet; its live events get filler", channel.slug
        )
        return [], {}, {}
    gap = expected_gap(house, channel_name=channel.name)
    entries, sources, withheld = [], {}, {}
    airings = live_airings(session, events)
    for ev in events:
        airing = airings[ev.id]
        media = live_media(
            event_id=str(ev.id),
            title=airing.title,
            description=airing.description,
            start=airing.start,
            end=airing.end,
            segment_us=round(house.segment_seconds * 1_000_000),
            variants=[r.name for r in house.rungs],
            segment_format=house.segment_format,
            gap=gap,
        )
        sources[media.programme_id] = media
        if airing.withheld is not None:
            withheld[media.programme_id] = airing.withheld
        entries.append(
            GridEntry(
                entry_id=live_source_id(str(ev.id)), programme_id=media.programme_id, start=airing.start
            )
        )
    return entries, sources, withheld


def _slate(channel: Channel, previous: Timeline | None, slate_stored: SlateStored | None) -> Slate:
    """The channel's own card, unless it is not stored yet and another card is already on air."""
    own = expected_slate(channel.house_format, channel_name=channel.name)
    if slate_stored is None or previous is None:
        return own
    if slate_stored(slate_prefix(channel.house_format, channel_name=channel.name)):
        return own
    on_air = next((i.source for i in reversed(previous.items) if i.kind == "slate"), None)
    return own if on_air is None else Slate(media=on_air)


def _compile(
    session: Session,
    channel: Channel,
    *,
    now: datetime,
    previous: Timeline | None,
    slate_stored: SlateStored | None,
) -> Timeline:
    rows = _entries(session, channel.id, None if previous is None else now - _LOOKBACK)
    fillers = [uuid.UUID(str(i)) for i in channel.filler_policy.get("filler_programme_ids", [])]
    on_air = _on_air_programmes(previous, now)
    inputs = compile_inputs(
        session,
        channel_id=channel.id,
        programme_ids={*(e.programme_id for e in rows), *fillers, *on_air},
        now=now,
    )
    live_entries, live_sources, live_withheld = _live_slots(
        session, channel, since=None if previous is None else now - _LOOKBACK, slate_stored=slate_stored
    )
    programmes = {**inputs.programmes, **live_sources}
    withheld = {**inputs.withheld, **live_withheld}
    entries = [
        GridEntry(
            entry_id=str(e.id),
            programme_id=str(e.programme_id),
            start=e.start_at,
            mode="soft" if e.mode == ScheduleMode.SOFT else "hard",
        )
        for e in rows
    ] + live_entries
    last_end = max((e.start + _length(programmes.get(e.programme_id)) for e in entries), default=now)
    horizon = max(last_end, now) + HORIZON_AHEAD
    slate = _slate(channel, previous, slate_stored)
    filler_media = [
        m for i in fillers if (m := programmes.get(str(i))) is not None and str(i) not in inputs.withheld
    ]
    if previous is None:
        return compile_timeline(
            channel=channel_profile(channel),
            entries=entries,
            programmes=programmes,
            slate=slate,
            fillers=filler_media,
            horizon=horizon,
            takeovers=inputs.takeovers,
            withheld=withheld,
        )
    edge = now + timedelta(seconds=previous.channel.target_duration)
    return recompile(
        previous,
        entries=entries,
        programmes=programmes,
        slate=slate,
        fillers=filler_media,
        horizon=horizon,
        publish_edge=edge,
        takeovers=inputs.takeovers,
        withheld=withheld,
    )


def _on_air_programmes(previous: Timeline | None, now: datetime) -> set[uuid.UUID]:
    """Programmes (and fillers) the previous version airs from now on: withheld ones must be cut."""
    if previous is None or to_us(now) >= previous.end_us:
        return set()
    first = previous.item_index_at(max(to_us(now), previous.start_us))
    found: set[uuid.UUID] = set()
    for item in previous.items[first:]:
        if item.programme_id is not None and item.kind in ("programme", "filler"):
            try:
                found.add(uuid.UUID(item.programme_id))
            except ValueError:
                continue
    return found


def _channel(session: Session, channel_id: uuid.UUID) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise PlayoutError(f"no channel {channel_id}")
    return channel


def _previous(session: Session, channel_id: uuid.UUID) -> tuple[CompiledPlayout | None, Timeline | None]:
    last = latest_playout(session, channel_id)
    return last, None if last is None else timeline_from_dict(last.timeline)


def compile_channel(
    session: Session, *, channel_id: uuid.UUID, now: datetime, slate_stored: SlateStored | None = None
) -> Timeline:
    """What publishing at ``now`` would compile (nothing is stored): the conflicts check reads it."""
    channel = _channel(session, channel_id)
    _, previous = _previous(session, channel_id)
    return _compile(session, channel, now=now, previous=previous, slate_stored=slate_stored)


def publish_channel(
    session: Session, *, channel_id: uuid.UUID, now: datetime, slate_stored: SlateStored | None = None
) -> CompiledPlayout:
    """Compile the grid into version n + 1 (frozen up to now + one target duration); caller commits.

    ``published_until`` is the end of the compiled timeline: the channel plays at least until then.
    What the previous version aired up to now goes into the as-run log first (so an extension, which
    also comes here, keeps the log of a channel nobody edits or reads). ``slate_stored`` tells which
    slate cards exist; without it the channel's own card is named (callers that made it already).
    """
    channel = _channel(session, channel_id)
    last, previous = _previous(session, channel_id)
    if previous is not None:
        record_aired(session, channel_id=channel_id, timeline=previous, until=now)
    timeline = _compile(session, channel, now=now, previous=previous, slate_stored=slate_stored)
    compiled = CompiledPlayout(
        channel_id=channel_id,
        version=1 if last is None else last.version + 1,
        published_until=from_us(timeline.end_us),
        timeline=timeline_to_dict(timeline),
        created_at=now,
    )
    session.add(compiled)
    session.flush()
    return compiled


def extend_if_needed(
    session: Session, *, channel_id: uuid.UUID, now: datetime, slate_stored: SlateStored | None = None
) -> CompiledPlayout | None:
    """Publish again when less than a day is compiled ahead, so an unedited channel keeps playing."""
    last = latest_playout(session, channel_id)
    if last is not None and last.published_until - now >= EXTEND_BELOW:
        return None
    return publish_channel(session, channel_id=channel_id, now=now, slate_stored=slate_stored)
