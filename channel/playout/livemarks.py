"""Which live segments arrived, as this process reads the ingest's markers from the store.

A marker (`playlist.live_mark_key`) holds the instant the ingest stored every rung of a segment. A
marker found is remembered for good (markers are never rewritten); one not found is asked again at
most every `RECHECK_SECONDS`, so a playlist reload costs at most one small read per awaited segment.
Every replica reads the same store, so all decide feed or slate alike (`playlist.live.decide`).
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Callable

from playlist import LiveRule, Timeline, event_of_source, live_mark_key
from storage import NotFound, StorageError, Store

__all__ = ["MAX_REMEMBERED", "RECHECK_SECONDS", "LiveMarks", "live_near"]

log = logging.getLogger(__name__)

RECHECK_SECONDS = 0.25
MAX_REMEMBERED = 200_000


class LiveMarks:
    """``arrivals(source, n)`` for `playlist.LiveRule`, read from the store and remembered."""

    def __init__(
        self, store: Store, *, grace_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._clock = clock
        self._found: dict[tuple[str, int], int] = {}
        self._asked: dict[tuple[str, int], float] = {}
        self._lock = threading.Lock()
        self.rule = LiveRule(arrivals=self.arrivals, grace_us=round(grace_seconds * 1_000_000))

    def arrivals(self, source: str, index: int) -> int | None:
        key = (source, index)
        found = self._found.get(key)
        if found is not None:
            return found
        asked = self._asked.get(key)
        now = self._clock()
        if asked is not None and now - asked < RECHECK_SECONDS:
            return None
        event = event_of_source(source)
        value = None if event is None else self._read(live_mark_key(event, index))
        with self._lock:
            if len(self._found) + len(self._asked) > MAX_REMEMBERED:
                self._found.clear()
                self._asked.clear()
            if value is None:
                self._asked[key] = now
            else:
                self._found[key] = value
                self._asked.pop(key, None)
        return value

    def _read(self, key: str) -> int | None:
        try:
            return int(self._store.read_bytes(key).decode().strip())
        except NotFound:
            return None
        except (StorageError, ValueError) as exc:
            log.warning("cannot read the live marker %s: %s", key, exc)
            return None


def live_near(timeline: Timeline, *, at_us: int, window_us: int) -> bool:
    """Whether any live item airs in ``[at - window, at]`` (rendering it reads markers: do it off the loop)."""
    lo = max(timeline.start_us, at_us - window_us)
    if lo >= timeline.end_us:
        return False
    first = bisect_right(timeline.starts_us, lo) - 1
    last = bisect_right(timeline.starts_us, at_us) - 1
    return any(
        timeline.items[i].source.is_live for i in range(max(0, first), min(last, len(timeline.items) - 1) + 1)
    )
