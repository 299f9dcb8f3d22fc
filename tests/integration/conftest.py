"""Fixtures of the integration tests: the real services, each isolated and cleaned up afterwards.

PostgreSQL gets a fresh schema, Redis two database numbers of its own (flushed before and after), the
moto S3 server a fresh bucket (emptied and deleted afterwards). An unreachable service fails the test
with a message naming it: these tests prove the deployment on real parts, so they never skip.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest
import redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from channel.db import make_engine
from tests.s3server import S3Server, new_bucket_name, s3_server

__all__ = ["Bucket", "pg_schema_url", "redis_dbs", "s3_bucket", "s3_server"]

#: Redis database numbers no other test uses (broker, result backend)
BROKER_DB = 7
RESULTS_DB = 8


@contextmanager
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards.

    A context manager for the test body (not a fixture), so an unreachable server FAILS the test.
    """
    schema = f"it_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url, connect_timeout=3)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {postgres_url} is not reachable: {exc.orig}")
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def redis_dbs(redis_url: str) -> Iterator[tuple[str, str]]:
    """(broker URL, result backend URL) on two Redis databases of this module, flushed before and after.

    A context manager for the test body (not a fixture), so an unreachable server FAILS the test.
    """
    base = redis_url.rsplit("/", 1)[0]
    urls = (f"{base}/{BROKER_DB}", f"{base}/{RESULTS_DB}")
    clients = [redis.Redis.from_url(u, socket_connect_timeout=3, socket_timeout=5) for u in urls]
    try:
        for client in clients:
            client.flushdb()
    except redis.RedisError as exc:
        for client in clients:
            client.close()
        pytest.fail(f"Redis at {base} is not reachable: {exc}")
    try:
        yield urls
    finally:
        for client in clients:
            client.flushdb()
            client.close()


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bucket on the test S3 server and how to reach it."""

    server: S3Server
    name: str


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[Bucket]:
    """A fresh bucket on the moto server, emptied and deleted afterwards."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key_id,
        aws_secret_access_key=s3_server.secret_access_key,
    )
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
