"""Each channel's live timeline held in memory, refreshed from the database at most every few seconds.

Serving never waits for the database once a channel is loaded: a stale entry is served while one
background refresh checks the highest `CompiledPlayout` version, and when the database is down the
last timeline keeps the channel on air (a warning is logged). The cache is a part of the app's
`AppState` (`PLAYOUT`).

The same refresh asks the store whether every slate the timeline names is there (`slate_probe`): a
channel is on air only once it is, so a new channel's playlists answer "starting" (503) instead of
naming slate segments a worker has not written yet.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from channel.models import Channel, CompiledPlayout
from channel.playout.publish import EXTEND_BELOW, SlateStored, extend_if_needed
from channel.playout.slate import slate_prefix_of
from channel.state import StateKey
from playlist import NO_LIVE, LiveRule, Timeline, from_us, timeline_from_dict

__all__ = [
    "DEFAULT_MISS_SECONDS",
    "DEFAULT_REFRESH_SECONDS",
    "MAX_MISSES",
    "PLAYOUT",
    "Live",
    "PlayoutUnavailable",
    "TimelineCache",
    "slates_of",
]

log = logging.getLogger(__name__)

DEFAULT_REFRESH_SECONDS = 3.0
#: how long "no such channel" is remembered, and for how many slugs at most (probing cannot grow it)
DEFAULT_MISS_SECONDS = 5.0
MAX_MISSES = 10_000


class PlayoutUnavailable(LookupError):
    """Nothing is loaded for the channel and the database cannot say (down, or not published)."""


def slates_of(timeline: Timeline) -> frozenset[str]:
    """The key prefixes of every slate the timeline names (filler, an emergency takeover's, or a live
    event's gap slate)."""
    gaps = {
        next(iter(i.source.gap_templates.values())).rsplit("/", 2)[0] + "/"
        for i in timeline.items
        if i.source.is_live
    }
    return (
        frozenset(
            slate_prefix_of(i.source)
            for i in timeline.items
            if i.kind == "slate" or (i.kind == "emergency" and i.programme_id is None)
        )
        | gaps
    )


@dataclass(frozen=True, slots=True)
class Live:
    """One channel's live playout as loaded: version, timeline, the playlist window, and whether it
    is on air (every slate it names is stored)."""

    slug: str
    version: int
    timeline: Timeline
    window_s: float
    on_air: bool = True
    slates: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Slot:
    live: Live | None
    checked: float


class TimelineCache:
    """slug → `Live`; thread-safe; one refresh per channel at a time.

    An unknown slug is remembered as missing for `miss_seconds` (in a bounded table, cleared when full),
    so a player or a probe asking again and again for a wrong channel does not query the database each time.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        slate_stored: SlateStored,
        live_rule: LiveRule = NO_LIVE,
        refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
        miss_seconds: float = DEFAULT_MISS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = session_factory
        self._slate_stored = slate_stored
        #: how live segments are judged feed or slate (`channel.playout.livemarks.LiveMarks.rule`)
        self.live_rule = live_rule
        self.refresh_seconds = refresh_seconds
        self.miss_seconds = miss_seconds
        self._clock = clock
        self._slots: dict[str, _Slot] = {}
        self._misses: dict[str, float] = {}  # slug → when the database last said it has no such channel
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def peek(self, slug: str) -> Live | None:
        """What is loaded, however old (no I/O)."""
        slot = self._slots.get(slug)
        return None if slot is None else slot.live

    def fresh(self, slug: str) -> bool:
        """Checked within the interval, and within half a target duration: a publish freezes one
        target duration ahead, so a replica still on the old version never lists a changed segment."""
        slot = self._slots.get(slug)
        if slot is None:
            return False
        limit = self.refresh_seconds
        if slot.live is not None:
            limit = min(limit, slot.live.timeline.channel.target_duration / 2)
        return self._clock() - slot.checked < limit

    def known_missing(self, slug: str) -> bool:
        """The database said "no such channel" less than `miss_seconds` ago (no I/O)."""
        since = self._misses.get(slug)
        return since is not None and self._clock() - since < self.miss_seconds

    def get(self, slug: str) -> Live:
        """Blocking: the channel's live playout, refreshed if older than the interval."""
        if self.peek(slug) is None and self.known_missing(slug):
            raise PlayoutUnavailable(slug)
        if not self.fresh(slug):
            self.refresh(slug)
        live = self.peek(slug)
        if live is None:
            raise PlayoutUnavailable(slug)
        return live

    async def aget(self, slug: str) -> Live:
        """For the event loop: a loaded channel is served at once, a stale one refreshed in a thread."""
        live = self.peek(slug)
        if live is None:
            if self.known_missing(slug):
                raise PlayoutUnavailable(slug)
            return await asyncio.to_thread(self.get, slug)
        if not self.fresh(slug) and self._claim(slug):
            threading.Thread(target=self._refresh_claimed, args=(slug,), daemon=True).start()
        return live

    def _claim(self, slug: str) -> bool:
        with self._lock:
            if slug in self._busy:
                return False
            self._busy.add(slug)
            return True

    def _refresh_claimed(self, slug: str) -> None:
        try:
            self._load(slug)
        finally:
            with self._lock:
                self._busy.discard(slug)

    def refresh(self, slug: str) -> None:
        """Check the database now (blocking); keep the old timeline if it fails."""
        self._load(slug)

    def _load(self, slug: str) -> None:
        old = self.peek(slug)
        answered = True
        try:
            live = self._query(slug, old)
        except SQLAlchemyError as exc:
            log.warning("database unavailable, serving the last timeline of %s: %s", slug, type(exc).__name__)
            live, answered = old, False
        with self._lock:
            if live is None and old is None:  # unknown slugs get no slot: no growth by probing
                self._slots.pop(slug, None)
                if answered:
                    if len(self._misses) >= MAX_MISSES:
                        self._misses.clear()
                    self._misses[slug] = self._clock()
            else:
                self._misses.pop(slug, None)
                self._slots[slug] = _Slot(live=live, checked=self._clock())

    def _query(self, slug: str, old: Live | None) -> Live | None:
        with self._sessions() as session:
            row = session.execute(
                select(Channel.id, Channel.window_seconds, func.max(CompiledPlayout.version))
                .join(CompiledPlayout, CompiledPlayout.channel_id == Channel.id)
                .where(Channel.slug == slug)
                .group_by(Channel.id, Channel.window_seconds)
            ).first()
            if row is None:
                return None
            channel_id, window, version = row
            if old is not None and old.version == version:
                timeline, slates = old.timeline, old.slates
            else:
                data = session.scalar(
                    select(CompiledPlayout.timeline).where(
                        CompiledPlayout.channel_id == channel_id, CompiledPlayout.version == version
                    )
                )
                timeline = timeline_from_dict(data or {})
                slates = slates_of(timeline)
            live = Live(
                slug=slug,
                version=version,
                timeline=timeline,
                window_s=float(window),
                on_air=all(self._slate_stored(prefix) for prefix in sorted(slates)),
                slates=slates,
            )
            now = datetime.now(UTC)
            if from_us(live.timeline.end_us) - now < EXTEND_BELOW:
                self._extend(session, channel_id=channel_id, now=now)
            return live

    def _extend(self, session: Session, *, channel_id: uuid.UUID, now: datetime) -> None:
        """Keep an unedited channel compiled ahead; a replica losing the race simply moves on."""
        try:
            extend_if_needed(session, channel_id=channel_id, now=now, slate_stored=self._slate_stored)
            session.commit()
        except IntegrityError:
            session.rollback()

    def slugs(self) -> list[str]:
        """Channels with a compiled playout (from the database; the loaded ones when it is down)."""
        try:
            with self._sessions() as session:
                return list(
                    session.scalars(
                        select(Channel.slug)
                        .where(Channel.id.in_(select(CompiledPlayout.channel_id)))
                        .order_by(Channel.created_at, Channel.slug)
                    )
                )
        except SQLAlchemyError as exc:
            log.warning("database unavailable, listing the loaded channels: %s", type(exc).__name__)
            return sorted(s for s, slot in self._slots.items() if slot.live is not None)


#: the API's timeline cache in its `AppState`
PLAYOUT: StateKey[TimelineCache] = StateKey("playout", TimelineCache)
