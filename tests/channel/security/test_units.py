"""The pure parts of the HTTP hardening, by exact values: body policy, last-known store, Redis window."""

from __future__ import annotations

import random
import uuid

import pytest
import redis
from sqlalchemy.exc import OperationalError

from channel.app import body_policy
from channel.http.bodies import declared_length
from channel.ops.metrics_access import metrics_access
from channel.security.ratelimit import RedisRateLimiter
from channel.settings import Settings
from channel.timeparams import parse_day, parse_instant
from channel.web.lastknown import DatabaseUnavailable, LastKnown


def test_body_policy_by_route_family() -> None:
    policy = body_policy(Settings(env="test"))
    assert policy.for_path("/api/auth/login") == (1024**2, False)
    assert policy.for_path("/api/uploads/") == (None, True)
    assert policy.for_path("/api/uploads/0f3e") == (None, True)
    assert policy.for_path("/api/programmes/p1/source") == (8 * 1024**3, True)
    assert policy.for_path("/api/programmes/p1/subtitles") == (2 * 1024**2, True)
    assert policy.for_path("/api/programmes/p1/source/x") == (1024**2, False)
    assert policy.for_path("/api/uploadsx") == (1024**2, False)


def test_declared_length() -> None:
    assert declared_length({"headers": []}) == (None, False)
    assert declared_length({"headers": [(b"content-length", b"0")]}) == (0, False)
    assert declared_length({"headers": [(b"content-length", b"12")]}) == (12, True)
    assert declared_length({"headers": [(b"transfer-encoding", b"chunked")]}) == (None, True)


def test_metrics_access_verdicts() -> None:
    nets = ["10.1.0.0/16"]
    assert metrics_access(client="10.1.2.3", authorization=None, networks=nets, token="") == "allowed"
    assert metrics_access(client="10.2.0.1", authorization=None, networks=nets, token="") == "hidden"
    assert metrics_access(client="testclient", authorization=None, networks=nets, token="") == "hidden"
    assert (
        metrics_access(client="10.2.0.1", authorization="Bearer s3", networks=nets, token="s3") == "allowed"
    )
    assert (
        metrics_access(client="10.1.2.3", authorization="Bearer no", networks=nets, token="s3")
        == "wrong_token"
    )
    assert (
        metrics_access(client="10.1.2.3", authorization="Bearer x", networks=nets, token="") == "wrong_token"
    )


def test_time_parameters_are_bounded() -> None:
    assert parse_day(" 2026-12-01 ").isoformat() == "2026-12-01"
    assert parse_instant("2026-12-01 20:00 07:00").isoformat() == "2026-12-01T13:00:00+00:00"  # "+" lost
    assert parse_instant("1796000000", allow_epoch=True).year == 2026
    for bad in ("9999-12-31", "1999-12-31", "31/12/2026"):
        with pytest.raises(ValueError):
            parse_day(bad)
    for text in ("1e300", "nan", "-1", "9999999999999"):
        with pytest.raises(ValueError):
            parse_instant(text, allow_epoch=True)
    with pytest.raises(ValueError):
        parse_instant("2026-12-01T20:00")  # naive without a timezone to read it in
    with pytest.raises(ValueError):
        parse_instant("2199-12-31T23:00-05:00")  # past the last year once in UTC


def test_last_known_serves_the_last_answer_only_through_database_failures() -> None:
    clock = [0.0]
    known: LastKnown[str, int] = LastKnown(max_items=2, retry_seconds=5, clock=lambda: clock[0])

    def down() -> int:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    def gone() -> int:
        raise LookupError("withdrawn")

    assert known.read("a", lambda: 1) == 1
    assert known.read("a", down) == 1
    with pytest.raises(DatabaseUnavailable):
        known.read("b", down)
    calls: list[int] = []

    def asked() -> int:
        calls.append(1)
        return 2

    assert known.read("a", asked) == 1  # within the retry pause: not asked
    assert calls == []
    clock[0] = 6.0
    assert known.read("a", lambda: 3) == 3
    with pytest.raises(LookupError):
        known.read("a", gone)
    with pytest.raises(DatabaseUnavailable):
        known.read("a", down)  # withdrawn while the database was up: not served again
    for key, value in (("x", 1), ("y", 2), ("z", 3)):
        known.read(key, lambda v=value: v)  # type: ignore[misc]
    clock[0] = 20.0
    with pytest.raises(DatabaseUnavailable):
        known.read("x", down)  # the least recently used went past max_items


@pytest.mark.redis
def test_redis_window_counts_and_says_how_long_to_wait(redis_url: str) -> None:
    client = redis.Redis.from_url(f"{redis_url.rsplit('/', 1)[0]}/{random.randint(9, 15)}", socket_timeout=3)
    prefix = f"legaltv:test:{uuid.uuid4().hex}:"
    try:
        limiter = RedisRateLimiter(client, prefix=prefix, limit=3, window_seconds=60)
        assert [limiter.hit("ip", now=t) for t in (1000.0, 1001.0, 1002.0)] == [None, None, None]
        assert limiter.hit("ip", now=1003.0) == pytest.approx(57)
        assert limiter.hit("other", now=1003.0) is None
        assert limiter.hit("ip", now=1060.5) is None
        assert 0 < client.pttl(prefix + "ip") <= 60_000
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
