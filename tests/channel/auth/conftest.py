"""Fixtures of the account tests."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import redis

from channel.auth.throttle import REDIS_PREFIX


@pytest.fixture
def redis_db(redis_url: str) -> Iterator[str]:
    """A Redis database of its own (9-15, random), emptied of our keys before and after."""
    url = f"{redis_url.rsplit('/', 1)[0]}/{random.randint(9, 15)}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3)

    def clear() -> None:
        for key in client.scan_iter(f"{REDIS_PREFIX}*"):
            client.delete(key)

    try:
        clear()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is not reachable: {exc}")
    try:
        yield url
    finally:
        clear()
        client.close()
