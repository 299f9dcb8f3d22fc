"""Fixtures of the integration tests: the real services, each isolated and cleaned up afterwards.

PostgreSQL gets a fresh schema, Redis two database numbers of its own (flushed before and after), the
moto S3 server a fresh bucket (emptied and deleted afterwards). An unreachable service fails the test
with a message naming it: these tests prove the deployment on real parts, so they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.redisdb import empty_redis_dbs
from tests.s3server import S3Server, new_bucket_name, s3_server

__all__ = ["Bucket", "redis_dbs", "s3_bucket", "s3_server"]


@contextmanager
def redis_dbs(redis_url: str) -> Iterator[tuple[str, str]]:
    """(broker URL, result backend URL) on two empty Redis databases of the test's own, flushed after.

    A context manager for the test body (not a fixture), so an unreachable server FAILS the test.
    """
    with empty_redis_dbs(redis_url, 2) as (broker, results):
        yield broker, results


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bucket on the test S3 server and how to reach it."""

    server: S3Server
    name: str


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[Bucket]:
    """A fresh bucket on the moto server, emptied and deleted afterwards."""
    client = s3_server.client()
    name = new_bucket_name()
    client.create_bucket(Bucket=name)
    try:
        yield Bucket(server=s3_server, name=name)
    finally:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=name)
        for page in pages:
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
