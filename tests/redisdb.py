"""Redis databases a test has to itself: empty ones picked at random (parallel runs on one machine do
not meet), flushed afterwards; an unreachable server fails the test, naming it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import redis

__all__ = ["empty_redis_dbs"]

#: database 0 is everyone's default; the test databases are the others of Redis's 16
_NUMBERS = range(1, 16)
#: the key a test writes first into a database it takes (flushed with it)
_CLAIM = "legaltv-test:claimed"


@contextmanager
def empty_redis_dbs(redis_url: str, count: int = 1) -> Iterator[list[str]]:
    """URLs of `count` empty databases of the server at `redis_url`, flushed when the block ends."""
    base = redis_url.rsplit("/", 1)[0]
    token = uuid.uuid4().hex
    with ExitStack() as flushed:
        urls: list[str] = []
        for number in random.sample(_NUMBERS, len(_NUMBERS)):
            client = redis.Redis.from_url(f"{base}/{number}", socket_connect_timeout=3, socket_timeout=5)
            flushed.callback(client.close)
            try:
                # claimed atomically: two test processes seeing the same empty database both took it
                if not client.set(_CLAIM, token, nx=True):
                    continue
                if client.dbsize() != 1:  # someone's database: leave it as it was
                    client.delete(_CLAIM)
                    continue
            except redis.RedisError as exc:
                pytest.fail(f"Redis at {base} is not reachable: {exc}")
            flushed.callback(client.flushdb)
            urls.append(f"{base}/{number}")
            if len(urls) == count:
                yield urls
                return
        pytest.fail(f"fewer than {count} empty Redis databases among {_NUMBERS.start}-{_NUMBERS.stop - 1}")
