"""Shared fixtures: addresses of the real services the suite talks to."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.redisdb import empty_redis_dbs

POSTGRES_URL = os.environ.get(
    "LEGALTV_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LEGALTV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def redis_db(redis_url: str) -> Iterator[str]:
    """An empty Redis database of the test's own, flushed afterwards."""
    with empty_redis_dbs(redis_url) as (url,):
        yield url


@pytest.fixture
def redis_db_pair(redis_url: str) -> Iterator[tuple[str, str]]:
    """Two empty Redis databases of the test's own (a broker and a result backend), flushed afterwards."""
    with empty_redis_dbs(redis_url, 2) as (broker, results):
        yield broker, results


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium is a `browser` test, so `make test` runs them apart: a Playwright
    driver holds its process's event loop, and a test calling `asyncio.run` after it would fail."""
    for item in items:
        if "playwright" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
