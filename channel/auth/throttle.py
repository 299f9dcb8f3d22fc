"""Sign-in attempts limited per client address and per account, in Redis when there is one.

Both password keys are what the login itself uses: the proxy-resolved client address and the
normalised username (`normalise_username`), so `"prodb "` and `"PRODB"` count against the same account.
Second-factor codes (sign-in, enrolment) are counted per account id, per minute and per hour, so
guessing a six-digit code stays hopeless however many addresses try (docs/security-staff.md has the
arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from channel.security.ratelimit import AllLimits, FallbackLimiter, Limiter, RateLimiter, RedisRateLimiter
from channel.settings import Settings

__all__ = [
    "CODE_HOUR_FACTOR",
    "PER_USERNAME_FACTOR",
    "REDIS_PREFIX",
    "LoginLimits",
    "login_limits",
    "rate_limit_redis_url",
]

#: attempts per minute on one account, from any number of clients, as a multiple of the per-client limit
PER_USERNAME_FACTOR: Final = 3
#: second-factor codes per account and hour, as a multiple of the per-minute limit
CODE_HOUR_FACTOR: Final = 4
REDIS_PREFIX: Final = "legaltv:ratelimit:login:"
_MINUTE: Final = 60.0
_HOUR: Final = 3600.0


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """The limits every sign-in attempt counts against."""

    per_client: Limiter
    per_username: Limiter
    per_account_code: Limiter

    def check(self, *, client: str, username: str, now: float) -> float | None:
        """Count one password attempt; None when allowed, else the seconds to wait."""
        wait = self.per_client.hit(client, now=now)
        if wait is None:
            wait = self.per_username.hit(username, now=now)
        return wait

    def check_code(self, *, account: str, now: float) -> float | None:
        """Count one second-factor code for `account` (a user id); None when allowed, else the wait."""
        return self.per_account_code.hit(account, now=now)


def rate_limit_redis_url(settings: Settings) -> str | None:
    """Where shared counters live: the configured URL, else the broker's Redis, else nowhere (memory)."""
    if settings.rate_limit_redis_url:
        return settings.rate_limit_redis_url
    broker = settings.resolved_broker_url
    return broker if broker.startswith(("redis://", "rediss://")) else None


def login_limits(settings: Settings) -> LoginLimits:
    """Built once per app: Redis-backed (memory while Redis fails) or, embedded, this process's memory."""
    per_minute = settings.login_rate_per_minute
    codes = settings.mfa_attempts_per_minute
    windows = {
        "client": (per_minute, _MINUTE),
        "user": (per_minute * PER_USERNAME_FACTOR, _MINUTE),
        "code": (codes, _MINUTE),
        "code-hour": (codes * CODE_HOUR_FACTOR, _HOUR),
    }
    memory = {
        kind: RateLimiter(limit=limit, window_seconds=window) for kind, (limit, window) in windows.items()
    }
    url = rate_limit_redis_url(settings)
    if url is None:
        limiters: dict[str, Limiter] = dict(memory)
    else:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        limiters = {
            kind: FallbackLimiter(
                RedisRateLimiter(client, prefix=f"{REDIS_PREFIX}{kind}:", limit=limit, window_seconds=window),
                memory[kind],
                errors=(redis.RedisError,),
            )
            for kind, (limit, window) in windows.items()
        }
    return LoginLimits(
        per_client=limiters["client"],
        per_username=limiters["user"],
        per_account_code=AllLimits(limiters["code"], limiters["code-hour"]),
    )
