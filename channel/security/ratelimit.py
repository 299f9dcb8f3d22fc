"""A sliding-window limiter for login attempts, per client key, in the process's memory.

Several API replicas each keep their own window, so the effective limit is per replica; that still
bounds password guessing to a small multiple of the configured rate.
"""

from __future__ import annotations

import threading
from collections import deque

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allows at most `limit` events per `window_seconds` for each key."""

    def __init__(self, *, limit: int, window_seconds: float = 60.0, max_keys: int = 100_000) -> None:
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float) -> float | None:
        """Record an attempt; None when allowed, else the seconds to wait before the next one."""
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self._max_keys:
                    self._events.clear()  # bounded memory under a flood of distinct keys
                events = self._events[key] = deque()
            while events and events[0] <= now - self._window:
                events.popleft()
            if len(events) >= self._limit:
                return max(0.0, events[0] + self._window - now)
            events.append(now)
            return None
