"""Shared fixtures: addresses of the real services the suite talks to."""

from __future__ import annotations

import os

import pytest

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
