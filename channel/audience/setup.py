"""Build the audience recorder from settings: counters in Redis when one is configured, else the
database; the app hands in how to find a channel's live timeline."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from channel.audience.classify import hosts_of
from channel.audience.counters import Counters
from channel.audience.recorder import AudienceRecorder, Timelines
from channel.audience.sql_counters import SqlCounters
from channel.settings import Settings

__all__ = ["audience_recorder", "audience_redis_url", "counters_for"]


def audience_redis_url(settings: Settings) -> str | None:
    """The configured URL, else the broker's Redis, else None (the database keeps the counts)."""
    if settings.audience_redis_url:
        return settings.audience_redis_url
    broker = settings.resolved_broker_url
    return broker if broker.startswith(("redis://", "rediss://")) else None


def counters_for(settings: Settings, sessions: sessionmaker[Session]) -> Counters:
    """Redis counters (HyperLogLog uniques) when there is a Redis, else rows in the database."""
    url = audience_redis_url(settings)
    if url is None:
        return SqlCounters(sessions)
    import redis

    from channel.audience.redis_counters import RedisCounters

    return RedisCounters(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))


def audience_recorder(
    settings: Settings, *, sessions: sessionmaker[Session], timelines: Timelines
) -> AudienceRecorder:
    """The recorder of one API process."""
    return AudienceRecorder(
        counters_for(settings, sessions),
        timelines=timelines,
        zone=ZoneInfo(settings.timezone),
        hosts=hosts_of(settings.base_url, list(settings.cors_origins)),
    )
