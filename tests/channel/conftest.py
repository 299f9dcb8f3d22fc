"""Fixtures for the channel tests: migrated databases on SQLite and on an isolated PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from channel.db import make_engine
from channel.migrate import upgrade
from channel.settings import Settings
from tests.channel.api_fixtures import _fast_password_hashing, api_app, api_client, api_users, make_api_user
from tests.pgschema import pg_schema_url

__all__ = ["_fast_password_hashing", "api_app", "api_client", "api_users", "make_api_user"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'legaltv.sqlite3'}"


@pytest.fixture
def pg_schema_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine whose search_path is a fresh random schema, dropped afterwards (isolation per test)."""
    with pg_schema_url(postgres_url) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_engine(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Engine]:
    """An empty database engine on each backend the project supports."""
    if request.param == "sqlite":
        engine = make_engine(sqlite_url)
        yield engine
        engine.dispose()
    else:
        yield request.getfixturevalue("pg_schema_engine")


@pytest.fixture
def embedded_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The embedded default (SQLite, local store, filesystem broker) under a fresh folder, migrated.

    A test marked `@pytest.mark.settings(name=value, …)` gets those settings changed (and so does its app).
    """
    marker = request.node.get_closest_marker("settings")
    settings = Settings(data_dir=tmp_path / "var", env="test", **(marker.kwargs if marker else {}))
    upgrade(settings.resolved_database_url)
    return settings
