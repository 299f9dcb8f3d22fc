"""Login attempts limited per client address and per account, in Redis when there is one.

Both keys are what the login itself uses: the proxy-resolved client address and the normalised
username (`normalise_username`), so `"prodb "` and `"PRODB"` count against the same account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from channel.security.ratelimit import FallbackLimiter, Limiter, RateLimiter, RedisRateLimiter
from channel.settings import Settings

__all__ = ["PER_USERNAME_FACTOR", "REDIS_PREFIX", "LoginLimits", "login_limits", "rate_limit_redis_url"]

#: attempts per minute on one account, from any number of clients, as a multiple of the per-client limit
PER_USERNAME_FACTOR: Final = 3
REDIS_PREFIX: Final = "legaltv:ratelimit:login:"
_WINDOW_SECONDS: Final = 60.0


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """The two limits every login attempt counts against."""

    per_client: Limiter
    per_username: Limiter

    def check(self, *, client: str, username: str, now: float) -> float | None:
        """Count one attempt; None when allowed, else the seconds to wait."""
        wait = self.per_client.hit(client, now=now)
        if wait is None:
            wait = self.per_username.hit(username, now=now)
        return wait


def rate_limit_redis_url(settings: Settings) -> str | None:
    """Where shared counters live: the configured URL, else the broker's Redis, else nowhere (memory)."""
    if settings.rate_limit_redis_url:
        return settings.rate_limit_redis_url
    broker = settings.resolved_broker_url
    return broker if broker.startswith(("redis://", "rediss://")) else None


def login_limits(settings: Settings) -> LoginLimits:
    """Built once per app: Redis-backed (memory while Redis fails) or, embedded, this process's memory."""
    per_minute = settings.login_rate_per_minute
    memory = {
        "client": RateLimiter(limit=per_minute, window_seconds=_WINDOW_SECONDS),
        "user": RateLimiter(limit=per_minute * PER_USERNAME_FACTOR, window_seconds=_WINDOW_SECONDS),
    }
    url = rate_limit_redis_url(settings)
    if url is None:
        return LoginLimits(per_client=memory["client"], per_username=memory["user"])
    import redis

    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def shared(kind: str, limit: int) -> Limiter:
        primary = RedisRateLimiter(client, prefix=f"{REDIS_PREFIX}{kind}:", limit=limit)
        return FallbackLimiter(primary, memory[kind], errors=(redis.RedisError,))

    return LoginLimits(
        per_client=shared("client", per_minute), per_username=shared("user", per_minute * PER_USERNAME_FACTOR)
    )
