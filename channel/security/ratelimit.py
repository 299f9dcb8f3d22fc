"""Sliding-window rate limits: in this process's memory, or in Redis so every replica shares them.

Each limiter allows at most `limit` events per `window_seconds` per key and answers a hit with None
(allowed) or the seconds to wait. Times are wall-clock seconds passed in by the caller, so replicas
agree as far as their clocks do (NTP: well under the one-minute window) and tests need no sleeping.
Redis keeps one sorted set per key, trimmed and counted by one Lua script (atomic across replicas);
when Redis fails, `FallbackLimiter` keeps limiting with the process's own memory rather than not at all.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from typing import Any, Protocol

__all__ = ["AllLimits", "FallbackLimiter", "Limiter", "RateLimiter", "RedisRateLimiter"]

_log = logging.getLogger(__name__)


class Limiter(Protocol):
    def hit(self, key: str, *, now: float) -> float | None:
        """Record an attempt; None when allowed, else the seconds to wait before the next one."""
        ...


class RateLimiter:
    """Allows at most `limit` events per `window_seconds` for each key, in memory (one process)."""

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


# KEYS[1] the key; ARGV: now, window, limit, a unique member. Returns nil when allowed, else the wait.
_SLIDING_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return false
"""


class RedisRateLimiter:
    """The same window kept in Redis under `prefix + key`, shared by every replica using that Redis."""

    def __init__(self, client: Any, *, prefix: str, limit: int, window_seconds: float = 60.0) -> None:
        self._client = client
        self._prefix = prefix
        self._limit = limit
        self._window = window_seconds
        self._script = client.register_script(_SLIDING_WINDOW)

    def hit(self, key: str, *, now: float) -> float | None:
        member = f"{now:.6f}-{secrets.token_hex(4)}"
        wait = self._script(keys=[self._prefix + key], args=[now, self._window, self._limit, member])
        return None if wait is None else max(0.0, float(wait))


class FallbackLimiter:
    """`primary` (Redis) while it answers; `fallback` (memory) while it does not, logged at most once a minute."""

    def __init__(self, primary: Limiter, fallback: Limiter, *, errors: tuple[type[Exception], ...]) -> None:
        self._primary = primary
        self._fallback = fallback
        self._errors = errors
        self._warned = 0.0

    def hit(self, key: str, *, now: float) -> float | None:
        try:
            return self._primary.hit(key, now=now)
        except self._errors as exc:
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                _log.warning("rate limit store unavailable, limiting per process: %s", type(exc).__name__)
            return self._fallback.hit(key, now=now)


class AllLimits:
    """Several limits on the same key (say per minute and per hour): an attempt counts against each in turn,
    and the first that refuses answers."""

    def __init__(self, *limiters: Limiter) -> None:
        self._limiters = limiters

    def hit(self, key: str, *, now: float) -> float | None:
        for limiter in self._limiters:
            wait = limiter.hit(key, now=now)
            if wait is not None:
                return wait
        return None
